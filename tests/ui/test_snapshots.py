"""The look of the nodes screen, the checklist and help, guarded by SVG snapshots.

The scenes are the screenshot generator's (`cilium_tui.ui.screenshots`), on the seed fixture.
Accept an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update` and review
the SVG diff. `snap_compare` runs its own event loop, so these are plain `def` tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cilium_tui.ui.screenshots import SCENES, SIZE, screenshot_app

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("scene", ["nodes", "checklist", "help"])
def test_screen_looks_the_same(snap_compare: SnapCompare, scene: str) -> None:
    assert snap_compare(screenshot_app("cilium"), terminal_size=SIZE, run_before=SCENES[scene])


def test_light_theme_nodes_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        screenshot_app("cilium-light"), terminal_size=SIZE, run_before=SCENES["nodes"]
    )
