"""The check as Markdown: for pull requests, issues and wiki pages."""

from __future__ import annotations

from collections.abc import Sequence

from cilium_tui.checks.types import Rollup, State
from cilium_tui.checks.why_legacy import LegacyExplanation
from cilium_tui.model import Snapshot
from cilium_tui.report.grouping import FindingGroup, attention, legacy_groups
from cilium_tui.report.nodes import summarize
from cilium_tui.report.outcome import verdict
from cilium_tui.report.safe import markdown as md
from cilium_tui.report.text import mark

MATRIX_MAX_NODES = 12
"""Beyond this many nodes the per-node table is too wide to read; JSON has every finding."""
STATE_CELLS = {
    State.ON: "on",
    State.OFF: "**off**",
    State.BLOCKED: "**blocked**",
    State.NA: "n/a",
    State.UNKNOWN: "?",
}


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _header(snapshot: Snapshot, rollups: Sequence[Rollup]) -> list[str]:
    facts = [f"**Source:** {md(snapshot.source)}"]
    if snapshot.context:
        facts.append(f"**Context:** {md(snapshot.context)}")
    facts += [
        f"**Taken:** {snapshot.taken_at.strftime('%Y-%m-%d %H:%M:%S %Z').strip()}",
        f"**Nodes:** {len(snapshot.nodes)}",
        f"**Result:** {verdict(rollups, snapshot)}",
    ]
    lines = ["# Cilium tuning check", "", " · ".join(facts)]
    lines += [f"\n> Error: {md(e)}" for e in snapshot.errors]
    return lines


def _nodes(snapshot: Snapshot) -> list[str]:
    lines = [
        "## Nodes",
        "",
        _row(["Node", "Kernel", "Arch", "OS", "Cilium", "Host routing", "Problems"]),
        _row(["---"] * 7),
    ]
    for n in summarize(snapshot):
        cilium = md(n.cilium_version or "-") if n.kubernetes else "not a Kubernetes node"
        lines.append(
            _row(
                [
                    md(n.name),
                    md(n.kernel or "-"),
                    md(n.architecture or "-"),
                    md(n.os or "-"),
                    cilium,
                    md(n.host_routing or "-"),
                    md("; ".join(n.problems)) or "-",
                ]
            )
        )
    return lines


def _checklist(rollups: Sequence[Rollup]) -> list[str]:
    states = [State.ON, State.OFF, State.BLOCKED, State.NA, State.UNKNOWN]
    lines = [
        "## Checklist",
        "",
        _row(["", "Item", "On", "Off", "Blocked", "N/A", "Unknown", "Summary"]),
        _row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---"]),
    ]
    for r in rollups:
        verdict = mark(r)
        title = f"[{md(r.item.title)}]({r.item.docs}) `{r.item.id}`"
        if r.item.advisory:
            title += " (advisory)"
        cells = [f"**{verdict}**" if verdict == "FAIL" else verdict, title]
        cells += [str(r.counts[s]) for s in states]
        lines.append(_row([*cells, md(r.summary)]))
    return lines


def _matrix(snapshot: Snapshot, rollups: Sequence[Rollup]) -> list[str]:
    names = [r.name for r in snapshot.nodes]
    if len(names) > MATRIX_MAX_NODES:
        return [
            "## Per node",
            "",
            f"{len(names)} nodes: too many for a table here; `--format json` has every finding.",
        ]
    lines = ["## Per node", "", _row(["Item", *map(md, names)]), _row(["---"] * (len(names) + 1))]
    for r in rollups:
        by_node = {f.node: f.state for f in r.findings}
        cells = [STATE_CELLS[by_node[n]] if n in by_node else "" for n in names]
        lines.append(_row([f"`{r.item.id}`", *cells]))
    return lines


def _attention(rollups: Sequence[Rollup]) -> list[str]:
    items = attention(rollups)
    if not items:
        return []
    lines = ["## Needs attention"]
    for item, groups in items:
        lines += ["", f"### [{md(item.title)}]({item.docs}) `{item.id}`", ""]
        lines += [line for group in groups for line in _group(group)]
    return lines


def _group(group: FindingGroup) -> list[str]:
    f = group.finding
    lines = [f"- **{f.state}** on {md(', '.join(group.nodes))}: {md(f.reason)}"]
    if any(b not in f.reason for b in f.blocked_by):
        lines.append(f"  - blocked by: {md(', '.join(f.blocked_by))}")
    if f.drift:
        lines.append(f"  - drift: {md(f.drift)}")
    if f.advice and (group.fails or f.drift):
        lines.append(f"  - advice: {md(f.advice)}")
    return lines


def _legacy(legacy: Sequence[LegacyExplanation]) -> list[str]:
    groups = legacy_groups(legacy)
    if not groups:
        return []
    lines = ["## Why Legacy"]
    for group in groups:
        e = group.explanation
        predicted = " (predicted: the agent could not be asked)" if e.predicted else ""
        lines += ["", f"### {md(', '.join(group.nodes))}{predicted}", ""]
        for number, cause in enumerate(e.causes, 1):
            lines.append(f"{number}. {md(cause.text)}  ")
            fix = f"fix (`{cause.fix_item}`)" if cause.fix_item else "fix"
            lines.append(f"   {fix}: {md(cause.fix)}")
        lines += ["", f"Advice: {md(e.advice)}"]
    return lines


def render_markdown(
    snapshot: Snapshot, rollups: Sequence[Rollup], legacy: Sequence[LegacyExplanation]
) -> str:
    sections = [
        _header(snapshot, rollups),
        _nodes(snapshot),
        _checklist(rollups),
        _matrix(snapshot, rollups),
        _attention(rollups),
        _legacy(legacy),
    ]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"
