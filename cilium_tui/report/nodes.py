"""The one-line facts of each node that every report starts from."""

from __future__ import annotations

from dataclasses import dataclass

from cilium_tui.checks.view import NodeView
from cilium_tui.model import Snapshot


@dataclass(frozen=True)
class NodeSummary:
    name: str
    kernel: str | None
    architecture: str | None
    os: str | None
    cilium_version: str | None
    host_routing: str | None
    """"BPF", "Legacy", "Legacy (predicted)", or None when unknown."""
    kubernetes: bool
    """False for a board that is only in the SSH inventory."""
    problems: tuple[str, ...]
    """Why facts are missing (the agent's or the probe's error), or are stale (an agent that
    started before cilium-config's last change)."""


def summarize(snapshot: Snapshot) -> tuple[NodeSummary, ...]:
    return tuple(_summary(NodeView(snapshot, record)) for record in snapshot.nodes)


def _summary(view: NodeView) -> NodeSummary:
    record = view.record
    os_name = view.probe.os_pretty_name if view.probe is not None else None
    if not os_name and record.node is not None:
        os_name = record.node.os_image
    host_routing = view.host_routing
    routing = host_routing.value
    if routing is not None and host_routing.origin == "predicted":
        routing += " (predicted)"
    agent_problem = view.agent_problem if view.is_cilium_node else None
    problems = [p for p in (agent_problem, view.probe_problem, view.rollout_problem) if p]
    return NodeSummary(
        name=view.name,
        kernel=view.kernel.text,
        architecture=record.architecture,
        os=os_name,
        cilium_version=str(view.cilium.value) if view.cilium.value is not None else None,
        host_routing=routing,
        kubernetes=view.is_cilium_node,
        problems=tuple(problems),
    )
