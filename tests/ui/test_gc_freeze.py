"""The console command's one `gc.freeze`: after the first scan is on screen, never again."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from cilium_tui.model import Snapshot
from cilium_tui.ui.app import FILL_FULL_GC
from tests.ui.factories import with_kernel, with_node
from tests.ui.support import ScriptedSource, make_app, settle


@pytest.mark.parametrize("freeze_gc", [True, False])
async def test_freezes_once_when_the_first_scan_is_shown(
    seed: Snapshot, freeze_gc: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[object] = []  # counted, not done: a freeze here would last the test session
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(app.cluster))
    upgraded = with_node(seed, "rock64-2", lambda r: with_kernel(r, "4.19.0-26-arm64"))
    source = ScriptedSource(seed, upgraded)
    app = make_app(source, freeze_gc=freeze_gc)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.cluster is not None and app.cluster.snapshot is seed
        assert frozen == ([app.cluster] if freeze_gc else []), "once the scan is judged, shown"
        await pilot.press("r")
        await settle(pilot)
        assert source.scans == 2 and app.cluster.snapshot is upgraded
        assert len(frozen) == (1 if freeze_gc else 0), "refreshes do not freeze again"


class WatchedSource(ScriptedSource):
    """Notes the collector's thresholds while it scans."""

    def __init__(self, *snapshots: Snapshot) -> None:
        super().__init__(*snapshots)
        self.thresholds: list[tuple[int, int, int]] = []

    async def scan(self, *args: Any, **kwargs: Any) -> Snapshot:
        self.thresholds.append(gc.get_threshold())
        return await super().scan(*args, **kwargs)


async def test_no_full_collection_while_the_first_scan_fills_the_table_one_before_the_freeze(
    seed: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted: full passes wait during the first scan (they held the loop 0.1-0.7 s each at
    1000 nodes), one collection runs just before the freeze, and the thresholds come back."""
    events: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: events.append("freeze"))
    monkeypatch.setattr(gc, "collect", lambda *_: events.append("collect") or 0)
    before = gc.get_threshold()
    source = WatchedSource(seed, seed)
    app = make_app(source, freeze_gc=True)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert source.thresholds == [(*before[:2], FILL_FULL_GC)], "no full pass while filling"
        assert events == ["collect", "freeze"]
        assert gc.get_threshold() == before
        await pilot.press("r")
        await settle(pilot)
        assert source.thresholds[1] == before, "refreshes scan with the collector as it was"
        assert events == ["collect", "freeze"]
    assert gc.get_threshold() == before
