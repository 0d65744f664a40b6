"""Which agent pod a scan asks on a node that has two (a rollout in progress)."""

from __future__ import annotations

from typing import Any

from cilium_tui.collect.scan import agent_pod_problem, agent_pods_by_node
from cilium_tui.model import AgentPod


def _pod(
    name: str,
    created: str,
    *,
    ready: bool = True,
    deleting: bool = False,
    node: str | None = "vm-1",
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "kube-system", "creationTimestamp": created}
    if deleting:
        meta["deletionTimestamp"] = "2026-11-28T00:10:30Z"
    return {
        "metadata": meta,
        "spec": {"nodeName": node, "containers": [{"name": "cilium-agent", "image": "c:v1"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def _chosen(*pods: dict[str, Any]) -> str:
    # both orders: the answer must not depend on which pod the API lists last
    names = {agent_pods_by_node(list(order))["vm-1"][0].name for order in (pods, pods[::-1])}
    assert len(names) == 1, names
    return names.pop()


OLD = "2026-11-28T00:00:00Z"
NEW = "2026-11-28T00:10:00Z"


def test_the_ready_pod_that_is_not_terminating_wins() -> None:
    assert _chosen(_pod("old", OLD, deleting=True), _pod("new", NEW)) == "new"
    assert _chosen(_pod("old", OLD), _pod("new", NEW, ready=False)) == "old"
    assert _chosen(_pod("old", NEW, deleting=True), _pod("new", OLD)) == "new"


def test_else_the_one_not_being_deleted_then_the_newest() -> None:
    assert _chosen(_pod("old", OLD, deleting=True), _pod("new", NEW, ready=False)) == "new"
    assert _chosen(_pod("a", OLD), _pod("b", NEW)) == "b"
    assert _chosen(_pod("a", OLD, ready=False), _pod("b", NEW, ready=False)) == "b"


def test_pods_without_a_node_are_left_out() -> None:
    pods = [_pod("pending", NEW, node=None), _pod("other", OLD, node="vm-2")]
    assert set(agent_pods_by_node(pods)) == {"vm-2"}


def test_a_crash_loop_counts_restarts_only_when_there_were_some() -> None:
    first = AgentPod("cilium-a", "kube-system", "vm-1", "Running", False, 0, "CrashLoopBackOff")
    looping = AgentPod("cilium-a", "kube-system", "vm-1", "Running", False, 3, "CrashLoopBackOff")
    assert agent_pod_problem(first) == "agent pod cilium-a is CrashLoopBackOff"
    assert agent_pod_problem(looping) == "agent pod cilium-a is CrashLoopBackOff (3 restarts)"
