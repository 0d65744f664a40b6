"""The main screen: title bar, the four tabs (nodes, checklist, remediation, log), footer.

The first frame is the nodes tab's: the other tabs' panes are mounted just after it (`Lazy`),
so the console shows before they are built (they were a third of its start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.panes.nodes import NodesPane
from cilium_tui.ui.panes.remediation import RemediationPane
from cilium_tui.ui.widgets.activity_log import ActivityLog
from cilium_tui.ui.widgets.key_hints import KeyHints
from cilium_tui.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

TABS = ("nodes", "checklist", "remediation", "log")
"""Tab ids, in the order of their number keys (1-4)."""


class MainScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        console = cast("CiliumTuiApp", self.app)
        yield TopBar(console.source, demo=console.demo, read_only=console.read_only)
        with TabbedContent(id="tabs"):
            with TabPane("1 Nodes", id="nodes"):
                yield NodesPane(id="nodes-pane")
            with TabPane("2 Checklist", id="checklist"):
                yield Lazy(ChecklistPane(id="checklist-pane"))
            with TabPane("3 Remediation", id="remediation"):
                yield Lazy(RemediationPane(id="remediation-pane"))
            with TabPane("4 Log", id="log"):
                yield Lazy(ActivityLog(id="activity-log"))
        yield KeyHints()

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#tabs", TabbedContent)

    def show_tab(self, tab: str) -> None:
        self.tabs.active = tab
        self.focus_tab()

    def focus_tab(self) -> None:
        """Focus the active tab's main widget, so its keys work straight away."""
        target = {
            "nodes": "#node-table",
            "checklist": "#checklist-tree",
            "remediation": "#remediation-scroll",
            "log": "#activity-log",
        }[self.tabs.active]
        self.query_one(target).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self.focus_tab)
