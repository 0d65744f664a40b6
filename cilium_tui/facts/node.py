"""A Kubernetes Node object, as the API serves it (camelCase JSON), into `NodeInfo`.

The collector reads nodes as raw JSON (`_preload_content=False`), so this takes plain dicts, the
same shape `kubectl get node -o json` prints. Roles come from the `node-role.kubernetes.io/<role>`
labels (k3s sets control-plane, etcd and master together) and from the older `kubernetes.io/role`
label; Ready from the `Ready` condition, where "Unknown" (the node stopped reporting) stays None.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from cilium_tui.facts.fields import Fields
from cilium_tui.model import Evidence, NodeInfo

SOURCE = "Node"

ROLE_LABEL_PREFIX = "node-role.kubernetes.io/"
LEGACY_ROLE_LABEL = "kubernetes.io/role"

_NODE_INFO = {
    "kernel_version": "kernelVersion",
    "architecture": "architecture",
    "os_image": "osImage",
    "kubelet_version": "kubeletVersion",
    "container_runtime": "containerRuntimeVersion",
}
_ADDRESSES = {"internal_ip": "InternalIP", "external_ip": "ExternalIP", "hostname": "Hostname"}
_READY = {"True": True, "False": False}

NODE_FIELDS: Fields = {
    "metadata": {"name": True, "labels": True, "resourceVersion": True},
    "spec": {"unschedulable": True, "podCIDRs": True, "podCIDR": True},
    "status": {
        "nodeInfo": dict.fromkeys(_NODE_INFO.values(), True),
        "addresses": {"type": True, "address": True},
        "conditions": {"type": True, "status": True, "reason": True},
    },
}
"""What `parse_node` reads of a Node (and a watch, its name and resourceVersion): a scan keeps
only these of each listed Node (`facts.fields.kept`)."""


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str | bytes) else []


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _roles(labels: Mapping[str, str]) -> tuple[str, ...]:
    roles = {key[len(ROLE_LABEL_PREFIX) :] for key in labels if key.startswith(ROLE_LABEL_PREFIX)}
    legacy = labels.get(LEGACY_ROLE_LABEL, "").strip()
    if legacy:
        roles.add(legacy)
    return tuple(sorted(role for role in roles if role))


def parse_node(obj: Mapping[str, Any]) -> NodeInfo:
    """Read a Node object; fields it does not carry are None, never a guess."""
    obj = _mapping(obj)
    meta, spec, status = (_mapping(obj.get(k)) for k in ("metadata", "spec", "status"))
    labels = {  # the same few keys and values on every node: held once (a scan keeps them)
        sys.intern(key): sys.intern(value)
        for key, value in _mapping(meta.get("labels")).items()
        if isinstance(key, str) and isinstance(value, str)
    }
    evidence: dict[str, Evidence] = {}
    values: dict[str, Any] = {}

    def found(field: str, where: str, value: Any, text: str | None = None) -> None:
        if value is not None:
            values[field] = value
            shown = text if text is not None else str(value)
            evidence[field] = Evidence.shared(SOURCE, sys.intern(where), shown)

    info = _mapping(status.get("nodeInfo"))
    for field, key in _NODE_INFO.items():
        found(field, f"status.nodeInfo.{key}", _text(info.get(key)))

    addresses = _items(status.get("addresses"))
    for field, kind in _ADDRESSES.items():
        address = next((_text(a.get("address")) for a in addresses if a.get("type") == kind), None)
        found(field, f"status.addresses[type={kind}]", address)

    ready = next((c for c in _items(status.get("conditions")) if c.get("type") == "Ready"), None)
    if ready is not None:
        state, reason = _text(ready.get("status")), _text(ready.get("reason"))
        printed = f"{state} ({reason})" if reason else str(state)
        found("ready", "status.conditions[type=Ready]", _READY.get(state or ""), printed)
        found("ready_reason", "status.conditions[type=Ready].reason", reason)

    roles = _roles(labels)
    if roles:
        role_labels = sorted(k for k in labels if k.startswith(ROLE_LABEL_PREFIX))
        if LEGACY_ROLE_LABEL in labels:
            role_labels.append(f"{LEGACY_ROLE_LABEL}={labels[LEGACY_ROLE_LABEL]}")
        found("roles", "metadata.labels", roles, ", ".join(role_labels))

    if spec.get("unschedulable") is True:
        found("unschedulable", "spec.unschedulable", True, "true")

    cidrs = [c for c in (_text(v) for v in _list(spec.get("podCIDRs"))) if c]
    if not cidrs and (single := _text(spec.get("podCIDR"))):
        cidrs = [single]
    if cidrs:
        found("pod_cidrs", "spec.podCIDRs", tuple(cidrs), ", ".join(cidrs))

    return NodeInfo(
        name=_text(meta.get("name")) or "",
        labels=labels,
        resource_version=_text(meta.get("resourceVersion")),
        evidence=evidence,
        **values,
    )
