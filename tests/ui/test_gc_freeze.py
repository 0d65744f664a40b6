"""The console command's one `gc.freeze`: after the first scan is on screen, never again."""

from __future__ import annotations

import gc

import pytest

from cilium_tui.model import Snapshot
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
