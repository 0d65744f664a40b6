"""The check renderers: JSON shape, text lines, Markdown tables, and the exit code rule."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from cilium_tui.checks.catalogue import CATALOGUE, evaluate, item
from cilium_tui.checks.rollup import rollup
from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.checks.why_legacy import LegacyExplanation, why_legacy
from cilium_tui.model import Snapshot
from cilium_tui.report import (
    EXIT_FAILING,
    EXIT_NO_SCAN,
    EXIT_OK,
    check_document,
    check_exit_code,
    render_check,
    render_markdown,
    render_text,
)
from cilium_tui.report.document import SCHEMA
from cilium_tui.report.markdown import MATRIX_MAX_NODES
from cilium_tui.report.safe import markdown, plain
from tests.unit.checks.seed import (
    BOARDS,
    VMS,
    config,
    dark,
    seed,
    snapshot,
    ssh_only,
    training,
    vm,
)


def parts(
    snap: Snapshot,
) -> tuple[Snapshot, tuple[Rollup, ...], tuple[LegacyExplanation, ...]]:
    return snap, evaluate(snap), why_legacy(snap)


# -------------------------------------------------------------------------------- JSON


def test_json_document_shape() -> None:
    snap, rollups, legacy = parts(seed())
    doc = json.loads(render_check("json", snap, rollups, legacy))
    assert doc["schema"] == SCHEMA
    assert doc["taken_at"] == "2026-11-27T20:51:06+00:00"
    assert (doc["source"], doc["context"], doc["exit_code"]) == ("lab seed", "lab-seed", 1)
    cluster = doc["cluster"]
    assert cluster["nodes"] == 6
    assert [i["id"] for i in cluster["items"]] == [i.id for i in CATALOGUE]
    host_routing = next(i for i in cluster["items"] if i["id"] == "bpf-host-routing")
    assert host_routing["counts"] == {"on": 3, "off": 0, "blocked": 3, "n/a": 0, "unknown": 0}
    assert (
        host_routing["headline"] == "BPF host routing: on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"
    )
    assert host_routing["failing"] == 3 and not host_routing["advisory"]
    assert "bpf-host-routing" in cluster["failing"] and "hubble" not in cluster["failing"]

    nodes = {n["name"]: n for n in doc["nodes"]}
    assert list(nodes) == list(VMS + BOARDS)
    vm1, board1 = nodes["vm-1"], nodes["board-1"]
    assert (vm1["kernel"], vm1["architecture"], vm1["cilium_version"]) == (
        "6.2.0-39-generic",
        "amd64",
        "1.13.4",
    )
    assert vm1["host_routing"] == "BPF" and vm1["why_legacy"] is None
    assert set(vm1["items"]) == {i.id for i in CATALOGUE}
    finding = board1["items"]["bpf-host-routing"]
    assert set(finding) == {
        "state",
        "fails",
        "reason",
        "evidence",
        "blocked_by",
        "recommended",
        "advice",
        "drift",
    }
    assert (finding["state"], finding["fails"], finding["blocked_by"]) == (
        "blocked",
        True,
        ["kernel 4.19 < 5.10"],
    )
    assert "cilium-dbg status Host Routing: Legacy" in finding["evidence"]
    cause = board1["why_legacy"]["causes"][0]
    assert cause["id"] == "kernel" and cause["fix_item"] is None and cause["certain"] is True
    assert cause["evidence"] == ["ssh probe uname -r: 4.19.0-24-arm64"]
    assert board1["why_legacy"]["bpf_impossible"] is True


def test_json_document_for_nodes_without_facts() -> None:
    snap, rollups, legacy = parts(snapshot(dark(), ssh_only(), cilium_config=None))
    doc = check_document(snap, rollups, legacy)
    dark_node, board = doc["nodes"]
    assert dark_node["problems"] == [
        "agent status unavailable: exec timed out after 10 s",
        "no SSH probe: unreachable: connection refused",
    ]
    assert dark_node["items"]["native-routing"]["state"] == "unknown"
    assert board["kubernetes"] is False and board["problems"] == []
    assert board["items"]["native-routing"]["state"] == "n/a"
    json.dumps(doc)  # plain data all the way down


# -------------------------------------------------------------------------------- text


def test_text_lists_every_headline_and_why_legacy() -> None:
    snap, rollups, legacy = parts(seed())
    text = render_text(snap, rollups, legacy)
    lines = text.splitlines()
    assert (
        lines[0]
        == "Cilium tuning check: lab seed (context lab-seed), 2026-11-27 20:51:06 UTC, 6 nodes"
    )
    # IPv4 BIG TCP and netkit do not exist in the seed's Cilium 1.13: n/a, not "need attention".
    assert lines[1] == "Result: 10 of 20 items need attention (exit code 1)"
    assert "  n/a   netkit" in text and "needs Cilium >= 1.16" not in lines[1]
    for r in rollups:
        assert any(r.item.id in line and r.summary in line for line in lines), r.item.id
    assert "  FAIL  bpf-host-routing           on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10" in lines
    assert "  ok    native-routing             on 6/6 nodes" in lines
    assert "  info  hubble                     on 6/6 nodes (advisory)" in lines
    assert (
        "  board-1  4.19.0-24-arm64   arm64  Debian GNU/Linux 10 (buster)  1.13.4  Legacy" in lines
    )
    why = lines.index("Why Legacy")
    assert lines[why + 1] == "  board-1, board-2, board-3"
    assert lines[why + 2].startswith("    1. kernel 4.19.0-24-arm64 < 5.10")
    assert lines[why + 3].startswith("       fix: upgrade the kernel")
    assert all(len(line) <= 100 or "<https://" in line for line in lines[why:])
    assert "evidence:" not in text


def test_text_verbose_shows_evidence() -> None:
    snap, rollups, legacy = parts(seed())
    text = render_text(snap, rollups, legacy, verbose=True)
    assert "evidence: ssh probe uname -r: 4.19.0-24-arm64" in text


def test_text_never_passes_control_characters_through() -> None:
    hostile = replace(vm(), name="vm-\x1b[31mred")
    snap, rollups, legacy = parts(snapshot(hostile, cilium_config=config()))
    text = render_text(snap, rollups, legacy)
    assert "\x1b" not in text and "vm-\\x1b[31mred" in text


def test_text_all_on_cluster_says_so() -> None:
    on = Finding("native-routing", "n", State.ON, "native routing")
    r = rollup(item("native-routing"), (on,))
    text = render_text(snapshot(vm()), (r,), ())
    assert "Result: every applicable item is on (exit code 0)" in text
    assert "Needs attention" not in text and "Why Legacy" not in text


def test_drift_is_shown_even_when_on() -> None:
    drifting = Finding("native-routing", "n", State.ON, "native", drift="configured x, agent y")
    text = render_text(snapshot(vm()), (rollup(item("native-routing"), (drifting,)),), ())
    assert "drift: configured x, agent y" in text


# -------------------------------------------------------------------------------- Markdown


def cells(line: str) -> list[str]:
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_markdown_tables_render() -> None:
    snap, rollups, legacy = parts(seed())
    text = render_markdown(snap, rollups, legacy)
    lines = text.splitlines()
    assert lines[0] == "# Cilium tuning check"
    for heading in (
        "## Nodes",
        "## Checklist",
        "## Per node",
        "## Needs attention",
        "## Why Legacy",
    ):
        assert heading in lines
    table = [line for line in lines if line.startswith("|")]
    header = lines[lines.index("## Checklist") + 2]
    assert all(
        len(cells(line)) == len(cells(header)) for line in table if "`" in line and "[" in line
    )
    row = next(
        line for line in lines if "`bpf-host-routing`" in line and line.startswith("| **FAIL**")
    )
    assert cells(row)[2:7] == [" 3 ", " 0 ", " 3 ", " 0 ", " 0 "]
    matrix = next(line for line in lines if line.startswith("| `bpf-host-routing` |"))
    assert cells(matrix)[1:] == [" on "] * 3 + [" **blocked** "] * 3
    assert "### board-1, board-2, board-3" in lines


def test_markdown_escapes_outside_text() -> None:
    hostile = replace(vm(), name="vm|*1*")
    snap, rollups, legacy = parts(snapshot(hostile, cilium_config=config()))
    text = render_markdown(snap, rollups, legacy)
    assert "vm\\|\\*1\\*" in text and "| vm|*1* |" not in text


def test_markdown_per_node_table_is_cut_for_large_clusters() -> None:
    many = snapshot(*(vm(f"vm-{i}") for i in range(MATRIX_MAX_NODES + 1)), cilium_config=config())
    text = render_check("markdown", *parts(many))
    assert f"{MATRIX_MAX_NODES + 1} nodes: too many for a table here" in text


def test_safe_helpers() -> None:
    assert plain("ok\ttab\x07") == "ok\\ttab\\x07"
    assert plain("héllo wörld") == "héllo wörld"
    assert markdown("a|b*c_d`e") == "a\\|b\\*c\\_d\\`e"


# -------------------------------------------------------------------------------- exit code


def one(item_id: str, state: State, recommended: bool | None = True) -> Rollup:
    return rollup(item(item_id), (Finding(item_id, "n", state, "r", recommended=recommended),))


@pytest.mark.parametrize(
    ("rollups", "code"),
    [
        ((one("native-routing", State.ON), one("ipv6-big-tcp", State.NA)), EXIT_OK),
        ((one("native-routing", State.UNKNOWN),), EXIT_OK),
        ((one("native-routing", State.OFF),), EXIT_FAILING),
        ((one("bpf-host-routing", State.BLOCKED),), EXIT_FAILING),
        ((one("hubble", State.OFF, recommended=False),), EXIT_OK),
        ((one("jumbo-mtu", State.OFF, recommended=None),), EXIT_OK),  # advisory
        ((one("bypass-iptables-conntrack", State.OFF, recommended=False),), EXIT_OK),
        ((), EXIT_OK),
    ],
)
def test_exit_code_rule(rollups: tuple[Rollup, ...], code: int) -> None:
    assert check_exit_code(rollups) == code


def _on(name: str, *, errors: dict[str, str] | None = None, ssh: bool = True) -> Snapshot:
    """A snapshot of one node `name` (agent read) whose collectors failed as `errors` say."""
    rec = replace(vm(name), errors=errors or {}, ssh_host=name if ssh else None)
    return snapshot(rec, cilium_config=config())


@pytest.mark.parametrize(
    ("item_id", "snap", "code"),
    [
        # unknown, and every collector answered: the facts do not say, which does not fail
        ("native-routing", _on("n"), EXIT_OK),
        ("cpu-governor", _on("n"), EXIT_OK),
        # unknown where the collector that reads it failed: it cannot be verified
        ("native-routing", _on("n", errors={"agent": "forbidden"}), EXIT_FAILING),
        ("cpu-governor", _on("n", errors={"ssh": "cannot connect"}), EXIT_FAILING),
        # ... but not because of the other collector
        ("native-routing", _on("n", errors={"ssh": "cannot connect"}), EXIT_OK),
        ("cpu-governor", _on("n", errors={"agent": "forbidden"}), EXIT_OK),
        # SSH off (--no-ssh, or no target) is a choice, not a failure
        ("cpu-governor", _on("n", errors={"ssh": "SSH probing is off"}, ssh=False), EXIT_OK),
        # a cluster-level read failed (e.g. cilium-config forbidden)
        ("native-routing", replace(_on("n"), errors=("get configmap: forbidden",)), EXIT_FAILING),
    ],
)
def test_unknown_fails_only_where_a_collector_failed(
    item_id: str, snap: Snapshot, code: int
) -> None:
    rollups = (one(item_id, State.UNKNOWN),)
    assert check_exit_code(rollups, snap) == code
    assert check_document(snap, rollups, ())["exit_code"] == code
    assert f"(exit code {code})" in render_text(snap, rollups, ())
    unverifiable = check_document(snap, rollups, ())["cluster"]["unverifiable"]
    assert unverifiable == ([item_id] if code else [])


def test_a_scan_that_read_nothing_about_cilium_is_no_scan() -> None:
    blind = replace(
        snapshot(replace(vm("n"), agent=None, errors={"agent": "forbidden"})), errors=("x",)
    )
    rollups = evaluate(blind)
    assert check_exit_code(rollups, blind) == EXIT_NO_SCAN
    assert "read no agent status on any node and no cilium-config (exit code 2)" in render_text(
        blind, rollups, ()
    )
    with_config = replace(blind, config=config())
    assert check_exit_code(evaluate(with_config), with_config) == EXIT_FAILING


def test_exit_codes() -> None:
    assert (EXIT_OK, EXIT_FAILING, EXIT_NO_SCAN) == (0, 1, 2)
    assert check_exit_code(evaluate(seed())) == EXIT_FAILING


def test_causes_name_the_item_that_fixes_them() -> None:
    snap, rollups, legacy = parts(training())
    assert "fix (kube-proxy-replacement): turn on full kube-proxy replacement" in render_text(
        snap, rollups, legacy
    )
    assert "fix (`bpf-masquerading`): turn on BPF masquerading" in render_markdown(
        snap, rollups, legacy
    )
