"""A Cilium agent Pod object (as the API serves it) -> `AgentPod`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cilium_tui.facts.timestamps import parse_time
from cilium_tui.model import AgentPod

AGENT_CONTAINER = "cilium-agent"


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _container_status(status: Mapping[str, Any]) -> Mapping[str, Any]:
    statuses = [s for s in status.get("containerStatuses") or [] if isinstance(s, Mapping)]
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
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, Mapping)]
    ready_flags = [c.get("status") == "True" for c in conditions if c.get("type") == "Ready"]
    restarts = container.get("restartCount")
    images = [
        c.get("image")
        for c in spec.get("containers") or []
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
