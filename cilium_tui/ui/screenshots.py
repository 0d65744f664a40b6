"""Render every screen of the console in every bundled theme to SVG, headless.

    python -m cilium_tui.ui.screenshots [--out screenshots/] [--theme NAME ...] [--scene NAME ...]

The console runs on the screenshot fixture (`ui.sample_snapshot`: the lab's seed cluster as one
Snapshot, built by the lab's own models and read by the real parsers), so the pictures are the same
on every machine. The UI's snapshot tests drive the same
scenes, so a screenshot and its test cannot drift apart.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.sample_snapshot import StaticSource

SIZE = (140, 40)
BUNDLED_THEMES = ("cilium", "cilium-light", "high-contrast")

Scene = Callable[[Pilot[Any]], Awaitable[None]]


def screenshot_app(theme: str = "cilium") -> CiliumTuiApp:
    """The console as the screenshots show it: the seed fixture, demo badge, no interval scan."""
    app = CiliumTuiApp(StaticSource(), theme=theme, refresh=0, demo="seed")
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
    app.choose_item("bpf-host-routing")
    await pilot.pause()


async def confirm(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await pilot.press("2")
    app.main.query_one(ChecklistPane).select_item("bypass-iptables-conntrack")
    await pilot.pause()
    await pilot.press("a")
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


async def render(theme: str, scene: str, out: Path) -> Path:
    app = screenshot_app(theme)
    (out / theme).mkdir(parents=True, exist_ok=True)
    async with app.run_test(size=SIZE) as pilot:
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
    written = asyncio.run(
        render_all(args.theme or BUNDLED_THEMES, args.scene or tuple(SCENES), args.out)
    )
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
