"""The console under Pilot: screens, detail, scans, read-only, help, keymap, themes, palette."""

from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent, TextArea

from cilium_tui.model import Snapshot
from cilium_tui.settings import Settings
from cilium_tui.ui.app import CiliumTuiApp, binding_ids, binding_sections, run_console
from cilium_tui.ui.cells import Tone
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.paint import tone_styles
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.screens.detail import NodeDetailScreen
from cilium_tui.ui.screens.help import HelpScreen
from cilium_tui.ui.screens.journal import JournalScreen
from cilium_tui.ui.screens.main import MainScreen
from cilium_tui.ui.screenshots import StaticSource
from cilium_tui.ui.themes import ThemeError
from cilium_tui.ui.widgets.activity_log import ActivityLog
from cilium_tui.ui.widgets.fact_table import FactTable
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import ScriptedSource, make_app, palette_search, settle

SIZE = (140, 40)


def active_tab(app: CiliumTuiApp) -> str:
    return app.main.query_one(TabbedContent).active


def footer_actions(app: CiliumTuiApp) -> set[str]:
    return {binding.action for (_, binding, enabled, _) in app.active_bindings.values() if enabled}


async def test_number_keys_and_tab_clicks_switch_screens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, tab in (("2", "checklist"), ("3", "remediation"), ("4", "log"), ("1", "nodes")):
            await pilot.press(key)
            await pilot.pause()
            assert active_tab(app) == tab
        await pilot.click("#--content-tab-checklist")
        await pilot.pause()
        assert active_tab(app) == "checklist"
        assert app.focused is not None and app.focused.id == "checklist-tree"
        await pilot.click("#--content-tab-nodes")
        await pilot.pause()
        assert isinstance(app.focused, NodeTable)
        await pilot.press("4")
        await pilot.pause()
        log = app.main.query_one(ActivityLog)
        assert app.focused is log
        assert any("scanned 6 nodes in" in line.text for line in log.lines)


async def test_enter_opens_the_detail_of_the_node_under_the_cursor_and_escape_closes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.main.query_one(NodeTable)
        await pilot.click(NodeTable, offset=(3, 1 + table.get_row_index("rock64-2")))
        assert table.cursor_key == "rock64-2"
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NodeDetailScreen) and screen.node == "rock64-2"
        routing = str(screen.query_one("#detail-routing").render())
        assert routing.startswith("Host routing  Legacy · kernel 4.19 < 5.10\n")
        assert "1. kernel 4.19.0-24-arm64 < 5.10: BPF host routing needs" in routing
        assert "no Cilium setting can fix this" in routing
        assert "bypass iptables connection tracking" in routing.split("Advice")[1]
        effective = screen.query_one("#effective-facts", FactTable)
        facts = {row.name: row for row in effective.rows}
        assert facts["host routing"].value.text == "Legacy"
        assert facts["host routing"].source == "agent"
        assert facts["host routing"].evidence == ('status JSON .host-routing.mode: "Legacy"',)
        assert facts["routing mode"].source == "config", "1.13 does not print it: cilium-config"
        collected = screen.query_one("#collected-facts", FactTable)
        probe = {row.name: row for row in collected.rows if row.source == "probe"}
        assert probe["kernel release"].evidence == ("ssh probe uname -r: 4.19.0-24-arm64",)
        raw = screen.query_one("#raw-status", TextArea)
        assert raw.text == "", "the raw status is laid out only when its tab is shown"
        await pilot.click("#--content-tab-detail-raw")
        await pilot.pause()
        record = app.cluster.record("rock64-2") if app.cluster else None
        assert record is not None and raw.text == record.agent_raw
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert table.cursor_key == "rock64-2"


async def test_number_keys_leave_the_detail_view() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_node("k3s-vm-1")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and active_tab(app) == "checklist"


async def test_refresh_during_a_scan_is_coalesced_into_one_more_scan() -> None:
    source = ScriptedSource()
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        source.gate = asyncio.Event()
        await pilot.press("r")
        await pilot.pause()
        assert app.scan.running
        assert "scanning" in str(app.main.query_one("#scan-status").render())
        await pilot.press("r", "r", "r")
        assert source.scans == 2, "requests during a scan do not start scans"
        source.gate.set()
        await settle(pilot)
        assert source.scans == 3, "exactly one follow-up scan"
        assert not app.scan.running


async def test_the_interval_timer_rescans_after_each_scan_ends() -> None:
    source = ScriptedSource()
    app = make_app(source, refresh=0.01)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            if source.scans >= 3:
                break
            await pilot.pause(0.01)
        assert source.scans >= 3
        assert [e.text for e in app.activity].count(
            "interval: a scan is running; one more follows it"
        ) == 0


async def test_a_failed_scan_is_reported_and_the_console_lives_on() -> None:
    source = ScriptedSource()
    app = make_app(source)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        source.fail_next = ConnectionError("apiserver [/x] unreachable")
        await pilot.press("r")
        await settle(pilot)
        assert app.scan.error == "ConnectionError: apiserver [/x] unreachable"
        assert app.cluster is not None, "the last good snapshot stays on screen"
        assert any("scan failed" in str(t.render()) for t in app.screen.query("Toast"))
        assert app.activity[-1].text == "scan failed: ConnectionError: apiserver [/x] unreachable"
        await pilot.press("r")
        await settle(pilot)
        assert app.scan.error is None


async def test_progress_from_a_worker_thread_reaches_the_title_bar() -> None:
    source = ScriptedSource()
    source.gate = asyncio.Event()
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(20):
            await pilot.pause()
            if app.scan.progress is not None:
                break
        assert app.scan.progress is not None and app.scan.progress.message == "listing"
        assert "scanning 0/6 · listing" in str(app.main.query_one("#scan-status").render())
        source.gate.set()
        await settle(pilot)


async def test_read_only_removes_mutating_actions_everywhere() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.query_one("#read-only-badge") is not None
        await pilot.press("2")
        await pilot.pause()
        assert not footer_actions(app) & CiliumTuiApp.MUTATING_ACTIONS
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert not [c for c in app.palette_commands() if c.title.startswith("Apply")]
        help_actions = {b.action for _, bs in binding_sections(read_only=True) for b in bs}
        assert not help_actions & CiliumTuiApp.MUTATING_ACTIONS


async def help_rows(pilot: Pilot[object]) -> list[list[str]]:
    """Open help (?) and read its table: key, action, id (headings: a mark, the place, "")."""
    await pilot.press("question_mark")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    table = screen.query_one("#help-table", DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_help_lists_every_binding_with_its_id() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = await help_rows(pilot)
        ids = {row[2] for row in rows}
        keys = [row[0] for row in rows]
        assert set(binding_ids()) <= ids
        assert {"^q", "/", "?"} <= set(keys)
        assert [": / ^p", "commands"] in [[row[0], row[2]] for row in rows]
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen), "q closes help, it does not quit"


async def test_every_binding_of_the_ui_has_an_id_and_appears_in_help() -> None:
    from cilium_tui.ui.lessons import LessonsScreen
    from cilium_tui.ui.panes.nodes import NodesPane
    from cilium_tui.ui.screens.columns import ColumnPicker

    declared = [
        *CiliumTuiApp.BINDINGS,
        *NodesPane.BINDINGS,
        *NodeTable.BINDINGS,
        *ChecklistPane.BINDINGS,
        *NodeDetailScreen.BINDINGS,
        *ConfirmDialog.BINDINGS,
        *HelpScreen.BINDINGS,
        *JournalScreen.BINDINGS,
        *ColumnPicker.BINDINGS,
        *LessonsScreen.BINDINGS,
    ]
    ids = [getattr(b, "id", None) for b in declared]
    assert None not in ids
    assert set(ids) == set(binding_ids())


async def test_a_user_keymap_remaps_by_binding_id() -> None:
    source = ScriptedSource()
    app = make_app(source, keymap={"refresh": "f5", "nonsense": "x"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert source.scans == 1, "the old key no longer refreshes"
        await pilot.press("f5")
        await settle(pilot)
        assert source.scans == 2
        assert any("nonsense" in e.text for e in app.activity), "unknown ids are reported"
        rows = await help_rows(pilot)
        assert ["f5", "refresh"] in [[row[0], row[2]] for row in rows]


async def test_switching_theme_recolours_the_routing_column() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.main.query_one(NodeTable)

        def legacy_colour() -> str | None:
            text = table.get_cell("rock64-1", "host_routing")
            color = text.spans[0].style.color if text.spans else None  # type: ignore[union-attr]
            return color.get_truecolor().hex.upper() if color else None

        assert legacy_colour() == app.themes.themes["cilium"].variables["routing-legacy"]
        app.theme = "cilium-light"
        await pilot.pause()
        await pilot.pause()
        assert legacy_colour() == app.themes.themes["cilium-light"].variables["routing-legacy"]
        app.theme = "nord"
        await pilot.pause()
        await pilot.pause()
        nord = tone_styles(app.theme_variables)[Tone.LEGACY].color
        assert nord is not None, "built-in themes get a default from their own warning colour"
        assert legacy_colour() == nord.get_truecolor().hex.upper()


async def test_command_palette_opens_a_node_by_name() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_search(pilot, "node rock64-3")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NodeDetailScreen) and app.screen.node == "rock64-3"


async def test_quit_closes_the_source() -> None:
    source = ScriptedSource()
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert source.closed


def test_app_refuses_an_unknown_theme_and_run_console_says_so(
    seed: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ThemeError):
        CiliumTuiApp(StaticSource(seed), theme="nope")
    assert asyncio.run(run_console(Settings(theme="nope"), StaticSource(seed))) == 2
    err = capsys.readouterr().err
    assert err.startswith("cilium-tui: unknown theme 'nope'; available: cilium,")
    assert "Traceback" not in err
