"""Readability of the node detail and the node table: the raw status as indented JSON, the
detail's sub-tabs switched by keys that help lists, the frozen NAME column set apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.style import Style
from textual.color import Color
from textual.widgets import DataTable, TabbedContent, TextArea

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.ui.screens.detail import NodeDetailScreen
from cilium_tui.ui.screens.help import HelpScreen
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import console_on_lab, make_app, settle, until

SIZE = (120, 40)
TABS = ("detail-host-routing", "detail-effective", "detail-findings", "detail-collected")


async def test_sub_tabs_switch_with_keys_that_help_lists() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(NodeDetailScreen("rock64-1"))
        await pilot.pause()
        tabs = app.screen.query_one("#detail-tabs", TabbedContent)
        seen = [tabs.active]
        for _ in TABS[1:]:
            await pilot.press("right_square_bracket")
            await pilot.pause()
            seen.append(tabs.active)
        assert tuple(seen) == TABS
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert tabs.active == TABS[0], "after the raw status, back to the first"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert tabs.active == "detail-raw"

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        rows = [tuple(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("[", "Previous tab", "detail.prev-tab") in rows
        assert ("]", "Next tab", "detail.next-tab") in rows


async def test_the_agent_report_is_indented(seed_lab: ClusterSource, tmp_path: Path) -> None:
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        record = app.cluster.record("rock64-2") if app.cluster else None
        assert record is not None
        report = await seed_lab.agent_report(record)
        assert "\n" not in report.strip() and len(report) > 2000, "one long line as read"
        app.push_screen(NodeDetailScreen("rock64-2"))
        await pilot.pause()
        await pilot.press("left_square_bracket")
        raw = app.screen.query_one("#raw-status", TextArea)
        await until(pilot, lambda: raw.text.startswith("{"), "agent report")
        assert json.loads(raw.text) == json.loads(report)
        assert raw.text.startswith('{\n  "'), "indented"
        assert max(len(line) for line in raw.text.splitlines()) < 200


def background(style: Style | None) -> Color | None:
    if style is None or style.bgcolor is None:
        return None
    return Color.from_rich_color(style.bgcolor)


@pytest.mark.parametrize("theme", ["cilium", "cilium-light", "high-contrast", "nord"])
async def test_the_frozen_name_column_has_its_own_background(theme: str) -> None:
    app = make_app(theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.main.query_one(NodeTable)
        table.scroll_to(x=10, animate=False, immediate=True)
        await pilot.pause()
        line = list(table.render_line(2))  # a row below the cursor's
        name, scrolled = line[0], line[-1]
        frozen = Color.parse(app.theme_variables["frozen-column"])
        assert background(name.style) == frozen, theme
        assert background(scrolled.style) != frozen, theme
