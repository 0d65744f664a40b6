"""The checklist's lines: a Rollup or a Finding in, cells out. Pure, like `ui.rows`."""

from __future__ import annotations

from collections.abc import Sequence

from cilium_tui.checks.rollup import gist
from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.ui.cells import STATE_TONES, Cell, Tone, shorten

WHY_WIDTH = 60
"""Longest reason on a node's line of the checklist; the side panel has the full finding."""

DONE_MARK = "✓"

STATE_ORDER = (State.ON, State.OFF, State.BLOCKED, State.NA, State.UNKNOWN)
"""The order counts are shown in."""

STATE_FILTERS: tuple[State | None, ...] = (
    None,
    State.OFF,
    State.BLOCKED,
    State.UNKNOWN,
    State.NA,
    State.ON,
)
"""What `f` cycles through on the checklist: all items, then the items with a node in each state
(the ones that need attention first)."""


def is_done(rollup: Rollup) -> bool:
    """On everywhere it applies: at least one node on, none off, blocked or unknown."""
    counts = rollup.counts
    pending = (State.OFF, State.BLOCKED, State.UNKNOWN)
    return counts.get(State.ON, 0) > 0 and not any(counts.get(s, 0) for s in pending)


def count_cells(rollup: Rollup) -> list[Cell]:
    """ "3 on", "3 blocked", ... in `STATE_ORDER`, each in its state's tone; zero counts omitted."""
    return [
        Cell(f"{rollup.counts[state]} {state.value}", STATE_TONES[state])
        for state in STATE_ORDER
        if rollup.counts.get(state, 0)
    ]


def rollup_cells(rollup: Rollup) -> list[Cell]:
    """An item's line: done mark, title, counts."""
    done = is_done(rollup)
    mark = Cell(DONE_MARK, Tone.ON) if done else Cell(" ")
    return [mark, Cell(rollup.item.title), *count_cells(rollup)]


def finding_cells(finding: Finding) -> list[Cell]:
    """A node's line under an item: node, state, the first blocker or the gist of the reason
    (the words the item's headline groups nodes by)."""
    why = finding.blocked_by[0] if finding.blocked_by else gist(finding)
    state = Cell(finding.state.value, STATE_TONES[finding.state])
    return [Cell(finding.node), state, Cell(shorten(why, WHY_WIDTH))]


def matches_state(rollup: Rollup, state: State | None) -> bool:
    return state is None or rollup.counts.get(state, 0) > 0


def findings_in(rollup: Rollup, state: State | None) -> Sequence[Finding]:
    return [f for f in rollup.findings if state is None or f.state is state]


def summary(rollups: Sequence[Rollup]) -> str:
    """The checklist's one-line summary: "7 items · 3 done · 4 need attention"."""
    done = sum(1 for r in rollups if is_done(r))
    open_ = sum(
        1
        for r in rollups
        if not is_done(r) and any(r.counts.get(s, 0) for s in (State.OFF, State.BLOCKED))
    )
    return f"{len(rollups)} items · {done} done · {open_} to act on"
