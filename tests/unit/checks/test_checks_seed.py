"""The seed cluster and its training variant judged end to end, as the product's demo shows them."""

from __future__ import annotations

from cilium_tui.checks.catalogue import CATALOGUE, evaluate, evaluate_node
from cilium_tui.checks.types import Rollup, State
from cilium_tui.checks.why_legacy import CONNTRACK_UNNECESSARY, why_legacy
from tests.unit.checks.seed import BOARDS, VMS, seed, training


def rollup_of(rollups: tuple[Rollup, ...], item_id: str) -> Rollup:
    return next(r for r in rollups if r.item.id == item_id)


def states(r: Rollup) -> dict[str, State]:
    return {f.node: f.state for f in r.findings}


def test_seed_host_routing_bpf_on_vms_blocked_by_the_kernel_on_boards() -> None:
    host_routing = rollup_of(evaluate(seed()), "bpf-host-routing")
    assert states(host_routing) == {
        **dict.fromkeys(VMS, State.ON),
        **dict.fromkeys(BOARDS, State.BLOCKED),
    }
    assert host_routing.headline == "BPF host routing: on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"
    assert host_routing.counts[State.ON] == 3 and host_routing.counts[State.BLOCKED] == 3


def test_seed_why_legacy_first_cause_is_the_kernel_with_the_release_as_evidence() -> None:
    explanations = why_legacy(seed())
    assert [e.node for e in explanations] == list(BOARDS)
    for e in explanations:
        first = e.causes[0]
        assert first.id == "kernel" and first.certain and first.fix_item is None
        assert "4.19.0-24-arm64" in first.text
        assert any("4.19.0-24-arm64" in line for line in first.evidence)
        assert "no Cilium setting can fix this" in first.fix
        assert e.impossible and not e.predicted
        assert "bypass iptables connection tracking" in e.advice and "turn on" not in e.advice


def test_seed_recommends_the_conntrack_bypass_for_the_boards_only() -> None:
    bypass = rollup_of(evaluate(seed()), "bypass-iptables-conntrack")
    by_node = {f.node: f for f in bypass.findings}
    for name in VMS:
        assert by_node[name].state is State.NA and by_node[name].recommended is False
        assert by_node[name].reason == CONNTRACK_UNNECESSARY
    for name in BOARDS:
        assert by_node[name].state is State.OFF and by_node[name].recommended is True
    assert [f.node for f in bypass.failing] == list(BOARDS)


def test_seed_what_the_1_13_config_turns_on_everywhere() -> None:
    rollups = evaluate(seed())
    for item_id in ("native-routing", "kube-proxy-replacement", "bpf-masquerading", "nodeport-dsr"):
        r = rollup_of(rollups, item_id)
        assert set(states(r).values()) == {State.ON}, r.headline
        assert r.headline.endswith("on 6/6 nodes")


def test_seed_every_node_has_every_item() -> None:
    snap = seed()
    for record in snap.nodes:
        findings = evaluate_node(snap, record)
        assert [f.item_id for f in findings] == [i.id for i in CATALOGUE]
        assert {f.node for f in findings} == {record.name}


def test_training_every_node_legacy_because_of_kpr_and_iptables_masquerading() -> None:
    snap = training()
    explanations = {e.node: e for e in why_legacy(snap)}
    assert set(explanations) == set(VMS + BOARDS)
    for name in VMS:
        ids = [c.id for c in explanations[name].causes]
        assert ids == ["kube-proxy-replacement", "iptables-masquerading"]
        assert not explanations[name].impossible
        assert "Fix the causes above" in explanations[name].advice
    for name in BOARDS:
        ids = [c.id for c in explanations[name].causes]
        assert ids == ["kernel", "kube-proxy-replacement", "iptables-masquerading"]
        assert (
            "turn on native routing, full kube-proxy replacement, BPF masquerading (the bypass "
            "needs them), then bypass iptables connection tracking"
        ) in explanations[name].advice
    kpr = explanations["vm-1"].causes[0]
    assert kpr.fix_item == "kube-proxy-replacement" and "strict" in kpr.text
    assert explanations["vm-1"].causes[1].fix_item == "bpf-masquerading"


def test_training_rollups() -> None:
    rollups = evaluate(training())
    host_routing = rollup_of(rollups, "bpf-host-routing")
    assert set(states(host_routing).values()) == {State.BLOCKED}
    assert host_routing.headline.startswith(
        "BPF host routing: on 0/6 nodes; 6 blocked: kube-proxy replacement Disabled, "
        "iptables masquerading, kernel 4.19 < 5.10 (3)"
    )
    native = rollup_of(rollups, "native-routing")
    assert native.headline == "Native routing: on 0/6 nodes; 6 off: vxlan tunnelling"
    kpr = rollup_of(rollups, "kube-proxy-replacement")
    assert all("kube-proxy's iptables rules" in f.reason for f in kpr.findings)
