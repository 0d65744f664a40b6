"""The node table's columns: the user picks and orders them (config file, `c`), the choice is
written back into the config file and read again next time, `w` shows every column, headers
never run together and NAME stays frozen (that an update paints only the cells that changed is
in test_nodes)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cilium_tui.settings import resolve
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.rows import COLUMNS, DEFAULT_COLUMNS
from cilium_tui.ui.screens.columns import ColumnPicker
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import make_app, settle

NARROW = (120, 36)
LABELS = {c.key: c.label for c in COLUMNS}

USER_CONFIG = """\
# my cilium-tui settings
theme = "cilium"   # the dark one
refresh = 45

[keymap]
refresh = "f5"
"""


def table_of(app: CiliumTuiApp) -> NodeTable:
    return app.main.query_one(NodeTable)


def header(table: NodeTable) -> str:
    return table.render_line(0).text


def settings_from(path: Path) -> argparse.Namespace:
    return argparse.Namespace(config=str(path))


async def test_the_default_columns_fit_120_columns_with_headers_apart() -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.column_keys == DEFAULT_COLUMNS
        shown = header(table)
        assert shown.startswith(" NAME▲ ")
        # Every other header is on screen (the line is the screen's width), in order, each with
        # a space before it: none runs into its neighbour ("AGENTSSH").
        at = len(" NAME▲")
        for key in DEFAULT_COLUMNS[1:]:
            at = shown.index(" " + LABELS[key] + " ", at) + len(LABELS[key])
        assert "AGENT SSH" in shown and "ROUTING KPR" in shown and "MASQ BWM/CC" in shown


async def test_the_wide_toggle_shows_big_tcp_mtu_and_xdp_and_name_stays_frozen() -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert not {"big_tcp", "mtu", "xdp"} & set(table.column_keys)
        await pilot.press("w")
        await pilot.pause()
        assert {"big_tcp", "mtu", "xdp", "os", "role"} <= set(table.column_keys)
        assert table.column_keys[: len(DEFAULT_COLUMNS)] == DEFAULT_COLUMNS, "chosen ones first"
        table.scroll_to(x=table.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        shown = header(table)
        assert shown.startswith(" NAME▲") and "│" in shown, "NAME stays, scrolled or not"
        for label in ("BIG TCP", "MTU", "XDP"):
            assert f" {label}" in shown
        row = table.render_line(1 + table.get_row_index("k3s-vm-1")).text
        assert row.startswith(" k3s-vm-1")
        await pilot.press("w")
        await pilot.pause()
        assert table.column_keys == DEFAULT_COLUMNS


async def test_a_column_choice_is_saved_in_the_config_file_and_read_again(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(USER_CONFIG)
    app = make_app(config_path=config, columns=resolve(settings_from(config), {}).columns)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ColumnPicker)
        # The highlight starts on ARCH, the first column after NAME: hide it, then move HOST
        # ROUTING (three below) up above KERNEL.
        await pilot.press("space")
        await pilot.press("down", "down", "down", "shift+up", "shift+up")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ColumnPicker)
        expected = ("name", "host_routing", "kernel", "cilium", *DEFAULT_COLUMNS[5:])
        assert table_of(app).column_keys == expected

    written = config.read_text()
    assert written.startswith(USER_CONFIG.split("[keymap]", maxsplit=1)[0].rstrip("\n")), (
        "the rest is kept"
    )
    assert '[keymap]\nrefresh = "f5"' in written
    settings = resolve(settings_from(config), {})
    assert settings.columns == expected
    assert settings.theme == "cilium" and settings.refresh == 45 and settings.keymap

    again = make_app(config_path=config, columns=settings.columns)
    async with again.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert table_of(again).column_keys == expected


async def test_escape_leaves_the_columns_and_the_file_alone(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(USER_CONFIG)
    app = make_app(config_path=config)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("c", "space", "escape")
        await pilot.pause()
        assert table_of(app).column_keys == DEFAULT_COLUMNS
    assert config.read_text() == USER_CONFIG


async def test_unknown_column_names_in_the_config_are_reported_and_skipped() -> None:
    app = make_app(columns=("kernel", "colour", "name"))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert table_of(app).column_keys == ("name", "kernel")
        assert any("no node-table column colour" in e.text for e in app.activity)
