"""The console paints before it has read anything, and nodes stream into the table as they are
read: the list first, then each node's facts as its agent and probe answer. On the real lab (its
API server over HTTPS, its boards over SSH), opened on screen as `cilium-tui --demo` opens it."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from textual.widgets import Label

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.connect import OpeningSource
from cilium_tui.model import NodeInfo, NodeRecord, Snapshot
from cilium_tui.ui.app import CiliumTuiApp, ScanFeed
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.integration.lab.conftest import lab_source, running
from tests.ui.support import make_app, settle, until

SIZE = (160, 45)
VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")
HUNG = "k3s-vm-2"


def status(app: CiliumTuiApp) -> str:
    return str(app.main.query_one("#scan-status", Label).content)


async def test_the_first_frame_needs_no_cluster_and_a_hung_agent_delays_only_its_row(
    tmp_path: Path,
) -> None:
    opening = asyncio.Event()
    opened: list[ClusterSource] = []

    async def open_lab() -> ClusterSource:
        await opening.wait()  # the lab is not even started before the console is on screen
        source = await lab_source("seed")
        running(source).inject(f"exec-hang:{HUNG}")  # its agent's status exec never answers
        opened.append(source)
        return source

    app = make_app(OpeningSource("lab seed", open_lab))  # type: ignore[arg-type]
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            table = app.main.query_one(NodeTable)
            assert table.row_count == 0 and app.scan.running
            assert "opening lab seed" in status(app)
            assert "lab seed" in str(app.main.query_one("#source-name", Label).content)

            opening.set()
            others = [n for n in (*VMS, *BOARDS) if n != HUNG]

            def read_but_the_hung_one() -> bool:
                return set(table.shown_keys) == {*VMS, *BOARDS} and all(
                    table.cell(n, "host_routing").text in ("BPF", "Legacy") for n in others
                )

            await until(pilot, read_but_the_hung_one, "the other nodes' facts")
            assert app.scan.running, "the scan still waits for the hung agent"
            assert table.cell(HUNG, "kernel").text == "6.2.0-39-generic", "probed over SSH"
            assert table.cell(HUNG, "host_routing").text not in ("BPF", "Legacy")
            assert status(app).startswith("scanning "), "progress is shown on screen"
            assert app.cluster is not None and len(app.cluster.judgement.rollups) > 0
    finally:
        for source in opened:
            await source.close()


async def test_a_cluster_of_which_nothing_can_be_read_ends_the_console_with_its_reason() -> None:
    async def cannot_open() -> ClusterSource:
        raise ConnectionError("the lab could not start: no room")

    app = make_app(OpeningSource("lab seed", cannot_open))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert app.failure == "no nodes could be read from lab seed: the lab could not start: no room"


def record(name: str, kernel: str | None = None) -> NodeRecord:
    return NodeRecord(name=name, node=NodeInfo(name=name, kernel_version=kernel))


def test_the_feed_shows_the_list_first_then_overlays_what_was_read(seed: Snapshot) -> None:
    listed = dataclasses.replace(seed, nodes=tuple(record(r.name) for r in seed.nodes))
    feed = ScanFeed()
    assert feed.take(None) is None
    feed.listed(listed)
    first = feed.take(None)
    assert first is not None and [r.name for r in first.nodes] == [r.name for r in seed.nodes]
    assert feed.take(first) is None, "nothing new: nothing to publish"

    feed.node_read(seed.nodes[1])
    second = feed.take(first)
    assert second is not None
    assert second.nodes[1] is seed.nodes[1]
    assert all(
        a is b for i, (a, b) in enumerate(zip(first.nodes, second.nodes, strict=True)) if i != 1
    )


def test_a_refresh_never_blanks_the_rows_on_screen_with_a_bare_list(seed: Snapshot) -> None:
    feed = ScanFeed()
    feed.listed(dataclasses.replace(seed, nodes=tuple(record(r.name) for r in seed.nodes)))
    assert feed.take(seed) is None
    newcomer = record("k3s-vm-9", "6.8.0")
    feed.node_read(newcomer)
    shown = feed.take(seed)
    assert shown is not None and shown.nodes[: len(seed.nodes)] == seed.nodes
    assert shown.nodes[-1] is newcomer
