"""The checklist's lines: a Rollup or a Finding in, cells out. Pure, like `ui.rows`.

An item's line is its title, then one column per state (ON OFF BLK N/A UNK, under a header, as
k9s shows counts): the counts are as wide as they need to be and come whole, the title is what
gives way on a narrow terminal (the side panel heads with it in full)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cilium_tui.checks.rollup import gist
from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.ui.cells import STATE_TONES, Cell, Tone, shorten

DONE_MARK = "✓"

STATE_ORDER = (State.ON, State.OFF, State.BLOCKED, State.NA, State.UNKNOWN)
"""The order counts are shown in."""

COUNT_HEADERS: Mapping[State, str] = {
    State.ON: "ON",
    State.OFF: "OFF",
    State.BLOCKED: "BLK",
    State.NA: "N/A",
    State.UNKNOWN: "UNK",
}
"""The header of each state's count column."""

NO_NODES = "·"
"""A count of zero: the column stays readable without a row of zeros."""

GAP = "  "
"""Between the cells of a node's line."""

MIN_TITLE = 12
"""A title is never shortened below this (below it the terminal is too narrow for the list)."""

MIN_WHY = 16
"""The reason on a node's line is never shortened below this; the side panel has it in full."""

ITEM_GAP = " "
"""Between the cells of an item's line (the counts are right-aligned under headers at least two
wide, so a title never touches its first count)."""

STATE_WIDTH = len("blocked")
"""The state column of a node's line: as wide as the longest state."""

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


@dataclass(frozen=True)
class Columns:
    """How wide the checklist's columns are: the title, then each state's count."""

    title: int
    counts: Mapping[State, int]

    @property
    def width(self) -> int:
        """The width of an item's line."""
        cells = (len(DONE_MARK), self.title, *self.counts.values())
        return sum(cells) + len(ITEM_GAP) * (len(cells) - 1)


def columns(rollups: Sequence[Rollup], width: int | None = None) -> Columns:
    """Columns that show every count whole; the titles' column shrinks so that a line fits in
    `width` (None: no limit), down to `MIN_TITLE`."""
    counts = {
        state: max(
            [len(COUNT_HEADERS[state])] + [len(str(r.counts.get(state, 0))) for r in rollups]
        )
        for state in STATE_ORDER
    }
    natural = Columns(max((len(r.item.title) for r in rollups), default=MIN_TITLE), counts)
    if width is None or natural.width <= width:
        return natural
    return Columns(max(MIN_TITLE, natural.title - (natural.width - width)), counts)


def count_cells(rollup: Rollup, cols: Columns) -> list[Cell]:
    """One count per state in `STATE_ORDER`, right-aligned in its column and in its state's
    tone; a zero is a muted dot."""
    cells = []
    for state, width in cols.counts.items():
        count = rollup.counts.get(state, 0)
        text = str(count) if count else NO_NODES
        cells.append(Cell(text.rjust(width), STATE_TONES[state] if count else Tone.NA))
    return cells


def rollup_cells(rollup: Rollup, cols: Columns) -> list[Cell]:
    """An item's line: done mark, title (shortened to its column if it must be), counts."""
    done = is_done(rollup)
    mark = Cell(DONE_MARK, Tone.ON) if done else Cell(" ")
    title = shorten(rollup.item.title, cols.title).ljust(cols.title)
    return [mark, Cell(title), *count_cells(rollup, cols)]


def header_line(cols: Columns) -> str:
    """The line above the items, naming the columns."""
    cells = [" " * len(DONE_MARK), "ITEM".ljust(cols.title)]
    cells += [COUNT_HEADERS[s].rjust(w) for s, w in cols.counts.items()]
    return ITEM_GAP.join(cells)


def finding_cells(finding: Finding, width: int | None = None, node_width: int = 0) -> list[Cell]:
    """A node's line under an item: node, state, the first blocker or the gist of the reason
    (the words the item's headline groups nodes by), shortened so the line fits in `width`."""
    why = finding.blocked_by[0] if finding.blocked_by else gist(finding)
    if width is not None:
        why = shorten(
            why,
            max(MIN_WHY, width - max(node_width, len(finding.node)) - 2 * len(GAP) - STATE_WIDTH),
        )
    state = Cell(finding.state.value, STATE_TONES[finding.state])
    return [Cell(finding.node), state, Cell(why)]


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
