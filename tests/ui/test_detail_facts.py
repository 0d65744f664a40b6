"""The detail view's pure parts: effective facts with drift and unknown notes, and the host-routing
story (why Legacy, with the item that fixes each cause). No app running."""

from __future__ import annotations

import dataclasses

from cilium_tui.checks.judgement import judge
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import host_routing_finding
from cilium_tui.facts.config import parse_configmap
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.ui.cells import UNKNOWN, Tone
from cilium_tui.ui.host_routing import host_routing_text
from cilium_tui.ui.node_facts import effective_rows
from cilium_tui.ui.paint import tone_styles
from cilium_tui.ui.rows import node_row
from tests.ui.support import lab_scan

STYLES = tone_styles({})


def view_of(snapshot: Snapshot, name: str) -> NodeView:
    record = snapshot.node(name)
    assert record is not None
    return NodeView(snapshot, record)


def story(snapshot: Snapshot, name: str) -> str:
    view = view_of(snapshot, name)
    judged = judge(snapshot)
    findings = judged.findings(name)
    cell = node_row(snapshot, view.record, findings).cells["host_routing"]
    titles = {r.item.id: r.item.title for r in judged.rollups}
    text = host_routing_text(view, cell, host_routing_finding(findings), STYLES, titles)
    return text.plain


def test_effective_facts_name_their_origin_and_evidence(seed: Snapshot) -> None:
    rows = {row.name: row for row in effective_rows(view_of(seed, "rock64-1"))}
    assert (rows["host routing"].value.text, rows["host routing"].source) == ("Legacy", "agent")
    assert rows["kernel"].source == "probe"
    assert rows["kernel"].evidence[0] == "ssh probe uname -r: 4.19.0-24-arm64"
    assert rows["kernel upstream release"].value.text == "4.19.289", "Debian's uname -v"
    assert (rows["routing mode"].value.text, rows["routing mode"].source) == ("native", "config")
    assert rows["routing mode"].evidence == ('cilium-config tunnel: "disabled"',)
    assert all(not row.note for row in rows.values() if row.value.text != UNKNOWN)


def test_a_disagreement_between_config_and_agent_is_a_drift_note(seed: Snapshot) -> None:
    assert seed.config is not None
    data = {**seed.config.data, "enable-bpf-masquerade": "false"}
    drifted = dataclasses.replace(seed, config=parse_configmap({"data": data}, "1.13.4"))
    rows = {row.name: row for row in effective_rows(view_of(drifted, "k3s-vm-1"))}
    masq = rows["masquerading"]
    assert (masq.value.plain, masq.value.tone) == ("BPF · drift", Tone.OFF)
    assert masq.note.startswith("configured IPTables, agent still reports BPF: restart pending")
    assert len(masq.evidence) == 2, "the status line and the config key"


def test_unknown_facts_say_why(seed: Snapshot) -> None:
    bare = Snapshot(taken_at=seed.taken_at, source="test")
    view = NodeView(bare, NodeRecord("n", ssh_host="n", errors={"ssh": "unreachable: refused"}))
    rows = {row.name: row for row in effective_rows(view)}
    assert rows["kernel"].value.text == UNKNOWN
    assert rows["kernel"].note == "kernel unknown: no SSH probe: unreachable: refused"
    assert rows["host routing"].note.startswith("host routing unknown: no Cilium agent pod")


def test_legacy_story_orders_causes_names_fixes_and_advises(seed: Snapshot) -> None:
    board = story(seed, "rock64-1")
    assert board.startswith("Host routing  Legacy · kernel 4.19 < 5.10\n")
    assert '← status JSON .host-routing.mode: "Legacy"' in board
    assert "1. kernel 4.19.0-24-arm64 < 5.10" in board
    assert "2. " not in board, "the seed's boards have one cause"
    assert "Advice\nBPF host routing is impossible here" in board

    training = lab_scan("training")
    vm = story(training, "k3s-vm-1")
    assert "1. kube-proxy replacement is Disabled" in vm
    assert "(checklist: Kube-proxy replacement)" in vm
    assert "2. iptables masquerading" in vm and "(checklist: BPF masquerading)" in vm
    assert "Fix the causes above and restart the agent" in vm
    rock = story(training, "rock64-2")
    assert rock.index("1. kernel 4.19") < rock.index("2. kube-proxy replacement")


def test_bpf_story_says_the_conntrack_bypass_is_unnecessary(seed: Snapshot) -> None:
    vm = story(seed, "k3s-vm-2")
    assert vm.startswith("Host routing  BPF\n")
    assert "Checklist  on  BPF host routing" in vm
    assert "iptables conntrack bypass: unnecessary" in vm
    assert "Why Legacy" not in vm


def test_a_silent_agent_gives_a_predicted_legacy(seed: Snapshot) -> None:
    record = seed.node("rock64-3")
    assert record is not None
    silent = dataclasses.replace(record, agent=None, agent_raw=None, errors={"agent": "timeout"})
    snapshot = dataclasses.replace(
        seed, nodes=tuple(silent if r.name == "rock64-3" else r for r in seed.nodes)
    )
    text = story(snapshot, "rock64-3")
    assert text.startswith("Host routing  Legacy? · kernel 4.19 < 5.10")
    assert "Predicted from cilium-config and the kernel; agent status unavailable: timeout" in text
