"""Help: every key binding of the console, where it applies, and its id for the [keymap] table."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

BindingSection = tuple[str, Sequence[Binding]]


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
        for label in ("KEY", "ACTION", "WHERE", "ID"):
            table.add_column(label, key=label.lower())
        for where, bindings in self._sections:
            for binding in bindings:
                table.add_row(
                    Text(self.key_display(binding)),
                    Text(binding.description or binding.action),
                    Text(where),
                    Text(binding.id or ""),
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
