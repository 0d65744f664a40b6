"""What the human-readable reports list: findings that need attention and Legacy explanations,
with nodes that share the same judgement grouped, so a cluster-wide cause reads once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cilium_tui.checks.types import Finding, Item, Rollup, State
from cilium_tui.checks.why_legacy import LegacyExplanation


@dataclass(frozen=True)
class FindingGroup:
    item: Item
    nodes: tuple[str, ...]
    finding: Finding
    """The judgement the nodes share (the first node's, for its evidence)."""

    @property
    def fails(self) -> bool:
        return self.item.fails(self.finding)


@dataclass(frozen=True)
class LegacyGroup:
    nodes: tuple[str, ...]
    explanation: LegacyExplanation
    """The explanation the nodes share (the first node's, for its evidence)."""


def _needs_attention(item: Item, finding: Finding) -> bool:
    return item.fails(finding) or finding.state is State.UNKNOWN or finding.drift is not None


def attention(rollups: Sequence[Rollup]) -> tuple[tuple[Item, tuple[FindingGroup, ...]], ...]:
    """Per item, in catalogue order: its failing, unknown or drifting findings, grouped.

    Items with nothing that needs attention are left out.
    """
    items = []
    for rollup in rollups:
        shared: dict[tuple[object, ...], list[Finding]] = {}
        for f in rollup.findings:
            if _needs_attention(rollup.item, f):
                key = (f.state, f.reason, f.blocked_by, f.advice, f.drift)
                shared.setdefault(key, []).append(f)
        groups = tuple(
            FindingGroup(rollup.item, tuple(f.node for f in same), same[0])
            for same in shared.values()
        )
        if groups:
            items.append((rollup.item, groups))
    return tuple(items)


def legacy_groups(legacy: Sequence[LegacyExplanation]) -> tuple[LegacyGroup, ...]:
    shared: dict[tuple[object, ...], list[LegacyExplanation]] = {}
    for e in legacy:
        key = (tuple((c.text, c.fix) for c in e.causes), e.advice, e.predicted)
        shared.setdefault(key, []).append(e)
    return tuple(LegacyGroup(tuple(e.node for e in same), same[0]) for same in shared.values())
