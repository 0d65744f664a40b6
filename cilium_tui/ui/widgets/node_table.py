"""The node table: one row per node, keyed by node name, painted line by line (Textual's Line API).

Why not `DataTable`: its cell cache is keyed on a table-wide update counter, so updating one cell
repaints every visible cell through Rich (~0.5 ms each here): a refresh of 20 rows, a sort or a
burst of cursor moves at 5000 rows stalled the loop for 0.2-1 s (figures in BENCHMARKS.md). Here
each cell is painted once into segments when its value changes, and a screen line is those
segments put side by side, cropped and highlighted: an update costs the cells that changed, a
sort costs one `sorted` of the keys, a cursor move two lines. Cells are painted when their row is
first on screen, and only the rows seen last are kept painted (PAINTED_ROWS): at 5000 nodes a
table filling up or refreshing paints a screenful, not 80,000 cells, and keeps no segments for
the rows nobody looks at (column widths are measured from the text, without painting).

The NAME column is frozen (it stays while the other columns scroll sideways) and set apart by a
rule; columns are separated by a space, so headers never run together. Which columns are shown,
and in which order, is the caller's (`set_columns`); cells are Rich text built from `ui.rows`
(never markup) and coloured from the active theme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.theme import Theme

from cilium_tui.ui.cells import Cell, natural_key
from cilium_tui.ui.paint import ToneStyles, cell_text, cell_width, tone_styles
from cilium_tui.ui.rows import COLUMNS, Column, NodeRow

GAP = 1
"""Spaces before every column: headers and values never run together."""
RULE = "│"
"""Drawn after the frozen NAME column."""
NAME = "name"
PAINTED_ROWS = 512
"""Rows whose painted cells are kept: a few screens' worth, so scrolling back costs nothing."""

_BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class _LineStyles:
    """What every line of one repaint is styled with."""

    base: Style
    header: Style
    rule: Segment
    name: Style
    cursor: Style


class NodeTable(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="open"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("S", "reverse_sort", "Reverse sort", id="sort-reverse", show=False),
    ]
    """The arrows, page keys, home and end are the scrolling keys every scrollable widget has
    (`ScrollableContainer`); here up and down, page up and down, home and end move the cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "node-table--header",
        "node-table--cursor",
        "node-table--name",
        "node-table--rule",
    }

    DEFAULT_CSS = """
    NodeTable { height: 1fr; }
    NodeTable > .node-table--header { text-style: bold; }
    NodeTable > .node-table--cursor { background: $block-cursor-blurred-background; }
    NodeTable:focus > .node-table--cursor { background: $block-cursor-background; }
    NodeTable > .node-table--name { text-style: bold; background: $frozen-column; }
    NodeTable > .node-table--rule { color: $primary; }
    """

    sort_column: reactive[str] = reactive(NAME)
    sort_reverse: reactive[bool] = reactive(False)
    cursor_row: reactive[int] = reactive(0, repaint=False)

    class Opened(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: tuple[Column, ...] = COLUMNS
        self._shown: dict[str, Mapping[str, Cell]] = {}
        self._order: list[str] = []
        self._index: dict[str, int] | None = None
        """Each key's place in `_order` (built when asked for after a sort)."""
        self._names: dict[str, tuple[object, ...]] = {}
        """Each key's natural sort key (computed once per node)."""
        self._by_name: list[str] | None = None
        """The keys in natural name order: sorted again only when rows come or go."""
        self._painted: LRUCache[str, dict[str, list[Segment]]] = LRUCache(PAINTED_ROWS)
        """Per row seen lately and column, the cell's segments (painted once per value)."""
        self._widths: dict[str, int] = {}
        self._styles: ToneStyles = tone_styles({})
        self._line_styles: _LineStyles | None = None
        """Set while a repaint runs (`render_lines`)."""
        self.cells_painted = 0
        """Cells painted into segments so far (tests count work with it)."""

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._measure()
        self.app.theme_changed_signal.subscribe(self, self._repaint)

    # ----------------------------------------------------------------------------------------
    # Columns
    # ----------------------------------------------------------------------------------------

    def set_columns(self, keys: Sequence[str]) -> None:
        """Show these columns in this order; NAME always comes first (it is the frozen one).
        Raises ValueError for an unknown key."""
        unknown = [k for k in keys if k not in _BY_KEY]
        if unknown:
            raise ValueError(f"no column {', '.join(map(repr, unknown))}")
        ordered = [NAME, *(k for k in dict.fromkeys(keys) if k != NAME)]
        self.columns = tuple(_BY_KEY[k] for k in ordered)
        if self.sort_column not in ordered:
            self.sort_column = NAME
            self._sort()
        self._measure()
        self.refresh()

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def _measure(self) -> None:
        """Every shown column's width: its header's, or its widest value's."""
        self._widths = {c.key: len(c.label) for c in self.columns}
        for cells in self._shown.values():
            self._widen(cells)
        self._resize()

    def _widen(self, cells: Mapping[str, Cell]) -> bool:
        """Widen the shown columns to these cells' widths (columns widen at once, and shrink
        when re-measured); whether any did."""
        widths, wider = self._widths, False
        for column in widths:
            width = cell_width(cells[column])
            if width > widths[column]:
                widths[column], wider = width, True
        return wider

    def _resize(self) -> None:
        width = sum(GAP + self._widths[c.key] for c in self.columns) + len(RULE)
        self.virtual_size = Size(width, len(self._order) + 1)

    def column_x(self, key: str) -> int:
        """Where column `key` starts on screen (after the frozen NAME and any sideways scroll);
        for clicks in tests."""
        x = GAP + self._widths[NAME] + len(RULE)
        if key == NAME:
            return 0
        x -= int(self.scroll_x)
        for column in self.columns[1:]:
            if column.key == key:
                return x
            x += GAP + self._widths[column.key]
        raise ValueError(f"column {key!r} is not shown")

    # ----------------------------------------------------------------------------------------
    # Updating
    # ----------------------------------------------------------------------------------------

    def show(self, rows: Sequence[NodeRow]) -> None:
        """Make the table show exactly `rows`, touching only what changed: the order is sorted
        again only when rows came or went or a value of the sorted column changed, and a row
        whose cells changed is painted again only if it is on screen."""
        wanted = {row.key: row for row in rows}
        keep = self.cursor_key
        stale = [k for k in self._shown if k not in wanted]
        for key in stale:
            del self._shown[key]
            del self._names[key]
            self._painted.discard(key)
        resort, wider, changed = bool(stale), False, list[str]()
        if stale:
            self._by_name = None
        for row in rows:
            shown = self._shown.get(row.key)
            if shown is row.cells:  # the very row shown: an unchanged node (`reassess`)
                continue
            if shown is None:
                self._names[row.key] = natural_key(row.key)
                resort, self._by_name = True, None
            else:
                for column in _BY_KEY:
                    if shown[column] != row.cells[column]:
                        self.update_cell(row.key, column, row.cells[column])
                        resort = resort or column == self.sort_column
                changed.append(row.key)
            self._shown[row.key] = row.cells
            wider = self._widen(row.cells) or wider
        if resort:
            self._sort(keep, scroll=False)
        elif wider:
            self._resize()
            self.refresh()
        else:
            top = int(self.scroll_y)
            for index in map(self._row_index, changed):
                if top <= index < top + self._page:  # a row out of sight is painted when seen
                    self._refresh_row(index)

    def update_cell(self, key: str, column: str, cell: Cell) -> None:
        """Show `cell` in row `key`, column `column`: that cell alone is painted again (when its
        row is next on screen)."""
        self._shown[key] = {**self._shown[key], column: cell}
        painted = self._painted.get(key)
        if painted is not None:
            painted.pop(column, None)

    def _segments(self, key: str, column: str) -> list[Segment]:
        """The cell as painted, painting it if its row has not been on screen since it changed."""
        painted = self._painted.get(key)
        if painted is None:
            painted = {}
            self._painted[key] = painted
        segments = painted.get(column)
        if segments is None:
            text = cell_text(self._shown[key][column], self._styles)
            segments = painted[column] = list(text.render(self.app.console))
            self.cells_painted += 1
        return segments

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._painted.clear()
        self.refresh()

    # ----------------------------------------------------------------------------------------
    # What tests and the pane read
    # ----------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def shown_keys(self) -> list[str]:
        """Node names in display order."""
        return list(self._order)

    @property
    def cursor_key(self) -> str | None:
        """The node name under the cursor."""
        if not self._order:
            return None
        return self._order[min(self.cursor_row, len(self._order) - 1)]

    def cell(self, node: str, column: str) -> Cell:
        """The value shown (tests and the detail view read the model value, not the pixels)."""
        return self._shown[node][column]

    def get_cell(self, node: str, column: str) -> Text:
        """The cell as painted."""
        return cell_text(self._shown[node][column], self._styles)

    def get_row_index(self, key: str) -> int:
        return self._row_index(key)

    def _row_index(self, key: str) -> int:
        if self._index is None:
            self._index = {key: i for i, key in enumerate(self._order)}
        return self._index[key]

    # ----------------------------------------------------------------------------------------
    # Painting lines
    # ----------------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in `crop`, with the styles they share looked up once for them all (each
        lookup walks the DOM: per line, that was a good part of a repaint after a sort)."""
        self._line_styles = self._looked_up()
        try:
            return super().render_lines(crop)
        finally:
            self._line_styles = None

    def _looked_up(self) -> _LineStyles:
        base = self.rich_style
        return _LineStyles(
            base=base,
            header=self.get_component_rich_style("node-table--header", partial=True),
            rule=Segment(
                RULE, base + self.get_component_rich_style("node-table--rule", partial=True)
            ),
            name=base + self.get_component_rich_style("node-table--name", partial=True),
            cursor=Style(bgcolor=self.get_component_rich_style("node-table--cursor").bgcolor),
        )

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._line(None, width)
        index = int(self.scroll_y) + y - 1
        if index >= len(self._order):
            return Strip.blank(width, self.rich_style)
        return self._line(self._order[index], width, cursor=index == self.cursor_row)

    def _line(self, key: str | None, width: int, *, cursor: bool = False) -> Strip:
        """A header (`key` None) or a row: the frozen NAME part, then the rest scrolled."""
        styles = self._line_styles or self._looked_up()  # or a line asked for on its own
        base, header = styles.base, styles.header
        columns = self.columns
        frozen = [*self._cell(key, columns[0], header), styles.rule]
        frozen_strip = Strip(frozen).apply_style(styles.name)
        rest = Strip([s for column in columns[1:] for s in self._cell(key, column, header)])
        room = max(0, width - frozen_strip.cell_length)
        scrolled = rest.crop(int(self.scroll_x), int(self.scroll_x) + room).apply_style(base)
        line = Strip.join([frozen_strip, scrolled]).extend_cell_length(width, base)
        if cursor:  # on top of every cell's own style, so the highlight shows across the row
            over = styles.cursor
            line = Strip([Segment(t, (s or base) + over, c) for t, s, c in line])
        return line.crop(0, width)

    def _cell(self, key: str | None, column: Column, header: Style) -> list[Segment]:
        width = self._widths[column.key]
        if key is None:
            label = column.label + (self._arrow if column.key == self.sort_column else "")
            label = label[: max(width, len(column.label))]
            return [Segment(" " * GAP + label.ljust(width), header)]
        segments = self._segments(key, column.key)
        used = cell_width(self._shown[key][column.key])
        return [Segment(" " * GAP), *segments, Segment(" " * (width - used))]

    @property
    def _arrow(self) -> str:
        return "▼" if self.sort_reverse else "▲"

    # ----------------------------------------------------------------------------------------
    # Cursor and keys
    # ----------------------------------------------------------------------------------------

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        if not self._order:
            self.cursor_row = 0
            return
        row = max(0, min(row, len(self._order) - 1))
        if row != self.cursor_row:
            self._refresh_row(self.cursor_row)
            self.cursor_row = row
            self._refresh_row(row)
        if scroll:
            self._scroll_to_cursor()

    def show_node(self, key: str) -> None:
        """Put the cursor on node `key`, in view (a lesson's step names it)."""
        if key in self._shown:
            self.move_cursor(row=self._row_index(key))

    def show_column(self, key: str) -> None:
        """Scroll sideways until column `key` is in view (a lesson's step names it)."""
        if key == NAME or key not in self._widths:
            return
        x = self.column_x(key) + int(self.scroll_x) - (GAP + self._widths[NAME] + len(RULE))
        room = self.scrollable_content_region.width - GAP - self._widths[NAME] - len(RULE)
        if not self.scroll_x <= x <= self.scroll_x + room - self._widths[key]:
            self.scroll_to(x=x, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1)  # virtual lines: the header is line 0

    def _scroll_to_cursor(self) -> None:
        rows = self._page
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows:
            self.scroll_to(y=self.cursor_row - rows + 1, animate=False, immediate=True)

    def action_scroll_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_scroll_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page)

    def action_scroll_home(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_end(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_open(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Opened(key))

    def on_click(self, event: events.Click) -> None:
        """A header sorts by its column (again: reverses); a row moves the cursor there, and a
        click on the cursor's row opens the node."""
        event.stop()
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                same = column == self.sort_column
                self.sort_by(column, reverse=not self.sort_reverse if same else False)
            return
        index = int(self.scroll_y) + event.y - 1
        if index >= len(self._order):
            return
        if index == self.cursor_row:
            self.action_open()
        else:
            self.move_cursor(row=index)

    def _column_at(self, x: int) -> str | None:
        for column in reversed(self.columns):
            if x >= self.column_x(column.key):
                return column.key
        return None

    # ----------------------------------------------------------------------------------------
    # Sorting: by any column, unknown values last, then by name
    # ----------------------------------------------------------------------------------------

    def _sort(self, keep: str | None = None, *, scroll: bool = True) -> None:
        """Sort, the cursor staying on `keep`; `scroll` brings it into view (a sort the user
        asked for), which a refresh does not do: the user may have scrolled away from it."""
        column, shown, reverse = self.sort_column, self._shown, self.sort_reverse
        if self._by_name is None:
            self._by_name = sorted(shown, key=self._names.__getitem__)
        # A stable sort of the keys in name order: equal values stay in name order (reversed
        # with the rest), and no name is compared again.
        by_name = self._by_name[::-1] if reverse else self._by_name
        self._order = sorted(by_name, key=lambda k: shown[k][column].sort_key, reverse=reverse)
        self._index = None
        self._resize()
        self.refresh()
        if keep is not None and keep in self._shown:
            self.cursor_row = self._row_index(keep)
            if scroll:
                self._scroll_to_cursor()
        elif self.cursor_row >= len(self._order):
            self.cursor_row = max(0, len(self._order) - 1)

    def sort_by(self, column: str, *, reverse: bool | None = None) -> None:
        if column not in _BY_KEY:
            raise ValueError(f"no column {column!r}")
        keep = self.cursor_key
        self.sort_column = column
        if reverse is not None:
            self.sort_reverse = reverse
        self._sort(keep)

    def action_cycle_sort(self) -> None:
        keys = self.column_keys
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.sort_by(keys[(index + 1) % len(keys)])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)
