"""The tuning catalogue: every item of the Cilium tuning guide, judged per node and rolled up."""

from __future__ import annotations

from cilium_tui.checks.types import Finding, Item, Rollup
from cilium_tui.model import NodeRecord, Snapshot

CATALOGUE: tuple[Item, ...] = ()


def evaluate_node(snapshot: Snapshot, record: NodeRecord) -> tuple[Finding, ...]:
    return tuple(item.evaluate(snapshot, record) for item in CATALOGUE)


def evaluate(snapshot: Snapshot) -> tuple[Rollup, ...]:
    return ()
