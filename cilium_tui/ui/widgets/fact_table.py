"""A table of facts with the highlighted one shown in full underneath (values and evidence are
cut to fit the table; the line below has every evidence line and the drift or unknown note)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cilium_tui.ui.cells import Tone, shorten
from cilium_tui.ui.node_facts import FactRow
from cilium_tui.ui.paint import ToneStyles, cell_text

VALUE_WIDTH, EVIDENCE_WIDTH = 40, 60
COLUMNS = ("FACT", "VALUE", "FROM", "EVIDENCE")
"""The columns, in FactRow's terms: name, value, source, the first evidence (or the note)."""


class FactTable(Vertical):
    def __init__(self, *, id: str, columns: Sequence[str] = COLUMNS) -> None:
        super().__init__(id=id, classes="fact-table")
        self._columns = tuple(columns)
        self._rows: Sequence[FactRow] = ()
        self._styles: ToneStyles | None = None

    def compose(self) -> ComposeResult:
        yield DataTable[Text](cursor_type="row")
        yield Static(classes="fact-line")

    def on_mount(self) -> None:
        table = self.table
        for label in self._columns:
            table.add_column(label, key=label.lower())

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    @property
    def rows(self) -> Sequence[FactRow]:
        return self._rows

    @property
    def cursor_row(self) -> int:
        return self.table.cursor_row

    def show(self, rows: Sequence[FactRow], styles: ToneStyles) -> None:
        """Show `rows`, keeping the cursor's position (the facts of a node change little)."""
        if (rows, styles) == (self._rows, self._styles):
            return
        self._rows, self._styles = rows, styles
        table = self.table
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            value = dataclasses.replace(row.value, text=shorten(row.value.text, VALUE_WIDTH))
            first = row.evidence[0] if row.evidence else row.note
            table.add_row(
                Text(row.name),
                cell_text(value, styles),
                Text(row.source),
                Text(shorten(first, EVIDENCE_WIDTH), style=styles[Tone.NA]),
            )
        table.move_cursor(row=min(cursor, max(table.row_count - 1, 0)), animate=False)
        self._show_line(table.cursor_row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_line(event.cursor_row)

    def _show_line(self, index: int) -> None:
        styles = self._styles
        text = Text(end="")
        if styles is not None and 0 <= index < len(self._rows):
            row = self._rows[index]
            text.append(f"{row.name}: ", style=Style(bold=True))
            text.append_text(cell_text(row.value, styles))
            if row.source:
                text.append(f"  ({row.source})", style=styles[Tone.NA])
            for line in row.evidence:
                text.append(f"\n← {line}", style=styles[Tone.NA])
            if row.note:
                tone = Tone.OFF if row.value.tone is Tone.OFF else Tone.UNKNOWN
                text.append(f"\n{row.note}", style=styles[tone])
        self.query_one(".fact-line", Static).update(text)
