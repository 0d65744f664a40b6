"""What keeps a change safe: conflicts, RBAC, an agent that does not come back, read-only mode."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Awaitable, Callable

import pytest

from cilium_tui.checks.types import State
from cilium_tui.remedy.engine import (
    Progress,
    ReadOnlyError,
    RemedyEngine,
    confirm,
    confirmation_word,
)
from cilium_tui.remedy.planner import REMEDIES, build_plan
from cilium_tui.remedy.preview import config_diff, render_json, render_text
from tests.conftest import need_tools
from tests.integration.remedy.conftest import Lab, apply

StartLab = Callable[[str], Awaitable[Lab]]
KUBECTL = "/usr/bin/kubectl"
NS = "kube-system"


def kubectl(seed: Lab, *args: str) -> str:
    need_tools(KUBECTL)
    files = seed.running.files
    assert files is not None
    env = {**os.environ, "KUBECONFIG": str(files.kubeconfig)}
    done = subprocess.run(
        [KUBECTL, *args], env=env, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout


async def test_a_change_since_the_preview_is_not_overwritten(lab: StartLab) -> None:
    seed = await lab("seed")
    plan = build_plan("hubble", await seed.source.scan())
    patch = json.dumps({"data": {"enable-hubble": "true", "hubble-listen-address": ":4245"}})
    kubectl(seed, "-n", NS, "patch", "configmap", "cilium-config", "--type", "merge", "-p", patch)
    theirs = seed.config()
    pods = seed.agent_pods()

    result = await apply(seed, plan)
    assert result.outcome == "conflict"
    assert not result.undo_offered
    assert seed.config() == theirs  # nothing overwritten
    assert seed.agent_pods() == pods  # nothing restarted
    ours = [r for r in seed.mutating() if r.user_agent.startswith("cilium-tui/")]
    assert [(r.method, r.status) for r in ours] == [("PATCH", 409)]
    # The new plan: same change, against the new resourceVersion, with its own diff.
    replan = result.replan
    assert replan is not None and replan.status == "ready"
    rv = replan.cluster.resource_version
    assert rv is not None and rv != plan.cluster.resource_version
    assert f"(resourceVersion {rv})" in config_diff(replan).splitlines()[0]
    assert replan.basis is not None and replan.basis.config is not None
    assert replan.basis.config.data["hubble-listen-address"] == ":4245"
    entry = seed.journal.load(result.entry_id or "")
    assert entry.status == "conflict" and not entry.mutated

    again = await apply(seed, replan)
    assert again.outcome == "verified", again.message
    assert seed.config()["hubble-listen-address"] == ":4245"
    assert seed.config()["enable-hubble"] == "false"


@pytest.mark.parametrize(
    ("verb", "resource", "item_id"),
    [
        ("patch", "configmaps", "bypass-iptables-conntrack"),
        ("delete", "pods", "hubble"),
    ],
)
async def test_missing_rights_are_explained_and_nothing_changes(
    lab: StartLab, verb: str, resource: str, item_id: str
) -> None:
    seed = await lab("seed")
    seed.running.api.access.deny(verb, resource, namespace=NS)
    plan = build_plan(item_id, await seed.source.scan())
    preflight = await seed.engine.preflight(plan)
    assert not preflight.ok
    assert [str(p) for p in preflight.permissions if not p.allowed] == [
        f"{verb} {resource} in namespace {NS}"
    ]
    assert f"kubectl auth can-i {verb} {resource} -n {NS}" in preflight.problems[0]
    result = await apply(seed, plan)
    assert result.outcome == "denied"
    assert f"may not {verb} {resource}" in result.message
    assert seed.mutating() == []
    assert seed.journal.entries() == []


async def _cubic_on_veth(modern: Lab) -> None:
    """The modern lab runs BBR and netkit; start from CUBIC on veth devices (and wait until
    every agent runs so), so that only BBR depends on the kernel."""
    kube = modern.source.kube
    assert kube is not None
    cm = await kube.get_configmap(NS, "cilium-config")
    rv = cm["metadata"]["resourceVersion"]
    changes = {"enable-bbr": "false", "datapath-mode": "veth"}
    await kube.patch_configmap_data(NS, "cilium-config", changes, rv)
    await kube.rollout_restart_daemonset(NS, "cilium")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        snapshot = await modern.source.scan()
        managers = [r.agent.bandwidth_manager for r in snapshot.nodes if r.agent]
        if len(managers) == 3 and all(m and m.congestion_control == "CUBIC" for m in managers):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the agents did not restart with BBR off")


async def test_an_agent_that_does_not_come_back_stops_the_rollout(lab: StartLab) -> None:
    modern = await lab("modern")
    await _cubic_on_veth(modern)
    plan = build_plan("bbr", await modern.source.scan())
    assert plan.status == "ready"
    assert plan.restart is not None
    assert plan.restart.nodes == ("worker-1", "worker-2", "cp-1")
    config, pods = modern.config(), modern.agent_pods()
    # worker-2 is rebooted into an older kernel after the preview: BBR needs 5.18.
    modern.running.cluster.set_kernel("worker-2", "5.15.0-91-generic")

    result = await apply(modern, plan)
    assert result.outcome == "stopped"
    assert "the agent on worker-2 did not come back" in result.message
    assert "cannot enable --enable-bbr, needs kernel 5.18 or newer" in result.message
    assert result.undo_offered
    assert [(c.node, c.actual) for c in result.checks] == [("worker-1", State.ON)]
    now = modern.agent_pods()
    assert now["cp-1"] == pods["cp-1"]  # the rollout stopped before it
    assert now["worker-1"] != pods["worker-1"] and now["worker-2"] != pods["worker-2"]
    entry = modern.journal.load(result.entry_id or "")
    assert entry.status == "stopped" and entry.restarted == ["worker-1", "worker-2"]
    assert entry.events[-1].node == "worker-2"

    undo = await modern.engine.undo_plan()
    assert undo.restart is not None and undo.restart.nodes == ("worker-1", "worker-2")
    undone = await apply(modern, undo)
    assert undone.outcome == "verified", undone.message
    assert modern.config() == config
    assert modern.agent_pods()["cp-1"] == pods["cp-1"]
    snapshot = await modern.source.scan()
    assert all(r.agent is not None and r.pod and r.pod.ready for r in snapshot.nodes)


async def test_read_only_changes_nothing(lab: StartLab) -> None:
    seed = await lab("seed")
    with pytest.raises(ReadOnlyError):
        RemedyEngine(seed.source, read_only=True)
    snapshot = await seed.source.scan()
    for remedy in REMEDIES:
        plan = build_plan(remedy.item_id, snapshot)
        render_text(plan)
        json.dumps(render_json(plan))
        if plan.applicable:
            confirm(plan, typed=confirmation_word(plan))
    assert seed.mutating() == []
    assert seed.running.api.requests.records()  # it did read the cluster


async def test_an_interrupted_apply_is_journalled_and_undoable(lab: StartLab) -> None:
    seed = await lab("seed")
    config = seed.config()
    plan = build_plan("hubble", await seed.source.scan())
    first_ready = asyncio.Event()

    def progress(step: Progress) -> None:
        if step.phase == "ready" and step.level == "ok":
            first_ready.set()

    task = asyncio.ensure_future(apply(seed, plan, progress))
    await asyncio.wait_for(first_ready.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [entry] = seed.journal.entries()
    assert entry.status == "failed" and entry.events[-1].message == "interrupted: undo offered"
    assert plan.restart is not None and entry.restarted[:1] == [plan.restart.nodes[0]]
    undo = await seed.engine.undo_plan()
    undone = await apply(seed, undo)
    assert undone.outcome == "verified", undone.message
    assert seed.config() == config
