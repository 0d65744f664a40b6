"""What the console shows at one moment: the latest Snapshot and the catalogue's judgement of it.

Pure functions, no Textual: the app keeps one `ClusterState`, replaces it after every scan or node
event, and every screen renders from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from cilium_tui.checks.judgement import Judge, Judgement, judge, rejudge
from cilium_tui.collect.source import NodeEvent, ScanProgress
from cilium_tui.model import NodeInfo, NodeRecord, Snapshot
from cilium_tui.ui.rows import NodeRow, node_row, node_rows

CATALOGUE_JUDGE: Judge = judge
"""The catalogue's own judge (`reassess` knows how it works, so it can judge node by node)."""


@dataclass(frozen=True)
class ClusterState:
    snapshot: Snapshot
    judgement: Judgement = field(default_factory=Judgement)
    rows: tuple[NodeRow, ...] = ()
    """The node table's rows, rendered with the judgement (see `assess`)."""

    def record(self, name: str) -> NodeRecord | None:
        return self.snapshot.node(name)


def assess(snapshot: Snapshot, judge: Judge = judge) -> ClusterState:
    """Everything the screens show of `snapshot`, computed at once. Pure and CPU-bound: the app
    runs it in a thread so that a big cluster never freezes the console."""
    judgement = judge(snapshot)
    return ClusterState(snapshot, judgement, tuple(node_rows(snapshot, judgement.by_node)))


def reassess(
    previous: ClusterState | None, snapshot: Snapshot, judge: Judge = judge
) -> ClusterState:
    """`assess(snapshot)`, re-judging (`checks.judgement.rejudge`) and re-rendering only the
    nodes that changed since `previous`. Anything else (a new scan, a changed ConfigMap, a judge
    other than the catalogue's) is assessed whole."""
    if (
        previous is None
        or judge is not CATALOGUE_JUDGE
        or len(previous.rows) != len(previous.snapshot.nodes)
    ):
        return assess(snapshot, judge)
    again = rejudge(previous.judgement, previous.snapshot, snapshot)
    if again is None:
        return assess(snapshot, judge)
    judgement, changed = again
    rows = {row.key: row for row in previous.rows}
    new_rows = tuple(
        node_row(snapshot, record, judgement.findings(record.name))
        if record.name in changed or record.name not in rows
        else rows[record.name]
        for record in snapshot.nodes
    )
    return ClusterState(snapshot, judgement, new_rows)


def same_node(before: NodeInfo, after: NodeInfo) -> bool:
    """Whether a watch event says nothing new about a node. Kubelets rewrite their Node's status
    for heartbeats (condition timestamps), images and the like: each write moves the
    resourceVersion but changes nothing the console reads, which is `NodeInfo` (its labels
    compared too: they do not take part in `==`)."""
    return (
        dataclasses.replace(after, resource_version=before.resource_version) == before
        and after.labels == before.labels
    )


def apply_node_event(snapshot: Snapshot, event: NodeEvent) -> Snapshot:
    """The snapshot after a node watch event: a new node is a row with only its Node facts (the
    next scan adds the rest), a modified one keeps what was probed, a deleted one goes away."""
    name = event.node.name
    nodes = list(snapshot.nodes)
    index = next((i for i, r in enumerate(nodes) if r.name == name), None)
    if event.kind == "DELETED":
        if index is None:
            return snapshot
        del nodes[index]
    elif index is None:
        nodes.append(NodeRecord(name=name, node=event.node))
    else:
        nodes[index] = dataclasses.replace(nodes[index], node=event.node)
    return dataclasses.replace(snapshot, nodes=tuple(nodes))


@dataclass(frozen=True)
class ErrorChange:
    """A collector error that appeared, changed or cleared on a node between two snapshots."""

    node: str
    collector: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.after is None:
            return f"{self.node}: {self.collector} recovered (was: {self.before})"
        return f"{self.node}: {self.collector}: {self.after}"


def error_changes(before: Snapshot | None, after: Snapshot) -> tuple[ErrorChange, ...]:
    """Per-node collector errors that differ from the previous snapshot, for the log: a node that
    stays unreachable is logged once, not at every refresh."""
    old = {r.name: r.errors for r in before.nodes} if before is not None else {}
    changes: list[ErrorChange] = []
    for record in after.nodes:
        previous = old.get(record.name, {})
        for collector in sorted(set(previous) | set(record.errors)):
            was, now = previous.get(collector), record.errors.get(collector)
            if was != now:
                changes.append(ErrorChange(record.name, collector, was, now))
    return tuple(changes)


@dataclass(frozen=True)
class ScanStatus:
    """What the title bar says about scanning."""

    running: bool = False
    progress: ScanProgress | None = None
    taken_at: datetime | None = None
    """When the snapshot on screen was taken."""
    error: str | None = None
    """Why the last scan failed (cleared by the next success)."""
