"""The journal: every change cilium-tui made (or tried), newest first, and undo from it.

Entries are read from disk in a thread (one JSON file each). The highlighted entry's events are
shown in full below the list. Undoing is the app's `undo` action (gated there like every change):
it reverts the highlighted entry.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cilium_tui.remedy.journal import ClusterIdentity, Journal, JournalEntry
from cilium_tui.report.safe import plain
from cilium_tui.ui.cells import Cell, Tone
from cilium_tui.ui.paint import ToneStyles, cell_text, tone_styles
from cilium_tui.ui.widgets.key_hints import KeyHints
from cilium_tui.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

STATUS_TONES = {
    "started": Tone.OFF,
    "conflict": Tone.OFF,
    "denied": Tone.ERROR,
    "failed": Tone.ERROR,
    "stopped": Tone.ERROR,
    "interrupted": Tone.ERROR,
    "applied": Tone.ON,
    "verified": Tone.ON,
    "mismatch": Tone.OFF,
}


MIN_CONTEXT_WIDTH = 8


def middle_cut(text: str, width: int) -> str:
    """Keep both ends, which tell contexts apart (an ARN's region and its cluster name)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return f"{text[:head]}…{text[len(text) - (width - 1 - head) :]}"


class JournalScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="journal.back"),
    ]

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal
        self.entries: list[JournalEntry] = []
        self.cluster: ClusterIdentity | None = None
        """The connected cluster: an entry of another one is listed but not offered for undo."""
        self._styles: ToneStyles = tone_styles({})

    def compose(self) -> ComposeResult:
        console = cast("CiliumTuiApp", self.app)
        yield TopBar(console.source, demo=console.demo, read_only=console.read_only)
        yield Static(Text(f"Journal  {self.journal.directory}"), id="journal-title")
        yield DataTable[Text](cursor_type="row", id="journal-table")
        yield Static(id="journal-events")
        yield KeyHints()

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        table = self.query_one("#journal-table", DataTable)
        # Narrow columns first, the context (as long as a cluster's ARN) last and cut to fit 80
        # columns; the panel below has it whole, and the entry id.
        for label in ("WHEN", "ITEM", "STATUS", "BY", "CONTEXT"):
            table.add_column(label, key=label.lower())
        table.focus()
        self.reload()

    @work(exclusive=True, exit_on_error=False, description="Reading the journal")
    async def reload(self) -> None:
        """Read the entries again (after an undo, a new change...)."""
        entries = await asyncio.to_thread(self.journal.entries)
        engine = cast("CiliumTuiApp", self.app).remedy
        if engine is not None:
            self.cluster = await engine.cluster_identity()
        self.entries = entries
        self._fill()

    def on_resize(self) -> None:
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#journal-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        rows = []
        for entry in self.entries:
            undo = "undo" if entry.undoes else "undone" if entry.undone_by else ""
            status = Cell(entry.status, STATUS_TONES.get(entry.status, Tone.PLAIN), undo)
            rows.append(
                [
                    Text(entry.created[5:16].replace("T", " ")),  # the id below has the year
                    Text(plain(entry.item_id)),
                    cell_text(status, self._styles),
                    Text(plain(entry.user)),
                ]
            )
        # Each column takes its widest cell plus a space either side; the context gets the rest.
        widths = [len(label) for label in ("WHEN", "ITEM", "STATUS", "BY")]
        for cells in rows:
            widths = [max(w, c.cell_len) for w, c in zip(widths, cells, strict=True)]
        room = max(MIN_CONTEXT_WIDTH, table.size.width - sum(w + 2 for w in widths) - 2)
        for entry, cells in zip(self.entries, rows, strict=True):
            context = middle_cut(plain(entry.context or entry.source), room)
            table.add_row(*cells, Text(context), key=entry.id)
        if self.entries:
            table.move_cursor(row=min(max(cursor, 0), len(self.entries) - 1))
        self._show(table.cursor_row)

    @property
    def selected(self) -> JournalEntry | None:
        table = self.query_one("#journal-table", DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, index: int) -> None:
        text = Text(end="")
        if not self.entries:
            text.append(f"No changes journalled in {self.journal.directory}.")
        elif 0 <= index < len(self.entries):
            entry = self.entries[index]
            text.append(f"{entry.id}\n", style=Style(bold=True))
            text.append(f"on {plain(entry.context or entry.source)}\n")
            if entry.undoes:
                text.append(f"undoes {entry.undoes}\n")
            if entry.undone_by:
                text.append(f"undone by {entry.undone_by}\n")
            if entry.previous:
                before = ", ".join(f"{k}={v!r}" for k, v in sorted(entry.previous.items()))
                text.append(f"cilium-config before: {plain(before)}\n", style=self._styles[Tone.NA])
            for event in entry.events:
                where = f"{event.node}: " if event.node else ""
                line = f"{event.time[11:19]}  {event.status:<9} {where}{event.message}"
                text.append(plain(line) + "\n")
            console = cast("CiliumTuiApp", self.app)
            if entry.undoable and entry.undoes is None and console.check_action("undo", ()):
                elsewhere = entry.why_not_on(self.cluster) if self.cluster is not None else None
                if elsewhere is not None:
                    text.append(f"Not undoable here: {elsewhere}.", style=self._styles[Tone.OFF])
                else:
                    key = console.user_keymap.get("undo", "u")
                    text.append(f"Undoable: press {key}.", style=Style(bold=True))
        self.query_one("#journal-events", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()
