"""What the console builds before and while its first frame shows (counted, not timed: the
figures are benchmarks/console_live.py's)."""

from __future__ import annotations

import pytest
from textual.strip import Strip

from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.panes.remediation import RemediationPane
from cilium_tui.ui.widgets.activity_log import ActivityLog
from cilium_tui.ui.widgets.key_hints import KeyHints
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import make_app, settle


async def test_the_first_frame_builds_the_nodes_tab_only(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    mounted_at_first_paint: list[int] = []
    render_line = NodeTable.render_line

    def first_paint(table: NodeTable, y: int) -> Strip:
        if not mounted_at_first_paint:
            other_panes = (ChecklistPane, RemediationPane, ActivityLog)
            mounted_at_first_paint.append(sum(len(app.main.query(p)) for p in other_panes))
        return render_line(table, y)

    monkeypatch.setattr(NodeTable, "render_line", first_paint)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert mounted_at_first_paint == [0], "the other tabs' panes come after the first frame"
        for pane in (ChecklistPane, RemediationPane, ActivityLog):
            assert len(app.main.query(pane)) == 1, "and right after it"
        await pilot.press("2")
        await pilot.pause()
        assert app.focused is app.main.query_one("#checklist-tree")


async def test_the_footer_is_built_again_only_when_its_hints_change() -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        hints = app.main.query_one(KeyHints)
        assert hints.recomposed <= 2, "Textual's footer was built 13 times while opening"
        built = hints.recomposed
        await pilot.press("2")  # the checklist's keys
        await settle(pilot)
        assert hints.recomposed == built + 1
        await pilot.press("r")  # a refresh changes no hint
        await settle(pilot)
        assert hints.recomposed == built + 1
