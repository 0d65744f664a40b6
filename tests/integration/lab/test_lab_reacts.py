"""The lab behaves like a cluster: config changes and restarts change what agents report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.model import Snapshot
from tests.integration.lab.conftest import lab_source, running

NS = "kube-system"


def _routing(snapshot: Snapshot) -> dict[str, str | None]:
    return {r.name: r.agent.host_routing if r.agent else None for r in snapshot.nodes}


async def _patch_and_roll(source: ClusterSource, changes: dict[str, str | None]) -> None:
    kube = source.kube
    assert kube is not None
    cm = await kube.get_configmap(NS, "cilium-config")
    await kube.patch_configmap_data(NS, "cilium-config", changes, cm["metadata"]["resourceVersion"])
    await kube.rollout_restart_daemonset(NS, "cilium")


async def _until(source: ClusterSource, done: Callable[[Snapshot], bool]) -> Snapshot:
    deadline = time.monotonic() + 30
    while True:
        snapshot = await source.scan()
        if done(snapshot) or time.monotonic() > deadline:
            return snapshot
        await asyncio.sleep(0.2)


async def test_seed_scan_reads_agents_and_boards(seed: ClusterSource) -> None:
    snapshot = await seed.scan()
    assert len(snapshot.nodes) == 6
    assert snapshot.config is not None and snapshot.config.value("kpr_full") is True
    for record in snapshot.nodes:
        assert not record.errors, record.errors
        assert record.pod is not None and record.pod.ready
        assert record.probe is not None and record.probe.kernel_release == record.kernel
        expected = "BPF" if record.architecture == "amd64" else "Legacy"
        assert record.agent is not None and record.agent.host_routing == expected
        # VMs expose no cpufreq; the boards run ondemand/schedutil governors.
        assert record.probe.cpufreq is (record.architecture == "arm64")


async def test_masquerading_back_to_iptables_makes_the_vms_legacy_too(seed: ClusterSource) -> None:
    await _patch_and_roll(seed, {"enable-bpf-masquerade": "false"})
    snapshot = await _until(seed, lambda s: set(_routing(s).values()) == {"Legacy"})
    assert set(_routing(snapshot).values()) == {"Legacy"}
    causes = {e.node: [c.id for c in e.causes] for e in why_legacy(snapshot)}
    assert causes["k3s-vm-1"] == ["iptables-masquerading"]
    assert causes["rock64-1"][0] == "kernel"


async def test_a_board_rebooted_on_5_10_gets_bpf_host_routing(seed: ClusterSource) -> None:
    lab = running(seed)
    events = seed.node_events()
    assert (await anext(events)).kind == "ADDED"  # the watch starts with a list
    lab.cluster.set_kernel("rock64-2", "5.10.0-26-arm64", "#1 SMP Debian 5.10.197-1 (2023-09-29)")
    lab.api.set_agent_unready("rock64-2", unready=False)  # restarts the node's agent now
    modified = None
    async with asyncio.timeout(10):
        async for event in events:
            if event.kind == "MODIFIED" and event.node.name == "rock64-2":
                modified = event
                break
    assert modified is not None and modified.node.kernel_version == "5.10.0-26-arm64"
    snapshot = await _until(seed, lambda s: _routing(s)["rock64-2"] == "BPF")
    assert _routing(snapshot)["rock64-2"] == "BPF"
    assert _routing(snapshot)["rock64-1"] == "Legacy"


async def test_dead_board_and_failing_exec_are_facts_not_failures(seed: ClusterSource) -> None:
    lab = running(seed)
    lab.cluster.hosts["rock64-3"].reachable = False
    first = await seed.scan()
    pod = first.node("k3s-vm-2")
    assert pod is not None and pod.pod is not None
    lab.api.set_exec_faults(fail=[pod.pod.name])
    snapshot = await seed.scan()
    dead = snapshot.node("rock64-3")
    assert dead is not None and "rock64-3" in dead.errors["ssh"]
    # SSH failed; the host facts the agent pod can show came that way instead.
    assert dead.probe is not None and dead.probe.source == "agent pod"
    assert dead.probe.kernel_release == "4.19.0-24-arm64"
    assert dead.agent is not None  # its agent still answers through the API
    failing = snapshot.node("k3s-vm-2")
    assert failing is not None and failing.agent is None
    assert "error dialing backend" in failing.errors["agent"]
    others = [r for r in snapshot.nodes if r.name not in ("rock64-3", "k3s-vm-2")]
    assert all(not r.errors for r in others)
    assert evaluate(snapshot)  # the checklist still judges what is known


async def test_an_invalid_value_for_the_release_crash_loops_the_agents() -> None:
    # Cilium 1.13 knows strict/partial/disabled; "true" only arrived in 1.14.
    source = await lab_source("seed")
    try:
        await _patch_and_roll(source, {"kube-proxy-replacement": "true"})

        def crashing(s: Snapshot) -> bool:
            first = s.node("k3s-vm-1")
            return bool(first and first.pod and first.pod.waiting_reason == "CrashLoopBackOff")

        snapshot = await _until(source, crashing)
        record = snapshot.node("k3s-vm-1")
        assert record is not None and record.agent is None
        assert "CrashLoopBackOff" in record.errors["agent"]
        # The rollout stalls at maxUnavailable (2): the last nodes keep their running agents.
        survivors = [r for r in snapshot.nodes if r.agent is not None]
        assert {r.name for r in survivors} >= {"rock64-2", "rock64-3"}
    finally:
        await source.close()
