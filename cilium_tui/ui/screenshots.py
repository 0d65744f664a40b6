"""Render every screen of the console in every bundled theme to SVG, headless.

    python -m cilium_tui.ui.screenshots [--out screenshots/] [--theme NAME ...] [--scene NAME ...]

Each picture is the console on a freshly started lab of the seed scenario, exactly as
`cilium-tui --demo` runs it (the lab in-process, read over HTTPS and SSH by the real collectors,
with the remediation engine, its journal in a temporary directory): the first scan is dated at the
lab's own clock and there is no interval scan, so the pictures are the same on every machine. The
UI's snapshot tests drive the same scenes on that scan served unchanged (`screenshot_app`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from textual.pilot import Pilot

from cilium_tui.collect.source import (
    NodeEvent,
    ProgressCallback,
    ScanProgress,
    ScanStream,
    Source,
)
from cilium_tui.connect import open_source
from cilium_tui.lab.scenarios import LAB_NOW
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal
from cilium_tui.settings import Settings
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.panes.checklist import ChecklistPane

SIZE = (140, 40)
BUNDLED_THEMES = ("cilium", "cilium-light", "high-contrast")

Scene = Callable[[Pilot[Any]], Awaitable[None]]


LAB_TIME = datetime.fromisoformat(LAB_NOW)
"""The lab's clock: its objects and agent outputs are all dated at this moment."""


async def scan_lab(scenario: str = "seed") -> Snapshot:
    """One scan of a freshly started lab, read as `--demo` reads it; dated at the lab's clock."""
    source = await open_source(Settings(demo=scenario))
    try:
        return await _dated_scan(source)
    finally:
        await source.close()


async def _dated_scan(source: Source) -> Snapshot:
    return dataclasses.replace(await source.scan(), taken_at=LAB_TIME)


@asynccontextmanager
async def lab_console(theme: str, journal: Path) -> AsyncIterator[CiliumTuiApp]:
    """The console on a freshly started seed lab, with its remediation engine (journal in
    `journal`). The app owns the lab's source: it stops the lab when it ends."""
    source = await open_source(Settings(demo="seed"))
    try:
        initial = await _dated_scan(source)
    except BaseException:
        await source.close()
        raise
    engine = RemedyEngine(source, journal=Journal(journal))
    app = CiliumTuiApp(source, theme=theme, refresh=0, demo="seed", initial=initial, remedy=engine)
    app.animation_level = "none"
    yield app


class StaticSource:
    """A `Source` that serves one fixed snapshot (every scan) and no node events."""

    def __init__(self, snapshot: Snapshot, name: str = "lab seed") -> None:
        self._snapshot = snapshot
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        total = len(self._snapshot.nodes)
        for done, record in enumerate(self._snapshot.nodes, 1):
            if progress is not None:
                progress(ScanProgress(done, total, f"probed {record.name}"))
        return self._snapshot

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        events: tuple[NodeEvent, ...] = ()
        for event in events:
            yield event

    async def close(self) -> None:
        return None


def screenshot_app(snapshot: Snapshot, theme: str = "cilium") -> CiliumTuiApp:
    """The console as the screenshots show it: `snapshot`, the demo badge, no interval scan."""
    app = CiliumTuiApp(StaticSource(snapshot), theme=theme, refresh=0, demo="seed")
    app.animation_level = "none"
    return app


async def _ready(pilot: Pilot[Any]) -> CiliumTuiApp:
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    await app.settled()
    await pilot.pause()
    return app


async def nodes(pilot: Pilot[Any]) -> None:
    await _ready(pilot)


async def node_detail(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    app.open_node("rock64-1")
    await pilot.pause()


async def checklist(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await pilot.press("2")
    app.main.query_one(ChecklistPane).select_item("bpf-host-routing", expand=True)
    await pilot.pause()


async def remediation(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await app.choose_item("bypass-iptables-conntrack")
    await app.settled()
    await pilot.pause()


async def confirm(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await pilot.press("2")
    app.main.query_one(ChecklistPane).select_item("bypass-iptables-conntrack")
    await pilot.pause()
    await pilot.press("a")
    for _ in range(200):  # the preflight asks the API server first
        if isinstance(app.screen, ConfirmDialog):
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def help_keys(pilot: Pilot[Any]) -> None:
    await _ready(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


SCENES: dict[str, Scene] = {
    "nodes": nodes,
    "node-detail": node_detail,
    "checklist": checklist,
    "remediation": remediation,
    "confirm": confirm,
    "help": help_keys,
}


def pin_timezone() -> None:
    """Render times in UTC, so that the pictures do not depend on where they are made."""
    os.environ["TZ"] = "UTC"
    time.tzset()


async def render(theme: str, scene: str, out: Path) -> Path:
    (out / theme).mkdir(parents=True, exist_ok=True)
    with TemporaryDirectory(prefix="cilium-tui-journal-") as journal:
        async with lab_console(theme, Path(journal)) as app, app.run_test(size=SIZE) as pilot:
            await SCENES[scene](pilot)
            written = app.save_screenshot(f"{scene}.svg", str(out / theme))
    return Path(written)


async def render_all(themes: Sequence[str], scenes: Sequence[str], out: Path) -> list[Path]:
    return [await render(theme, scene, out) for theme in themes for scene in scenes]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cilium_tui.ui.screenshots")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output directory")
    parser.add_argument("--theme", action="append", choices=BUNDLED_THEMES, help="(repeatable)")
    parser.add_argument("--scene", action="append", choices=tuple(SCENES), help="(repeatable)")
    args = parser.parse_args(argv)
    pin_timezone()
    written = asyncio.run(
        render_all(args.theme or BUNDLED_THEMES, args.scene or tuple(SCENES), args.out)
    )
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
