"""Host facts on clusters without SSH (issue 12, item 5): read through the agent pod.

The agent runs in the host's network namespace with the host's /proc and /sys; one exec of a fixed
script in its container shows the kernel (with /proc/version's build string), the NIC and the CPU
governors. SSH stays the fuller source where it exists; without either, the findings say which
facts need which access.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.probe import AGENT_POD_SCRIPT
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.runner import RunningLab, start_lab
from tests.integration.lab.conftest import FAST, lab_source, running

AGENT_POD = "via the agent pod"


def _check(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "cilium_tui", "check", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    doc: dict[str, Any] = json.loads(out.stdout)
    return doc


def test_check_no_ssh_reads_kernel_mtu_and_governor_through_the_agent_pod() -> None:
    doc = _check("--demo", "--no-ssh")
    board = next(n for n in doc["nodes"] if n["name"] == "rock64-1")
    items = board["items"]
    assert items["kernel"]["evidence"] == [f"{AGENT_POD} uname -r: 4.19.0-24-arm64"]
    assert items["jumbo-mtu"]["evidence"][0] == f"{AGENT_POD} /sys/class/net/eth0/mtu: 1500"
    governor = items["cpu-governor"]
    assert governor["state"] == "off"
    assert governor["evidence"][0].startswith(
        f"{AGENT_POD} /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor: cpu0 ondemand"
    )
    assert items["xdp-acceleration"]["blocked_by"] == ["NIC driver st_gmac has no native XDP"]
    # /proc/version's "Debian 4.19.289-2" settles the 4.19.57 socket-LB rule that 4.19.0-24 hides.
    bypass = items["bypass-iptables-conntrack"]
    assert not [b for b in bypass["blocked_by"] if "kernel" in b], bypass
    # The Ubuntu VMs' version string names their preemption model; systemd's state needs SSH.
    vm = next(n for n in doc["nodes"] if n["name"] == "k3s-vm-1")["items"]
    assert vm["preempt-none"]["reason"] == "preemption model dynamic, not none"
    assert vm["preempt-none"]["evidence"][0].startswith(f"{AGENT_POD} /proc/version: #40-Ubuntu")
    irqbalance = items["irqbalance"]
    assert irqbalance["state"] == "unknown"
    assert "SSH probing is off (--no-ssh)" in irqbalance["reason"]
    assert "host facts read via the agent pod" in irqbalance["reason"]
    assert "the agent pod shows only the kernel release" in irqbalance["reason"]
    assert irqbalance["reason"].endswith("the rest needs SSH")


def test_without_ssh_or_exec_the_findings_say_which_access_each_fact_needs() -> None:
    with start_lab("seed", timing=FAST) as lab:
        assert lab.files is not None
        lab.api.access.deny("create", "pods/exec")
        doc = _check("--kubeconfig", str(lab.files.kubeconfig), "--no-ssh")
    items = next(n for n in doc["nodes"] if n["name"] == "rock64-1")["items"]
    reason = items["cpu-governor"]["reason"]
    assert reason.startswith("CPU governor unknown: no SSH probe: SSH probing is off (--no-ssh)")
    assert "no host facts via the agent pod: exec sh -c" in reason
    assert "forbidden" in reason
    assert "SSH to the node reads every host fact; exec into its agent pod (pods/exec)" in reason
    # The kernel still comes from the Node object.
    assert items["kernel"]["evidence"][0].startswith("Node status.nodeInfo.kernelVersion")


@pytest.fixture
async def seed() -> AsyncIterator[ClusterSource]:
    source = await lab_source("seed")
    yield source
    await source.close()


def _execs(lab: RunningLab) -> Counter[tuple[str, str]]:
    """Exec requests per (pod, first word of the command)."""
    return Counter(
        (r.path.split("/")[-2], r.param("command") or "")
        for r in lab.api.requests.records()
        if r.path.endswith("/exec")
    )


async def _host_reads(lab: RunningLab, nodes: int) -> list[int]:
    """Per pod, how many host-fact execs the lab served. The lab logs a request once its
    handler returns, which for an exec can be just after the client has read the answer: wait
    (boundedly) for as many pods as there are nodes to be logged."""
    deadline = asyncio.get_running_loop().time() + 10.0
    while True:
        reads = [count for (pod, word), count in _execs(lab).items() if word == "sh"]
        if len(reads) >= nodes or asyncio.get_running_loop().time() > deadline:
            return reads
        await asyncio.sleep(0.05)


async def test_one_extra_exec_per_node_and_none_where_ssh_answers(seed: ClusterSource) -> None:
    lab = running(seed)
    snapshot = await seed.scan()  # SSH (the lab's inventory) answers: the fuller source
    assert all(r.probe is not None and r.probe.source == "ssh" for r in snapshot.nodes)
    assert not [key for key in _execs(lab) if key[1] == "sh"]
    files = lab.files
    assert files is not None
    kube = await KubeClient.connect(str(files.kubeconfig))
    lab.api.requests.clear()
    no_ssh = ClusterSource("lab seed", kube=kube, ssh=None)
    try:
        snapshot = await no_ssh.scan()
    finally:
        await no_ssh.close()
    host_reads = await _host_reads(lab, len(snapshot.nodes))
    assert host_reads == [1] * len(snapshot.nodes)
    for record in snapshot.nodes:
        assert record.probe is not None and record.probe.source == "agent pod", record.errors
        assert record.probe.kernel_release == record.kernel
        assert record.probe.mtu == 1500
    sent = next(r for r in lab.api.requests.records() if r.param("command") == "sh")
    assert [v for k, v in sent.query if k == "command"] == ["sh", "-c", AGENT_POD_SCRIPT]


async def test_a_crash_looping_agent_gives_no_host_facts_and_says_why() -> None:
    source = await lab_source("seed")
    try:
        running(source).inject("unready:rock64-2")
        await asyncio.sleep(0.3)
        source.ssh = None
        snapshot = await source.scan()
    finally:
        await source.close()
    record = snapshot.node("rock64-2")
    assert record is not None and record.probe is None
    assert "agent" in record.errors
