"""A CiliumNodeConfig created with the real kubectl: the lab's agent starts with it, the scan
reads it, the checklist shows where the node's setting comes from and the planner does not pretend
that cilium-config's change reaches the node."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path

from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.model import Snapshot
from cilium_tui.remedy.plan import Outcome
from cilium_tui.remedy.planner import build_plan
from tests.conftest import need_tools
from tests.integration.lab.conftest import running

VM = "k3s-vm-1"
OVERRIDE = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumNodeConfig",
    "metadata": {"name": "vm-1-iptables-masq", "namespace": "kube-system"},
    "spec": {
        "nodeSelector": {"matchLabels": {"kubernetes.io/hostname": VM}},
        "defaults": {"enable-bpf-masquerade": "false"},
    },
}


def _kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    cache = kubeconfig.parent / "kube-cache"
    done = subprocess.run(
        ["kubectl", "--cache-dir", str(cache), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _scan_until(source: ClusterSource, vm_routing: str) -> Snapshot:
    deadline = time.monotonic() + 30
    while True:
        snapshot = await source.scan()
        record = snapshot.node(VM)
        routing = record.agent.host_routing if record and record.agent else None
        if routing == vm_routing or time.monotonic() > deadline:
            return snapshot
        await asyncio.sleep(0.2)


async def test_an_override_reaches_one_agent_and_the_plan_says_so(seed: ClusterSource) -> None:
    need_tools("kubectl")
    files = running(seed).files
    assert files is not None
    # The lab serves no OpenAPI document for kubectl's client-side validation.
    created = _kubectl(
        files.kubeconfig,
        "create",
        "--validate=false",
        "-f",
        "-",
        "-o",
        "name",
        stdin=json.dumps(OVERRIDE),
    )
    assert created.strip() == "ciliumnodeconfig.cilium.io/vm-1-iptables-masq"
    listed = json.loads(
        _kubectl(files.kubeconfig, "-n", "kube-system", "get", "ciliumnodeconfigs", "-o", "json")
    )
    assert [o["metadata"]["name"] for o in listed["items"]] == ["vm-1-iptables-masq"]

    before = await seed.scan()
    assert [c.name for c in before.node_configs] == ["vm-1-iptables-masq"]
    assert NodeView(before, before.node(VM)).config.overridden_by == {  # type: ignore[arg-type, union-attr]
        "enable-bpf-masquerade": "vm-1-iptables-masq"
    }

    # Only the node's agent started after the override has it: restart it as an operator would.
    pod = next(r.pod for r in before.nodes if r.name == VM)
    assert pod is not None
    _kubectl(files.kubeconfig, "-n", "kube-system", "delete", "pod", pod.name, "--wait=false")
    after = await _scan_until(seed, "Legacy")
    routing = {r.name: r.agent.host_routing if r.agent else None for r in after.nodes}
    assert routing[VM] == "Legacy" and routing["k3s-vm-2"] == "BPF", routing

    causes = {e.node: e.causes for e in why_legacy(after)}
    masquerading = next(c for c in causes[VM] if c.id == "iptables-masquerading")
    assert "CiliumNodeConfig vm-1-iptables-masq" in " ".join(str(e) for e in masquerading.evidence)

    plan = build_plan(ItemId.BPF_MASQUERADING, after)
    held = {a.node: a for a in plan.assessments}[VM]
    assert held.outcome == Outcome.NO_EFFECT
    assert 'CiliumNodeConfig vm-1-iptables-masq sets enable-bpf-masquerade="false"' in held.reason
    assert plan.status == "refused", "restarting every agent would not turn it on where it is held"
    refusal = next(r for r in plan.refusals if VM in r.nodes)
    assert "CiliumNodeConfig vm-1-iptables-masq" in refusal.reason
