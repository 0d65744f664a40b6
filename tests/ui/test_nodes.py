"""The nodes screen under Pilot: filter, sort, cursor, live updates, dead nodes, hostile names."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from rich.style import Style
from textual.widgets import Input, Static

from cilium_tui.collect.source import NodeEvent
from cilium_tui.model import AgentPod, Snapshot
from cilium_tui.ui.panes.nodes import DEBOUNCE, DEBOUNCE_ROWS, NodesPane
from cilium_tui.ui.rows import COLUMNS
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.factories import dead, node_info, renamed, renamed_record, with_kernel, with_node
from tests.ui.support import ScriptedSource, make_app, palette_search, settle, spy_updates

SIZE = (140, 40)
VMS = ["k3s-vm-1", "k3s-vm-2", "k3s-vm-3"]
BOARDS = ["rock64-1", "rock64-2", "rock64-3"]
SEED_ORDER = VMS + BOARDS


def table_of(app: object) -> NodeTable:
    from cilium_tui.ui.app import CiliumTuiApp

    assert isinstance(app, CiliumTuiApp)
    return app.main.query_one(NodeTable)


async def test_rows_are_keyed_by_node_and_sorted_by_name() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.shown_keys == SEED_ORDER
        assert table.cell("rock64-1", "host_routing").plain == "Legacy · kernel 4.19 < 5.10"
        assert table.cell("k3s-vm-1", "host_routing").plain == "BPF"
        assert table.get_cell("rock64-1", "kernel").plain.strip() == "4.19.0-24-arm64"
        assert app.focused is table


async def test_filter_by_name_arch_kernel_and_mode_then_escape_clears() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("slash")
        box = app.main.query_one("#node-filter", Input)
        assert box.display and app.focused is box
        await pilot.press(*"ARM")
        assert table.shown_keys == BOARDS
        box.value = "6.2.0"
        await pilot.pause()
        assert table.shown_keys == VMS
        box.value = "legacy"
        await pilot.pause()
        assert table.shown_keys == BOARDS
        box.value = "k3s-vm-2"
        await pilot.press("enter")
        assert table.shown_keys == ["k3s-vm-2"]
        assert app.focused is table, "enter returns to the table, keeping the filter"
        await pilot.press("escape")
        assert table.shown_keys == SEED_ORDER
        assert not box.display and box.value == ""


async def test_sort_keeps_the_cursor_on_the_same_node() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("k3s-vm-2"))
        await pilot.press("S")
        assert table.shown_keys == list(reversed(SEED_ORDER))
        assert table.cursor_key == "k3s-vm-2"
        table.sort_by("kernel", reverse=False)
        assert table.shown_keys[:3] == BOARDS, "4.19 before 6.2"
        assert table.cursor_key == "k3s-vm-2"
        await pilot.press("s")
        assert table.sort_column == "cilium", "the next column shown (OS is a wide one)"
        assert table.cursor_key == "k3s-vm-2"
        summary = app.main.query_one(NodesPane).query_one("#nodes-summary")
        assert "sorted by cilium" in str(summary.render())


async def test_clicking_a_header_sorts_and_clicking_again_reverses() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        x = _column_x(table, "host_routing")
        await pilot.click(NodeTable, offset=(x, 0))
        assert table.sort_column == "host_routing"
        assert table.shown_keys[:3] == VMS, "BPF first"
        await pilot.click(NodeTable, offset=(x, 0))
        assert table.sort_reverse
        assert table.shown_keys[:3] == ["rock64-3", "rock64-2", "rock64-1"]


def _column_x(table: NodeTable, key: str) -> int:
    return table.column_x(key) + 1


async def test_refresh_updates_only_the_changed_cell_and_keeps_the_cursor(seed: Snapshot) -> None:
    upgraded = with_node(seed, "rock64-2", lambda r: with_kernel(r, "4.19.0-26-arm64"))
    source = ScriptedSource(seed, upgraded)
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("k3s-vm-3"))
        painted = table.cells_painted
        shown = len(table.columns)
        assert shown < len(COLUMNS), "the wide columns are not shown"
        assert painted == len(seed.nodes) * shown, "each cell on screen painted once at first"
        await pilot.press("down", "up", "s", "S")  # cursor moves and sorts paint no cell
        table.sort_by("name", reverse=False)
        assert table.cells_painted == painted
        updates = spy_updates(table)
        await pilot.press("r")
        await settle(pilot)
        assert source.scans == 2
        assert updates == [("rock64-2", "kernel")]
        assert table.cells_painted == painted + 1, "counted: one cell painted, not the screen"
        assert table.cell("rock64-2", "kernel").text == "4.19.0-26-arm64"
        assert table.cursor_key == "k3s-vm-3"
        assert table.shown_keys == SEED_ORDER


async def test_node_events_add_and_remove_rows() -> None:
    source = ScriptedSource()
    app = make_app(source)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("k3s-vm-1"))
        await source.events.put(NodeEvent("ADDED", node_info("rock64-10")))
        await settle(pilot)
        assert table.shown_keys[-1] == "rock64-10", "natural order: rock64-10 after rock64-3"
        assert table.cell("rock64-10", "kernel").text == "6.8.0-63-generic"
        assert table.cell("rock64-10", "host_routing").text == "?", "no agent status yet: unknown"
        await source.events.put(NodeEvent("DELETED", node_info("rock64-3")))
        await settle(pilot)
        assert "rock64-3" not in table.shown_keys
        assert table.cursor_key == "k3s-vm-1"
        texts = [entry.text for entry in app.activity]
        assert "node rock64-10 added" in texts and "node rock64-3 deleted" in texts


async def test_an_open_detail_view_says_when_its_node_is_deleted() -> None:
    source = ScriptedSource()
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_node("rock64-3")
        await pilot.pause()
        await source.events.put(NodeEvent("DELETED", node_info("rock64-3")))
        await settle(pilot)
        title = str(app.screen.query_one("#detail-title").render())
        assert title.startswith("rock64-3") and title.endswith("no longer in the cluster")
        routing = str(app.screen.query_one("#detail-routing").render())
        assert "kernel 4.19 < 5.10" in routing, "the last verdict stays readable"


async def test_a_dead_node_shows_why_and_the_rest_renders(seed: Snapshot) -> None:
    broken = with_node(
        seed,
        "rock64-2",
        lambda r: dead(r, "exec timed out after 10 s", "unreachable: connection refused"),
    )
    crashing = with_node(
        broken,
        "rock64-3",
        lambda r: dataclasses.replace(
            r,
            agent=None,
            pod=AgentPod(
                "cilium-h5r8s", "kube-system", "rock64-3", waiting_reason="CrashLoopBackOff"
            ),
        ),
    )
    app = make_app(ScriptedSource(crashing))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.cell("rock64-2", "agent").plain == "unreachable · exec timed out after 10 s"
        assert table.cell("rock64-2", "ssh").plain == "unreachable · connection refused"
        assert table.cell("rock64-2", "kernel").text == "4.19.0-24-arm64", "from the Node object"
        legacy = table.cell("rock64-2", "host_routing")
        assert legacy.plain == "Legacy? · kernel 4.19 < 5.10", "predicted from the kernel"
        assert table.cell("rock64-2", "mtu").text == "?"
        assert table.cell("rock64-3", "agent").text == "CrashLoopBackOff"
        assert table.cell("k3s-vm-1", "agent").text == "Ready"
        table.sort_by("agent")
        assert table.shown_keys[:2] == ["rock64-3", "rock64-2"], "faults sort first"


@pytest.mark.parametrize("name", ["[bold]x[/]", "[/oops]", "node-[red]"])
async def test_markup_looking_names_render_literally(seed: Snapshot, name: str) -> None:
    snapshot = renamed(seed, [("k3s-vm-1", name)])
    source = ScriptedSource(snapshot)
    app = make_app(source)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.get_cell(name, "name").plain.strip() == name
        await source.events.put(NodeEvent("ADDED", node_info(f"{name}-2")))
        await settle(pilot)
        assert f"{name}-2" in table.shown_keys
        options = await palette_search(pilot, name[1:5])
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert f"Node {name}" in [p.split("\n")[0] for p in prompts]
        await pilot.press("escape")
        await pilot.pause()
        table.move_cursor(row=table.get_row_index(name))
        await pilot.press("enter")
        await pilot.pause()
        title = app.screen.query_one("#detail-title")
        assert str(title.render()).startswith(name)


async def test_a_big_table_filters_once_the_typing_pauses_and_at_enter(seed: Snapshot) -> None:
    many = tuple(
        dataclasses.replace(r, name=f"{r.name}-{i}")
        for i in range(DEBOUNCE_ROWS // len(seed.nodes) + 1)
        for r in seed.nodes
    )
    app = make_app(ScriptedSource(dataclasses.replace(seed, nodes=many)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.row_count == len(many) >= DEBOUNCE_ROWS
        await pilot.press("slash", *"rock64-1-")
        await pilot.press("enter")
        assert table.shown_keys and all(k.startswith("rock64-1-") for k in table.shown_keys)
        app.main.query_one("#node-filter", Input).value = "rock64"
        await pilot.pause(DEBOUNCE * 4)
        assert {k.split("-")[0] for k in table.shown_keys} == {"rock64"}, "applied after a pause"


async def test_a_refresh_changing_the_sorted_column_moves_the_row(seed: Snapshot) -> None:
    """Rows are sorted again when a value of the sorted column changes (and only then: a
    kernel changing under a sort by name leaves the order, checked above)."""
    upgraded = with_node(seed, "rock64-2", lambda r: with_kernel(r, "6.9.0-1-arm64"))
    source = ScriptedSource(seed, upgraded)
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.sort_by("kernel")
        assert table.shown_keys[:3] == BOARDS
        await pilot.press("r")
        await settle(pilot)
        assert table.shown_keys[-1] == "rock64-2", "6.9 after the 6.2 VMs"
        assert table.shown_keys[:2] == ["rock64-1", "rock64-3"]


async def test_a_big_table_paints_the_rows_on_screen_only(seed: Snapshot) -> None:
    """Counted, not timed (the figures are benchmarks/console_live.py's): filling 300 rows,
    a refresh of 20 and a sort each paint at most the cells on screen."""
    copies = range(300 // len(seed.nodes))
    many = tuple(renamed_record(r, f"{r.name}-{i}") for i in copies for r in seed.nodes)
    big = dataclasses.replace(seed, nodes=many)
    upgraded = [f"k3s-vm-1-{i}" for i in range(10)] + [f"rock64-3-{i}" for i in range(10)]
    kernels = dataclasses.replace(
        big,
        nodes=tuple(
            with_kernel(r, "6.9.0-1-generic") if r.name in upgraded else r for r in big.nodes
        ),
    )
    source = ScriptedSource(big, kernels)
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        on_screen = table.scrollable_content_region.height - 1  # the header is a line too
        assert table.row_count == len(many) > 5 * on_screen
        assert table.cells_painted == on_screen * len(table.columns), "a screenful, not 300 rows"

        painted = table.cells_painted
        await pilot.press("r")
        await settle(pilot)
        assert table.cell("rock64-3-1", "kernel").text == "6.9.0-1-generic"
        assert table.cells_painted == painted + 10, "the 10 kernels on screen; not the 10 below"

        painted = table.cells_painted
        await pilot.press("S")  # the cursor's row stays on screen: the same rows, at the end
        await pilot.pause()
        assert table.shown_keys[0] == "rock64-3-49"
        assert table.cells_painted == painted, "a sort paints no cell"
        await pilot.press("home")  # the other end of the table comes into view
        await pilot.pause()
        assert table.cells_painted == painted + on_screen * len(table.columns)
        await pilot.press("end")  # back: those rows are still painted
        await pilot.pause()
        assert table.cells_painted == painted + on_screen * len(table.columns)


async def test_a_sort_repaints_the_table_alone_and_looks_its_styles_up_once(seed: Snapshot) -> None:
    """Counted, not timed: a sort on a big table asks for no layout of the screen (the summary
    line keeps its size), and a repaint looks the table's styles up once, not once per line."""
    many = tuple(renamed_record(r, f"{r.name}-{i}") for i in range(50) for r in seed.nodes)
    app = make_app(ScriptedSource(dataclasses.replace(seed, nodes=many)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        on_screen = table.scrollable_content_region.height - 1
        screen = app.screen
        layouts: list[object] = []
        refresh_layout = screen._refresh_layout

        def counted_layout(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            refresh_layout(*args, **kwargs)

        lookups: list[str] = []
        look_up = table.get_component_rich_style

        def counted_look_up(*names: str, partial: bool = False) -> Style:
            lookups.append(names[0])
            return look_up(*names, partial=partial)

        screen._refresh_layout = counted_layout  # type: ignore[method-assign]
        table.get_component_rich_style = counted_look_up  # type: ignore[method-assign]
        summary = str(app.main.query_one("#nodes-summary", Static).content)
        await pilot.press("s")
        await pilot.pause()
        assert str(app.main.query_one("#nodes-summary", Static).content) != summary
        assert table.sort_column == "arch"
        assert layouts == [], "the table and the summary repainted, nothing laid out"
        assert 0 < len(lookups) <= 5 < on_screen, "one look-up of each style per repaint"
