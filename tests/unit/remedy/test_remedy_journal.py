"""Plans as journalled data, the journal on disk, confirmation tokens and undo plans."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from cilium_tui.checks.types import State
from cilium_tui.remedy.engine import ConfirmationError, confirm, confirmation_word
from cilium_tui.remedy.journal import (
    ClusterIdentity,
    Journal,
    JournalEntry,
    JournalError,
    default_directory,
)
from cilium_tui.remedy.plan import KeyChange, Outcome, PlanFormatError, plan_from_dict
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.preview import render_text
from cilium_tui.remedy.undo import undo_plan
from tests.unit.remedy.lab_snapshot import lab_snapshot

SEED = ClusterIdentity("https://127.0.0.1:6443", "lab-seed", "uid-of-cilium-config")
"""The cluster the seed snapshots were read from."""


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
        confirm(build_plan("xdp-acceleration", lab_snapshot("seed")))


def test_journal_files_are_private(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal")
    plan = build_plan("hubble", lab_snapshot("seed"))
    entry = journal.new_entry(plan, {"enable-hubble": "true"}, SEED)
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
    first = journal.new_entry(plan, {}, SEED)
    first.resource_version_after = "5000"
    journal.save(first)
    second = journal.new_entry(plan, {}, SEED)  # nothing mutated (e.g. a conflict)
    second.status = "conflict"
    journal.save(second)
    (tmp_path / "garbage.json").write_text("{")
    assert [e.id for e in journal.entries()] == [second.id, first.id]
    latest = journal.latest_undoable(SEED)
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
    entry = Journal(tmp_path).new_entry(plan, {c.key: c.old for c in plan.changes}, SEED)
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
    entry = Journal(tmp_path).new_entry(plan, {}, SEED)
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
    entry = Journal(tmp_path).new_entry(build_plan("hubble", lab_snapshot("seed")), {}, SEED)
    with pytest.raises(JournalError, match="changed nothing"):
        undo_plan(entry)
    entry.resource_version_after = "1"
    entry.undone_by = "20260101T000000Z-hubble-abcd"
    with pytest.raises(JournalError, match="already undone"):
        undo_plan(entry)


# --------------------------------------------------------------------------------------------
# Undo belongs to one cluster, and goes newest first
# --------------------------------------------------------------------------------------------


def mutated(journal: Journal, item_id: str, cluster: ClusterIdentity) -> JournalEntry:
    """A journalled change of `item_id` on `cluster` that patched cilium-config."""
    plan = build_plan(item_id, lab_snapshot("seed"))
    entry = journal.new_entry(plan, {c.key: c.old for c in plan.changes}, cluster)
    entry.resource_version_after = "4800"
    journal.save(entry)
    return entry


def test_cluster_identities_tell_clusters_apart() -> None:
    assert SEED.mismatch(SEED) is None
    assert SEED.mismatch(replace(SEED, config_uid=None)) is None  # unread: server and context
    twin = replace(SEED, server="https://127.0.0.1:7443")  # same context name, other server
    assert SEED.mismatch(twin) == (
        "it was made on context lab-seed at https://127.0.0.1:6443, and cilium-tui is "
        "connected to context lab-seed at https://127.0.0.1:7443"
    )
    assert "context other at" in str(SEED.mismatch(replace(SEED, context="other")))
    reinstalled = replace(SEED, config_uid="another-uid")
    assert "cilium-config was re-created since" in str(SEED.mismatch(reinstalled))
    assert str(ClusterIdentity(None, None)) == "no Kubernetes API (SSH only)"


def test_undo_is_refused_on_another_cluster(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entry = mutated(journal, "hubble", SEED)
    twin = replace(SEED, server="https://127.0.0.1:7443")
    assert journal.latest_undoable(twin) is None
    latest = journal.latest_undoable(SEED)
    assert latest is not None and latest.id == entry.id
    undo = undo_plan(entry, lab_snapshot("seed"), cluster=twin)
    assert undo.status == "refused" and not undo.changes and undo.restart is None
    assert undo.refusals[0].reason.startswith(f"journal entry {entry.id} is not for this cluster")
    assert undo_plan(entry, lab_snapshot("seed"), cluster=SEED).refusals == ()


def test_entries_from_before_cluster_identities_load_and_are_not_undone(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entry = mutated(journal, "hubble", SEED)
    path = tmp_path / f"{entry.id}.json"
    old = json.loads(path.read_text())
    del old["cluster"]  # as cilium-tui wrote them before it recorded the cluster
    path.write_text(json.dumps(old))
    loaded = journal.load(entry.id)
    assert loaded.cluster is None and loaded.undoable
    assert journal.latest_undoable(SEED) is None
    undo = undo_plan(loaded, lab_snapshot("seed"), cluster=SEED)
    assert undo.status == "refused"
    reason = undo.refusals[0].reason
    assert "does not say which cluster it changed" in reason
    assert "names context lab-seed only" in reason and "cilium-tui journal --format json" in reason


def test_a_later_change_on_the_same_config_or_hosts_is_undone_first(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    seed = lab_snapshot("seed")
    first = mutated(journal, "hubble", SEED)
    elsewhere = mutated(journal, "hubble", replace(SEED, server="https://10.0.0.1:6443"))
    second = mutated(journal, "bypass-iptables-conntrack", SEED)
    assert elsewhere.id not in {first.id, second.id}
    undo = undo_plan(first, seed, cluster=SEED, journal=journal.entries())
    assert [r.reason for r in undo.refusals] == [
        f"journal entry {second.id} (bypass-iptables-conntrack) changed kube-system/cilium-config "
        f"after {first.id} and is still in effect: undo {second.id} first (changes are undone "
        "newest first)"
    ]
    assert undo_plan(second, seed, cluster=SEED, journal=journal.entries()).refusals == ()
    second.undone_by = "20261128T000000Z-bypass-iptables-conntrack-abcd"
    journal.save(second)
    assert undo_plan(first, seed, cluster=SEED, journal=journal.entries()).refusals == ()

    # Node changes: the same host blocks, another host does not.
    governor = build_plan("cpu-governor", seed)
    on = {}
    for node in ("rock64-1", "rock64-2", "rock64-1"):
        entry = journal.new_entry(governor, {}, SEED)
        entry.node_before = {node: [["schedutil"] * 4]}
        entry.steps_done = [[node, 0]]
        journal.save(entry)
        on.setdefault(node, []).append(entry)
    [older, newer], [other] = on["rock64-1"], on["rock64-2"]
    refusals = undo_plan(older, seed, cluster=SEED, journal=journal.entries()).refusals
    assert [r.reason.split(" after ")[0] for r in refusals] == [
        f"journal entry {newer.id} (cpu-governor) changed host rock64-1"
    ]
    assert undo_plan(other, seed, cluster=SEED, journal=journal.entries()).refusals == ()


def test_an_undo_says_per_node_what_goes_back(tmp_path: Path) -> None:
    seed = lab_snapshot("seed")
    entry = mutated(Journal(tmp_path), "hubble", SEED)
    entry.restarted = ["rock64-1"]
    off = lab_snapshot("seed", {"enable-hubble": "false"})  # the cluster after the change
    undo = undo_plan(entry, off, cluster=SEED)
    rows = {a.node: (a.state_before, a.outcome, a.reason) for a in undo.assessments}
    assert set(rows) == {r.name for r in seed.nodes}
    assert rows["rock64-1"] == (
        State.OFF,
        Outcome.TAKES,
        f"back to on: previous values of {entry.id}",
    )
    text = render_text(undo)
    assert "no more flow visibility" not in text.lower()
    assert undo.disruption.startswith(f"the way back from {entry.id}, whose preview warned: ")
    assert f"back to on: previous values of {entry.id}" in text
    already = undo_plan(entry, seed, cluster=SEED)  # Hubble is on again already
    assert {a.outcome for a in already.assessments} == {Outcome.ALREADY}
