"""Discovery documents: /version, /api, /apis and the per-group-version resource lists.

kubectl 1.32 asks for aggregated discovery (apidiscovery.k8s.io/v2) first and accepts these plain
documents in reply, as the real server answers older clients.
"""

from __future__ import annotations

from typing import Any

from cilium_tui.lab.kube.resources import RESOURCES, ResourceType

JSON = dict[str, Any]

AUTHORIZATION_GROUP = "authorization.k8s.io"

# Resources that exist only as a POST endpoint or a subresource: listed so clients find them.
_EXTRA: dict[str, list[JSON]] = {
    "v1": [
        {
            "name": "pods/exec",
            "singularName": "",
            "namespaced": True,
            "kind": "PodExecOptions",
            "verbs": ["create", "get"],
        }
    ],
    f"{AUTHORIZATION_GROUP}/v1": [
        {
            "name": "selfsubjectaccessreviews",
            "singularName": "selfsubjectaccessreview",
            "namespaced": False,
            "kind": "SelfSubjectAccessReview",
            "verbs": ["create"],
        }
    ],
}

GROUPS: dict[str, str] = {"apps": "v1", AUTHORIZATION_GROUP: "v1", "cilium.io": "v2"}
"""API groups (besides core) and their only, preferred version."""


def version_info(git_version: str, platform: str = "linux/amd64") -> JSON:
    """What `/version` says: a k3s-style version string is kept whole (e.g. v1.26.6+k3s1)."""
    core = git_version.lstrip("v").split("+", 1)[0].split("-", 1)[0]
    major, minor = [*core.split("."), "0", "0"][:2]
    return {
        "major": major,
        "minor": minor,
        "gitVersion": git_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2023-06-15T00:00:00Z",
        "goVersion": "go1.20.5",
        "compiler": "gc",
        "platform": platform,
    }


def api_versions(server_address: str) -> JSON:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _group(name: str, version: str) -> JSON:
    gv = {"groupVersion": f"{name}/{version}", "version": version}
    return {"name": name, "versions": [gv], "preferredVersion": gv}


def api_group_list() -> JSON:
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group(name, version) for name, version in GROUPS.items()],
    }


def api_group(name: str) -> JSON | None:
    if name not in GROUPS:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, GROUPS[name])}


def _resource_entry(r: ResourceType) -> JSON:
    entry: JSON = {
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    return entry


def resource_list(group_version: str) -> JSON | None:
    """The APIResourceList of one group/version ("v1", "apps/v1", …), or None if not served."""
    served = [_resource_entry(r) for r in RESOURCES if r.group_version == group_version]
    served += _EXTRA.get(group_version, [])
    if not served:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": served,
    }
