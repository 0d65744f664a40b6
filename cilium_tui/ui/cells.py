"""What a rendered value is before it meets a terminal: text, a tone, and how it sorts.

Pure data, no Textual: the node table, the checklist and the detail view build `Cell`s from the
model; widgets turn a `Tone` into a colour from the active theme's variables (see `ui.themes`), so
switching themes recolours everything and no colour is ever written in Python or CSS by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cilium_tui.checks.types import State

UNKNOWN = "?"
"""How an unknown value is shown: never "off", never blank."""


class Tone(StrEnum):
    """The meaning of a value, which the theme colours. Values are the CSS variable names."""

    PLAIN = ""
    BPF = "routing-bpf"
    LEGACY = "routing-legacy"
    ON = "state-on"
    OFF = "state-off"
    BLOCKED = "state-blocked"
    NA = "state-na"
    UNKNOWN = "state-unknown"
    ERROR = "state-error"


BOLD_TONES = frozenset({Tone.BPF, Tone.LEGACY, Tone.ERROR})
"""Tones whose leading word is bold: the host-routing mode and faults stand out in a dense table."""

STATE_TONES: dict[State, Tone] = {
    State.ON: Tone.ON,
    State.OFF: Tone.OFF,
    State.BLOCKED: Tone.BLOCKED,
    State.NA: Tone.NA,
    State.UNKNOWN: Tone.UNKNOWN,
}

SortKey = tuple[object, ...]
"""Within one column every key has the same shape; unknown values sort after known ones."""


@dataclass(frozen=True)
class Cell:
    """One rendered value: ``text`` in its tone, then an optional ``detail`` ("Legacy · why")."""

    text: str
    tone: Tone = Tone.PLAIN
    detail: str = ""
    sort_key: SortKey = ()

    @property
    def plain(self) -> str:
        return f"{self.text} · {self.detail}" if self.detail else self.text


def unknown_cell() -> Cell:
    return Cell(UNKNOWN, Tone.UNKNOWN, sort_key=(1,))


def text_cell(value: str | None, tone: Tone = Tone.PLAIN, detail: str = "") -> Cell:
    """A text value; None (unknown) becomes the dim "?" that sorts last."""
    if value is None or value == "":
        return unknown_cell()
    return Cell(value, tone, detail, sort_key=(0, natural_key(value)))


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "vm-2" before "vm-10" and "4.19" before "6.2": digit runs compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis; the detail view shows the whole text."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def break_url(url: str, width: int) -> list[str]:
    """`url` in lines of at most `width`, broken after a "/" or a "-" or before a "#" (a word
    is split only when it alone is longer than a line): each line is part of one link."""
    lines: list[str] = []
    line = ""
    for piece in re.split(r"(?<=[/-])|(?=#)", url):
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
        while len(line) > width > 0:
            lines.append(line[:width])
            line = line[width:]
    return [*lines, line] if line else lines
