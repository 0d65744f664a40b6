"""Agent Pod objects as the API serves them -> AgentPod; image tags -> versions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cilium_tui.facts.pod import agent_pods, image_version, kube_proxy_runs, parse_agent_pod
from cilium_tui.model import NodeInfo


def _pod(**status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "cilium-x7k2p", "namespace": "kube-system"},
        "spec": {
            "nodeName": "board-1",
            "containers": [
                {"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.13.4@sha256:bde8"}
            ],
        },
        "status": status,
    }


def test_a_running_ready_agent() -> None:
    pod = parse_agent_pod(
        _pod(
            phase="Running",
            conditions=[{"type": "Ready", "status": "True"}],
            containerStatuses=[
                {"name": "cilium-agent", "ready": True, "restartCount": 2, "state": {"running": {}}}
            ],
        )
    )
    assert (pod.name, pod.namespace, pod.node) == ("cilium-x7k2p", "kube-system", "board-1")
    assert (pod.phase, pod.ready, pod.restarts, pod.waiting_reason) == ("Running", True, 2, None)
    assert pod.image == "quay.io/cilium/cilium:v1.13.4@sha256:bde8"


def test_a_crash_looping_agent_keeps_its_reason() -> None:
    pod = parse_agent_pod(
        _pod(
            phase="Running",
            conditions=[{"type": "Ready", "status": "False"}],
            containerStatuses=[
                {
                    "name": "cilium-agent",
                    "restartCount": 5,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                }
            ],
        )
    )
    assert (pod.ready, pod.restarts, pod.waiting_reason) == (False, 5, "CrashLoopBackOff")


def test_a_pending_pod_without_status_is_unknown_not_broken() -> None:
    pod = parse_agent_pod({"metadata": {"name": "p"}})
    assert (pod.name, pod.node, pod.phase, pod.ready, pod.image) == ("p", None, None, None, None)


@given(
    st.dictionaries(
        st.sampled_from(["metadata", "spec", "status"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda c: (
                st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=12), c, max_size=4)
            ),
            max_leaves=12,
        ),
    )
)
@example({"spec": {"containers": True}, "status": {"conditions": 1, "containerStatuses": "x"}})
@settings(max_examples=200, deadline=None)
def test_never_raises_on_arbitrary_objects(obj: dict[str, Any]) -> None:
    parse_agent_pod(obj)


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("quay.io/cilium/cilium:v1.13.4@sha256:abc", "v1.13.4"),
        ("quay.io/isovalent/cilium:v1.17.6-cee.1", "v1.17.6-cee.1"),
        ("localhost:5000/cilium/cilium:v1.16.4", "v1.16.4"),
        ("localhost:5000/cilium/cilium", None),
        ("cilium@sha256:abc", None),
        (None, None),
    ],
)
def test_image_version(image: str | None, tag: str | None) -> None:
    assert image_version(image) == tag


def _labelled(name: str, namespace: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels}}


def test_agent_pods_among_all_pods_take_the_namespace_most_agents_run_in() -> None:
    pods = [
        _labelled("cilium-a", "cilium", **{"k8s-app": "cilium"}),
        _labelled("cilium-b", "cilium", **{"k8s-app": "cilium"}),
        _labelled("cilium-old", "kube-system", **{"k8s-app": "cilium"}),
        _labelled("cilium-operator-1", "cilium", **{"io.cilium/app": "operator"}),
        _labelled("coredns-1", "kube-system", **{"k8s-app": "kube-dns"}),
    ]
    namespace, agents = agent_pods(pods)
    assert namespace == "cilium"
    assert [p["metadata"]["name"] for p in agents] == ["cilium-a", "cilium-b"]
    assert agent_pods([]) == (None, [])


def test_kube_proxy_from_the_pods_of_a_sysdump() -> None:
    daemonset_pod = _labelled("kube-proxy-x", "kube-system", **{"k8s-app": "kube-proxy"})
    static_pod = _labelled("kube-proxy-node-1", "kube-system", component="kube-proxy")
    elsewhere = _labelled("kube-proxy-y", "default", **{"k8s-app": "kube-proxy"})
    k3s = NodeInfo("n", kubelet_version="v1.26.6+k3s1")
    kubeadm = NodeInfo("n", kubelet_version="v1.33.3")
    assert kube_proxy_runs([daemonset_pod], [kubeadm]) is True
    assert kube_proxy_runs([static_pod], [kubeadm]) is True
    assert kube_proxy_runs([elsewhere], [kubeadm]) is False
    assert kube_proxy_runs([], [k3s]) is None  # inside the k3s process: invisible
