"""Test doubles and helpers for the UI tests only.

`ScriptedSource` is a `Source` that serves snapshots the test scripts and node events the test
pushes; it stands in for the cluster so the UI's own behaviour (diffing, coalescing, gating) can
be driven exactly. The snapshots are scans of the real lab (`lab_scan`), edited where a test needs
it; the console on the running lab is tested in `test_lab.py`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress
from cilium_tui.model import Snapshot
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.screenshots import scan_lab
from cilium_tui.ui.state import Judge, judge
from cilium_tui.ui.widgets.node_table import NodeTable


@functools.cache
def lab_scan(scenario: str) -> Snapshot:
    """One scan of a freshly started lab of `scenario`, as `--demo` reads it, made once per test
    session. The scan runs on a thread of its own, so async tests may ask for it too."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scan_lab(scenario)).result()


class ScriptedSource:
    """Scan n returns snapshots[n] (the last one repeats). A scan can be held on `gate`, made to
    fail with `fail_next`, and reports progress from a worker thread, as a real Source may."""

    def __init__(self, *snapshots: Snapshot, name: str = "context test") -> None:
        self.snapshots: list[Snapshot] = list(snapshots) or [lab_scan("seed")]
        self._name = name
        self.scans = 0
        self.gate: asyncio.Event | None = None
        self.fail_next: Exception | None = None
        self.events: asyncio.Queue[NodeEvent] = asyncio.Queue()
        self.closed = False

    @property
    def name(self) -> str:
        return self._name

    async def scan(self, progress: ProgressCallback | None = None) -> Snapshot:
        self.scans += 1
        snapshot = self.snapshots[min(self.scans, len(self.snapshots)) - 1]
        if progress is not None:
            await asyncio.to_thread(progress, ScanProgress(0, len(snapshot.nodes), "listing"))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return snapshot

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        while True:
            yield await self.events.get()

    async def close(self) -> None:
        self.closed = True


def make_app(
    source: ScriptedSource | None = None,
    *,
    judge: Judge = judge,
    **options: Any,
) -> CiliumTuiApp:
    """The console on a scripted source, judged with the screenshot findings, no interval scan."""
    options.setdefault("refresh", 0)
    app = CiliumTuiApp(source or ScriptedSource(), judge=judge, **options)
    app.animation_level = "none"
    return app


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for scans and judgements to finish and the screens to render them."""
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    await app.settled()
    await pilot.pause()


async def palette_search(pilot: Pilot[Any], query: str) -> OptionList:
    """Open the command palette with `:`, type `query` and wait until its search is done (the
    palette gathers hits in a worker); returns the list of hits."""
    await pilot.press("colon", *query)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    for _ in range(200):
        gathering = [w for w in palette.workers if w.node is palette and not w.is_finished]
        if not gathering:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    return palette.query_one(OptionList)


def spy_updates(table: NodeTable) -> list[tuple[str, str]]:
    """Record every (row, column) whose cell the table updates from now on."""
    updated: list[tuple[str, str]] = []
    original = table.update_cell

    def spy(row_key: object, column_key: object, *args: object, **kw: object) -> None:
        updated.append((str(row_key), str(column_key)))
        original(row_key, column_key, *args, **kw)  # type: ignore[arg-type]

    table.update_cell = spy  # type: ignore[method-assign]
    return updated
