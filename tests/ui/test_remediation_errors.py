"""A remediation worker that fails (a planner bug, an error nobody turned into a result) is said
in the pane, the log and a toast, never left as "Building the plan…" or raised at the user."""

from __future__ import annotations

from pathlib import Path

import pytest

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.remedy.plan import Plan
from cilium_tui.ui.activity import Level
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes import remediation
from tests.ui.support import console_on_lab, make_app, pane, press_apply, settle, shown, until

SIZE = (160, 45)
BYPASS = "bypass-iptables-conntrack"
BUG = "planner bug [/x]"
"""Bracketed like markup on purpose: the message must be shown as it is."""


@pytest.fixture
def broken_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    def build_plan(*args: object, **kw: object) -> Plan:
        raise RuntimeError(BUG)

    monkeypatch.setattr(remediation, "build_plan", build_plan)


def errors(app: CiliumTuiApp) -> list[str]:
    return [entry.text for entry in app.activity if entry.level is Level.ERROR]


def toasts(app: CiliumTuiApp) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query("Toast")]


@pytest.mark.usefixtures("broken_planner")
async def test_a_plan_that_cannot_be_built_is_said_not_left_building() -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await app.choose_item(BYPASS)
        await settle(pilot)  # no WorkerFailed out of here either
        await pilot.pause()
        said = f"{BYPASS}: building the plan failed: RuntimeError: {BUG}"
        assert said in shown(app, "status")
        assert f"No plan of {BYPASS} to preview." in shown(app)
        assert "Building the plan" not in shown(app)
        assert errors(app) == [said]
        assert any(BUG in toast for toast in toasts(app)), "a toast, its text as it is"
        assert app.is_running


@pytest.mark.usefixtures("broken_planner")
async def test_an_apply_whose_plan_fails_says_so_and_changes_nothing(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, BYPASS)
        await until(pilot, lambda: len(errors(app)) == 2, "both failures reported")
        assert f"{BYPASS}: the change failed: RuntimeError: {BUG}" in errors(app)
        assert not pane(app).busy
        assert app.is_running
