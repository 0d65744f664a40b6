"""Server-side printing: the `Table` (meta.k8s.io) the apiserver returns when kubectl asks for it.

`kubectl get` sends `Accept: application/json;as=Table;v=v1;g=meta.k8s.io, ..., application/json`
and prints the columns the server defines (those of priority 1 only with `-o wide`). Nodes and
pods get the real printers' columns and cells (kubernetes pkg/printers/internalversion); other
types keep plain JSON, for which kubectl falls back to NAME and AGE.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cilium_tui.lab.kube.resources import NODES, PODS, ResourceType

JSON = dict[str, Any]
TABLE_GROUP = "meta.k8s.io"
TABLE_VERSIONS = ("v1", "v1beta1")
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"

_NAME = {"name": "Name", "format": "name", "description": "Name must be unique within a namespace."}
_AGE = {"name": "Age", "description": "CreationTimestamp is the time the object was created."}

NODE_COLUMNS: tuple[JSON, ...] = (
    _NAME,
    {"name": "Status", "description": "The status of the node"},
    {"name": "Roles", "description": "The roles of the node"},
    _AGE,
    {"name": "Version", "description": "Kubelet Version reported by the node."},
    {"name": "Internal-IP", "priority": 1, "description": "List of internal IPs."},
    {"name": "External-IP", "priority": 1, "description": "List of external IPs."},
    {"name": "OS-Image", "priority": 1, "description": "OS Image reported by the node."},
    {"name": "Kernel-Version", "priority": 1, "description": "Kernel Version reported."},
    {"name": "Container-Runtime", "priority": 1, "description": "Container Runtime Version."},
)
POD_COLUMNS: tuple[JSON, ...] = (
    _NAME,
    {"name": "Ready", "description": "The aggregate readiness state of this pod."},
    {"name": "Status", "description": "The aggregate status of the containers in this pod."},
    {"name": "Restarts", "description": "The number of times the containers were restarted."},
    _AGE,
    {"name": "IP", "priority": 1, "description": "IP address allocated to the pod."},
    {"name": "Node", "priority": 1, "description": "Name of the node the pod is assigned to."},
    {"name": "Nominated Node", "priority": 1, "description": "Nominated node of the pod."},
    {"name": "Readiness Gates", "priority": 1, "description": "Pod readiness gates."},
)


def table_version(accept: str) -> str | None:
    """The Table version the Accept header prefers over plain JSON, or None for plain JSON.

    Media ranges are taken in order (kubectl lists Table v1, Table v1beta1, then JSON).
    """
    for entry in accept.split(","):
        media, *raw = (part.strip() for part in entry.split(";"))
        params = dict(p.partition("=")[::2] for p in raw)
        if media not in ("application/json", "application/*", "*/*"):
            continue
        if "as" not in params:
            return None  # plain JSON comes first
        if (
            params["as"] == "Table"
            and params.get("g") == TABLE_GROUP
            and params.get("v") in TABLE_VERSIONS
        ):
            return params["v"]
    return None


def has_table(rt: ResourceType) -> bool:
    return rt in _ROWS


def to_table(
    rt: ResourceType,
    objects: Sequence[JSON],
    list_meta: JSON,
    version: str,
    *,
    include_object: str | None = None,
    now: datetime | None = None,
) -> JSON:
    """The Table of `objects` (one for a get), each row with its object as `includeObject` asks:
    None (rows only), Object (the whole object), Metadata (the default)."""
    moment = now or datetime.now(UTC)
    columns, cells = _ROWS[rt]
    api_version = f"{TABLE_GROUP}/{version}"
    rows = []
    for obj in objects:
        row: JSON = {"cells": cells(obj, moment)}
        if include_object == "Object":
            row["object"] = {"kind": rt.kind, "apiVersion": rt.api_version, **obj}
        elif include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": api_version,
                "metadata": obj.get("metadata") or {},
            }
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": api_version,
        "metadata": list_meta,
        "columnDefinitions": [
            {"type": "string", "format": "", "priority": 0, **column} for column in columns
        ],
        "rows": rows,
    }


# -- the printers -------------------------------------------------------------------------------


def _node_cells(node: JSON, now: datetime) -> list[Any]:
    meta, spec, status = (node.get(k) or {} for k in ("metadata", "spec", "status"))
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    states = ["Unknown" if ready is None else "Ready" if ready["status"] == "True" else "NotReady"]
    if spec.get("unschedulable"):
        states.append("SchedulingDisabled")
    labels: Mapping[str, str] = meta.get("labels") or {}
    roles = {k.removeprefix(NODE_ROLE_PREFIX) for k in labels if k.startswith(NODE_ROLE_PREFIX)}
    roles |= {labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()
    roles.discard("")
    info = status.get("nodeInfo") or {}
    return [
        meta.get("name", ""),
        ",".join(states),
        ",".join(sorted(roles)) or "<none>",
        _age(meta.get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        _address(status, "InternalIP"),
        _address(status, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _pod_cells(pod: JSON, now: datetime) -> list[Any]:
    """kubectl's printPod: READY n/m, the STATUS reason, RESTARTS with the last one's age."""
    meta, spec, status = (pod.get(k) or {} for k in ("metadata", "spec", "status"))
    reason = status.get("reason") or status.get("phase") or ""
    initializing = False
    inits = status.get("initContainerStatuses") or []
    for index, container in enumerate(inits):
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode") == 0:
            continue
        initializing = True
        if terminated is not None:
            reason = "Init:" + (
                terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}"
            )
        elif waiting is not None and waiting.get("reason") not in (None, "", "PodInitializing"):
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(spec.get('initContainers') or inits)}"
        break
    restarts, ready, last_restart = 0, 0, ""
    if not initializing:
        running = False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += int(container.get("restartCount") or 0)
            finished = ((container.get("lastState") or {}).get("terminated") or {}).get(
                "finishedAt"
            )
            last_restart = max(last_restart, finished or "")
            state = container.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}"
            elif container.get("ready") and "running" in state:
                running = True
                ready += 1
        if reason == "Completed" and running:
            ready_condition = any(c.get("type") == "Ready" for c in status.get("conditions") or [])
            reason = "Running" if ready_condition else "NotReady"
    if meta.get("deletionTimestamp") and status.get("phase") not in ("Succeeded", "Failed"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    restarts_text = str(restarts)
    if restarts and last_restart:
        restarts_text = f"{restarts} ({_age(last_restart, now)} ago)"
    ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    gates_text = (
        f"{sum(conditions.get(g.get('conditionType')) == 'True' for g in gates)}/{len(gates)}"
        if gates
        else "<none>"
    )
    return [
        meta.get("name", ""),
        f"{ready}/{len(spec.get('containers') or [])}",
        reason,
        restarts_text,
        _age(meta.get("creationTimestamp"), now),
        (ips[0].get("ip") if ips else None) or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gates_text,
    ]


def _address(status: JSON, kind: str) -> str:
    return next(
        (a["address"] for a in status.get("addresses") or [] if a.get("type") == kind), "<none>"
    )


def _age(timestamp: str | None, now: datetime) -> str:
    if not timestamp:
        return "<unknown>"
    try:
        then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    return human_duration((now - then).total_seconds())


def human_duration(seconds: float) -> str:
    """Go's k8s.io/apimachinery/pkg/util/duration.HumanDuration: "45s", "5m3s", "3h", "12d"."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


_ROWS: dict[ResourceType, tuple[tuple[JSON, ...], Callable[[JSON, datetime], list[Any]]]] = {
    NODES: (NODE_COLUMNS, _node_cells),
    PODS: (POD_COLUMNS, _pod_cells),
}
