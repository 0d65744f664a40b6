"""The node table: one row per node, keyed by node name, updated cell by cell.

A refresh changes only the cells whose value changed, so the cursor, the scroll position and the
sort survive it (dolphie's rule: `clear()` only when most rows went away). Cells are Rich text
built from `ui.rows` (never markup) and coloured from the active theme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from cilium_tui.ui.cells import Cell, natural_key
from cilium_tui.ui.paint import ToneStyles, cell_text, tone_styles
from cilium_tui.ui.rows import COLUMN_KEYS, COLUMNS, NodeRow

GAP = " "
"""Columns are separated by one space (cell_padding=0 plus this prefix) instead of DataTable's
two: sixteen columns then fit a 140-column terminal."""


class NodeTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="open"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("S", "reverse_sort", "Reverse sort", id="sort-reverse", show=False),
    ]

    sort_column: reactive[str] = reactive("name")
    sort_reverse: reactive[bool] = reactive(False)

    class Opened(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", cell_padding=0, fixed_columns=1, id=id)
        self._shown: dict[str, Mapping[str, Cell]] = {}
        self._styles: ToneStyles = tone_styles({})

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        for column in COLUMNS:
            self.add_column(Text(GAP + column.label), key=column.key)
        self.app.theme_changed_signal.subscribe(self, self._repaint)

    # ----------------------------------------------------------------------------------------
    # Updating
    # ----------------------------------------------------------------------------------------

    def show(self, rows: Sequence[NodeRow]) -> None:
        """Make the table show exactly `rows`, touching only what changed."""
        wanted = {row.key: row for row in rows}
        stale = [key for key in self._shown if key not in wanted]
        cursor_key = self.cursor_key
        changed = bool(stale)
        with self.app.batch_update():
            if stale and len(stale) * 2 > len(self._shown):
                self.clear()
                self._shown.clear()
            else:
                for key in stale:
                    self.remove_row(key)
                    del self._shown[key]
            for row in rows:
                shown = self._shown.get(row.key)
                if shown is row.cells:  # the very row shown: an unchanged node (`reassess`)
                    continue
                if shown is None:
                    self.add_row(*self._render_row(row.cells), key=row.key)
                    changed = True
                else:
                    for column in COLUMN_KEYS:
                        if shown[column] != row.cells[column]:
                            self._update(row.key, column, row.cells[column])
                            changed = True
                self._shown[row.key] = row.cells
            if changed:
                self._sort(cursor_key, scroll=False)

    @property
    def cursor_key(self) -> str | None:
        """The node name under the cursor."""
        if not self.row_count:
            return None
        row = min(self.cursor_row, self.row_count - 1)
        return str(self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value)

    def cell(self, node: str, column: str) -> Cell:
        """The value shown (tests and the detail view read the model value, not the pixels)."""
        return self._shown[node][column]

    @property
    def shown_keys(self) -> list[str]:
        """Node names in display order."""
        return [str(row.key.value) for row in self.ordered_rows]

    def _update(self, key: str, column: str, cell: Cell) -> None:
        """Columns widen for a longer value but do not shrink until the table is rebuilt: to
        shrink, DataTable re-measures the whole column for each narrower cell, which costs
        seconds when a refresh changes a column of a thousand nodes."""
        text = self._paint(cell)
        wider = text.cell_len > self.columns[ColumnKey(column)].content_width
        self.update_cell(key, column, text, update_width=wider)

    def _render_row(self, cells: Mapping[str, Cell]) -> list[Text]:
        return [self._paint(cells[column]) for column in COLUMN_KEYS]

    def _paint(self, cell: Cell) -> Text:
        text = cell_text(cell, self._styles)
        text.pad_left(len(GAP))
        return text

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        with self.app.batch_update():
            for key, cells in self._shown.items():
                for column in COLUMN_KEYS:
                    self._update(key, column, cells[column])

    # ----------------------------------------------------------------------------------------
    # Sorting: by any column, unknown values last, then by name
    # ----------------------------------------------------------------------------------------

    def _sort(self, keep: str | None, *, scroll: bool = True) -> None:
        """Sort, the cursor staying on `keep`; `scroll` brings it into view (a sort the user
        asked for), which a refresh does not do: the user may have scrolled away from it."""
        order = {
            key: (cells[self.sort_column].sort_key, natural_key(key))
            for key, cells in self._shown.items()
        }
        self.sort("name", key=lambda name: order[name.plain.strip()], reverse=self.sort_reverse)
        if keep is not None and keep in self._shown:
            self.move_cursor(row=self.get_row_index(keep), animate=False, scroll=scroll)

    def sort_by(self, column: str, *, reverse: bool | None = None) -> None:
        if column not in COLUMN_KEYS:
            raise ValueError(f"no column {column!r}")
        self.sort_column = column
        if reverse is not None:
            self.sort_reverse = reverse
        self._sort(self.cursor_key)

    def action_cycle_sort(self) -> None:
        index = COLUMN_KEYS.index(self.sort_column)
        self.sort_by(COLUMN_KEYS[(index + 1) % len(COLUMN_KEYS)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Clicking a header sorts by it; clicking the sorted header again reverses."""
        event.stop()
        column = str(event.column_key.value)
        same = column == self.sort_column
        self.sort_by(column, reverse=not self.sort_reverse if same else False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Opened(str(event.row_key.value)))
