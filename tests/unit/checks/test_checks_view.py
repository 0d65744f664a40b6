"""The per-node view: which source answers, with what evidence, and where sources disagree."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cilium_tui.checks.view import RESTART_PENDING, NodeView
from cilium_tui.model import AgentPod, AgentStatus, CiliumConfig, Masquerading, NodeRecord
from tests.unit.checks.seed import (
    AGENT_ERROR,
    IMAGE,
    agent,
    config,
    dark,
    modern,
    modern_config,
    record,
    setting,
    snapshot,
    ssh_only,
    vm,
)


def view_of(rec: NodeRecord, cilium_config: CiliumConfig | None = None, **kw: Any) -> NodeView:
    return NodeView(snapshot(rec, cilium_config=cilium_config, **kw), rec)


def test_cilium_version_from_the_agent_else_the_image_tag() -> None:
    assert str(view_of(vm()).cilium.value) == "1.13.4"
    assert view_of(vm()).cilium.origin == "agent"
    fallback = view_of(dark()).cilium
    assert (str(fallback.value), fallback.origin) == ("1.13.4", "image")
    assert fallback.evidence == (f"agent pod cilium-vm-9 image: {IMAGE}",)


def test_cilium_version_drift_during_a_rollout() -> None:
    rec = record("vm-1", agent_status=agent(), image="quay.io/cilium/cilium:v1.14.0")
    fact = view_of(rec).cilium
    assert fact.drift == "image v1.14.0, agent reports 1.13.4: agent rollout pending"


def test_kernel_from_the_probe_else_the_node_object() -> None:
    assert view_of(vm()).kernel.origin == "probe"
    assert view_of(vm()).kernel.evidence == ("ssh probe uname -r: 6.2.0-39-generic",)
    node_only = view_of(dark()).kernel
    assert node_only.origin == "node"
    assert node_only.evidence == ("Node status.nodeInfo.kernelVersion: 6.2.0-39-generic",)


def test_routing_mode_before_1_16_comes_from_the_config_only() -> None:
    fact = view_of(vm(), config()).routing
    assert (fact.value, fact.origin) == ("native", "config")
    assert fact.evidence == ('cilium-config tunnel: "disabled"',)
    assert view_of(vm()).routing.value is None


def test_running_wins_and_config_drift_is_noted() -> None:
    fact = view_of(modern(network_routing="Tunnel"), modern_config()).routing
    assert fact.value == "tunnel" and fact.origin == "agent"
    assert fact.drift == f"configured native, agent still reports Tunnel: {RESTART_PENDING}"
    assert RESTART_PENDING.startswith("restart pending, ")
    assert 'cilium-config routing-mode: "native"' in fact.evidence


def test_masquerading_disabled_in_config() -> None:
    data = {"enable-ipv4-masquerade": "false"}
    assert view_of(dark(), config(data)).masquerading.value == "Disabled"
    masq = view_of(vm(masquerading=Masquerading("IPTables")), config()).masquerading
    assert masq.drift is not None and masq.drift.startswith("configured BPF, agent still reports")


def test_explicit_legacy_routing_decides_without_the_agent() -> None:
    forced = config(host_legacy_routing=setting(True, "enable-host-legacy-routing", "true"))
    fact = view_of(dark(), forced).host_routing
    assert (fact.value, fact.origin) == ("Legacy", "config")
    drift = view_of(vm(), forced).host_routing
    assert drift.value == "BPF" and drift.drift is not None


def test_host_routing_prediction_needs_a_certain_cause() -> None:
    kpr_off = config(kpr_full=setting(False, "kube-proxy-replacement", "disabled"))
    predicted = view_of(dark(), kpr_off).host_routing
    assert (predicted.value, predicted.origin) == ("Legacy", "predicted")
    # kernel 4.19 under Cilium 1.13 (the pod's image) is certain too
    old = view_of(dark(kernel="4.19.0-24-arm64"), config()).host_routing
    assert old.value == "Legacy"
    # nothing certain: unknown, not BPF
    assert view_of(dark(), config()).host_routing.value is None


def test_agent_problem_says_why_there_is_no_status() -> None:
    assert view_of(dark()).agent_problem == f"agent status unavailable: {AGENT_ERROR}"
    crash = record("vm-1", agent_status=None)
    crash = replace(
        crash,
        pod=AgentPod("cilium-x", "kube-system", "vm-1", "Running", False, 5, "CrashLoopBackOff"),
    )
    assert view_of(crash).agent_problem == "agent pod cilium-x is CrashLoopBackOff"
    assert view_of(record("vm-1", pod=False)).agent_problem == "no Cilium agent pod on this node"
    empty = record("vm-1", agent_status=AgentStatus(source_format="text"))
    assert view_of(empty).agent is None
    assert view_of(vm()).agent_problem is None


def test_ssh_only_board_is_not_a_cilium_node() -> None:
    assert not view_of(ssh_only()).is_cilium_node
    assert view_of(dark()).is_cilium_node


def test_json_status_evidence_names_the_json_path() -> None:
    rec = record("vm-1", agent_status=agent(source_format="json"))
    assert view_of(rec).host_routing.evidence == (
        "cilium-dbg status -o json .host-routing.mode: BPF",
    )


def test_unparseable_values_are_unknown_not_off() -> None:
    odd = config(kpr_full=setting("maybe", "kube-proxy-replacement", "maybe"))
    assert view_of(dark(), odd).kpr.value is None
    assert view_of(vm(kube_proxy_replacement="Weird"), None).kpr.value is None
