"""The table follows the cluster by itself: node watch events and the refresh interval change rows
without r, a burst of events is judged once more (not once per event), and events that say
nothing new (status heartbeats) change nothing."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from cilium_tui.checks.judgement import Judgement, judge
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import NodeEvent
from cilium_tui.model import Snapshot
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.cells import Tone
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.integration.lab.conftest import running
from tests.ui.factories import node_info, renamed_record
from tests.ui.support import ScriptedSource, console_on_lab, make_app, settle, until

SIZE = (160, 45)
BOARD = "rock64-2"
NEW_KERNEL = "5.10.0-26-arm64"


def table_of(app: CiliumTuiApp) -> NodeTable:
    return app.main.query_one(NodeTable)


async def test_a_burst_of_node_events_is_judged_once_more_not_once_per_event(
    seed: Snapshot,
) -> None:
    """While a judgement runs, thirty nodes join: the running judgement is not thrown away, it
    is published, and exactly one more follows on the latest snapshot."""
    judged: list[Snapshot] = []
    hold = threading.Event()

    def held_judge(snapshot: Snapshot) -> Judgement:
        judged.append(snapshot)
        if len(judged) == 2:  # the first event's judgement (the first is the scan's)
            hold.wait(30)
        return judge(snapshot)

    source = ScriptedSource(seed)
    app = make_app(source, judge=held_judge)
    published: list[Snapshot] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.watch(app, "cluster", lambda c: published.append(c.snapshot), init=False)
            names = [f"rock64-{n}" for n in range(10, 40)]
            await source.events.put(NodeEvent("ADDED", node_info(names[0])))
            await until(pilot, lambda: len(judged) == 2, "the first event's judgement")
            for name in names[1:]:
                await source.events.put(NodeEvent("ADDED", node_info(name)))
            await until(
                pilot,
                lambda: app.snapshot is not None and len(app.snapshot.nodes) == 36,
                "every event applied",
            )
            assert len(judged) == 2, "the events wait for the running judgement"
            hold.set()
            await settle(pilot)
            assert len(judged) == 3
            assert published == judged[1:], "the held judgement published, then the latest"
            assert judged[-1] is app.snapshot
            assert set(names) <= set(table_of(app).shown_keys)
    finally:
        hold.set()


async def test_heartbeat_events_change_nothing(seed: Snapshot) -> None:
    source = ScriptedSource(seed)
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown, latest = app.cluster, app.snapshot
        for record in seed.nodes:
            assert record.node is not None
            beat = dataclasses.replace(record.node, resource_version="999999")
            await source.events.put(NodeEvent("MODIFIED", beat))
        await source.events.put(NodeEvent("ADDED", seed.nodes[0].node))  # a re-list after a 410
        await settle(pilot)
        await pilot.pause()
        assert app.snapshot is latest and app.cluster is shown, "nothing re-judged"
        board = seed.node(BOARD)
        assert board is not None and board.node is not None
        labelled = dataclasses.replace(board.node, labels={**board.node.labels, "team": "x"})
        await source.events.put(NodeEvent("MODIFIED", labelled))
        await settle(pilot)
        assert app.snapshot is not latest, "a label is news (labels are not part of ==)"


async def test_the_watch_changes_a_row_without_r(seed_lab: ClusterSource, tmp_path: Path) -> None:
    """A board reboots on another kernel: its Node object says so at once, before any probe; the
    kernel cell flags that the Node and the last `uname -r` now disagree."""
    lab = running(seed_lab)
    app = console_on_lab(seed_lab, tmp_path)  # no interval scan: only the watch can tell
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("k3s-vm-2"))
        assert table.cell(BOARD, "kernel").tone is Tone.PLAIN
        lab.cluster.set_kernel(BOARD, NEW_KERNEL)
        await until(pilot, lambda: table.cell(BOARD, "kernel").tone is Tone.OFF, "the drift")
        record = app.snapshot.node(BOARD) if app.snapshot else None
        assert record is not None and record.node is not None
        assert record.node.kernel_version == NEW_KERNEL
        assert table.cursor_key == "k3s-vm-2"


async def test_the_refresh_interval_changes_a_row_without_r(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    app = console_on_lab(seed_lab, tmp_path, refresh=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("k3s-vm-2"))
        lab.cluster.set_kernel(BOARD, NEW_KERNEL)
        await until(pilot, lambda: table.cell(BOARD, "kernel").text == NEW_KERNEL, "the rescan")
        assert table.cell(BOARD, "kernel").tone is Tone.PLAIN, "Node and uname agree again"
        assert table.cursor_key == "k3s-vm-2"


async def test_a_refresh_does_not_scroll_the_table_back_to_the_cursor(seed: Snapshot) -> None:
    many = dataclasses.replace(
        seed, nodes=tuple(renamed_record(seed.nodes[i % 6], f"node-{i:02}") for i in range(80))
    )
    source = ScriptedSource(many)
    app = make_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.cursor_key == "node-00"
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        scrolled = table.scroll_y
        assert scrolled > 0
        await source.events.put(NodeEvent("ADDED", node_info("node-99")))
        await settle(pilot)
        assert "node-99" in table.shown_keys
        assert table.scroll_y == scrolled, "the view stays where the user put it"
        assert table.cursor_key == "node-00"
