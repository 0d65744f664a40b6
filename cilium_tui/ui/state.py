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
from cilium_tui.checks import rollup as roll
from cilium_tui.checks.types import Finding, Rollup
from cilium_tui.collect.source import NodeEvent, ScanProgress
from cilium_tui.model import NodeInfo, NodeRecord, Snapshot
from cilium_tui.ui.rows import NodeRow, node_row, node_rows


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


CATALOGUE_JUDGE: Judge = judge
"""The catalogue's own judge (`reassess` knows how it works, so it can judge node by node)."""


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


def reassess(
    previous: ClusterState | None, snapshot: Snapshot, judge: Judge = judge
) -> ClusterState:
    """`assess(snapshot)`, re-judging only the nodes that changed since `previous`.

    A node watch event changes one record and leaves the others (the very same objects) and the
    cluster-wide facts as they were, and a refresh reads most nodes as they were (equal records);
    every finding of a node depends only on that node's record and those facts, so the other
    nodes' findings and rows are reused and only the roll-ups are recounted. On a thousand
    nodes that is milliseconds instead of a second. Anything else (a changed ConfigMap, a judge
    other than the catalogue's) is assessed whole."""
    if previous is None or judge is not CATALOGUE_JUDGE or not _same_cluster(previous, snapshot):
        return assess(snapshot, judge)
    before = {r.name: r for r in previous.snapshot.nodes}
    rows = {row.key: row for row in previous.rows}
    per_node: list[tuple[Finding, ...]] = []
    new_rows: list[NodeRow] = []
    try:
        for record in snapshot.nodes:
            findings = previous.judgement.by_node.get(record.name)
            if findings is None or not _unchanged(before.get(record.name), record):
                findings = catalogue.evaluate_node(snapshot, record)
                new_rows.append(node_row(snapshot, record, findings))
            else:
                new_rows.append(rows[record.name])
            per_node.append(findings)
        rollups = tuple(
            roll.rollup(item, tuple(findings[index] for findings in per_node))
            for index, item in enumerate(catalogue.CATALOGUE)
        )
    except Exception:  # the same bug a whole judgement would meet: let `judge` report it
        return assess(snapshot, judge)
    return ClusterState(snapshot, judgement_of(rollups), tuple(new_rows))


def _unchanged(before: NodeRecord | None, after: NodeRecord) -> bool:
    """The very record, or an equal one that a new scan read (errors do not take part in `==`)."""
    return before is after or (
        before is not None and before == after and before.errors == after.errors
    )


def _same_cluster(previous: ClusterState, snapshot: Snapshot) -> bool:
    """Whether only node records may differ, and `previous` holds a whole judgement to reuse."""
    judged = previous.judgement
    if judged.error is not None or len(judged.rollups) != len(catalogue.CATALOGUE):
        return False
    if len(previous.rows) != len(previous.snapshot.nodes):
        return False
    old = previous.snapshot
    return all(
        getattr(old, f.name) == getattr(snapshot, f.name)
        for f in dataclasses.fields(Snapshot)
        if f.name not in _PER_SCAN
    )


_PER_SCAN = frozenset({"nodes", "taken_at"})
"""Snapshot fields a new scan changes without changing any node's findings: when it was taken
judges nothing, so a refresh re-judges only the nodes whose records differ."""


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
