"""Cells to Rich text in the active theme's colours.

Cells of a DataTable or Tree are Rich text, which cannot reference CSS variables, so the theme's
variables (`App.theme_variables`) are resolved to Rich styles here and the widgets repaint when
the theme changes.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError

from cilium_tui.report.safe import lines
from cilium_tui.ui.cells import BOLD_TONES, Cell, Tone

ToneStyles = Mapping[Tone, Style]
"""A style for every tone (see `tone_styles`)."""


def tone_styles(variables: Mapping[str, str]) -> dict[Tone, Style]:
    """Rich styles for each tone from the app's resolved CSS variables (`App.theme_variables`);
    translucent colours are blended onto the background."""
    background = _color(variables.get("background"))
    styles: dict[Tone, Style] = {Tone.PLAIN: Style()}
    for tone in Tone:
        if tone is Tone.PLAIN:
            continue
        color = _color(variables.get(tone.value))
        if color is not None and color.a < 1 and background is not None:
            color = background + color
        styles[tone] = Style(
            color=None if color is None else color.rich_color, bold=tone in BOLD_TONES
        )
    return styles


def _color(value: str | None) -> Color | None:
    if not value:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None


def cell_text(cell: Cell, styles: ToneStyles) -> Text:
    """The cell as Rich text: never parsed as markup, whatever the node or cluster printed."""
    style = styles[cell.tone]
    value, detail = _parts(cell)
    text = Text(value, style=style, end="")
    if detail:
        text.append(detail, style=style + Style(bold=False))
    return text


def cell_width(cell: Cell) -> int:
    """The cell's width on screen, as `cell_text` paints it, without painting it (a table
    measures every row's cells but paints only the rows on screen)."""
    return sum(cell_len(part) for part in _parts(cell))


def _parts(cell: Cell) -> tuple[str, str]:
    return lines(cell.text), f" · {lines(cell.detail)}" if cell.detail else ""
