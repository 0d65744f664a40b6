"""Faults in the middle of a change, injected through the lab's API server: a PATCH applied but
answered late, a journal that turns unwritable after the patch, 429 on DELETE, an API server that
dies mid-rollout, an undo that leaves a node behind. Each is recorded and stated as it is."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cilium_tui.collect.inventory import load_inventory
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.runner import start_lab
from cilium_tui.remedy.engine import AGENT_CHECK, Progress, confirm
from cilium_tui.remedy.engine import confirmation_word as word
from cilium_tui.remedy.journal import JournalError
from cilium_tui.remedy.planner import build_plan
from tests.integration.lab.conftest import FAST
from tests.integration.remedy.conftest import Lab, apply

CLIENT_TIMEOUT = 1.0
"""The client's own timeout here, so that an answer 2 s late is one it gave up on."""


@pytest.fixture
async def training(tmp_path: Path) -> AsyncIterator[Lab]:
    lab = start_lab("training", timing=FAST)
    files = lab.files
    assert files is not None
    kube = await KubeClient.connect(str(files.kubeconfig), timeout=CLIENT_TIMEOUT)
    source = ClusterSource(
        "lab training",
        kube=kube,
        ssh=None,
        inventory=load_inventory(files.inventory),
        owns=lab,
        journal_dir=files.directory / "journal",
    )
    yield Lab(source, tmp_path / "journal")
    await source.close()


def tunnels(lab: Lab) -> dict[str, str | None]:
    """Node -> the tunnel mode its agent started with (1.13's status does not print it)."""
    return {n: c.get("tunnel") for n, c in lab.running.cluster.started_with.items()}


async def test_a_patch_answered_late_is_recorded_as_made(training: Lab) -> None:
    config = training.config()
    plan = build_plan("native-routing", await training.source.scan())

    def late(step: Progress) -> None:  # the cluster is locked: the change's own patch is next
        if step.phase == "journal":
            training.running.answer_late("patch", "configmaps", CLIENT_TIMEOUT + 1)

    result = await apply(training, plan, late)
    assert result.outcome == "stopped", result.message
    assert "was changed, but the server's answer did not come" in result.message
    assert result.undo_offered and result.way_back == f"cilium-tui undo {result.entry_id}"
    assert training.config() != config  # it did land
    entry = training.journal.load(result.entry_id or "")
    assert entry.resource_version_after is not None and not entry.unsettled
    assert entry.restarted == []

    training.running.answer_late("patch", "configmaps", 0)
    undo = await training.engine.undo_plan()
    assert undo.undoes == entry.id and undo.restart is None  # no agent ran the change
    undone = await apply(training, undo)
    assert undone.outcome == "verified", undone.message
    assert training.config() == config


async def test_a_journal_unwritable_after_the_patch_is_reported_not_a_traceback(
    training: Lab,
) -> None:
    config = training.config()
    directory = training.journal.directory
    moved = directory.with_name("moved")

    def break_journal(step: Progress) -> None:
        if step.phase == "patch":  # the intent is on disk; the patch goes out next
            directory.rename(moved)
            directory.write_text("not a directory")

    plan = build_plan("native-routing", await training.source.scan())
    result = await apply(training, plan, break_journal)
    assert result.outcome == "failed"
    assert "cannot create the journal" in result.message
    assert any("journal could not be written" in line for line in result.state)
    assert any(line.startswith("cilium-config: patched") for line in result.state)
    assert result.undo_offered
    assert training.config() != config

    directory.unlink()
    moved.rename(directory)  # the entry on disk: the patch intended, its answer never recorded
    [entry] = training.journal.entries()
    assert entry.unsettled and entry.resource_version_after is None
    undo = await training.engine.undo_plan()
    assert any(
        "was interrupted; the cluster shows: cilium-config: patched" in w for w in undo.warnings
    )
    undone = await apply(training, undo)
    assert undone.outcome == "verified", undone.message
    assert training.config() == config


async def test_429_on_delete_is_retried_with_backoff(training: Lab) -> None:
    training.running.api.access.throttle("delete", "pods", 2)
    before = tunnels(training)
    plan = build_plan("native-routing", await training.source.scan())
    result = await apply(training, plan)
    assert result.outcome == "verified", result.message
    deletes = [r.status for r in training.mutating() if r.method == "DELETE"]
    assert deletes[:3] == [429, 429, 200]
    assert set(tunnels(training).values()) == {"disabled"} != set(before.values())


async def test_a_dead_api_server_is_not_an_agent_that_did_not_come_back(training: Lab) -> None:
    plan = build_plan("native-routing", await training.source.scan())

    def kill_api(step: Progress) -> None:
        if step.phase == "ready" and step.level == "ok":
            training.running.api.stop()

    result = await apply(training, plan, kill_api)
    assert result.outcome == "failed"
    assert "the API server failed while" in result.message
    assert "did not come back" not in result.message
    assert any("where the cluster stands is not known" in line for line in result.state)
    assert result.undo_offered


async def test_an_undo_that_leaves_a_node_behind_fails_its_verification(training: Lab) -> None:
    config = training.config()
    before = tunnels(training)
    plan = build_plan("native-routing", await training.source.scan())
    done = await apply(training, plan)
    assert done.outcome == "verified", done.message
    undo = await training.engine.undo_plan()
    assert undo.restart is not None
    skipped = undo.restart.nodes[-1]
    batches = tuple(b for b in undo.restart.batches if skipped not in b)
    partial = dataclasses.replace(undo, restart=dataclasses.replace(undo.restart, batches=batches))
    result = await apply(training, partial)
    assert result.outcome == "mismatch", result.message
    assert result.verification is not None
    [left] = [c for c in result.verification.checks if not c.ok]
    assert (left.node, left.item_id) == (skipped, AGENT_CHECK)
    assert tunnels(training)[skipped] == "disabled"  # it does still run the change
    # The way back is the original's undo again, never the undo of this undo.
    assert result.way_back == f"cilium-tui undo {done.entry_id}"
    assert training.journal.load(done.entry_id or "").undone_by is None
    with pytest.raises(JournalError, match="an undo is not undone"):
        await training.engine.undo_plan(result.entry_id)

    again = await training.engine.undo_plan(done.entry_id)
    assert again.restart is not None and again.restart.nodes == (skipped,)
    finished = await apply(training, again)
    assert finished.outcome == "verified", finished.message
    assert tunnels(training) == before and training.config() == config


async def test_two_runs_at_once_do_not_overlap(training: Lab, tmp_path: Path) -> None:
    from cilium_tui.remedy.engine import RemedyEngine
    from cilium_tui.remedy.lock import LOCK_ANNOTATION

    files = training.running.files
    assert files is not None
    kube = await KubeClient.connect(str(files.kubeconfig))
    other = ClusterSource("other laptop", kube=kube, ssh=None, inventory=training.source.inventory)
    try:
        second = Lab(other, tmp_path / "other-journal")
        training.running.answer_late("delete", "pods", 0.3)  # a rollout that takes a while
        plan = build_plan("native-routing", await training.source.scan())
        started = asyncio.Event()

        def progress(step: Progress) -> None:
            if step.phase == "restart":
                started.set()

        first = asyncio.ensure_future(apply(training, plan, progress))
        await asyncio.wait_for(started.wait(), 30)
        theirs = build_plan("hubble", await other.scan())
        refused = await second.engine.apply(theirs, confirm(theirs, typed=word(theirs)))
        assert refused.outcome == "busy"
        assert "another cilium-tui run" in refused.message and "pid" in refused.message
        assert second.journal.entries() == []  # nothing was journalled, nothing changed
        done = await first
        assert done.outcome == "verified", done.message
        annotations = training.running.api.store.find("configmaps", "kube-system", "cilium-config")
        assert LOCK_ANNOTATION not in (annotations or {})["metadata"].get("annotations", {})
        theirs = build_plan("hubble", await other.scan())  # the lock is gone: it may run now
        assert isinstance(second.engine, RemedyEngine)
        again = await second.engine.apply(theirs, confirm(theirs, typed=word(theirs)))
        assert again.outcome == "verified", again.message
    finally:
        await other.close()


async def test_undo_names_a_third_party_edit_of_the_same_keys(training: Lab) -> None:
    plan = build_plan("native-routing", await training.source.scan())
    done = await apply(training, plan)
    assert done.outcome == "verified", done.message
    kube = training.source.kube
    assert kube is not None
    current = await kube.get_configmap("kube-system", "cilium-config")
    rv = current["metadata"]["resourceVersion"]
    await kube.patch_configmap_data("kube-system", "cilium-config", {"tunnel": "geneve"}, rv)
    undo = await training.engine.undo_plan()
    [warning] = [w for w in undo.warnings if "someone else" in w]
    assert "tunnel" in warning and "'geneve'" in warning and "'disabled'" in warning
    assert "drops that edit" in warning
