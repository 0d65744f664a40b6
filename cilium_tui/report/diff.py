"""`cilium-tui diff` as text, JSON (schema `cilium-tui.diff/1`) and Markdown for a ticket.

JSON::

    {"schema": "cilium-tui.diff/1", "summary": "...",
     "before": {"source": ..., "taken_at": ...}, "after": {...},
     "nodes": [{"name": ..., "status": "changed|added|removed",
                "host_routing": {"before": "BPF", "after": "Legacy"} | null,
                "legacy_cause": ... | null,
                "facts": [{"what": "routing", "before": "tunnel", "after": "native"}],
                "items": [{"what": "native-routing", "before": "off", "after": "on"}]}]}

A null `before`/`after` value means unknown on that side (or absent, for an item).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from cilium_tui.model import Snapshot
from cilium_tui.offline.diff import Change, SnapshotDiff
from cilium_tui.report.safe import markdown, plain

SCHEMA = "cilium-tui.diff/1"

DiffFormat = Literal["text", "json", "markdown"]


def _side(snapshot: Snapshot) -> str:
    return f"{snapshot.source} (taken {snapshot.taken_at:%Y-%m-%d %H:%M:%S})"


def _value(value: str | None) -> str:
    return "?" if value is None else value


def _change(c: Change) -> str:
    return f"{c.what}: {_value(c.before)} -> {_value(c.after)}"


def render_text(diff: SnapshotDiff) -> str:
    lines = [
        plain(diff.summary),
        "",
        f"before: {plain(_side(diff.before))}",
        f"after:  {plain(_side(diff.after))}",
    ]
    for n in diff.nodes:
        lines.append("")
        if n.status != "changed":
            lines.append(f"{plain(n.node)}: {n.status}")
            continue
        lines.append(f"{plain(n.node)}:")
        lines += [f"  fact  {plain(_change(c))}" for c in n.facts]
        lines += [f"  item  {plain(_change(c))}" for c in n.items]
        if n.host_routing is not None and n.legacy_cause:
            lines.append(f"  why Legacy: {plain(n.legacy_cause)}")
    return "\n".join(lines) + "\n"


def _changes(changes: tuple[Change, ...]) -> list[dict[str, Any]]:
    return [{"what": c.what, "before": c.before, "after": c.after} for c in changes]


def diff_document(diff: SnapshotDiff) -> dict[str, Any]:
    def side(s: Snapshot) -> dict[str, Any]:
        return {"source": s.source, "context": s.context, "taken_at": s.taken_at.isoformat()}

    return {
        "schema": SCHEMA,
        "summary": diff.summary,
        "before": side(diff.before),
        "after": side(diff.after),
        "nodes": [
            {
                "name": n.node,
                "status": n.status,
                "host_routing": None
                if n.host_routing is None
                else {"before": n.host_routing.before, "after": n.host_routing.after},
                "legacy_cause": n.legacy_cause,
                "facts": _changes(n.facts),
                "items": _changes(n.items),
            }
            for n in diff.nodes
        ],
    }


def render_markdown(diff: SnapshotDiff) -> str:
    lines = [
        f"**{markdown(diff.summary)}**",
        "",
        f"- before: {markdown(_side(diff.before))}",
        f"- after: {markdown(_side(diff.after))}",
    ]
    if diff.nodes:
        lines += ["", "| node | what | before | after |", "| --- | --- | --- | --- |"]
    for n in diff.nodes:
        name = markdown(n.node)
        if n.status != "changed":
            lines.append(f"| {name} | node {n.status} | | |")
            continue
        for kind, changes in (("fact", n.facts), ("item", n.items)):
            for c in changes:
                lines.append(
                    f"| {name} | {kind} {markdown(c.what)} | {markdown(_value(c.before))} "
                    f"| {markdown(_value(c.after))} |"
                )
    return "\n".join(lines) + "\n"


def render_diff(fmt: DiffFormat, diff: SnapshotDiff) -> str:
    if fmt == "json":
        return json.dumps(diff_document(diff), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)
