"""The node table's column picker (`c`): which columns to show, and in which order.

Space ticks a column, shift+up / shift+down move the highlighted one, Enter keeps the choice
(the console writes it to the config file), Esc leaves everything as it was. NAME is always shown
and always first: it is the table's frozen column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from cilium_tui.ui.rows import COLUMNS

_LABELS = {c.key: c.label for c in COLUMNS}


class ColumnPicker(ModalScreen[tuple[str, ...] | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+up", "move(-1)", "Move up", id="columns.up"),
        Binding("shift+down", "move(1)", "Move down", id="columns.down"),
        Binding("enter", "keep", "Keep", id="columns.keep", priority=True),
        Binding("escape", "dismiss(None)", "Cancel", id="columns.cancel"),
    ]

    def __init__(self, shown: Sequence[str]) -> None:
        """`shown`: the columns shown now, in order; the others follow, unticked."""
        super().__init__()
        self._order = [*shown, *(c.key for c in COLUMNS if c.key not in shown)]
        self._ticked = set(shown) | {"name"}

    def compose(self) -> ComposeResult:
        with Vertical(id="columns-box"):
            yield Static("Node table columns", id="columns-title")
            yield SelectionList[str](*self._selections(), id="columns-list")
            yield Static(
                "space shows or hides · shift+↑/↓ moves · enter keeps (saved) · esc cancels",
                id="columns-hint",
                markup=False,
            )

    def _selections(self) -> list[Selection[str]]:
        return [
            Selection(Text(_LABELS[key]), key, key in self._ticked, disabled=key == "name")
            for key in self._order
        ]

    def on_mount(self) -> None:
        listed = self._list
        listed.focus()
        listed.highlighted = 1  # the first column that can move (NAME cannot)

    @property
    def _list(self) -> SelectionList[str]:
        return self.query_one("#columns-list", SelectionList)

    @property
    def chosen(self) -> tuple[str, ...]:
        """The ticked columns in the order shown, NAME first."""
        ticked = {"name", *self._list.selected}
        return tuple(key for key in self._order if key in ticked)

    def action_move(self, step: int) -> None:
        """Move the highlighted column up or down (NAME stays first)."""
        listed = self._list
        index = listed.highlighted
        if index is None:
            return
        target = index + step
        if index == 0 or not 1 <= target < len(self._order):
            return
        self._ticked = set(listed.selected) | {"name"}
        self._order[index], self._order[target] = self._order[target], self._order[index]
        listed.clear_options()
        listed.add_options(self._selections())
        listed.highlighted = target

    def action_keep(self) -> None:
        self.dismiss(self.chosen)
