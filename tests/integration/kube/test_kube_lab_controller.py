"""The lab's DaemonSet controller: replacement pods, rolling restarts, crash loops, knobs."""

from __future__ import annotations

import re
from typing import Any

from cilium_tui.lab.kube import LabApiServer, StartResult, Store
from cilium_tui.lab.kube.controllers import pod_ready
from tests.integration.kube.builders import NodeSpec, node, seed
from tests.integration.kube.conftest import FAST, wait_until

SUFFIX = re.compile(r"cilium-[bcdfghjklmnpqrstvwxz2456789]{5}")


def _agents(lab: LabApiServer) -> dict[str, dict[str, Any]]:
    """The agent pod per node."""
    items, _ = lab.store.list("pods", "kube-system", label_selector="k8s-app=cilium")
    return {p["spec"]["nodeName"]: p for p in items}


def _restarts(pod: dict[str, Any]) -> int:
    return int(pod["status"]["containerStatuses"][0]["restartCount"])


def _ds(lab: LabApiServer) -> dict[str, Any]:
    return lab.store.get("daemonsets", "kube-system", "cilium")


def test_deleted_agent_pod_is_replaced_on_the_same_node(lab: LabApiServer) -> None:
    lab.store.delete("pods", "kube-system", "cilium-vm-2")
    fresh = wait_until(
        lambda: (p := _agents(lab).get("vm-2")) and pod_ready(p) and p, what="a Ready vm-2 pod"
    )
    assert SUFFIX.fullmatch(fresh["metadata"]["name"])
    assert fresh["status"]["hostIP"] == "10.0.0.12"
    assert fresh["metadata"]["ownerReferences"][0]["uid"] == _ds(lab)["metadata"]["uid"]
    assert len(_agents(lab)) == 4


def _replay_unavailable(lab: LabApiServer, since: int, before: list[dict[str, Any]]) -> list[int]:
    """The number of nodes without a Ready agent after each pod event since `since`."""
    pods = {p["metadata"]["name"]: p for p in before}
    events, _ = lab.store.events_since(since, "pods")
    nodes = {p["spec"]["nodeName"] for p in before}
    seen = []
    for event in events:
        name = event.object["metadata"]["name"]
        if event.type == "DELETED":
            pods.pop(name, None)
        else:
            pods[name] = event.object
        ready = {p["spec"]["nodeName"] for p in pods.values() if pod_ready(p)}
        seen.append(len(nodes - ready))
    return seen


def _rolled(lab: LabApiServer, old: set[str]) -> bool:
    agents = _agents(lab)
    return len(agents) == 4 and all(
        pod_ready(p) and p["metadata"]["name"] not in old for p in agents.values()
    )


def _restart(lab: LabApiServer) -> None:
    lab.store.update(
        "daemonsets",
        "kube-system",
        "cilium",
        lambda ds: ds["spec"]["template"]["metadata"]["annotations"].update(
            {"kubectl.kubernetes.io/restartedAt": "2026-11-27T10:00:00Z"}
        ),
    )


def test_rollout_restart_replaces_pods_node_by_node() -> None:
    with LabApiServer(timing=FAST) as lab:
        seed(lab.store, max_unavailable=1)
        before, rv = lab.store.list("pods", "kube-system", label_selector="k8s-app=cilium")
        old = {p["metadata"]["name"] for p in before}
        _restart(lab)
        wait_until(lambda: _rolled(lab, old), what="all agents replaced and Ready")
        events, _ = lab.store.events_since(int(rv), "pods")
        deleted = [e.object["spec"]["nodeName"] for e in events if e.type == "DELETED"]
        assert deleted == ["board-1", "vm-1", "vm-2", "vm-3"]
        assert max(_replay_unavailable(lab, int(rv), before)) == 1
        # The controller writes the DaemonSet status after it sees the last pod Ready, as the
        # real one does: wait for that write rather than race it.
        wait_until(lambda: _ds(lab)["status"].get("numberReady") == 4, what="status counted")
        ds = _ds(lab)
        assert ds["metadata"]["generation"] == 2
        assert ds["status"]["observedGeneration"] == 2
        assert ds["status"]["updatedNumberScheduled"] == 4
        assert ds["status"]["numberReady"] == 4


def test_rollout_honours_a_max_unavailable_of_two(lab: LabApiServer) -> None:
    before, rv = lab.store.list("pods", "kube-system", label_selector="k8s-app=cilium")
    old = {p["metadata"]["name"] for p in before}
    _restart(lab)
    wait_until(lambda: _rolled(lab, old), what="all agents replaced and Ready")
    assert max(_replay_unavailable(lab, int(rv), before)) == 2


def test_a_crashing_agent_loops_and_stalls_the_rollout() -> None:
    def starter(node_name: str, pod: dict[str, Any]) -> StartResult:
        if node_name == "board-1":
            return StartResult(False, "CrashLoopBackOff", "BPF host routing needs kernel 5.10")
        return StartResult(True)

    with LabApiServer(timing=FAST, agent_starter=starter) as lab:
        seed(lab.store, max_unavailable=1)
        _restart(lab)
        crashing = wait_until(
            lambda: (p := _agents(lab).get("board-1")) and _restarts(p) >= 3 and p,
            what="board-1's new agent restarting",
        )
        status = crashing["status"]["containerStatuses"][0]
        assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        assert status["lastState"]["terminated"]["message"] == "BPF host routing needs kernel 5.10"
        assert not pod_ready(crashing)
        # the rollout waits for board-1's new pod to be Ready: the VMs keep their old agents
        assert {p["metadata"]["name"] for n, p in _agents(lab).items() if n != "board-1"} == {
            "cilium-vm-1",
            "cilium-vm-2",
            "cilium-vm-3",
        }
        ds = _ds(lab)["status"]
        assert (ds["numberReady"], ds["numberUnavailable"], ds["updatedNumberScheduled"]) == (
            3,
            1,
            1,
        )


def test_agent_unready_knob_crash_loops_then_recovers(lab: LabApiServer) -> None:
    lab.set_agent_unready("vm-3")
    wait_until(
        lambda: _restarts(_agents(lab)["vm-3"]) >= 1 and not pod_ready(_agents(lab)["vm-3"]),
        what="vm-3's agent crash-looping",
    )
    assert _ds(lab)["status"]["numberReady"] == 3
    lab.set_agent_unready("vm-3", False)
    wait_until(lambda: pod_ready(_agents(lab)["vm-3"]), what="vm-3's agent Ready again")
    assert _agents(lab)["vm-3"]["metadata"]["name"] == "cilium-vm-3"  # restarted, not replaced


def test_a_new_node_gets_an_agent() -> None:
    with LabApiServer(store=Store(), timing=FAST) as lab:
        seed(lab.store)
        lab.store.put("nodes", node(NodeSpec("vm-4", "10.0.0.14")))
        wait_until(lambda: (p := _agents(lab).get("vm-4")) and pod_ready(p), what="vm-4 agent")
        assert _ds(lab)["status"]["desiredNumberScheduled"] == 5
