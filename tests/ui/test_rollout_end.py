"""The remediation pane while a change rolls out and right after, on the running lab: the rollout
is in view and said in the preview's title; the finished plan is never offered again, and the
next one is built from the scan that follows the change."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.journal import Journal
from cilium_tui.remedy.plan import Plan
from cilium_tui.remedy.planner import build_plan
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes import remediation
from cilium_tui.ui.screens.main import MainScreen
from tests.ui.support import (
    DEADLINE,
    confirm_dialog,
    confirm_until_result,
    console_on_lab,
    pane,
    press_apply,
    settle,
    shown,
    until,
)

SIZE = (160, 45)
BYPASS = "bypass-iptables-conntrack"
READY = "READY · can be applied"


def status_in_view(app: CiliumTuiApp) -> bool:
    scroll = app.main.query_one("#remediation-scroll", VerticalScroll)
    top = app.main.query_one("#remediation-status", Static).virtual_region.y
    return scroll.scroll_y <= top < scroll.scroll_y + scroll.scrollable_content_region.height


async def apply_bypass(pilot: Pilot[Any], app: CiliumTuiApp) -> Plan:
    """Apply the conntrack bypass from the checklist and wait for its result: its plan."""
    await settle(pilot)
    await press_apply(pilot, BYPASS)
    finished = pane(app).plan
    assert finished is not None and finished.status == "ready"
    await confirm_until_result(pilot, "lab-seed")
    return finished


async def test_a_right_after_a_rollout_offers_nothing_and_r_rebuilds_the_plan(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(seed_lab, tmp_path, plan_options=PlanOptions(batch_size=3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        finished = await apply_bypass(pilot, app)
        assert pane(app).stale, "pressed before the scan that follows the change"
        assert READY not in shown(app)
        assert "VERIFIED · done; rebuilt from the next scan" in shown(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen), "the finished plan is not offered again"
        assert "Result  VERIFIED" in shown(app, "status"), "the result stays"

        await pilot.press("r")
        await settle(pilot)
        plan = pane(app).plan
        assert plan is not None and plan is not finished and plan.status == "nothing"
        assert plan.cluster.resource_version != finished.cluster.resource_version
        assert "NOTHING TO DO" in shown(app) and "Result  VERIFIED" in shown(app, "status")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert len(Journal(tmp_path).entries()) == 1, "no entry for what was not applied"


async def test_applying_from_the_end_of_the_preview_shows_the_rollout(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await app.choose_item(BYPASS)
        await settle(pilot)
        app.main.query_one("#remediation-scroll", VerticalScroll).scroll_end(animate=False)
        await pilot.pause()
        assert not status_in_view(app) and READY in shown(app)
        await pilot.press("a")
        dialog = await confirm_dialog(pilot)
        await pilot.press(*dialog.require_word or "y", "enter")
        await until(pilot, lambda: pane(app).rolling_out, "rollout")
        await pilot.pause()
        assert READY not in shown(app)
        assert "APPLYING · rollout in progress, above" in shown(app)
        assert status_in_view(app), "the rollout is in view"
        await until(pilot, lambda: pane(app).result is not None and not pane(app).busy, "result")
        await settle(pilot)
        assert status_in_view(app)
        assert "Result  VERIFIED" in shown(app, "status") and "NOTHING TO DO" in shown(app)


async def test_a_pressed_before_the_preview_is_rebuilt_never_applies_the_finished_plan(
    seed_lab: ClusterSource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan after the change is in, the new plan is still being built (held here): `a` then
    builds it afresh instead of applying the finished plan a second time."""
    app = console_on_lab(seed_lab, tmp_path, plan_options=PlanOptions(batch_size=3))
    held = threading.Event()
    held.set()

    def build_when_let(*args: Any, **kwargs: Any) -> Plan:
        assert held.wait(DEADLINE), "the plan was held too long"
        return build_plan(*args, **kwargs)

    monkeypatch.setattr(remediation, "build_plan", build_when_let)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        finished = await apply_bypass(pilot, app)
        held.clear()  # plans built from now on wait
        await until(pilot, lambda: not pane(app).stale, "the scan after the change")
        assert pane(app).plan is finished, "the preview is not rebuilt yet"
        await pilot.press("a")
        await pilot.pause()
        held.set()
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), "the finished plan is not offered again"
        plan = pane(app).plan
        assert plan is not None and plan is not finished and plan.status == "nothing"
        assert len(Journal(tmp_path).entries()) == 1, "no entry for what was not applied"
