"""Help: every key binding of the console, its id for the [keymap] table, under where it applies.

The places are headings (as in k9s's help), not a column: a place's name is the longest text, and
as a column it ran off the right edge of an 80-column terminal."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

BindingSection = tuple[str, Sequence[Binding]]

COLUMNS = ("KEY", "ACTION", "ID")

HEADING_MARK = "▸"
"""The key column of a heading row."""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close")
    ]

    def __init__(self, sections: Sequence[BindingSection], keymap: Mapping[str, str]) -> None:
        super().__init__()
        self._sections = sections
        self._keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            yield DataTable[Text](cursor_type="row", zebra_stripes=True, id="help-table")
            yield Static(
                Text(
                    'Remap a key in the config file\'s [keymap] table: <id> = "<key>" '
                    '(e.g. refresh = "f5"). Arrows, PgUp/PgDn, Home/End move in tables.'
                ),
                id="help-hint",
            )

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label.lower())
        heading = Style(bold=True, color=self.app.theme_variables.get("primary"))
        for where, bindings in self._sections:
            table.add_row(Text(HEADING_MARK, style=heading), Text(where, style=heading), Text(""))
            for binding in bindings:
                table.add_row(
                    Text(self.key_display(binding)),
                    Text(binding.description or binding.action),
                    Text(binding.id or "-"),
                )
        table.focus()

    def key_display(self, binding: Binding) -> str:
        """The keys as the user must press them, after their keymap."""
        keys = binding.key
        if binding.id:
            keys = self._keymap.get(binding.id, keys)
        shown = [
            self.app.get_key_display(
                dataclasses.replace(binding, key=key.strip(), key_display=None)
            )
            for key in keys.split(",")
        ]
        return " / ".join(shown)

    def action_close(self) -> None:
        self.dismiss()
