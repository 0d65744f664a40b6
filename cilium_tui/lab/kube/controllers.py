"""The DaemonSet controller and a kubelet stand-in: what makes the lab *react*.

- A node without its agent pod gets one after `Timing.create_delay` (a deleted pod is replaced on
  the same node with a new random suffix, like `cilium-x7k2p`).
- A new pod is Pending (ContainerCreating) until, `Timing.start_delay` later, the pluggable
  `AgentStarter` decides: Ready, running but not Ready, or crashing (`CrashLoopBackOff`, the kubelet
  restarting it with a doubling back-off and `restartCount` going up, asking the starter again at
  each restart).
- A template change (`kubectl rollout restart`) rolls the pods node by node in name order: outdated
  pods that are already unavailable go first, then ready ones while fewer than
  `rollingUpdate.maxUnavailable` nodes lack a ready pod; a replacement must be Ready before the next
  node goes down, so a crashing new pod stalls the rollout, as in a real cluster.
- DaemonSet status counts are rewritten whenever they change.

Everything runs on the API server's loop; timers re-check that their pod still exists when they
fire.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cilium_tui.lab.kube.notify import Notifier
from cilium_tui.lab.kube.store import JSON, Store, now_rfc3339

log = logging.getLogger(__name__)

_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""The alphabet of Kubernetes' generateName suffixes (no vowels, no look-alikes)."""


@dataclass(frozen=True)
class StartResult:
    """How an agent container comes up on a node."""

    ready: bool
    waiting_reason: str | None = None
    """Not ready and not running: e.g. "CrashLoopBackOff" (the container keeps crashing)."""
    message: str | None = None
    """Why: the fatal log line of a crash, or why readiness fails."""


AgentStarter = Callable[[str, JSON], StartResult]
"""(node_name, pod) -> StartResult; the lab's agent model plugs in here."""


def default_agent_starter(node_name: str, pod: JSON) -> StartResult:
    return StartResult(ready=True)


@dataclass(frozen=True)
class Timing:
    create_delay: float = 0.5
    """A missing agent pod is created this long after it went missing."""
    start_delay: float = 1.0
    """A created pod is decided (Ready or not) this long after creation."""
    backoff: float = 2.0
    """First crash-loop restart delay; doubles at each restart (the kubelet's is 10 s)."""
    backoff_max: float = 30.0


def template_hash(ds: JSON) -> str:
    """A stable short hash of the pod template (the role of controller-revision-hash)."""
    blob = json.dumps(ds.get("spec", {}).get("template", {}), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:10]


def max_unavailable(ds: JSON, desired: int) -> int:
    """`spec.updateStrategy.rollingUpdate.maxUnavailable` (int or "N%"; default 1).

    Surge (maxUnavailable 0 with maxSurge) is not emulated: at least one node is rolled at a time.
    """
    rolling = ds.get("spec", {}).get("updateStrategy", {}).get("rollingUpdate") or {}
    raw: Any = rolling.get("maxUnavailable", 1)
    if isinstance(raw, str) and raw.endswith("%"):
        value = math.ceil(desired * int(raw[:-1]) / 100)
    else:
        value = int(raw)
    return max(1, value)


def pod_ready(pod: JSON) -> bool:
    for cond in pod.get("status", {}).get("conditions", []):
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False


def _owned_by(pod: JSON, ds: JSON) -> bool:
    uid = ds["metadata"]["uid"]
    return any(ref.get("uid") == uid for ref in pod["metadata"].get("ownerReferences", []))


def _node_selected(ds: JSON, node: JSON) -> bool:
    selector = ds.get("spec", {}).get("template", {}).get("spec", {}).get("nodeSelector") or {}
    labels = node["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


def _node_ip(node: JSON) -> str | None:
    for addr in node.get("status", {}).get("addresses", []):
        if addr.get("type") == "InternalIP":
            return str(addr.get("address"))
    return None


def _condition(
    kind: str, status: bool, now: str, reason: str | None = None, message: str | None = None
) -> JSON:
    cond: JSON = {
        "type": kind,
        "status": "True" if status else "False",
        "lastProbeTime": None,
        "lastTransitionTime": now,
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def _container_id(pod_uid: str, name: str, restarts: int) -> str:
    digest = hashlib.sha256(f"{pod_uid}/{name}/{restarts}".encode()).hexdigest()
    return f"containerd://{digest}"


def _image_id(image: str) -> str:
    repo = image.rsplit("@", 1)[0].rsplit(":", 1)[0] if "/" in image else image
    return f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def apply_start_result(pod: JSON, result: StartResult, restarts: int) -> None:
    """Set a pod's status to what the kubelet reports for this start outcome."""
    now = now_rfc3339()
    status = pod.setdefault("status", {})
    uid = pod["metadata"]["uid"]
    containers = pod.get("spec", {}).get("containers", [])
    main = containers[0]["name"] if containers else ""
    statuses = []
    for c in containers:
        entry: JSON = {
            "name": c["name"],
            "image": c.get("image", ""),
            "imageID": _image_id(c.get("image", "")),
            "restartCount": restarts if c["name"] == main else 0,
        }
        crashing = c["name"] == main and not result.ready and result.waiting_reason
        if crashing:
            entry |= {
                "ready": False,
                "started": False,
                "state": {
                    "waiting": {
                        "reason": result.waiting_reason,
                        "message": f"back-off restarting failed container={c['name']} "
                        f"pod={pod['metadata']['name']}",
                    }
                },
                "lastState": {
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "message": result.message or "",
                        "startedAt": now,
                        "finishedAt": now,
                        "containerID": _container_id(uid, c["name"], restarts),
                    }
                },
            }
        else:
            ready = result.ready or c["name"] != main
            entry |= {
                "ready": ready,
                "started": True,
                "state": {"running": {"startedAt": now}},
                "lastState": {},
                "containerID": _container_id(uid, c["name"], restarts),
            }
        statuses.append(entry)
    unready = [s["name"] for s in statuses if not s["ready"]]
    why = f"containers with unready status: [{' '.join(unready)}]" if unready else None
    status |= {
        "phase": "Running",
        "containerStatuses": statuses,
        "conditions": [
            _condition("PodReadyToStartContainers", True, now),
            _condition("Initialized", True, now),
            _condition("Ready", not unready, now, "ContainersNotReady" if unready else None, why),
            _condition(
                "ContainersReady", not unready, now, "ContainersNotReady" if unready else None, why
            ),
            _condition("PodScheduled", True, now),
        ],
    }


def new_pod(ds: JSON, node: JSON, name: str) -> JSON:
    """A DaemonSet pod for `node` from the template, as it looks right after scheduling."""
    template = ds["spec"]["template"]
    meta = template.get("metadata", {})
    spec = json.loads(json.dumps(template.get("spec", {})))
    node_name = node["metadata"]["name"]
    spec["nodeName"] = node_name
    spec["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchFields": [
                            {"key": "metadata.name", "operator": "In", "values": [node_name]}
                        ]
                    }
                ]
            }
        }
    }
    now = now_rfc3339()
    host_ip = _node_ip(node)
    status: JSON = {
        "phase": "Pending",
        "conditions": [
            _condition("PodScheduled", True, now),
            _condition("Initialized", False, now, "ContainersNotInitialized"),
            _condition("Ready", False, now, "ContainersNotReady"),
        ],
        "qosClass": "Burstable",
        "startTime": now,
        "containerStatuses": [
            {
                "name": c["name"],
                "image": c.get("image", ""),
                "imageID": "",
                "ready": False,
                "started": False,
                "restartCount": 0,
                "state": {"waiting": {"reason": "ContainerCreating"}},
                "lastState": {},
            }
            for c in spec.get("containers", [])
        ],
    }
    if host_ip:
        status["hostIP"] = host_ip
        status["hostIPs"] = [{"ip": host_ip}]
        if spec.get("hostNetwork"):
            status["podIP"] = host_ip
            status["podIPs"] = [{"ip": host_ip}]
    ds_meta = ds["metadata"]
    return {
        "metadata": {
            "name": name,
            "generateName": f"{ds_meta['name']}-",
            "namespace": ds_meta["namespace"],
            "labels": {
                **(meta.get("labels") or {}),
                "controller-revision-hash": template_hash(ds),
                "pod-template-generation": str(ds_meta.get("generation", 1)),
            },
            "annotations": dict(meta.get("annotations") or {}),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "DaemonSet",
                    "name": ds_meta["name"],
                    "uid": ds_meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": spec,
        "status": status,
    }


class DaemonSetController:
    """Keeps every DaemonSet's pods and status true to the nodes and the template."""

    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        *,
        starter: Callable[[], AgentStarter],
        unready_nodes: Callable[[], Iterable[str]],
        timing: Timing,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._starter = starter
        self._unready_nodes = unready_nodes
        self._timing = timing
        self._rng = rng or random.Random()  # noqa: S311 - pod name suffixes, not secrets
        self._pending: dict[tuple[str, str], asyncio.TimerHandle] = {}
        """(DaemonSet uid, node) -> the scheduled creation of its pod."""
        self._timers: dict[str, asyncio.TimerHandle] = {}
        """Pod uid -> its scheduled start or crash-loop restart."""

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            waiter = self._notifier.waiter()
            try:
                self.reconcile()
            except Exception:  # one bad object must not stop the lab's controllers
                log.exception("daemonset controller: reconcile failed")
            await Notifier.wait(waiter, 5.0)
        for handle in [*self._pending.values(), *self._timers.values()]:
            handle.cancel()

    # -- reconcile -----------------------------------------------------------------------------

    def reconcile(self) -> None:
        daemonsets, _ = self._store.list("daemonsets", copy_objects=False)
        nodes, _ = self._store.list("nodes", copy_objects=False)
        pods, _ = self._store.list("pods", copy_objects=False)
        live_pods = {p["metadata"]["uid"] for p in pods}
        for uid in [u for u in self._timers if u not in live_pods]:
            self._timers.pop(uid).cancel()
        for ds in daemonsets:
            self._reconcile_one(
                ds,
                [n for n in nodes if _node_selected(ds, n)],
                [p for p in pods if _owned_by(p, ds)],
            )

    def _reconcile_one(self, ds: JSON, nodes: list[JSON], pods: list[JSON]) -> None:
        ds_uid = ds["metadata"]["uid"]
        node_names = sorted(n["metadata"]["name"] for n in nodes)
        placed = set(node_names)  # asked per pod: a list made each reconcile O(N^2)
        by_node: dict[str, list[JSON]] = {}
        for pod in pods:
            by_node.setdefault(pod["spec"].get("nodeName", ""), []).append(pod)

        for pod in pods:  # pods of nodes that left (or no longer match) go away
            if pod["spec"].get("nodeName") not in placed:
                self._delete(pod)
        for name in node_names:
            if not by_node.get(name) and (ds_uid, name) not in self._pending:
                self._pending[(ds_uid, name)] = asyncio.get_running_loop().call_later(
                    self._timing.create_delay, self._create, ds_uid, name
                )
        for pod in pods:
            uid = pod["metadata"]["uid"]
            if not pod_ready(pod) and uid not in self._timers:
                pending = pod.get("status", {}).get("phase", "Pending") == "Pending"
                self._schedule(pod, self._timing.start_delay if pending else self._backoff(pod))

        current = template_hash(ds)
        strategy = ds.get("spec", {}).get("updateStrategy", {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate":
            live = [p for p in pods if p["spec"].get("nodeName") in placed]
            outdated = sorted(
                (
                    p
                    for p in live
                    if p["metadata"]["labels"].get("controller-revision-hash") != current
                ),
                key=lambda p: p["spec"].get("nodeName", ""),
            )
            for pod in outdated:
                if not pod_ready(pod):
                    self._delete(pod)
            ready_nodes = {p["spec"]["nodeName"] for p in live if pod_ready(p)}
            budget = max_unavailable(ds, len(node_names)) - (len(node_names) - len(ready_nodes))
            for pod in outdated:
                if budget <= 0:
                    break
                if pod_ready(pod):
                    self._delete(pod)
                    budget -= 1
        self._write_status(ds, node_names, pods, current)

    def _write_status(
        self, ds: JSON, node_names: list[str], pods: list[JSON], current: str
    ) -> None:
        names = set(node_names)
        placed = [p for p in pods if p["spec"].get("nodeName") in names]
        ready = sum(1 for p in placed if pod_ready(p))
        status: JSON = {
            "currentNumberScheduled": len({p["spec"]["nodeName"] for p in placed}),
            "desiredNumberScheduled": len(node_names),
            "numberMisscheduled": 0,
            "numberReady": ready,
            "observedGeneration": ds["metadata"].get("generation", 1),
            "updatedNumberScheduled": sum(
                1
                for p in placed
                if p["metadata"]["labels"].get("controller-revision-hash") == current
            ),
        }
        if ready:
            status["numberAvailable"] = ready
        if len(node_names) > ready:
            status["numberUnavailable"] = len(node_names) - ready
        if ds.get("status") != status:
            meta = ds["metadata"]

            def set_status(obj: JSON) -> None:
                obj["status"] = status

            self._store.update("daemonsets", meta["namespace"], meta["name"], set_status)

    # -- pod lifecycle -------------------------------------------------------------------------

    def _delete(self, pod: JSON) -> None:
        meta = pod["metadata"]
        if self._store.peek("pods", meta["namespace"], meta["name"]) is not None:
            self._store.delete("pods", meta["namespace"], meta["name"])

    def _create(self, ds_uid: str, node_name: str) -> None:
        self._pending.pop((ds_uid, node_name), None)
        daemonsets, _ = self._store.list("daemonsets", copy_objects=False)
        ds = next((d for d in daemonsets if d["metadata"]["uid"] == ds_uid), None)
        node = self._store.peek("nodes", None, node_name)
        if ds is None or node is None or not _node_selected(ds, node):
            return
        pods, _ = self._store.list(
            "pods",
            ds["metadata"]["namespace"],
            field_selector=f"spec.nodeName={node_name}",
            copy_objects=False,
        )
        if any(_owned_by(p, ds) for p in pods):
            return
        while True:
            suffix = "".join(self._rng.choice(_SUFFIX_ALPHABET) for _ in range(5))
            name = f"{ds['metadata']['name']}-{suffix}"
            if self._store.peek("pods", ds["metadata"]["namespace"], name) is None:
                break
        created = self._store.create("pods", new_pod(ds, node, name))
        self._schedule(created, self._timing.start_delay)

    def _backoff(self, pod: JSON) -> float:
        restarts = max(
            (s.get("restartCount", 0) for s in pod.get("status", {}).get("containerStatuses", [])),
            default=0,
        )
        return float(min(self._timing.backoff * 2 ** min(restarts, 16), self._timing.backoff_max))

    def _schedule(self, pod: JSON, delay: float) -> None:
        uid = pod["metadata"]["uid"]
        if uid in self._timers:
            self._timers.pop(uid).cancel()
        self._timers[uid] = asyncio.get_running_loop().call_later(
            delay, self._start, pod["metadata"]["namespace"], pod["metadata"]["name"], uid
        )

    def _start(self, namespace: str, name: str, uid: str) -> None:
        """(Re)start the agent container: ask the starter, record the outcome."""
        self._timers.pop(uid, None)
        pod = self._store.find("pods", namespace, name)
        if pod is None or pod["metadata"]["uid"] != uid:
            return
        node_name = pod["spec"].get("nodeName", "")
        result = self._decide(node_name, pod)
        statuses = pod.get("status", {}).get("containerStatuses", [])
        restarts = max((s.get("restartCount", 0) for s in statuses), default=0)
        was_started = pod.get("status", {}).get("phase") != "Pending"
        crashed_before = any("waiting" in (s.get("state") or {}) for s in statuses)
        if was_started and crashed_before:
            restarts += 1

        def record(obj: JSON) -> None:
            apply_start_result(obj, result, restarts)

        updated = self._store.update("pods", namespace, name, record)
        if not result.ready:
            self._schedule(updated, self._backoff(updated))

    def _decide(self, node_name: str, pod: JSON) -> StartResult:
        if node_name in set(self._unready_nodes()):
            return StartResult(
                False, "CrashLoopBackOff", "lab knob: this node's agent is not Ready"
            )
        try:
            return self._starter()(node_name, pod)
        except Exception as e:
            log.exception("agent starter failed for %s", node_name)
            return StartResult(False, "CrashLoopBackOff", f"lab agent starter failed: {e}")

    def restart_node_pods(self, node_name: str) -> None:
        """Restart the agent containers on a node now (after a knob change)."""
        pods, _ = self._store.list(
            "pods", field_selector=f"spec.nodeName={node_name}", copy_objects=False
        )
        for pod in pods:
            if pod["metadata"].get("ownerReferences"):
                self._schedule(pod, 0.0)
