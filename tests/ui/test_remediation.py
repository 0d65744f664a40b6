"""The remediation pane on the running lab: preview, confirm, apply, verify, undo, journal, and the
ways an apply does not happen (cancel, refusal, RBAC, read-only) or does not go through (409)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Static

from cilium_tui.checks.types import State
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.journal import Journal
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.screens.detail import NodeDetailScreen
from cilium_tui.ui.screens.journal import JournalScreen
from cilium_tui.ui.screens.main import MainScreen
from tests.integration.lab.conftest import running
from tests.ui.support import (
    confirm_and_wait,
    confirm_dialog,
    console_on_lab,
    pane,
    plain,
    press_apply,
    settle,
    shown,
    until,
)

SIZE = (160, 45)
BOARDS = ("rock64-1", "rock64-2", "rock64-3")
BYPASS = "bypass-iptables-conntrack"
THREE = PlanOptions(batch_size=3)
"""Three agents at a time, where the test is not about the pace of the rollout."""
DEADLINE = 60.0


async def test_seed_conntrack_bypass_applied_verified_and_undone_byte_for_byte(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    before = lab.cluster.config()
    app = console_on_lab(seed_lab, tmp_path, plan_options=THREE)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, BYPASS)
        assert app.main.tabs.active == "remediation", "the preview is shown behind the dialog"
        await confirm_and_wait(pilot, "lab-seed")
        result = pane(app).result
        assert result is not None and result.outcome == "verified", result.message
        status = shown(app, "status")
        assert "Result  VERIFIED" in status and "Press u to undo this change." in status
        assert "Rollout  " in status and "as expected" in status
        assert lab.cluster.config()["install-no-conntrack-iptables-rules"] == "true"
        assert app.cluster is not None
        rollup = app.cluster.judgement.rollup(BYPASS)
        assert rollup is not None
        assert {f.node for f in rollup.findings if f.state is State.ON} == set(BOARDS)

        await pilot.press("u")
        await pilot.pause()
        assert "Undoes journal entry" in shown(app)
        await confirm_and_wait(pilot, "lab-seed")
        undone = pane(app).result
        assert undone is not None and undone.outcome == "verified", undone.message
    assert lab.cluster.config() == before, "cilium-config back byte for byte"
    entries = Journal(tmp_path).entries()
    assert [e.status for e in entries] == ["verified", "verified"]
    assert entries[1].undone_by == entries[0].id


async def test_an_undo_that_drops_someone_elses_edit_says_so_in_its_dialog(
    training: ClusterSource, tmp_path: Path
) -> None:
    """Native routing applied, then someone sets `tunnel: geneve`: the undo's confirmation
    repeats the preview's warning that it drops that edit (the decision is made there)."""
    lab = running(training)
    app = console_on_lab(training, tmp_path, plan_options=THREE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_apply(pilot, "native-routing")
        await confirm_and_wait(pilot, "lab-training")
        kube = training.kube
        assert kube is not None
        cm = await kube.get_configmap("kube-system", "cilium-config")
        rv = cm["metadata"]["resourceVersion"]
        await kube.patch_configmap_data("kube-system", "cilium-config", {"tunnel": "geneve"}, rv)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("u")
        dialog = await confirm_dialog(pilot)
        body = plain(dialog.query_one("#confirm-body", Static), width=400)
        assert "Warning: cilium-config tunnel was changed by someone else" in body, body
        assert "drops that edit" in body
        await pilot.press("escape")
    assert lab.cluster.config()["tunnel"] == "geneve", "cancelled: nothing undone"


async def test_a_refused_plan_says_why_and_applies_nothing(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    lab.api.requests.clear()
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, "bpf-host-routing")
        await until(pilot, lambda: pane(app).plan is not None, "plan")
        await settle(pilot)
        text = shown(app)
        assert "REFUSED · nothing will be applied" in text
        assert "Refused" in text and "host routing stays Legacy" in text
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("the plan is refused: nothing to apply" in e.text for e in app.activity)
    assert lab.api.requests.mutating() == []


async def test_cancel_leaves_the_lab_untouched(seed_lab: ClusterSource, tmp_path: Path) -> None:
    lab = running(seed_lab)
    lab.api.requests.clear()
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_apply(pilot, BYPASS)
        await confirm_dialog(pilot)
        await pilot.press("enter")  # a reflexive Enter: Cancel is focused
        await until(pilot, lambda: not pane(app).busy, "the end of the flow")
        assert isinstance(app.screen, MainScreen)
        assert app.activity[-1].text == f"apply {BYPASS}: cancelled; nothing was changed"
    assert lab.api.requests.mutating() == [], "not a single mutating request"
    assert Journal(tmp_path).entries() == []


async def test_missing_rights_are_said_before_anything_changes(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    lab.api.access.deny("patch", "configmaps", namespace="kube-system")
    lab.api.requests.clear()
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, BYPASS)
        await until(pilot, lambda: pane(app).problem is not None, "preflight problem")
        status = shown(app, "status")
        assert "Cannot apply: nothing was changed" in status
        assert "may not patch configmaps in namespace kube-system" in status
        assert not isinstance(app.screen, ConfirmDialog)
    assert lab.api.requests.mutating() == []


async def test_a_conflict_shows_the_plan_against_the_cluster_as_it_is_now(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, BYPASS)
        dialog = await confirm_dialog(pilot)

        def edit(obj: dict[str, Any]) -> dict[str, Any]:
            obj["data"]["debug"] = "true"  # someone else changes cilium-config meanwhile
            return obj

        lab.api.store.update("configmaps", "kube-system", "cilium-config", edit)
        assert dialog.require_word is not None
        await pilot.press(*dialog.require_word, "enter")
        await until(pilot, lambda: pane(app).result is not None and not pane(app).busy, "result")
        result = pane(app).result
        assert result is not None and result.outcome == "conflict"
        assert "Result  CONFLICT" in shown(app, "status")
        assert "The cluster changed since the preview" in shown(app, "status")
        plan = pane(app).plan
        assert plan is not None and result.replan is plan, "the new plan is previewed"
        assert f"resourceVersion {plan.cluster.resource_version}" in shown(app)
    assert lab.cluster.config()["install-no-conntrack-iptables-rules"] == "false"


async def test_read_only_offers_no_apply_and_no_undo(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    lab.api.requests.clear()
    app = console_on_lab(seed_lab, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.remedy is None, "no engine at all in read-only mode"
        await app.choose_item(BYPASS)
        await settle(pilot)
        assert "READY" in shown(app), "the preview is still there to read"
        enabled = {b.action for (_, b, on, _) in app.active_bindings.values() if on}
        assert not enabled & CiliumTuiApp.MUTATING_ACTIONS
        await pilot.press("a", "u")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        enabled = {b.action for (_, b, on, _) in app.active_bindings.values() if on}
        assert "undo" not in enabled
    assert lab.api.requests.mutating() == []


async def test_the_journal_lists_changes_and_undoes_the_highlighted_one(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    hosts = {name: list(h.governors or []) for name, h in lab.cluster.hosts.items()}
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, "cpu-governor")
        await confirm_and_wait(pilot, None)  # commands over SSH only: y confirms
        result = pane(app).result
        assert result is not None and result.outcome == "verified", result.message
        assert lab.cluster.hosts["rock64-1"].governors == ["performance"] * 4
        await pilot.press("j")
        await until(pilot, lambda: bool(getattr(app.screen, "entries", None)), "entries")
        journal = app.screen
        assert isinstance(journal, JournalScreen)
        assert [e.item_id for e in journal.entries] == ["cpu-governor"]
        assert "Undoable: press u." in plain(journal.query_one("#journal-events", Static))
        await pilot.press("u")
        await confirm_and_wait(pilot, None)
        undone = pane(app).result
        assert undone is not None and undone.outcome == "verified", undone.message
    assert {name: list(h.governors or []) for name, h in lab.cluster.hosts.items()} == hosts


async def test_the_journal_does_not_offer_undo_of_another_clusters_change(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_apply(pilot, "cpu-governor")
        await confirm_and_wait(pilot, None)
        (path,) = app.journal.directory.glob("*.json")
        entry = json.loads(path.read_text())
        entry["cluster"]["configUid"] = "another-cluster"  # same URL and context, another cluster
        path.write_text(json.dumps(entry))
        await pilot.press("j")
        await until(pilot, lambda: bool(getattr(app.screen, "entries", None)), "entries")
        events = plain(app.screen.query_one("#journal-events", Static))
        assert "Not undoable here" in events and "is not for this cluster" in events
        assert "Undoable: press" not in events


async def test_a_node_detail_remediates_on_that_node_only(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_node("rock64-2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NodeDetailScreen)
        await pilot.click("#--content-tab-detail-findings")
        await pilot.pause()
        findings = [f.item_id for f in app.cluster.judgement.findings("rock64-2")]  # type: ignore[union-attr]
        screen.query_one("#findings DataTable").move_cursor(row=findings.index("cpu-governor"))  # type: ignore[attr-defined]
        await pilot.press("p")
        await until(pilot, lambda: pane(app).plan is not None, "plan")
        assert isinstance(app.screen, MainScreen) and app.main.tabs.active == "remediation"
        plan = pane(app).plan
        assert plan is not None and plan.targets == ("rock64-2",)
        assert {s.node for s in plan.node_steps} == {"rock64-2"}


async def test_a_stopped_rollout_offers_undo(seed_lab: ClusterSource, tmp_path: Path) -> None:
    lab = running(seed_lab)
    before = lab.cluster.config()
    app = console_on_lab(seed_lab, tmp_path, ready_timeout=1.5)  # the lab's agents need ~0.2 s
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await press_apply(pilot, BYPASS)
        await confirm_dialog(pilot)
        # rock64-2's next agent will not come up: the rollout must stop there.
        lab.api.knobs.unready_nodes.add("rock64-2")
        await confirm_and_wait(pilot, "lab-seed")
        result = pane(app).result
        assert result is not None and result.outcome == "stopped", result.message
        assert result.undo_offered
        status = shown(app, "status")
        assert "Result  STOPPED" in status and "Press u to undo this change." in status
        rollout = pane(app).rollout
        assert rollout is not None
        states = {n.node: n.state.text for n in rollout.nodes}
        assert (states["rock64-1"], states["rock64-2"], states["rock64-3"]) == (
            "as expected",
            "stopped",
            "waiting",
        )
        lab.api.set_agent_unready("rock64-2", unready=False)
        await pilot.press("u")
        await confirm_and_wait(pilot, "lab-seed")
        undone = pane(app).result
        assert undone is not None and undone.outcome == "verified", undone.message
    assert lab.cluster.config() == before
