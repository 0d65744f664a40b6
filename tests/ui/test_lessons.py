"""The Lessons view on the training lab: the seed lesson walked to its end through keys alone,
each step done only once the scan shows it, then undone back to the start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lessons import LessonStatus
from cilium_tui.lessons.progress import store_for
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.engine import cluster_identity
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.lessons import LessonsScreen
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.screens.detail import NodeDetailScreen
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import (
    confirm_and_wait,
    console_on_lab,
    pane,
    press_preview,
    settle,
    shown,
)

SIZE = (160, 45)
NODES = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3", "rock64-1", "rock64-2", "rock64-3")


def status(app: CiliumTuiApp) -> LessonStatus:
    assert app.lesson_status is not None
    return app.lesson_status


def done(app: CiliumTuiApp, step_id: str) -> bool:
    return status(app).of(step_id).done


async def go_to_current(pilot: Pilot[Any]) -> str:
    """l, then enter on the step the Lessons view highlights (the current one)."""
    app = pilot.app
    assert isinstance(app, CiliumTuiApp)
    await pilot.press("l")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LessonsScreen)
    step_id = screen.highlighted
    assert step_id is not None and step_id == status(app).current.step.id  # type: ignore[union-attr]
    await pilot.press("enter")
    await settle(pilot)
    return step_id


async def test_the_seed_lesson_walked_and_undone_through_keys(
    training: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(training, tmp_path, plan_options=PlanOptions(batch_size=3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert status(app).lesson.name == "seed", "--demo=training starts the seed lesson"
        assert status(app).done_ids == ()
        await press_preview(pilot, "bpf-masquerading")
        assert "Do step 4 (Kube-proxy replacement) first" in shown(app, "status"), "refused"

        assert await go_to_current(pilot) == "mixed-cluster"
        assert done(app, "mixed-cluster")
        assert await go_to_current(pilot) == "why-legacy"
        assert isinstance(app.screen, NodeDetailScreen) and app.screen.node == "rock64-1"
        await pilot.press("escape")

        for step_id in (
            "native-routing",
            "kube-proxy-replacement",
            "bpf-masquerading",
            "conntrack-bypass",
            "bandwidth-manager",
            "bbr",
        ):
            if status(app).current.step.id == "host-routing-flip":  # type: ignore[union-attr]
                assert await go_to_current(pilot) == "host-routing-flip"
            assert await go_to_current(pilot) == step_id
            assert not done(app, step_id)
            step = status(app).of(step_id).step
            assert step.about is not None
            if step.look.screen == "checklist":  # the step's item is highlighted there
                assert app.main.query_one(ChecklistPane).selected_item_id == step.about
            else:
                assert (app.main.tabs.active, pane(app).item_id) == ("remediation", step.about)
            await pilot.press("a")
            await confirm_and_wait(pilot, "lab-training")
            result = pane(app).result
            assert result is not None and result.outcome == "verified", (step_id, result.message)
            assert done(app, step_id), step_id
            current = status(app).current
            assert current is not None
            assert f"Next: step {current.number} ({current.step.title})" in shown(app, "status")

        assert status(app).current.step.id == "undo-all"  # type: ignore[union-attr]
        while not done(app, "undo-all"):
            await pilot.press("3", "u")
            await confirm_and_wait(pilot, "lab-training")
            result = pane(app).result
            assert result is not None and result.outcome == "verified", result.message
        walked = ("native-routing", "kube-proxy-replacement", "bpf-masquerading", "bbr")
        assert not any(done(app, s) for s in walked), "the cluster is back at the start"
        table = app.main.query_one(NodeTable)
        assert {table.cell(n, "host_routing").text for n in NODES} == {"Legacy"}
        kept = store_for(training).load(await cluster_identity(training)).of("seed")
        assert {"mixed-cluster", "why-legacy"} <= kept.visited
        assert {*walked, "undo-all"} <= kept.reached, "progress is kept for this cluster"
