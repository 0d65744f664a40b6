"""Test doubles and helpers for the UI tests only.

`ScriptedSource` is a `Source` that serves snapshots the test scripts and node events the test
pushes; it stands in for the cluster so the UI's own behaviour (diffing, coalescing, gating) can
be driven exactly. The snapshots are scans of the real lab (`lab_scan`), edited where a test needs
it; the console on the running lab is tested in `test_lab.py`, `test_remediation.py` and
`test_training_walk.py`, driven through the helpers at the end of this module.
"""

from __future__ import annotations

import asyncio
import functools
import io
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from cilium_tui.checks.judgement import Judge, judge
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress, ScanStream
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.panes.remediation import RemediationPane
from cilium_tui.ui.screenshots import confirm_dialog, scan_lab
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

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
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


READY_TIMEOUT = 5.0
"""How long a restarted lab agent may take (with the lab's FAST timing it needs ~0.2 s)."""


def console_on_lab(
    source: ClusterSource, journal: Path, *, ready_timeout: float = READY_TIMEOUT, **options: Any
) -> CiliumTuiApp:
    """The console on a running lab, as `--demo` runs it, with the remediation engine (its
    journal in `journal`); no interval scan."""
    engine = RemedyEngine(source, journal=Journal(journal), ready_timeout=ready_timeout)
    options.setdefault("refresh", 0)
    options.setdefault("demo", source.name.removeprefix("lab "))
    app = CiliumTuiApp(source, remedy=engine, **options)
    app.animation_level = "none"
    return app


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
    """Wait for scans and judgements to finish and the screens to render them, twice: messages
    handled in between (a node event the test just sent) may start another judgement."""
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    for _ in range(2):
        await app.settled()
        await pilot.pause()


async def palette_hits(pilot: Pilot[Any]) -> OptionList:
    """The open command palette's list of hits, once its search is done (the palette gathers
    hits in a worker)."""
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    for _ in range(200):
        gathering = [w for w in palette.workers if w.node is palette and not w.is_finished]
        if not gathering:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    return palette.query_one(OptionList)


async def palette_search(pilot: Pilot[Any], query: str) -> OptionList:
    """Open the command palette with `:`, type `query` and wait for its hits."""
    await pilot.press("colon", *query)
    return await palette_hits(pilot)


def spy_updates(table: NodeTable) -> list[tuple[str, str]]:
    """Record every (row, column) whose cell the table updates from now on."""
    updated: list[tuple[str, str]] = []
    original = table.update_cell

    def spy(row_key: object, column_key: object, *args: object, **kw: object) -> None:
        updated.append((str(row_key), str(column_key)))
        original(row_key, column_key, *args, **kw)  # type: ignore[arg-type]

    table.update_cell = spy  # type: ignore[method-assign]
    return updated


def plain(widget: Static, width: int = 132) -> str:
    """What a Static shows, as plain text (its content may be any Rich renderable)."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


# --------------------------------------------------------------------------------------------
# Driving the remediation flow as a person would
# --------------------------------------------------------------------------------------------

DEADLINE = 60.0
"""How long the lab may take for an apply (agents restart one by one)."""


def pane(app: CiliumTuiApp) -> RemediationPane:
    return app.main.query_one(RemediationPane)


def shown(app: CiliumTuiApp, part: str = "text") -> str:
    return plain(app.main.query_one(f"#remediation-{part}", Static))


async def until(pilot: Pilot[Any], done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE:.0f} s"
        await pilot.pause(0.05)


async def press_on_item(pilot: Pilot[Any], item_id: str, key: str) -> None:
    """On the checklist, select `item_id` and press `key`."""
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    await pilot.press("2")
    assert app.main.query_one(ChecklistPane).select_item(item_id)
    await pilot.pause()
    await pilot.press(key)


async def press_apply(pilot: Pilot[Any], item_id: str) -> None:
    """On the checklist, select `item_id` and press a."""
    await press_on_item(pilot, item_id, "a")


async def press_preview(pilot: Pilot[Any], item_id: str, key: str = "p") -> None:
    """On the checklist, select `item_id` and press p (or `key`); wait for its plan."""
    await press_on_item(pilot, item_id, key)
    await settle(pilot)


async def confirm_and_wait(pilot: Pilot[Any], word: str | None) -> None:
    """Confirm the dialog as a person would (typing the word if asked), then wait for the result
    and the re-scan that follows it."""
    await confirm_until_result(pilot, word)
    await settle(pilot)


async def confirm_until_result(pilot: Pilot[Any], word: str | None) -> None:
    """`confirm_and_wait` up to the result: the re-scan that follows it may not have come."""
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    dialog = await confirm_dialog(pilot)
    assert dialog.require_word == word
    cancel = dialog.query_one("#cancel")
    # The dialog focuses Cancel as it mounts: under load that may come a frame after it shows.
    await until(pilot, lambda: app.focused is cancel, "focus on Cancel")
    await pilot.press(*(word or "y"))
    if word:
        await pilot.press("enter")
    await until(pilot, lambda: pane(app).result is not None and not pane(app).busy, "result")
