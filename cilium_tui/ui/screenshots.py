"""Render every screen of the console in every bundled theme to SVG, headless.

    python -m cilium_tui.ui.screenshots [--out screenshots/] [--theme NAME ...] [--scene NAME ...]

Each picture is the console on a freshly started lab, exactly as `cilium-tui --demo` runs it (the
lab in-process, read over HTTPS and SSH by the real collectors, with the remediation engine, its
journal in a temporary directory): the first scan is dated at the lab's own clock and there is no
interval scan, so the pictures are the same on every machine. Most scenes are on the `seed`; the
node table is on a mixed cluster big enough to fill the picture, the training flip on `training`
(`SCENARIOS`). Scenes that apply a change drive the console as a person would (select, `a`, the
dialog, `u`), on the lab's own rollout pace. The UI's snapshot tests drive the same scenes on a
scan of the seed served unchanged (`screenshot_app`).
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

from cilium_tui.checks.ids import ItemId
from cilium_tui.collect.inventory import SshTarget
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ScanLimits
from cilium_tui.collect.source import (
    NodeEvent,
    ProgressCallback,
    ScanProgress,
    ScanStream,
    Source,
)
from cilium_tui.collect.ssh import SshPool
from cilium_tui.connect import open_source
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal
from cilium_tui.settings import Settings
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.panes.remediation import RemediationPane

SIZE = (120, 36)
"""Most users' terminals are 120 or 80 columns wide: the pictures are the former."""
BUNDLED_THEMES = ("cilium", "cilium-light", "high-contrast")

Scene = Callable[[Pilot[Any]], Awaitable[None]]


LAB_TIME = datetime.fromisoformat("2024-05-06T10:42:17Z")
"""The lab's clock (its scenarios' LAB_NOW; a test holds them equal), written out so that
the console does not import the lab."""


async def scan_lab(scenario: str = "seed") -> Snapshot:
    """One scan of a freshly started lab, read as `--demo` reads it; dated at the lab's clock."""
    source = await open_source(Settings(demo=scenario))
    # Served from memory by fake sources, which cannot fetch a report later: keep them.
    source.limits = ScanLimits(keep_raw=True)
    try:
        return await _dated_scan(source)
    finally:
        await source.close()


async def _dated_scan(source: Source) -> Snapshot:
    return dataclasses.replace(await source.scan(), taken_at=LAB_TIME)


@asynccontextmanager
async def lab_console(
    theme: str, journal: Path, scenario: str = "seed"
) -> AsyncIterator[CiliumTuiApp]:
    """The console on a freshly started lab of `scenario`, with its remediation engine (journal
    in `journal`). The app owns the lab's source: it stops the lab when it ends."""
    source = await open_source(Settings(demo=scenario))
    try:
        initial = await _dated_scan(source)
    except BaseException:
        await source.close()
        raise
    engine = RemedyEngine(source, journal=Journal(journal))
    # Three agents at a time: the training walk restarts every agent three times.
    options = PlanOptions(batch_size=3) if scenario == "training" else None
    app = CiliumTuiApp(
        source,
        theme=theme,
        refresh=0,
        demo=scenario,
        initial=initial,
        remedy=engine,
        plan_options=options,
    )
    app.animation_level = "none"
    yield app


class StaticSource:
    """A `Source` that serves one fixed snapshot (every scan) and no node events; for a
    remediation engine, a cluster it cannot reach (nothing is applied to it)."""

    kube: KubeClient | None = None
    ssh: SshPool | None = None

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

    def ssh_target(self, record: NodeRecord) -> SshTarget | None:
        return None


def screenshot_app(
    snapshot: Snapshot, theme: str = "cilium", journal: Path | None = None
) -> CiliumTuiApp:
    """The console as the screenshots show it: `snapshot`, the demo badge, no interval scan;
    with `journal`, a remediation engine (journal there), so apply and undo are offered."""
    source = StaticSource(snapshot)
    remedy = None if journal is None else RemedyEngine(source, journal=Journal(journal))
    app = CiliumTuiApp(source, theme=theme, refresh=0, demo="seed", remedy=remedy)
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
    app.main.query_one(ChecklistPane).select_item(ItemId.BPF_HOST_ROUTING, expand=True)
    await pilot.pause()


async def remediation(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await app.choose_item(ItemId.CONNTRACK_BYPASS)
    await app.settled()
    await pilot.pause()


async def confirm(pilot: Pilot[Any]) -> None:
    await _ask(pilot, "a", ItemId.CONNTRACK_BYPASS)
    await pilot.pause()


async def help_keys(pilot: Pilot[Any]) -> None:
    await _ready(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


CHANGE_TIMEOUT = 120.0
"""How long a scene waits for a change to roll out (the lab restarts an agent in ~1.5 s)."""


async def _wait(pilot: Pilot[Any], ready: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CHANGE_TIMEOUT
    while not ready():
        if loop.time() > deadline:
            raise TimeoutError(f"screenshot scene: no {what} in {CHANGE_TIMEOUT:g} s")
        await pilot.pause(0.02)


async def confirm_dialog(pilot: Pilot[Any]) -> ConfirmDialog:
    """The confirmation dialog, once it is shown (an apply's preflight asks the cluster first)."""
    app = pilot.app
    await _wait(pilot, lambda: isinstance(app.screen, ConfirmDialog), "confirmation dialog")
    dialog = app.screen
    assert isinstance(dialog, ConfirmDialog)
    return dialog


async def _ask(pilot: Pilot[Any], key: str, item_id: str | None = None) -> ConfirmDialog:
    """Press `key` (a: apply `item_id`, selected on the checklist; u: undo the latest change):
    the confirmation dialog it opens."""
    app = await _ready(pilot)
    if item_id is not None:
        await pilot.press("2")
        app.main.query_one(ChecklistPane).select_item(item_id)
        await pilot.pause()
    await pilot.press(key)
    return await confirm_dialog(pilot)


async def _start(pilot: Pilot[Any], key: str, item_id: str | None = None) -> RemediationPane:
    """`_ask`, then answer as a person would (the word typed if the dialog asks for one): the
    change starts rolling out."""
    dialog = await _ask(pilot, key, item_id)
    await pilot.press(*(dialog.require_word or "y"))
    if dialog.require_word:
        await pilot.press("enter")
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    return app.main.query_one(RemediationPane)


async def _change(pilot: Pilot[Any], key: str, item_id: str | None = None) -> None:
    """`_start` the change, then wait until it has rolled out and the cluster was scanned."""
    pane = await _start(pilot, key, item_id)
    await _wait(pilot, lambda: pane.result is not None and not pane.busy, "result")
    await _ready(pilot)


async def rollout(pilot: Pilot[Any]) -> None:
    """The conntrack bypass rolling out: two agents back and checked, the third restarting."""
    pane = await _start(pilot, "a", ItemId.CONNTRACK_BYPASS)

    def third_restarting() -> bool:
        states = [n.state.text for n in pane.rollout.nodes] if pane.rollout else []
        return states[:3] == ["as expected", "as expected", "waiting for Ready"]

    await _wait(pilot, third_restarting, "third agent restarting")


async def verified(pilot: Pilot[Any]) -> None:
    await _change(pilot, "a", ItemId.CONNTRACK_BYPASS)


async def undone(pilot: Pilot[Any]) -> None:
    await _change(pilot, "a", ItemId.CONNTRACK_BYPASS)
    await _change(pilot, "u")


async def journal(pilot: Pilot[Any]) -> None:
    await undone(pilot)
    await pilot.press("j")
    await pilot.pause(0.5)  # the journal is read in a worker


async def training_flip(pilot: Pilot[Any]) -> None:
    """The training lab after native routing, kube-proxy replacement and BPF masquerading: the
    VMs flip to BPF host routing, the boards stay Legacy with the kernel named."""
    for item_id in (
        ItemId.NATIVE_ROUTING,
        ItemId.KUBE_PROXY_REPLACEMENT,
        ItemId.BPF_MASQUERADING,
    ):
        await _change(pilot, "a", item_id)
    app = await _ready(pilot)
    await pilot.press("2")
    app.main.query_one(ChecklistPane).select_item(ItemId.BPF_HOST_ROUTING, expand=True)
    await pilot.pause()


async def lesson(pilot: Pilot[Any]) -> None:
    """The seed lesson on the training lab: the two look steps visited, native routing applied
    and seen on every node by the scan, the next step in full."""
    app = await _ready(pilot)
    await _wait(pilot, lambda: app.lesson_status is not None, "the lesson")
    for step in ("mixed-cluster", "why-legacy"):
        await app.go_to_step(step)
    await _change(pilot, "a", ItemId.NATIVE_ROUTING)

    def native_routing_done() -> bool:
        status = app.lesson_status
        steps = status.steps if status is not None else ()
        return any(s.done for s in steps if s.step.about == ItemId.NATIVE_ROUTING)

    await _wait(pilot, native_routing_done, "native routing done in the lesson")
    await pilot.press("l")
    await pilot.pause(0.5)


SCENES: dict[str, Scene] = {
    "nodes": nodes,
    "node-detail": node_detail,
    "checklist": checklist,
    "remediation": remediation,
    "confirm": confirm,
    "rollout": rollout,
    "verified": verified,
    "undo": undone,
    "journal": journal,
    "training-flip": training_flip,
    "lesson": lesson,
    "help": help_keys,
}

SCENARIOS: dict[str, str] = {
    "nodes": "scale:30",
    "node-detail": "training",
    "training-flip": "training",
    "lesson": "training",
}
"""The lab each scene runs on, when not the seed."""


def pin_timezone() -> None:
    """Render times in UTC, so that the pictures do not depend on where they are made."""
    os.environ["TZ"] = "UTC"
    time.tzset()


async def render(theme: str, scene: str, out: Path) -> Path:
    (out / theme).mkdir(parents=True, exist_ok=True)
    with TemporaryDirectory(prefix="cilium-tui-journal-") as journal:
        scenario = SCENARIOS.get(scene, "seed")
        async with (
            lab_console(theme, Path(journal), scenario) as app,
            app.run_test(size=SIZE) as pilot,
        ):
            await SCENES[scene](pilot)
            await pilot.pause()  # the footer is recomposed after the last focus change
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
