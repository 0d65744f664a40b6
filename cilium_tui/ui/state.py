"""What the console shows at one moment: the latest Snapshot and the catalogue's judgement of it.

Pure functions, no Textual: the app keeps one `ClusterState`, replaces it after every scan or node
event, and every screen renders from it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cilium_tui.checks import catalogue
from cilium_tui.checks.types import Finding, Rollup
from cilium_tui.collect.source import NodeEvent, ScanProgress
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.ui.rows import NodeRow, node_rows


@dataclass(frozen=True)
class Judgement:
    """The catalogue's verdict on a snapshot, indexed for the screens."""

    rollups: tuple[Rollup, ...] = ()
    by_node: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)
    error: str | None = None
    """Set when the catalogue itself failed: the console still shows the facts."""

    def findings(self, node: str) -> tuple[Finding, ...]:
        return self.by_node.get(node, ())

    def rollup(self, item_id: str) -> Rollup | None:
        return next((r for r in self.rollups if r.item.id == item_id), None)


Judge = Callable[[Snapshot], Judgement]


def judge(snapshot: Snapshot) -> Judgement:
    """Run the catalogue. A bug in one item must not take the console down with it."""
    try:
        rollups = catalogue.evaluate(snapshot)
    except Exception as e:  # the catalogue is pure code; any failure is a bug to show, not crash on
        return Judgement(error=f"the checklist failed: {type(e).__name__}: {e}")
    return judgement_of(rollups)


def judgement_of(rollups: tuple[Rollup, ...]) -> Judgement:
    by_node: dict[str, list[Finding]] = {}
    for rollup in rollups:
        for finding in rollup.findings:
            by_node.setdefault(finding.node, []).append(finding)
    return Judgement(rollups, {node: tuple(found) for node, found in by_node.items()})


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
