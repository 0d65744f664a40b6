"""Pure rendering of rows, checklist lines and detail facts: no Textual running."""

from __future__ import annotations

import dataclasses

import pytest

from cilium_tui.checks.judgement import Judgement, judge
from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.checks.why_legacy import legacy_cause
from cilium_tui.model import (
    AgentPod,
    AgentStatus,
    BandwidthManager,
    BigTCP,
    Masquerading,
    NodeInfo,
    NodeRecord,
    ProbeFacts,
    Snapshot,
)
from cilium_tui.ui.cells import UNKNOWN, Cell, Tone, break_url, natural_key
from cilium_tui.ui.node_facts import fact_rows, format_value
from cilium_tui.ui.rollups import (
    MIN_TITLE,
    Columns,
    columns,
    count_cells,
    header_line,
    is_done,
    rollup_cells,
    summary,
)
from cilium_tui.ui.rows import CAUSE_WIDTH, COLUMN_KEYS, node_row, short_os
from cilium_tui.ui.screenshots import LAB_TIME

NOTHING = Snapshot(taken_at=LAB_TIME, source="test")
"""A snapshot with no cilium-config: a record's cells say only what the record itself says."""


@pytest.fixture
def judged(seed: Snapshot) -> Judgement:
    return judge(seed)


def cells(record: NodeRecord, findings: tuple[Finding, ...] = ()) -> dict[str, str]:
    row = node_row(NOTHING, record, findings)
    return {key: cell.plain for key, cell in row.cells.items()}


def seed_cells(seed: Snapshot, name: str) -> dict[str, str]:
    record = seed.node(name)
    assert record is not None
    row = node_row(seed, record, judge(seed).findings(name))
    return {key: cell.plain for key, cell in row.cells.items()}


def test_a_bare_record_is_all_unknown_never_off() -> None:
    row = node_row(NOTHING, NodeRecord(name="n1", ssh_host="n1"))
    values = {key: cell.plain for key, cell in row.cells.items()}
    assert values.pop("name") == "n1"
    assert values.pop("role") == "ssh-only"
    assert values.pop("agent") == "n/a"
    assert set(values.values()) == {UNKNOWN}
    assert all(
        row.cells[k].tone is Tone.UNKNOWN for k in COLUMN_KEYS if row.cells[k].text == UNKNOWN
    )


def test_seed_rows_are_the_catalogues_judgement(seed: Snapshot) -> None:
    board = seed_cells(seed, "rock64-1")
    assert board == {
        "name": "rock64-1",
        "role": "<none>",
        "arch": "arm64",
        "kernel": "4.19.0-24-arm64",
        "os": "Debian 10",
        "cilium": "1.13.4",
        "host_routing": "Legacy · kernel 4.19 < 5.10",
        "agent": "Ready",
        "ssh": "ok",
        "routing": "native",
        "kpr": "strict",
        "masquerading": "BPF",
        "bandwidth": "off",
        "big_tcp": "off",
        "mtu": "1500",
        "xdp": "disabled",
    }
    vm = seed_cells(seed, "k3s-vm-1")
    assert (vm["host_routing"], vm["kernel"], vm["role"]) == (
        "BPF",
        "6.2.0-39-generic",
        "control-plane",
    )


def test_equal_cells_of_different_nodes_are_one_object(seed: Snapshot) -> None:
    """At 5000 nodes the rows hold a few hundred cells, not 80,000 (memory, and objects for the
    garbage collector to walk)."""
    judged, records = judge(seed).by_node, {r.name: r for r in seed.nodes}
    one, two = (node_row(seed, records[n], judged[n]) for n in ("rock64-1", "rock64-2"))
    assert one.cells["arch"] == two.cells["arch"] and one.cells["arch"] is two.cells["arch"]
    assert one.cells["host_routing"] is two.cells["host_routing"]
    assert one.cells["name"] != two.cells["name"]


def test_host_routing_cause_comes_from_the_catalogue_when_it_has_one(seed: Snapshot) -> None:
    board = seed.node("rock64-1")
    assert board is not None
    blocked = Finding(
        "bpf-host-routing",
        "rock64-1",
        State.BLOCKED,
        "needs 5.10",
        blocked_by=("kernel 4.19 < 5.10", "kpr off"),
    )
    one = dataclasses.replace(blocked, blocked_by=("kernel 4.19 < 5.10",))
    cell = node_row(seed, board, (one,)).cells["host_routing"]
    assert (cell.text, cell.detail, cell.tone) == ("Legacy", "kernel 4.19 < 5.10", Tone.LEGACY)
    off = dataclasses.replace(blocked, state=State.OFF, blocked_by=())
    assert legacy_cause([off]) == "needs 5.10"
    assert legacy_cause([dataclasses.replace(off, state=State.UNKNOWN)]) is None
    assert legacy_cause([dataclasses.replace(off, item_id="bbr")]) is None
    assert node_row(seed, board).cells["host_routing"].plain == "Legacy", "no verdict: no cause"
    two = node_row(seed, board, (blocked,)).cells["host_routing"]
    assert two.detail == "kernel 4.19 < 5.10 +1", "more causes are counted"
    long = dataclasses.replace(blocked, blocked_by=("x" * 80, "y", "z"))
    detail = node_row(seed, board, (long,)).cells["host_routing"].detail
    assert len(detail) == CAUSE_WIDTH and detail.endswith("… +2")


def test_config_fills_in_what_the_agent_cannot_say_and_legacy_can_be_predicted(
    seed: Snapshot,
) -> None:
    """Without an agent status the table shows cilium-config's values and a predicted Legacy
    where the kernel makes it certain (the same NodeView the checklist judges from)."""
    board = seed.node("rock64-2")
    assert board is not None
    silent = dataclasses.replace(board, agent=None, agent_raw=None, errors={"agent": "timeout"})
    row = node_row(seed, silent, judge(seed).findings("rock64-2")).cells
    assert (row["routing"].plain, row["kpr"].plain, row["masquerading"].plain) == (
        "native",
        "strict",
        "BPF",
    )
    assert row["host_routing"].text == "Legacy?"
    assert row["agent"].plain == "unreachable · timeout"


def test_bandwidth_big_tcp_and_xdp_spellings() -> None:
    agent = AgentStatus(
        "text",
        bandwidth_manager=BandwidthManager(True, "BBR"),
        ipv4_big_tcp=BigTCP(True),
        ipv6_big_tcp=BigTCP(True),
        xdp_acceleration="Native",
        masquerading=Masquerading("BPF", ip_masq_agent=True),
        network_routing="Tunnel",
        tunnel_protocol="vxlan",
    )
    row = cells(NodeRecord("n", agent=agent))
    assert row["bandwidth"] == "on/bbr"
    assert row["big_tcp"] == "v4+v6"
    assert row["xdp"] == "native"
    assert row["masquerading"] == "BPF (ip-masq-agent)"
    assert row["routing"] == "tunnel/vxlan", "the agent's own view wins over the ConfigMap"
    bare = cells(NodeRecord("n", agent=AgentStatus("text", ipv6_big_tcp=BigTCP(False))))
    assert bare["big_tcp"] == "off"
    assert bare["bandwidth"] == UNKNOWN, "no BandwidthManager line: unknown, not off"
    probe_only = cells(NodeRecord("n", probe=ProbeFacts(xdp_attached=True, mtu=9000)))
    assert (probe_only["xdp"], probe_only["mtu"]) == ("attached", "9000")


def test_agent_and_ssh_states() -> None:
    node = NodeInfo("n", roles=("worker",))
    pod = AgentPod("cilium-x", "kube-system", "n", ready=True)
    warning = AgentStatus("text", cilium_state="Warning")
    assert cells(NodeRecord("n", node=node, pod=pod, agent=warning))["agent"] == "Ready · Warning"
    assert cells(NodeRecord("n", node=node))["agent"] == "no agent"
    not_ready = dataclasses.replace(pod, ready=False)
    assert cells(NodeRecord("n", node=node, pod=not_ready))["agent"] == "NotReady"
    assert cells(NodeRecord("n", node=node))["ssh"] == "no-ssh"
    off = NodeRecord("n", node=node, errors={"ssh": "SSH probing is off (--no-ssh)"})
    assert cells(off)["ssh"] == "no-ssh · SSH probing is off (--no-ssh)", "not a fault"
    lost = {"ssh": "n (10.0.0.7:22): cannot connect: Connection lost"}
    assert cells(NodeRecord("n", node=node, ssh_host="n", errors=lost))["ssh"] == (
        "unreachable · cannot connect: Connection lost"
    )
    no_sudo = ProbeFacts(privilege="no-sudo")
    assert cells(NodeRecord("n", node=node, probe=no_sudo))["ssh"] == "ok · no-sudo"
    assert cells(NodeRecord("n", node=node))["role"] == "worker"


def test_agent_pod_states_come_before_exec_errors() -> None:
    """A pod that is missing, starting or crash-looping says so; "unreachable" is kept for an
    agent that runs but whose status exec failed."""
    node = NodeInfo("n")
    gone = NodeRecord("n", node=node, errors={"agent": "no Cilium agent pod on this node"})
    assert cells(gone)["agent"] == "no agent"
    pending = AgentPod("cilium-x", "kube-system", "n", phase="Pending", ready=False)
    starting = {"agent": "agent pod cilium-x is Pending"}
    assert cells(NodeRecord("n", node=node, pod=pending, errors=starting))["agent"] == (
        "NotReady · Pending"
    )
    crashing = dataclasses.replace(pending, waiting_reason="CrashLoopBackOff", restarts=3)
    assert (
        cells(NodeRecord("n", node=node, pod=crashing))["agent"] == "CrashLoopBackOff · 3 restarts"
    )
    running = AgentPod("cilium-x", "kube-system", "n", phase="Running", ready=True)
    hung = NodeRecord("n", node=node, pod=running, errors={"agent": "exec timed out after 10 s"})
    assert cells(hung)["agent"] == "unreachable · exec timed out after 10 s"


def test_a_kernel_the_node_object_and_ssh_disagree_on_is_flagged(seed: Snapshot) -> None:
    board = seed.node("rock64-1")
    assert board is not None and board.node is not None
    rebooted = dataclasses.replace(
        board, node=dataclasses.replace(board.node, kernel_version="5.10.0-26-arm64")
    )
    kernel = node_row(seed, rebooted).cells["kernel"]
    assert (kernel.text, kernel.tone) == ("4.19.0-24-arm64", Tone.OFF), "uname -r wins, flagged"
    assert node_row(seed, board).cells["kernel"].tone is Tone.PLAIN


def test_roles_prefer_control_plane() -> None:
    node = NodeInfo("n", roles=("master", "etcd", "control-plane", "gpu"))
    assert cells(NodeRecord("n", node=node))["role"] == "control-plane"


@pytest.mark.parametrize(
    ("pretty", "short"),
    [
        ("Debian GNU/Linux 10 (buster)", "Debian 10"),
        ("Ubuntu 24.04.2 LTS", "Ubuntu 24.04.2"),
        ("Talos (v1.8.1)", "Talos"),
        ("CentOS Linux 7 (Core)", "CentOS Linux 7"),
        ("Bottlerocket OS 1.12.0 (aws-k8s-1.24)", "Bottlerocket OS 1.12.0"),
    ],
)
def test_short_os(pretty: str, short: str) -> None:
    assert short_os(pretty) == short


def test_sort_keys_order_versions_numerically_and_unknown_last() -> None:
    def kernel_key(release: str | None) -> tuple[object, ...]:
        node = NodeInfo("n", kernel_version=release)
        return node_row(NOTHING, NodeRecord("n", node=node)).cells["kernel"].sort_key

    releases = ["6.2.0-39-generic", "4.19.0-24-arm64", "5.10.0-26-arm64", None, "weird"]
    ordered = sorted(releases, key=kernel_key)
    assert ordered == ["weird", "4.19.0-24-arm64", "5.10.0-26-arm64", "6.2.0-39-generic", None]
    assert sorted(["vm-10", "vm-2", "vm-1"], key=natural_key) == ["vm-1", "vm-2", "vm-10"]


def test_filter_matches_name_arch_kernel_and_modes_only(seed: Snapshot, judged: Judgement) -> None:
    board = seed.node("rock64-1")
    assert board is not None
    row = node_row(seed, board, judged.findings("rock64-1"))
    for query in ("ROCK", "arm64", "4.19", "legacy", "native", ""):
        assert row.matches(query), query
    assert not row.matches("debian"), "OS is not a filter column"
    assert not row.matches("1500")


def test_checklist_lines_and_done_items(seed: Snapshot, judged: Judgement) -> None:
    rollups = {r.item.id: r for r in judged.rollups}
    assert is_done(rollups["kube-proxy-replacement"])
    assert not is_done(rollups["bpf-host-routing"])
    cols = columns(judged.rollups)
    assert header_line(cols).split() == ["ITEM", "ON", "OFF", "BLK", "N/A", "UNK"]
    assert counts(count_cells(rollups["bpf-host-routing"], cols)) == ["3", "·", "3", "·", "·"]
    assert counts(count_cells(rollups["bypass-iptables-conntrack"], cols)) == [
        "·",
        "3",
        "·",
        "3",
        "·",
    ], "recommended on the boards (off), n/a on the VMs"
    assert rollup_cells(rollups["kube-proxy-replacement"], cols)[0].text == "✓"
    assert rollup_cells(rollups["bpf-host-routing"], cols)[0].text == " "
    done = [r.item.id for r in judged.rollups if is_done(r)]
    assert done == [
        "native-routing",
        "kube-proxy-replacement",
        "bpf-masquerading",
        "nodeport-dsr",
        "hubble",
        "bpf-map-sizing",
    ]
    # IPv4 BIG TCP and netkit need a newer Cilium than the seed's 1.13: n/a, nothing to act on.
    assert counts(count_cells(rollups["netkit"], cols)) == ["·", "·", "·", "6", "·"]
    assert summary(judged.rollups) == f"{len(judged.rollups)} items · 6 done · 11 to act on"


def test_detail_facts_carry_their_evidence(seed: Snapshot) -> None:
    board = seed.node("rock64-1")
    assert board is not None
    facts = {(f.source, f.name): f for f in fact_rows(board, seed.config)}
    kernel = facts[("node", "kernel version")]
    assert kernel.value.text == "4.19.0-24-arm64"
    assert kernel.evidence[0].endswith("4.19.0-24-arm64")
    routing = facts[("agent", "host routing")]
    assert routing.value.text == "Legacy"
    assert ".host-routing.mode" in routing.evidence[0]
    assert facts[("node", "external ip")].value.text == UNKNOWN
    legacy = facts[("config", "host_legacy_routing")]
    assert legacy.value.plain == "no · default"
    assert legacy.evidence[0].startswith("cilium-config (absent): default")
    assert facts[("agent", "masquerading")].value.text.startswith("mode=BPF")


def test_collector_errors_are_facts() -> None:
    record = NodeRecord("n", errors={"ssh": "unreachable: [/boom]"})
    rows = fact_rows(record)
    assert [(r.source, r.value.text, r.value.tone) for r in rows] == [
        ("ssh", "unreachable: [/boom]", Tone.ERROR)
    ]


def test_format_value() -> None:
    assert format_value(None).text == UNKNOWN
    assert format_value(False).text == "no"
    assert format_value(()).text == "(none)"
    assert format_value(("eth0", "eth1")).text == "eth0, eth1"
    # nested facts: name=value pairs, unknown parts left out
    nested = BigTCP(enabled=True, max_gso=196608)
    assert format_value(nested).text == "enabled=yes, max gso=196608"


def counts(cells: list[Cell]) -> list[str]:
    return [c.plain.strip() for c in cells]


def line(cells: list[Cell]) -> str:
    return " ".join(c.plain for c in cells)


def test_checklist_columns_keep_every_count_whole_and_shorten_titles_instead(
    judged: Judgement,
) -> None:
    """A big cluster's counts (up to 4 digits) on a list 40 columns wide: the counts stay whole
    under their headers, the titles give way with an ellipsis."""
    item = max((r.item for r in judged.rollups), key=lambda i: len(i.title))
    big = Rollup(
        item,
        (),
        {State.ON: 1200, State.OFF: 1300, State.BLOCKED: 1000, State.NA: 999, State.UNKNOWN: 1},
        "",
    )
    natural = columns([big])
    assert natural.counts == {
        State.ON: 4,
        State.OFF: 4,
        State.BLOCKED: 4,
        State.NA: 3,
        State.UNKNOWN: 3,
    }
    assert natural.title == len(item.title)
    narrow = columns([big], width=40)
    assert narrow.width == 40 and narrow.counts == natural.counts
    shown = line(rollup_cells(big, narrow))
    assert len(shown) == narrow.width
    assert shown.endswith("1200 1300 1000 999   1")
    assert "…" in shown and not shown.startswith(f"  {item.title}")
    assert header_line(narrow).endswith("  ON  OFF  BLK N/A UNK")
    assert len(header_line(narrow)) == narrow.width
    tiny = columns([big], width=1)
    assert tiny.title == MIN_TITLE, "below this the terminal is too narrow for the list"
    assert isinstance(tiny, Columns)


def test_a_long_docs_link_breaks_between_its_parts() -> None:
    url = "https://docs.cilium.io/en/stable/operations/performance/tuning/#stop-irqbalance-and-pin"
    lines = break_url(url, 25)
    assert "".join(lines) == url
    assert all(len(part) <= 25 for part in lines)
    assert lines[:2] == ["https://docs.cilium.io/", "en/stable/operations/"]
    assert all(part[-1] in "/-" for part in lines[:-1]), "never in the middle of a word"
    assert break_url(url, 200) == [url]
    assert break_url("https://x/" + "a" * 30, 10)[1:] == ["aaaaaaaaaa"] * 3, "a word too long"
