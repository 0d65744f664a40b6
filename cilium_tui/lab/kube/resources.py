"""The resource types the lab serves, and what each one allows.

One table drives discovery (`/api/v1`, `/apis/apps/v1`, …), routing and the store: a type that is
not here does not exist for clients, and a verb that is not listed answers 405.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceType:
    plural: str
    singular: str
    kind: str
    group: str
    """"" for the core group."""
    version: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    field_labels: tuple[str, ...] = ("metadata.name", "metadata.namespace")
    """Field selector labels the real server accepts for this type (a subset of them)."""
    has_generation: bool = False
    """The server bumps metadata.generation when the spec changes."""

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        """The object's `apiVersion` field."""
        return self.group_version


_READ = ("get", "list", "watch")

NODES = ResourceType("nodes", "node", "Node", "", "v1", False, _READ, ("no",))
PODS = ResourceType(
    "pods",
    "pod",
    "Pod",
    "",
    "v1",
    True,
    (*_READ, "delete"),
    ("po",),
    field_labels=("metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"),
)
CONFIGMAPS = ResourceType(
    "configmaps", "configmap", "ConfigMap", "", "v1", True, (*_READ, "patch"), ("cm",)
)
DAEMONSETS = ResourceType(
    "daemonsets",
    "daemonset",
    "DaemonSet",
    "apps",
    "v1",
    True,
    (*_READ, "patch"),
    ("ds",),
    has_generation=True,
)

CILIUM_NODE_CONFIGS = ResourceType(
    "ciliumnodeconfigs",
    "ciliumnodeconfig",
    "CiliumNodeConfig",
    "cilium.io",
    "v2",
    True,
    (*_READ, "create", "patch", "delete"),
    has_generation=True,
)
"""Per-node overrides of cilium-config, read by an agent when it starts (cilium.io/v2: 1.16+)."""

RESOURCES: tuple[ResourceType, ...] = (NODES, PODS, CONFIGMAPS, DAEMONSETS, CILIUM_NODE_CONFIGS)
BY_PLURAL = {r.plural: r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    r = BY_PLURAL.get(plural)
    if r is None or r.group != group or r.version != version:
        return None
    return r
