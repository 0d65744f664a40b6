"""Plans as journalled data, the journal on disk, confirmation tokens and undo plans."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from cilium_tui.checks.types import State
from cilium_tui.remedy.engine import ConfirmationError, confirm, confirmation_word
from cilium_tui.remedy.journal import Journal, JournalError, default_directory
from cilium_tui.remedy.plan import KeyChange, PlanFormatError, plan_from_dict
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.undo import undo_plan
from tests.unit.remedy.lab_snapshot import lab_snapshot


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("scenario", "item_id"),
    [
        ("seed", "bypass-iptables-conntrack"),
        ("seed", "bbr"),
        ("seed", "cpu-governor"),
        ("seed", "kernel"),
        ("training", "native-routing"),
        ("modern", "netkit"),
    ],
)
def test_plans_read_back_exactly(scenario: str, item_id: str) -> None:
    plan = build_plan(item_id, lab_snapshot(scenario))
    again = plan_from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    assert again.digest == plan.digest and again.basis is None


def test_a_broken_plan_is_a_format_error() -> None:
    doc = build_plan("hubble", lab_snapshot("seed")).to_dict()
    with pytest.raises(PlanFormatError):
        plan_from_dict({**doc, "kind": "teleport"})
    with pytest.raises(PlanFormatError):
        plan_from_dict({**doc, "changes": "all of them"})


def test_the_digest_follows_what_would_change() -> None:
    seed = lab_snapshot("seed")
    plan = build_plan("hubble", seed)
    other_data = build_plan("hubble", lab_snapshot("seed", {"debug": "true"}))
    assert plan.digest == build_plan("hubble", lab_snapshot("seed")).digest
    moved = replace(plan, cluster=replace(plan.cluster, resource_version="4712"))
    assert moved.digest != plan.digest
    assert other_data.digest == plan.digest  # same change, same resourceVersion


def test_confirmation_is_for_one_plan_and_needs_the_context_for_restarts() -> None:
    plan = build_plan("hubble", lab_snapshot("seed"))
    assert confirmation_word(plan) == "lab-seed"
    with pytest.raises(ConfirmationError, match="lab-seed"):
        confirm(plan)
    with pytest.raises(ConfirmationError):
        confirm(plan, typed="lab-sed")
    assert confirm(plan, typed="lab-seed").digest == plan.digest
    governor = build_plan("cpu-governor", lab_snapshot("seed"))
    assert confirmation_word(governor) is None  # no agent restarts: y/N is enough
    assert confirm(governor).digest == governor.digest
    with pytest.raises(ConfirmationError, match="refused"):
        confirm(build_plan("bbr", lab_snapshot("seed")))


def test_journal_files_are_private(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal")
    plan = build_plan("hubble", lab_snapshot("seed"))
    entry = journal.new_entry(plan, {"enable-hubble": "true"})
    assert mode(journal.directory) == 0o700
    path = journal.directory / f"{entry.id}.json"
    assert mode(path) == 0o600
    assert not [p for p in journal.directory.iterdir() if p.name.startswith(".")]
    loaded = journal.load(entry.id)
    assert loaded.to_dict() == entry.to_dict()
    assert loaded.status == "started" and loaded.user.count("@") == 1
    assert loaded.load_plan() == plan
    with pytest.raises(JournalError, match="not a journal entry id"):
        journal.load("../../etc/passwd")
    with pytest.raises(JournalError, match="no journal entry"):
        journal.load("20260101T000000Z-hubble-abcd")


def test_journal_lists_newest_first_and_finds_the_latest_undoable(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    plan = build_plan("hubble", lab_snapshot("seed"))
    first = journal.new_entry(plan, {})
    first.resource_version_after = "5000"
    journal.save(first)
    second = journal.new_entry(plan, {})  # nothing mutated (e.g. a conflict)
    second.status = "conflict"
    journal.save(second)
    (tmp_path / "garbage.json").write_text("{")
    assert [e.id for e in journal.entries()] == [second.id, first.id]
    latest = journal.latest_undoable()
    assert latest is not None and latest.id == first.id


def test_default_directory_follows_xdg() -> None:
    assert default_directory({"XDG_STATE_HOME": "/s"}) == Path("/s/cilium-tui/journal")
    assert default_directory({}).parts[-4:] == (".local", "state", "cilium-tui", "journal")


def test_undo_plan_restores_exactly(tmp_path: Path) -> None:
    seed = lab_snapshot("seed", {"enable-bbr": "maybe"})
    plan = build_plan("hubble", seed)
    plan = replace(
        plan,
        changes=(
            *plan.changes,
            KeyChange("enable-bbr", "maybe", None),
            KeyChange("brand-new", None, " spaced "),
        ),
    )
    entry = Journal(tmp_path).new_entry(plan, {c.key: c.old for c in plan.changes})
    entry.resource_version_after = "4800"
    entry.restarted = ["rock64-1", "rock64-2"]
    undo = undo_plan(entry)
    assert {(c.key, c.old, c.new) for c in undo.changes} == {
        ("enable-hubble", "false", "true"),
        ("enable-bbr", None, "maybe"),
        ("brand-new", " spaced ", None),
    }
    assert undo.cluster.resource_version == "4800"
    assert undo.restart is not None and undo.restart.batches == (("rock64-1",), ("rock64-2",))
    assert undo.undoes == entry.id and undo.applicable
    assert {e.states for e in undo.expectations} == {(State.ON,)}  # Hubble on, as before


def test_undo_of_node_steps_expects_what_was_there(tmp_path: Path) -> None:
    plan = build_plan("cpu-governor", lab_snapshot("seed"))
    entry = Journal(tmp_path).new_entry(plan, {})
    entry.node_before = {"rock64-3": [["schedutil"] * 4], "rock64-1": [["ondemand"] * 4]}
    entry.steps_done = [["rock64-1", 0], ["rock64-3", 0]]
    undo = undo_plan(entry)
    assert [s.node for s in undo.node_steps] == ["rock64-3", "rock64-1"]  # reverse order
    step = undo.node_steps[0]
    assert step.before == ("performance",) * 4
    assert step.change.expect == ("schedutil",) * 4
    assert [c.input for c in step.change.apply] == ["schedutil\n"] * 4
    assert undo.restart is None and not undo.changes


def test_nothing_to_undo(tmp_path: Path) -> None:
    entry = Journal(tmp_path).new_entry(build_plan("hubble", lab_snapshot("seed")), {})
    with pytest.raises(JournalError, match="changed nothing"):
        undo_plan(entry)
    entry.resource_version_after = "1"
    entry.undone_by = "20260101T000000Z-hubble-abcd"
    with pytest.raises(JournalError, match="already undone"):
        undo_plan(entry)
