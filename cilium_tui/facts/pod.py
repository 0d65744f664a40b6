"""A Cilium agent Pod object (as the API serves it) -> `AgentPod`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from cilium_tui.facts.fields import Fields
from cilium_tui.facts.timestamps import parse_time
from cilium_tui.model import AgentPod, NodeInfo

AGENT_CONTAINER = "cilium-agent"
Pod = TypeVar("Pod", bound=Mapping[str, Any])
AGENT_LABEL = ("k8s-app", "cilium")
"""The label every Cilium agent pod carries (the live scan selects `k8s-app=cilium`)."""
KUBE_PROXY_LABELS = (("k8s-app", "kube-proxy"), ("component", "kube-proxy"))
"""kube-proxy pods: the DaemonSet's (kubeadm and most distributions) or static pods (RKE2)."""
AGENT_POD_FIELDS: Fields = {
    "metadata": {
        "name": True,
        "namespace": True,
        "creationTimestamp": True,
        "deletionTimestamp": True,
    },
    "spec": {"nodeName": True, "containers": {"name": True, "image": True}},
    "status": {
        "phase": True,
        "conditions": {"type": True, "status": True},
        "containerStatuses": {
            "name": True,
            "restartCount": True,
            "state": {"waiting": {"reason": True}, "running": {"startedAt": True}},
        },
    },
}
"""What a scan reads of an agent Pod: `parse_agent_pod`, which pod of a node to ask
(`collect.scan.agent_pods_by_node`: deletion and creation times), where and in which container
to exec (`collect.kube.agent_container`). A scan keeps only these of each listed agent pod."""


def _list(value: Any) -> list[Any]:
    """A JSON array, or none: a hand-edited or hostile object may hold anything there."""
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _container_status(status: Mapping[str, Any]) -> Mapping[str, Any]:
    statuses = [s for s in _list(status.get("containerStatuses")) if isinstance(s, Mapping)]
    for s in statuses:
        if s.get("name") == AGENT_CONTAINER:
            return s
    return statuses[0] if statuses else {}


def parse_agent_pod(obj: Mapping[str, Any]) -> AgentPod:
    meta, spec, status = (
        _dict(obj.get("metadata")),
        _dict(obj.get("spec")),
        _dict(obj.get("status")),
    )
    container = _container_status(status)
    state = _dict(container.get("state"))
    waiting = _dict(state.get("waiting"))
    conditions = [c for c in _list(status.get("conditions")) if isinstance(c, Mapping)]
    ready_flags = [c.get("status") == "True" for c in conditions if c.get("type") == "Ready"]
    restarts = container.get("restartCount")
    images = [
        c.get("image")
        for c in _list(spec.get("containers"))
        if isinstance(c, Mapping) and c.get("name") == AGENT_CONTAINER
    ]
    return AgentPod(
        name=str(meta.get("name") or "?"),
        namespace=str(meta.get("namespace") or "?"),
        node=spec.get("nodeName") if isinstance(spec.get("nodeName"), str) else None,
        phase=status.get("phase") if isinstance(status.get("phase"), str) else None,
        ready=ready_flags[0] if ready_flags else None,
        restarts=restarts if isinstance(restarts, int) else 0,
        waiting_reason=waiting.get("reason") if isinstance(waiting.get("reason"), str) else None,
        image=images[0] if images and isinstance(images[0], str) else None,
        started_at=parse_time(_dict(state.get("running")).get("startedAt")),
    )


def image_version(image: str | None) -> str | None:
    """The tag of an image reference: "quay.io/cilium/cilium:v1.13.4@sha256:…" -> "v1.13.4"."""
    if not image:
        return None
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return _dict(_dict(obj.get("metadata")).get("labels"))


def _namespace(obj: Mapping[str, Any]) -> str:
    return str(_dict(obj.get("metadata")).get("namespace") or "")


def agent_namespace(pods: Sequence[Mapping[str, Any]]) -> str | None:
    """Where the agents run (and so `cilium-config`): most agents win; on a tie kube-system, the
    default install, comes first. None when there is no agent."""
    counts = Counter(_namespace(p) for p in pods)
    if not counts:
        return None
    return max(sorted(counts), key=lambda ns: (counts[ns], ns == "kube-system"))


def agent_pods(pods: Sequence[Pod]) -> tuple[str | None, list[Pod]]:
    """The Cilium agent pods among any pods (a sysdump's PodList), in their namespace."""
    key, value = AGENT_LABEL
    agents = [p for p in pods if _labels(p).get(key) == value]
    namespace = agent_namespace(agents)
    return namespace, [p for p in agents if _namespace(p) == namespace]


def is_kube_proxy(pod: Mapping[str, Any]) -> bool:
    labels = _labels(pod)
    return _namespace(pod) == "kube-system" and any(
        labels.get(k) == v for k, v in KUBE_PROXY_LABELS
    )


def kube_proxy_hidden(kubelet_version: str | None) -> bool:
    """K3s runs kube-proxy inside the k3s process, invisible to the API."""
    return "+k3s" in (kubelet_version or "")


def kube_proxy_runs(pods: Sequence[Mapping[str, Any]], nodes: Sequence[NodeInfo]) -> bool | None:
    """Whether kube-proxy runs, from every pod of the cluster; None when it cannot be seen."""
    if any(is_kube_proxy(p) for p in pods):
        return True
    if any(kube_proxy_hidden(n.kubelet_version) for n in nodes):
        return None
    return False
