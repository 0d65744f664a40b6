"""One node in full: host routing and why, its effective facts, the checklist's findings, every
collected fact with its evidence, and the raw agent status."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Static, TabbedContent, TabPane, TextArea

from cilium_tui.checks.types import Finding
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import explain, host_routing_finding
from cilium_tui.collect.kube import KubeError
from cilium_tui.collect.source import AgentReports
from cilium_tui.model import NodeRecord
from cilium_tui.report.safe import lines, plain
from cilium_tui.ui.cells import Cell, Tone
from cilium_tui.ui.host_routing import host_routing_text
from cilium_tui.ui.lessons import LessonPanel
from cilium_tui.ui.messages import ItemChosen
from cilium_tui.ui.node_facts import FINDING_COLUMNS, effective_rows, fact_rows, finding_rows
from cilium_tui.ui.paint import ToneStyles, cell_text, tone_styles
from cilium_tui.ui.rows import node_row
from cilium_tui.ui.state import ClusterState
from cilium_tui.ui.widgets.fact_table import FactTable
from cilium_tui.ui.widgets.key_hints import KeyHints
from cilium_tui.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

NO_STATUS = "No agent status was read from this node."
FETCHING = "Reading the agent's status…"
TITLE_COLUMNS = ("role", "arch", "kernel", "os", "cilium", "agent", "ssh")


def indented(raw: str) -> str:
    """A JSON status indented (the agent prints it on one line of thousands of characters);
    anything else as it was read."""
    if raw.lstrip()[:1] not in ("{", "["):
        return raw
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


class RawStatus(TextArea):
    """The agent's output as read: selectable, scrollable, never interpreted."""

    def __init__(self, *, id: str) -> None:
        super().__init__(read_only=True, soft_wrap=False, id=id)
        self.match_cursor_bracket = False  # a scan of a big JSON document on every cursor move


class NodeDetailScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("p", "remediate", "Remediate on this node", id="detail.remediate"),
        Binding("left_square_bracket", "switch_tab(-1)", "Previous tab", id="detail.prev-tab"),
        Binding("right_square_bracket", "switch_tab(1)", "Next tab", id="detail.next-tab"),
    ]
    """[ and ] switch the sub-tabs from wherever the focus is (the tab bar's own arrows work
    only once it has the focus)."""

    def __init__(self, node: str, tab: str | None = None) -> None:
        """`tab`: the sub-tab to show first (its id; default: host routing)."""
        super().__init__()
        self.node = node
        self._first_tab = tab
        self._styles: ToneStyles = tone_styles({})
        self._record: NodeRecord | None = None
        self._findings: tuple[Finding, ...] = ()
        self._raw = ""
        """The raw status as read (or why there is none)."""
        self._shown_raw: tuple[str, str] = ("", "")
        """(raw, what is shown of it): formatted once per raw status read."""
        self._fetch = False
        """The raw status is to be read from the agent when its tab is shown."""
        self._fixes: tuple[tuple[str, str, str], ...] = ()
        """(item id, title, fix) of each `fix:` line of why Legacy that an item remediates."""

    def compose(self) -> ComposeResult:
        console = cast("CiliumTuiApp", self.app)
        yield TopBar(console.source, demo=console.demo, read_only=console.read_only)
        yield Static(id="detail-title")
        with Horizontal(classes="lesson-body"):
            with TabbedContent(id="detail-tabs"):
                with (
                    TabPane("Host routing", id="detail-host-routing"),
                    VerticalScroll(id="routing-scroll"),
                ):
                    yield Static(id="detail-routing")
                with TabPane("Effective facts", id="detail-effective"):
                    yield FactTable(id="effective-facts")
                with TabPane("Findings", id="detail-findings"):
                    yield FactTable(id="findings", columns=FINDING_COLUMNS)
                with TabPane("Collected", id="detail-collected"):
                    yield FactTable(id="collected-facts")
                with TabPane("Raw status", id="detail-raw"):
                    yield RawStatus(id="raw-status")
            yield LessonPanel()
        yield KeyHints()

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self.watch(self.app, "cluster", self._on_cluster)
        self.app.theme_changed_signal.subscribe(self, self._repaint)
        self.query_one("#routing-scroll").focus()
        if self._first_tab is not None:
            self.query_one("#detail-tabs", TabbedContent).active = self._first_tab

    def action_back(self) -> None:
        self.dismiss()

    def action_switch_tab(self, step: int) -> None:
        tabs = self.query_one("#detail-tabs", TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if tabs.active in ids:
            tabs.active = ids[(ids.index(tabs.active) + step) % len(ids)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remediate":
            tab = self.query_one("#detail-tabs", TabbedContent).active
            return tab == "detail-findings" or (tab == "detail-host-routing" and bool(self._fixes))
        return True

    def action_remediate(self) -> None:
        """Preview, on this node only, the remediation of the highlighted finding's item; on
        the host-routing tab, of a `fix:` line's item (asked which when there are several)."""
        if self.query_one("#detail-tabs", TabbedContent).active == "detail-host-routing":
            if len(self._fixes) == 1:
                self._preview(self._fixes[0][0])
            elif self._fixes:
                self.app.search_commands(
                    [
                        SimpleCommand(f"Preview {title}", partial(self._preview, item), fix)
                        for item, title, fix in self._fixes
                    ],
                    placeholder="Which fix to preview…",
                )
            return
        index = self.query_one("#findings", FactTable).cursor_row
        if 0 <= index < len(self._findings):
            self._preview(self._findings[index].item_id)

    def _preview(self, item_id: str) -> None:
        self.app.post_message(ItemChosen(item_id, (self.node,)))

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._on_cluster(cast("CiliumTuiApp", self.app).cluster)

    def _on_cluster(self, cluster: ClusterState | None) -> None:
        """Render the node from the latest state; a node that went away keeps its last view."""
        record = cluster.record(self.node) if cluster is not None else None
        gone = record is None and self._record is not None
        if cluster is None or (record is None and self._record is None):
            self._title(Text(f"{plain(self.node)}: not in the latest scan"))
            return
        if record is not None:
            self._record, self._findings = record, cluster.judgement.findings(self.node)
        record, findings = self._record, self._findings
        assert record is not None
        view = NodeView(cluster.snapshot, record)
        cells = node_row(cluster.snapshot, record, findings).cells
        titles = {r.item.id: r.item.title for r in cluster.judgement.rollups}
        self._title(self._title_text(record.name, cells, gone))
        key = cast("CiliumTuiApp", self.app).user_keymap.get("detail.remediate", "p")
        routing = host_routing_text(
            view,
            cells["host_routing"],
            host_routing_finding(findings),
            self._styles,
            titles,
            preview_key=key,
        )
        self.query_one("#detail-routing", Static).update(routing)
        explanation = explain(view)
        causes = explanation.causes if explanation is not None else ()
        self._fixes = tuple(
            (c.fix_item, titles.get(c.fix_item, c.fix_item), c.fix)
            for c in causes
            if c.fix_item is not None
        )
        self.refresh_bindings()
        self.query_one("#effective-facts", FactTable).show(effective_rows(view), self._styles)
        self.query_one("#findings", FactTable).show(finding_rows(findings, titles), self._styles)
        collected = fact_rows(record, cluster.snapshot.config)
        self.query_one("#collected-facts", FactTable).show(collected, self._styles)
        self._raw = record.agent_raw or record.errors.get("agent") or NO_STATUS
        self._fetch = record.agent_raw is None and record.agent is not None
        if self.query_one("#detail-tabs", TabbedContent).active == "detail-raw":
            self._load_raw()

    @on(TabbedContent.TabActivated, "#detail-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()  # "p" remediates from the findings tab only
        if event.pane.id == "detail-raw":
            self._load_raw()

    def _load_raw(self) -> None:
        """Load the raw status when its tab is shown: on a big cluster it is a large document
        (cluster health lists every peer), not worth laying out for a glance at the node."""
        raw = self.query_one("#raw-status", TextArea)
        source = cast("CiliumTuiApp", self.app).source
        if self._fetch and self._record is not None and isinstance(source, AgentReports):
            self._fetch = False  # scans keep only facts: ask the agent now, once per scan
            self._raw = FETCHING
            self._fetch_raw(source, self._record)
        if self._shown_raw[0] is not self._raw:
            self._shown_raw = (self._raw, lines(indented(self._raw)))
        if raw.text != self._shown_raw[1]:
            raw.load_text(self._shown_raw[1])

    @work(group="agent-report", exclusive=True, exit_on_error=False)
    async def _fetch_raw(self, source: AgentReports, record: NodeRecord) -> None:
        try:
            self._raw = await source.agent_report(record)
        except KubeError as e:
            self._raw = str(e)
        self._load_raw()

    def _title(self, text: Text) -> None:
        self.query_one("#detail-title", Static).update(text)

    def _title_text(self, name: str, cells: Mapping[str, Cell], gone: bool) -> Text:
        text = Text(plain(name), style=Style(bold=True), end="")
        for column in ("host_routing", *TITLE_COLUMNS):
            text.append("  ")
            text.append_text(cell_text(cells[column], self._styles))
        if gone:
            text.append("  — no longer in the cluster", style=self._styles[Tone.ERROR])
        return text
