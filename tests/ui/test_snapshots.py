"""The look of the nodes screen, the checklist, the remediation preview and help, guarded by SVG
snapshots at 80x24 and 120x36 (the screenshots' size).

The scenes are the screenshot generator's (`cilium_tui.ui.screenshots`), on a scan of the lab's
seed. Accept an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update` and
review the SVG diff. `snap_compare` runs its own event loop, so these are plain `def` tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cilium_tui.model import Snapshot
from cilium_tui.ui.screenshots import SCENES, SIZE, pin_timezone, screenshot_app

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The title bar shows the scan time in local time; the baselines are in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    pin_timezone()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", ["nodes", "checklist", "remediation"])
def test_screen_looks_the_same(
    snap_compare: SnapCompare, seed: Snapshot, tmp_path: Path, scene: str, size: tuple[int, int]
) -> None:
    """At 80x24 and 120x36: the checklist's counts whole (BPF host routing: 3 on, 3 blocked),
    the footer's hints whole, apply and undo among them."""
    app = screenshot_app(seed, "cilium", journal=tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=SCENES[scene])


def test_help_looks_the_same(snap_compare: SnapCompare, seed: Snapshot) -> None:
    app = screenshot_app(seed, "cilium")
    assert snap_compare(app, terminal_size=SIZE, run_before=SCENES["help"])


def test_light_theme_nodes_screen(snap_compare: SnapCompare, seed: Snapshot) -> None:
    app = screenshot_app(seed, "cilium-light")
    assert snap_compare(app, terminal_size=SIZE, run_before=SCENES["nodes"])
