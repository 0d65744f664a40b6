"""The causes of Legacy host routing, per Cilium version (reference §2)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cilium_tui.checks.legacy_causes import Cause
from cilium_tui.checks.types import State
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import explain
from cilium_tui.model import CiliumConfig, Masquerading, NodeRecord
from tests.unit.checks.seed import (
    BOARD_KERNEL,
    board,
    board_probe,
    config,
    dark,
    judge,
    modern,
    modern_config,
    setting,
    snapshot,
    vm,
)


def causes(rec: NodeRecord, cilium_config: CiliumConfig | None = None) -> tuple[Cause, ...]:
    explanation = explain(NodeView(snapshot(rec, cilium_config=cilium_config), rec))
    assert explanation is not None
    return explanation.causes


def legacy_on(version: str, kernel: str = BOARD_KERNEL, **changes: Any) -> NodeRecord:
    return modern(kernel=kernel, cilium_version=version, host_routing="Legacy", **changes)


def test_not_legacy_no_explanation() -> None:
    assert explain(NodeView(snapshot(vm()), vm())) is None


@pytest.mark.parametrize(
    ("version", "listed", "certain"),
    [
        ("1.13.4", True, True),
        ("1.15.1", True, True),
        ("1.16.4", True, False),
        ("1.17.6", True, False),
        ("1.18.0", True, True),  # below Cilium 1.18's own minimum kernel
    ],
)
def test_old_kernel_cause_per_version(version: str, listed: bool, certain: bool | None) -> None:
    found = [c for c in causes(legacy_on(version), modern_config()) if c.id == "kernel"]
    assert bool(found) is listed
    if found:
        assert found[0].certain is certain
        assert ("UNVERIFIED" in found[0].text) is (not certain)
        assert ("Cilium 1.18.0's minimum kernel" in found[0].text) is (version == "1.18.0")


RHEL_86 = "4.18.0-372.9.1.el8.x86_64"
RHEL_85 = "4.18.0-348.el8.x86_64"


@pytest.mark.parametrize(
    ("version", "kernel", "listed"),
    [
        ("1.18.0", RHEL_86, False),  # RHEL 8.6's 4.18 counts as 5.10 from 1.18
        ("1.18.0", RHEL_85, True),
        ("1.18.0", "5.10.0-28-amd64", False),
        ("1.18.0", "5.4.0-150-generic", True),
    ],
)
def test_cilium_1_18_minimum_kernel_counts_rhel_8_6_as_equivalent(
    version: str, kernel: str, listed: bool
) -> None:
    rec = legacy_on(version, kernel=kernel, kube_proxy_replacement="False")
    found = [c for c in causes(rec, modern_config()) if c.id == "kernel"]
    assert bool(found) is listed, found


def test_ipsec_forces_legacy_up_to_1_18_and_is_possible_to_verify_from_1_19() -> None:
    ipsec = modern_config(ipsec=setting(True, "enable-ipsec", "true"))
    old = legacy_on("1.18.0", kernel="6.8.0", encryption="IPsec")
    [cause] = causes(old, ipsec)
    assert cause.id == "ipsec" and cause.certain and not cause.verify
    assert judge("bpf-host-routing", old, ipsec).state is State.BLOCKED
    new = legacy_on("1.19.1", kernel="6.8.0", encryption="IPsec")
    [cause] = causes(new, ipsec)
    assert cause.verify and "possible, verify the kernel" in cause.text
    assert "c43272299488" in cause.text
    finding = judge("bpf-host-routing", new, ipsec)
    assert finding.state is State.OFF, finding  # a check to make, not a blocker


def test_cilium_1_21_turns_bpf_host_routing_off_by_default() -> None:
    unset = modern_config()  # enable-host-legacy-routing not set: the default applies
    bpf = modern(cilium_version="1.20.2")
    assert "Before upgrading to Cilium 1.21" in (judge("bpf-host-routing", bpf, unset).advice or "")
    assert judge("bpf-host-routing", modern(), unset).advice is None  # 1.17: not the next step
    legacy = legacy_on("1.21.0", kernel="6.8.0")
    [cause] = causes(legacy, unset)
    assert cause.id == "default-legacy" and cause.fix_item == "bpf-host-routing"
    assert judge("bpf-host-routing", legacy, unset).state is State.OFF  # a setting fixes it


def test_kpr_wording_follows_the_version() -> None:
    old = causes(board(kube_proxy_replacement="Disabled"), config())
    assert "kube-proxy-replacement=strict" in old[1].text
    new = causes(legacy_on("1.16.4", kernel="6.8.0", kube_proxy_replacement="False"))
    assert [c.id for c in new] == ["kube-proxy-replacement"]
    assert "kube-proxy-replacement=true" in new[0].text


def test_iptables_masquerading_that_fell_back() -> None:
    found = causes(vm(host_routing="Legacy", masquerading=Masquerading("IPTables")), config())
    assert found[0].id == "iptables-masquerading"
    assert "the agent fell back" in found[0].text


@pytest.mark.parametrize(
    ("version", "listed"), [("1.13.4", True), ("1.18.2", True), ("1.19.0", False)]
)
def test_ipsec_until_1_18(version: str, listed: bool) -> None:
    rec = legacy_on(version, kernel="6.8.0", encryption="IPsec")
    certain = [c.id for c in causes(rec, modern_config()) if not c.verify]
    assert ("ipsec" in certain) is listed  # from 1.19: only "possible, verify the kernel"


def test_endpoint_routes_with_ipv6_only_on_1_13() -> None:
    cfg = config(
        endpoint_routes=setting(True, "enable-endpoint-routes", "true"),
        ipv6=setting(True, "enable-ipv6", "true"),
    )
    assert [c.id for c in causes(vm(host_routing="Legacy"), cfg)] == ["endpoint-routes-ipv6"]
    newer = legacy_on("1.14.0", kernel="6.8.0")
    assert [c.id for c in causes(newer, cfg)] == ["none-found"]


def test_explicit_setting_and_cni_chaining() -> None:
    cfg = config(
        host_legacy_routing=setting(True, "enable-host-legacy-routing", "true"),
        cni_chaining=setting("aws-cni", "cni-chaining-mode", "aws-cni"),
    )
    found = causes(vm(host_routing="Legacy"), cfg)
    assert [c.id for c in found] == ["explicit", "cni-chaining"]
    assert found[0].fix_item == "bpf-host-routing"
    assert found[1].fix_item is None


def test_no_cause_found_gives_the_log_command_quoted() -> None:
    (cause,) = causes(vm(host_routing="Legacy"), config())
    assert cause.id == "none-found" and not cause.certain
    assert "kubectl -n kube-system logs cilium-vm-1 -c cilium-agent | grep -iE 'legacy" in cause.fix


def test_prediction_is_flagged() -> None:
    rec = dark(kernel=BOARD_KERNEL)
    explanation = explain(NodeView(snapshot(rec, cilium_config=config()), rec))
    assert explanation is not None and explanation.predicted
    assert explanation.causes[0].id == "kernel"


def test_conntrack_bypass_already_on_is_acknowledged() -> None:
    cfg = config(install_no_conntrack=setting(True, "install-no-conntrack-iptables-rules", "true"))
    rec = replace(board(), probe=board_probe(notrack_rules=True))
    explanation = explain(NodeView(snapshot(rec, cilium_config=cfg), rec))
    assert explanation is not None and "already bypassed" in explanation.advice


def test_unverified_kernel_cause_says_so_in_its_blocker_too() -> None:
    (found,) = [c for c in causes(legacy_on("1.16.4"), modern_config()) if c.id == "kernel"]
    assert found.blocker.endswith("(unverified)")
    (certain,) = [c for c in causes(board(), config()) if c.id == "kernel"]
    assert certain.blocker == "kernel 4.19 < 5.10"


def test_a_cilium_before_1_9_has_no_bpf_host_routing_to_explain_away() -> None:
    rec = legacy_on("1.8.5", kernel="6.8.0")
    found = causes(rec, modern_config())
    assert found[0].id == "cilium-version"
    assert found[0].blocker == "Cilium 1.8 < 1.9"


def test_with_cni_chaining_the_bypass_is_not_advised_because_the_chart_forbids_it() -> None:
    cfg = config(cni_chaining=setting("aws-cni", "cni-chaining-mode", "aws-cni"))
    rec = board(cni_chaining="aws-cni")
    explanation = explain(NodeView(snapshot(rec, cilium_config=cfg), rec))
    assert explanation is not None and explanation.impossible
    assert "so is the iptables conntrack bypass" in explanation.advice
    assert "CNI chaining aws-cni" in explanation.advice
    assert "bypass iptables connection tracking (" not in explanation.advice
    plain = explain(NodeView(snapshot(board(), cilium_config=config()), board()))
    assert plain is not None and "bypass iptables connection tracking (" in plain.advice


def test_chaining_is_no_cause_when_the_config_says_legacy_routing_is_off() -> None:
    cfg = config(
        host_legacy_routing=setting(False, "enable-host-legacy-routing", "false"),
        cni_chaining=setting("generic-veth", "cni-chaining-mode", "generic-veth"),
    )
    assert [c.id for c in causes(vm(host_routing="Legacy"), cfg)] == ["none-found"]


def test_ipv6_only_nodes_get_no_bypass_advice_and_the_item_is_blocked() -> None:
    cfg = config(ipv4=setting(False, "enable-ipv4", "false"))
    rec = board()
    explanation = explain(NodeView(snapshot(rec, cilium_config=cfg), rec))
    assert explanation is not None and "IPv4 disabled" in explanation.advice
    finding = judge("bypass-iptables-conntrack", rec, cfg)
    assert finding.state is State.BLOCKED
    assert any("IPv4 disabled" in b for b in finding.blocked_by)


@pytest.mark.parametrize(
    ("version", "kernel", "below"),
    [
        ("1.18.0", "4.19.0-24-arm64", True),
        ("1.18.0", RHEL_86, False),
        ("1.18.0", RHEL_85, True),
        ("1.17.6", "4.19.0-24-arm64", True),  # 1.16/1.17: 5.4
        ("1.17.6", "5.4.0-150-generic", False),
        ("1.13.4", "4.19.0-24-arm64", False),  # no minimum tabled for 1.13
    ],
)
def test_the_kernel_item_names_the_cilium_release_s_minimum(
    version: str, kernel: str, below: bool
) -> None:
    rec = modern(kernel=kernel, cilium_version=version)
    assert rec.probe is not None
    rec = replace(rec, probe=replace(rec.probe, kernel_release=kernel, kernel_build=None))
    finding = judge("kernel", rec, modern_config())
    assert ("minimum kernel" in finding.reason) is below, finding.reason
    if below:
        assert finding.state is State.OFF
