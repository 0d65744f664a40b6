"""The console's state: node events patch a snapshot; error changes are logged once."""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta

import pytest

from cilium_tui.checks import catalogue
from cilium_tui.checks.judgement import judge
from cilium_tui.collect.source import NodeEvent
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.ui.state import apply_node_event, assess, error_changes, reassess
from tests.ui.factories import dead, node_info, with_node


def test_added_node_appends_a_bare_record(seed: Snapshot) -> None:
    after = apply_node_event(seed, NodeEvent("ADDED", node_info("k3s-vm-4")))
    assert [r.name for r in after.nodes][-1] == "k3s-vm-4"
    added = after.node("k3s-vm-4")
    assert added is not None and added.agent is None and added.probe is None
    assert apply_node_event(after, NodeEvent("ADDED", node_info("k3s-vm-4"))).nodes == after.nodes


def test_modified_node_keeps_what_was_probed(seed: Snapshot) -> None:
    info = dataclasses.replace(node_info("rock64-1", "5.10.0-26-arm64"), ready=False)
    after = apply_node_event(seed, NodeEvent("MODIFIED", info))
    record = after.node("rock64-1")
    before = seed.node("rock64-1")
    assert record is not None and before is not None
    assert record.node == info
    assert (record.agent, record.probe, record.pod) == (before.agent, before.probe, before.pod)
    assert len(after.nodes) == len(seed.nodes)


def test_deleted_node_goes_away_and_unknown_deletes_are_ignored(seed: Snapshot) -> None:
    after = apply_node_event(seed, NodeEvent("DELETED", node_info("k3s-vm-2")))
    assert after.node("k3s-vm-2") is None and len(after.nodes) == 5
    assert apply_node_event(after, NodeEvent("DELETED", node_info("k3s-vm-2"))) is after


def test_error_changes_are_reported_once_and_on_recovery(seed: Snapshot) -> None:
    broken = with_node(
        seed, "k3s-vm-3", lambda r: dead(r, "exec timed out", "unreachable: refused")
    )
    first = error_changes(seed, broken)
    assert [str(c) for c in first] == [
        "k3s-vm-3: agent: exec timed out",
        "k3s-vm-3: ssh: unreachable: refused",
    ]
    assert error_changes(broken, broken) == ()
    recovered = error_changes(broken, seed)
    assert [str(c) for c in recovered] == [
        "k3s-vm-3: agent recovered (was: exec timed out)",
        "k3s-vm-3: ssh recovered (was: unreachable: refused)",
    ]
    assert len(error_changes(None, broken)) == 2


def test_a_failing_catalogue_is_an_error_not_a_crash(
    seed: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_: Snapshot) -> tuple[()]:
        raise KeyError("routing-mode")

    monkeypatch.setattr(catalogue, "evaluate", broken)
    judged = judge(seed)
    assert judged.rollups == ()
    assert judged.error == "the checklist failed: KeyError: 'routing-mode'"


def test_judgement_indexes_findings_by_node(seed: Snapshot) -> None:
    judged = judge(seed)
    board = {f.item_id: f for f in judged.findings("rock64-1")}
    assert board["bpf-host-routing"].blocked_by[0] == "kernel 4.19 < 5.10"
    assert board["bypass-iptables-conntrack"].recommended is True
    vm = {f.item_id: f for f in judged.findings("k3s-vm-1")}
    assert vm["bpf-host-routing"].state.value == "on"
    assert vm["bypass-iptables-conntrack"].state.value == "n/a"
    assert judged.findings("nope") == ()
    rollup = judged.rollup("bpf-host-routing")
    assert rollup is not None
    assert rollup.headline == "BPF host routing: on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"


def test_a_refresh_judges_only_the_nodes_it_read_differently(
    seed: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new scan reads equal records (new objects, a new taken_at): their findings and rows are
    reused, and only a node whose record differs is judged again (counted, not timed)."""
    before = assess(seed)
    rescanned = dataclasses.replace(
        seed,
        taken_at=seed.taken_at + timedelta(seconds=30),
        nodes=tuple(copy.deepcopy(r) for r in seed.nodes),
    )
    # Errors do not take part in a record's `==`: a change of error alone must still count.
    rescanned = with_node(
        rescanned, "rock64-2", lambda r: dataclasses.replace(r, errors={"agent": "slow"})
    )
    judged: list[str] = []
    evaluate_node = catalogue.evaluate_node

    def counting(snapshot: Snapshot, record: NodeRecord) -> object:
        judged.append(record.name)
        return evaluate_node(snapshot, record)

    monkeypatch.setattr(catalogue, "evaluate_node", counting)
    after = reassess(before, rescanned)
    assert judged == ["rock64-2"], "only the node whose errors changed"
    reused = [b is a for b, a in zip(before.rows, after.rows, strict=True)]
    assert reused == [r.name != "rock64-2" for r in seed.nodes]
    assert after.judgement.rollups == assess(rescanned).judgement.rollups
