"""One node in full: host routing and why, every fact with its evidence, findings, raw status."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane, TextArea

from cilium_tui.checks.types import Finding
from cilium_tui.model import NodeRecord
from cilium_tui.ui.cells import STATE_TONES, Cell, Tone, shorten
from cilium_tui.ui.node_facts import FactRow, fact_rows
from cilium_tui.ui.paint import ToneStyles, cell_text, tone_styles
from cilium_tui.ui.rows import host_routing_finding, node_row
from cilium_tui.ui.state import ClusterState
from cilium_tui.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

NO_STATUS = "No agent status was read from this node."
VALUE_WIDTH, EVIDENCE_WIDTH = 40, 50
"""Cut-offs of the facts table; the highlighted fact is shown in full below it."""


class NodeDetailScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, node: str) -> None:
        super().__init__()
        self.node = node
        self._styles: ToneStyles = tone_styles({})
        self._record: NodeRecord | None = None
        self._findings: tuple[Finding, ...] = ()
        self._facts: list[FactRow] = []

    def compose(self) -> ComposeResult:
        console = cast("CiliumTuiApp", self.app)
        yield TopBar(console.source.name, demo=console.demo, read_only=console.read_only)
        yield Static(id="detail-title")
        yield Static(id="detail-routing")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Facts", id="detail-facts"):
                yield DataTable[Text](cursor_type="row", id="facts-table")
                yield Static(id="fact-detail")
            with TabPane("Findings", id="detail-findings"), VerticalScroll():
                yield Static(id="findings-text")
            with TabPane("Raw status", id="detail-raw"):
                yield TextArea(read_only=True, soft_wrap=False, id="raw-status")
        yield Footer()

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        facts = self.query_one("#facts-table", DataTable)
        for label in ("SOURCE", "FACT", "VALUE", "EVIDENCE"):
            facts.add_column(label, key=label.lower())
        self.watch(self.app, "cluster", self._on_cluster)
        self.app.theme_changed_signal.subscribe(self, self._repaint)
        facts.focus()

    def action_back(self) -> None:
        self.dismiss()

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._on_cluster(cast("CiliumTuiApp", self.app).cluster)

    def _on_cluster(self, cluster: ClusterState | None) -> None:
        """Render the node from the latest state; a node that went away keeps its last view."""
        record = cluster.record(self.node) if cluster is not None else None
        gone = record is None and self._record is not None
        if cluster is None or (record is None and self._record is None):
            self._title(Text(f"{self.node}: not in the latest scan"))
            return
        if record is not None:
            self._record, self._findings = record, cluster.judgement.findings(self.node)
        record, findings = self._record, self._findings
        assert record is not None
        cells = node_row(cluster.snapshot, record, findings).cells
        titles = {r.item.id: r.item.title for r in cluster.judgement.rollups}
        self._title(self._title_text(record.name, cells, gone))
        routing = self._routing_text(record, cells["host_routing"], findings)
        self.query_one("#detail-routing", Static).update(routing)
        self._fill_facts(record, cluster)
        self.query_one("#findings-text", Static).update(self._findings_text(findings, titles))
        raw = self.query_one("#raw-status", TextArea)
        text = record.agent_raw or NO_STATUS
        if raw.text != text:
            raw.load_text(text)

    def _title(self, text: Text) -> None:
        self.query_one("#detail-title", Static).update(text)

    def _title_text(self, name: str, cells: Mapping[str, Cell], gone: bool) -> Text:
        text = Text(name, style=Style(bold=True), end="")
        for column in ("role", "arch", "kernel", "os", "cilium", "agent", "ssh"):
            text.append("  ")
            text.append_text(cell_text(cells[column], self._styles))
        if gone:
            text.append("  — no longer in the cluster", style=self._styles[Tone.ERROR])
        return text

    def _routing_text(
        self, record: NodeRecord, routing: Cell, findings: tuple[Finding, ...]
    ) -> Text:
        text = Text("Host routing  ", style=Style(bold=True), end="")
        text.append_text(cell_text(routing, self._styles))
        finding = host_routing_finding(findings)
        if finding is not None:
            text.append(f"\n{finding.reason}")
            for blocker in finding.blocked_by:
                text.append(f"\nblocked by: {blocker}", style=self._styles[Tone.BLOCKED])
            if finding.advice:
                text.append(f"\nAdvice: {finding.advice}")
        elif record.agent is None:
            why = record.errors.get("agent", NO_STATUS)
            text.append(f"\n{why}", style=self._styles[Tone.UNKNOWN])
        return text

    def _fill_facts(self, record: NodeRecord, cluster: ClusterState) -> None:
        table = self.query_one("#facts-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        self._facts = fact_rows(record, cluster.snapshot.config)
        for row in self._facts:
            value = dataclasses.replace(row.value, text=shorten(row.value.text, VALUE_WIDTH))
            table.add_row(
                Text(row.source),
                Text(row.name),
                cell_text(value, self._styles),
                Text(shorten(row.evidence, EVIDENCE_WIDTH), style=self._styles[Tone.NA]),
            )
        table.move_cursor(row=min(cursor, max(table.row_count - 1, 0)), animate=False)
        self._show_fact(table.cursor_row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "facts-table":
            self._show_fact(event.cursor_row)

    def _show_fact(self, index: int) -> None:
        """The highlighted fact in full under the table (the table cuts long values)."""
        text = Text(end="")
        if 0 <= index < len(self._facts):
            row = self._facts[index]
            text.append(f"{row.source} {row.name}: ", style=Style(bold=True))
            text.append_text(cell_text(row.value, self._styles))
            if row.evidence:
                text.append(f"\n← {row.evidence}", style=self._styles[Tone.NA])
        self.query_one("#fact-detail", Static).update(text)

    def _findings_text(self, findings: tuple[Finding, ...], titles: dict[str, str]) -> Text:
        if not findings:
            return Text("The catalogue has no findings for this node.")
        text = Text(end="")
        for finding in findings:
            state = Cell(f"{finding.state.value:<8}", STATE_TONES[finding.state])
            text.append_text(cell_text(state, self._styles))
            text.append(f" {titles.get(finding.item_id, finding.item_id)}\n", Style(bold=True))
            text.append(f"         {finding.reason}\n")
            for blocker in finding.blocked_by:
                text.append(f"         blocked by: {blocker}\n", self._styles[Tone.BLOCKED])
            if finding.advice:
                text.append(f"         advice: {finding.advice}\n")
            for line in finding.evidence:
                text.append(f"         ← {line}\n", self._styles[Tone.NA])
        return text
