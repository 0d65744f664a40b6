"""The home pane: the node table, its `/` filter and a one-line summary."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Static

from cilium_tui.ui.rows import COLUMNS, NodeRow, wide_columns
from cilium_tui.ui.screens.columns import ColumnPicker
from cilium_tui.ui.state import ClusterState
from cilium_tui.ui.widgets.node_table import NodeTable

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

_LABELS = {c.key: c.label.lower() for c in COLUMNS}

DEBOUNCE_ROWS, DEBOUNCE = 200, 0.15
"""From this many nodes, the filter waits for a pause in the typing (seconds)."""


class NodesPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", id="clear-filter"),
        Binding("w", "toggle_wide", "Wide", id="wide"),
        Binding("c", "pick_columns", "Columns", id="columns"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[NodeRow] = []
        self._pending: Timer | None = None
        self._modes: list[str] = []
        """The summary's counts of host-routing modes ("3 BPF"), counted once per judgement."""
        self.wide = False
        """Every column (the chosen ones first), as k9s' wide view."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: name, arch, kernel, mode", id="node-filter")
        yield NodeTable(id="node-table")
        yield Static(id="nodes-summary")

    def on_mount(self) -> None:
        self.query_one("#node-filter", Input).display = False
        self._show_columns()
        self.watch(self.app, "cluster", self._on_cluster)
        table = self.table
        self.watch(table, "sort_column", self._summarise, init=False)
        self.watch(table, "sort_reverse", self._summarise, init=False)

    @property
    def table(self) -> NodeTable:
        return self.query_one(NodeTable)

    @property
    def filter_text(self) -> str:
        return self.query_one("#node-filter", Input).value

    def _on_cluster(self, cluster: ClusterState | None) -> None:
        self._rows = list(cluster.rows) if cluster is not None else []
        modes = Counter(row.cells["host_routing"].text for row in self._rows)
        self._modes = [f"{modes[m]} {m}" for m in ("BPF", "Legacy") if modes[m]]
        self._apply()

    def _apply(self) -> None:
        if self._pending is not None:  # what a debounced filter was waiting to do, done now
            self._pending.stop()
            self._pending = None
        query = self.filter_text
        rows = [row for row in self._rows if row.matches(query)] if query.strip() else self._rows
        self.table.show(rows)
        self._summarise()

    def _summarise(self) -> None:
        total = len(self._rows)
        shown = self.table.row_count
        parts = [f"{total} node{'s' if total != 1 else ''}", *self._modes]
        if self.filter_text:
            parts.append(f"filter '{self.filter_text}': {shown} shown")
        arrow = "▼" if self.table.sort_reverse else "▲"
        parts.append(f"sorted by {_LABELS[self.table.sort_column]} {arrow}")
        if self.wide:
            parts.append("wide (w)")
        line, summary = Text(" · ".join(parts)), self.query_one("#nodes-summary", Static)
        if line != summary.content:
            summary.update(line, layout=False)  # one line high, as wide as the pane

    # ----------------------------------------------------------------------------------------
    # Columns: the user's choice (config file, c), and the wide toggle (w)
    # ----------------------------------------------------------------------------------------

    @property
    def console(self) -> CiliumTuiApp:
        return cast("CiliumTuiApp", self.app)

    def _show_columns(self) -> None:
        chosen = self.console.node_columns
        self.table.set_columns(wide_columns(chosen) if self.wide else chosen)
        self._summarise()

    def action_toggle_wide(self) -> None:
        self.wide = not self.wide
        self._show_columns()

    def action_pick_columns(self) -> None:
        self.app.push_screen(ColumnPicker(self.console.node_columns), self._columns_picked)

    def _columns_picked(self, chosen: tuple[str, ...] | None) -> None:
        if chosen is not None:
            self.console.choose_columns(chosen)
            self._show_columns()

    # ----------------------------------------------------------------------------------------
    # Filter
    # ----------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#node-filter", Input)
        box.display = True
        box.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            box = self.query_one("#node-filter", Input)
            return box.display or bool(box.value)
        return True

    def action_clear_filter(self) -> None:
        box = self.query_one("#node-filter", Input)
        box.value = ""
        box.display = False
        self.table.focus()
        self._apply()

    @on(Input.Changed, "#node-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Filter as the user types; on a big cluster, once the typing pauses (re-filtering a
        thousand rows at every key would make the keys lag)."""
        event.stop()
        if len(self._rows) < DEBOUNCE_ROWS:
            self._apply()
            return
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(DEBOUNCE, self._apply)

    @on(Input.Submitted, "#node-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        """Enter keeps the filter and returns to the table; an empty filter closes the box."""
        event.stop()
        if not event.value:
            event.input.display = False
        self._apply()
        self.table.focus()
