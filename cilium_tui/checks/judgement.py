"""The catalogue's verdict on a whole snapshot, indexed by node, and re-judged node by node.

A node watch event changes one record and leaves the others (the very same objects) and the
cluster-wide facts as they were; every finding of a node depends only on that node's record and
those facts, so `rejudge` reuses the other nodes' findings and only recounts the roll-ups. On a
thousand nodes that is milliseconds instead of a second.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cilium_tui.checks import catalogue
from cilium_tui.checks import rollup as roll
from cilium_tui.checks.types import Finding, Rollup
from cilium_tui.model import NodeRecord, Snapshot


@dataclass(frozen=True)
class Judgement:
    """The catalogue's verdict on a snapshot, indexed for the screens and reports."""

    rollups: tuple[Rollup, ...] = ()
    by_node: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)
    error: str | None = None
    """Set when the catalogue itself failed: the facts can still be shown."""

    def findings(self, node: str) -> tuple[Finding, ...]:
        return self.by_node.get(node, ())

    def rollup(self, item_id: str) -> Rollup | None:
        return next((r for r in self.rollups if r.item.id == item_id), None)


Judge = Callable[[Snapshot], Judgement]


def judge(snapshot: Snapshot) -> Judgement:
    """Run the catalogue. A bug in one item must not take the caller down with it."""
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


def rejudge(
    previous: Judgement, before: Snapshot, after: Snapshot
) -> tuple[Judgement, frozenset[str]] | None:
    """`judge(after)`, judging again only the nodes whose record changed since `before` (which
    `previous` judged whole), with the names of those nodes; None when `after` must be judged
    whole (other cluster facts changed, or `previous` is not a whole judgement)."""
    if not _same_cluster(previous, before, after):
        return None
    records = {r.name: r for r in before.nodes}
    per_node: list[tuple[Finding, ...]] = []
    changed: set[str] = set()
    changed_at: list[int] = []
    removed: list[tuple[Finding, ...]] = []
    added: list[tuple[Finding, ...]] = []
    try:
        for at, record in enumerate(after.nodes):
            findings = previous.by_node.get(record.name)
            if findings is None or not _unchanged(records.get(record.name), record):
                if findings is not None:
                    removed.append(findings)
                findings = catalogue.evaluate_node(after, record)
                added.append(findings)
                changed.add(record.name)
                changed_at.append(at)
            per_node.append(findings)
        gone = set(records) - {r.name for r in after.nodes}
        removed += [previous.by_node[name] for name in gone if name in previous.by_node]
        in_place = _same_places(before, after)
        # Each roll-up recounts only the nodes that changed, came or went (its tally).
        rollups = tuple(
            roll.rollup(
                item,
                _patched(previous.rollups[index].findings, index, per_node, changed_at)
                if in_place
                else tuple(findings[index] for findings in per_node),
                _retallied(previous.rollups[index], index, removed, added),
            )
            for index, item in enumerate(catalogue.CATALOGUE)
        )
    except Exception:  # the same bug a whole judgement meets: let `judge` report it
        return None
    # Each node's findings in catalogue order, as `judgement_of` indexes them, and for the nodes
    # left alone the very tuples `previous` held: nothing per node is built again.
    nodes = zip(after.nodes, per_node, strict=True)
    by_node = {record.name: findings for record, findings in nodes}
    return Judgement(rollups, by_node), frozenset(changed)


def _retallied(
    previous: Rollup,
    index: int,
    removed: list[tuple[Finding, ...]],
    added: list[tuple[Finding, ...]],
) -> roll.Tally | None:
    if previous.tally is None:
        return None
    return roll.retally(previous.tally, (f[index] for f in removed), (f[index] for f in added))


def _same_places(before: Snapshot, after: Snapshot) -> bool:
    """Whether every node is where it was in the node list (a refresh or a modified node: no
    node came or went)."""
    return len(before.nodes) == len(after.nodes) and all(
        b is a or b.name == a.name for b, a in zip(before.nodes, after.nodes, strict=True)
    )


def _patched(
    findings: tuple[Finding, ...],
    index: int,
    per_node: list[tuple[Finding, ...]],
    changed_at: list[int],
) -> tuple[Finding, ...]:
    """A roll-up's per-node findings with the changed places' replaced: a copy of the previous
    tuple (done in C) instead of one item picked out of every node's findings in Python."""
    if not changed_at:
        return findings
    patched = list(findings)
    for at in changed_at:
        patched[at] = per_node[at][index]
    return tuple(patched)


def _unchanged(before: NodeRecord | None, after: NodeRecord) -> bool:
    """The very record (a node event left it alone), or an equal one a new scan read (errors do
    not take part in a record's `==`)."""
    return before is after or (
        before is not None and before == after and before.errors == after.errors
    )


def _same_cluster(previous: Judgement, before: Snapshot, after: Snapshot) -> bool:
    """Whether only node records may differ, and `previous` is a whole judgement to reuse."""
    if previous.error is not None or len(previous.rollups) != len(catalogue.CATALOGUE):
        return False
    if any(len(r.findings) != len(before.nodes) for r in previous.rollups):
        return False
    return all(
        getattr(before, f.name) == getattr(after, f.name)
        for f in dataclasses.fields(Snapshot)
        if f.name not in _PER_SCAN
    )


_PER_SCAN = frozenset({"nodes", "taken_at"})
"""Snapshot fields a new scan changes without changing any node's findings: when it was taken
judges nothing, so a refresh judges again only the nodes whose records differ."""
