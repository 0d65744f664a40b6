"""Headless renderers (text, JSON, Markdown) for `explain`, `check` and `plan`.

For a check, every renderer is a pure function of (Snapshot, rollups, why-Legacy explanations),
independent of how the Snapshot was collected::

    rollups = evaluate(snapshot)            # cilium_tui.checks.catalogue
    legacy = why_legacy(snapshot)           # cilium_tui.checks.why_legacy
    print(render_check("text", snapshot, rollups, legacy))
    return check_exit_code(rollups, snapshot)  # 0 all on, 1 some off/blocked/unverifiable, 2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from cilium_tui.checks.types import Rollup
from cilium_tui.checks.why_legacy import LegacyExplanation
from cilium_tui.model import Snapshot
from cilium_tui.report.document import check_document, render_json
from cilium_tui.report.markdown import render_markdown
from cilium_tui.report.outcome import EXIT_FAILING, EXIT_NO_SCAN, EXIT_OK, check_exit_code
from cilium_tui.report.text import render_text

Format = Literal["text", "json", "markdown"]

__all__ = [
    "EXIT_FAILING",
    "EXIT_NO_SCAN",
    "EXIT_OK",
    "Format",
    "check_document",
    "check_exit_code",
    "render_check",
    "render_json",
    "render_markdown",
    "render_text",
]


def render_check(
    fmt: Format,
    snapshot: Snapshot,
    rollups: Sequence[Rollup],
    legacy: Sequence[LegacyExplanation],
) -> str:
    if fmt == "json":
        return render_json(snapshot, rollups, legacy) + "\n"
    if fmt == "markdown":
        return render_markdown(snapshot, rollups, legacy)
    return render_text(snapshot, rollups, legacy)
