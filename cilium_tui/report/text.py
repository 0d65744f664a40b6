"""The check as plain text: aligned columns, no colour or markup, readable in a terminal and in
CI logs alike."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from cilium_tui.checks.types import Rollup, State
from cilium_tui.checks.why_legacy import LegacyExplanation
from cilium_tui.model import Snapshot
from cilium_tui.report.grouping import FindingGroup, LegacyGroup, attention, legacy_groups
from cilium_tui.report.nodes import summarize
from cilium_tui.report.outcome import verdict
from cilium_tui.report.safe import plain, width

WIDTH = 100
INDENT = "  "


def mark(rollup: Rollup) -> str:
    """The one-word verdict of an item across the cluster."""
    counts = rollup.counts
    if rollup.failing:
        return "FAIL"
    if rollup.item.advisory:
        return "info"
    if counts[State.NA] == len(rollup.findings):
        return "n/a"
    return "?" if counts[State.UNKNOWN] else "ok"


def _table(rows: Sequence[Sequence[str]], indent: str = INDENT) -> list[str]:
    """Rows of cells, each column padded to its widest cell."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _wrap(label: str, text: str, indent: str) -> list[str]:
    first = f"{indent}{label}" if label else indent
    return textwrap.wrap(
        plain(text),
        WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _header(snapshot: Snapshot, rollups: Sequence[Rollup]) -> list[str]:
    where = plain(snapshot.source)
    if snapshot.context:
        where += f" (context {plain(snapshot.context)})"
    taken = snapshot.taken_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    lines = [
        f"Cilium tuning check: {where}, {taken}, {len(snapshot.nodes)} nodes",
        f"Result: {verdict(rollups, snapshot)}",
    ]
    lines += [f"Error: {plain(e)}" for e in snapshot.errors]
    return lines


def _nodes(snapshot: Snapshot) -> list[str]:
    summaries = summarize(snapshot)
    if not summaries:
        return ["Nodes", f"{INDENT}(none)"]
    rows = [["NAME", "KERNEL", "ARCH", "OS", "CILIUM", "HOST ROUTING"]]
    for n in summaries:
        cilium = n.cilium_version or "-"
        routing = n.host_routing or "-"
        if not n.kubernetes:
            cilium, routing = "(not a Kubernetes node)", ""
        rows.append(
            [
                plain(n.name),
                plain(n.kernel or "-"),
                plain(n.architecture or "-"),
                plain(n.os or "-"),
                plain(cilium),
                routing,
            ]
        )
    lines = ["Nodes", *_table(rows)]
    for n in summaries:
        lines += [f"{INDENT}! {plain(n.name)}: {plain(p)}" for p in n.problems]
    return lines


def _checklist(rollups: Sequence[Rollup]) -> list[str]:
    rows = [
        [mark(r), r.item.id, plain(r.summary) + (" (advisory)" if r.item.advisory else "")]
        for r in rollups
    ]
    return ["Checklist", *_table(rows)]


def _group(group: FindingGroup, verbose: bool) -> list[str]:
    f = group.finding
    indent = INDENT * 2
    lines = _wrap(f"{f.state}  ", ", ".join(group.nodes), indent)
    detail = indent + " " * (len(str(f.state)) + 2)
    lines += _wrap("", f.reason, detail)
    if any(b not in f.reason for b in f.blocked_by):
        lines += _wrap("blocked by: ", ", ".join(f.blocked_by), detail)
    if f.drift:
        lines += _wrap("drift: ", f.drift, detail)
    if f.advice and (group.fails or f.drift):
        lines += _wrap("advice: ", f.advice, detail)
    if verbose:
        for e in f.evidence:
            lines += _wrap("evidence: ", e, detail)
    return lines


def _attention(rollups: Sequence[Rollup], verbose: bool) -> list[str]:
    items = attention(rollups)
    if not items:
        return []
    lines = ["Needs attention"]
    for item, groups in items:
        lines.append(f"{INDENT}{item.id}: {item.title} <{item.docs}>")
        lines += [line for group in groups for line in _group(group, verbose)]
    return lines


def _legacy(group: LegacyGroup, verbose: bool) -> list[str]:
    e = group.explanation
    predicted = " (predicted: the agent could not be asked)" if e.predicted else ""
    lines = [f"{INDENT}{plain(', '.join(group.nodes))}{predicted}"]
    indent = INDENT * 2
    for number, cause in enumerate(e.causes, 1):
        label = f"{number}. "
        lines += _wrap(label, cause.text, indent)
        fix = f"fix ({cause.fix_item}): " if cause.fix_item else "fix: "
        lines += _wrap(fix, cause.fix, indent + " " * len(label))
        if verbose:
            for line in cause.evidence:
                lines += _wrap("evidence: ", line, indent + " " * len(label))
    lines += _wrap("advice: ", e.advice, indent)
    return lines


def render_text(
    snapshot: Snapshot,
    rollups: Sequence[Rollup],
    legacy: Sequence[LegacyExplanation],
    *,
    verbose: bool = False,
) -> str:
    """The whole check; `verbose` adds the evidence behind every finding and cause."""
    sections = [_header(snapshot, rollups), _nodes(snapshot), _checklist(rollups)]
    sections.append(_attention(rollups, verbose))
    groups = legacy_groups(legacy)
    if groups:
        sections.append(["Why Legacy", *(line for g in groups for line in _legacy(g, verbose))])
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"
