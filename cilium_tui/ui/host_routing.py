"""A node's host routing in full, for the detail view: the mode with its evidence, and for Legacy
the causes in the order to fix them (each with its evidence and the checklist item that fixes it)
and the advice, from `checks.why_legacy`. Builds Rich text without a running app.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from cilium_tui.checks.types import Finding
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import CONNTRACK_UNNECESSARY, explain
from cilium_tui.ui.cells import STATE_TONES, Cell, Tone
from cilium_tui.ui.paint import ToneStyles, cell_text

HEADING = Style(bold=True)
INDENT = "   "


def host_routing_text(
    view: NodeView,
    mode: Cell,
    finding: Finding | None,
    styles: ToneStyles,
    titles: Mapping[str, str],
    *,
    preview_key: str | None = None,
) -> Text:
    """`mode` is the table's host-routing cell; `titles` maps item ids to their titles;
    `preview_key`, when given, is said on each `fix:` line an item remediates."""
    fact = view.host_routing
    text = Text("Host routing  ", style=HEADING, end="")
    text.append_text(cell_text(mode, styles))
    text.append("\n")
    evidence = styles[Tone.NA]
    for line in fact.evidence:
        text.append(f"← {line}\n", style=evidence)
    if fact.value is None:
        text.append(view.cilium_unknown("host routing") + "\n", style=styles[Tone.UNKNOWN])
    elif fact.origin == "predicted":
        text.append(
            f"{view.prediction_basis[0].upper()}{view.prediction_basis[1:]}.\n",
            style=styles[Tone.UNKNOWN],
        )
    if fact.drift:
        text.append(f"drift: {fact.drift}\n", style=styles[Tone.OFF])
    explanation = explain(view)
    if explanation is None:
        if finding is not None:
            text.append("\nChecklist  ", style=HEADING)
            state = Cell(finding.state.value, STATE_TONES[finding.state])
            text.append_text(cell_text(state, styles))
            text.append(f"  {finding.reason}\n")
        if fact.value == "BPF":
            text.append(f"iptables conntrack bypass: {CONNTRACK_UNNECESSARY}\n")
        return text
    text.append("\nWhy Legacy\n", style=HEADING)
    for number, cause in enumerate(explanation.causes, 1):
        text.append(f"{number}. ", style=HEADING)
        text.append(f"{cause.text}\n")
        text.append(f"{INDENT}fix: {cause.fix}")
        if cause.fix_item is not None:
            title = titles.get(cause.fix_item, cause.fix_item)
            text.append(f" (checklist: {title})", style=styles[Tone.ON])
            if preview_key is not None:
                text.append(f" · {preview_key} previews it", style=styles[Tone.NA])
        text.append("\n")
        for line in cause.evidence:
            text.append(f"{INDENT}← {line}\n", style=evidence)
    text.append("\nAdvice\n", style=HEADING)
    text.append(explanation.advice + "\n")
    return text
