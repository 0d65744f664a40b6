"""Every catalogue item judged on, off, blocked, unknown and (where it exists) n/a.

The nodes are model objects from `seed.py`: the seed's VMs and boards, a modern 1.17 node on
kernel 6.8, a node whose agent and host could not be reached, and an SSH-only board.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cilium_tui.checks.catalogue import CATALOGUE, item
from cilium_tui.checks.types import Finding, Item, State
from cilium_tui.checks.view import RESTART_PENDING
from cilium_tui.checks.why_legacy import CONNTRACK_UNNECESSARY
from cilium_tui.model import BandwidthManager, BigTCP, IrqAffinity, Masquerading, NodeRecord
from tests.unit.checks.seed import (
    AGENT_ERROR,
    SSH_ERROR,
    agent,
    board,
    board_probe,
    config,
    dark,
    default,
    judge,
    modern,
    modern_config,
    probe,
    record,
    setting,
    ssh_only,
    vm,
)

SEED = config()
MODERN = modern_config()
IPV6 = config(ipv6=setting(True, "enable-ipv6", "true"))


def with_probe(rec: NodeRecord, **changes: Any) -> NodeRecord:
    assert rec.probe is not None
    return replace(rec, probe=replace(rec.probe, **changes))


def check(finding: Finding, state: State, *needles: str) -> None:
    text = " ".join([finding.reason, *finding.blocked_by, *finding.evidence, finding.advice or ""])
    assert finding.state is state, finding
    for needle in needles:
        assert needle in text, f"{needle!r} not in {finding}"


# -------------------------------------------------------------------------------- every item


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda i: i.id)
def test_every_item_is_documented(entry: Item) -> None:
    assert entry.title and entry.why and entry.detection and entry.requirements
    assert entry.docs.startswith("https://docs.cilium.io/")
    assert entry is item(entry.id)


CILIUM_ITEMS = [i.id for i in CATALOGUE if i.scope == "cilium"]
HOST_ITEMS = [i.id for i in CATALOGUE if i.scope == "host"]


@pytest.mark.parametrize("item_id", CILIUM_ITEMS)
def test_cilium_items_are_na_on_ssh_only_boards(item_id: str) -> None:
    finding = judge(item_id, ssh_only(), SEED)
    check(finding, State.NA, "SSH inventory only")


@pytest.mark.parametrize("item_id", HOST_ITEMS)
def test_host_items_are_judged_on_ssh_only_boards(item_id: str) -> None:
    assert judge(item_id, ssh_only(), SEED).state is not State.NA or item_id == "cpu-governor"


@pytest.mark.parametrize("item_id", CILIUM_ITEMS)
def test_no_agent_and_no_config_is_unknown_never_off(item_id: str) -> None:
    finding = judge(item_id, dark(), None)
    assert finding.state is State.UNKNOWN or (
        # the agent pod's image still tells the version: some items do not exist in it
        finding.state is State.NA
        and finding.reason.startswith("n/a: needs Cilium >= ")
        and "running v1.13.4" in finding.reason
    ), finding
    if finding.state is State.UNKNOWN:
        assert AGENT_ERROR in finding.reason and "no cilium-config" in finding.reason


@pytest.mark.parametrize("item_id", [i for i in HOST_ITEMS if i != "kernel"])
def test_no_probe_is_unknown(item_id: str) -> None:
    check(judge(item_id, dark(), SEED), State.UNKNOWN, "no SSH probe", SSH_ERROR)


def test_unknown_item_id_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="native-routing"):
        item("no-such-item")


# -------------------------------------------------------------------------------- routing


def test_native_routing() -> None:
    check(judge("native-routing", vm(), SEED), State.ON, 'cilium-config tunnel: "disabled"')
    tunnel = config(routing_mode=setting("tunnel", "tunnel", "vxlan"))
    off = judge("native-routing", vm(), tunnel)
    # The advice is spelled for the running release: 1.13 has no routing-mode key.
    check(off, State.OFF, "tunnelling", "Set tunnel: disabled with")
    assert off.recommended is True and "routing-mode" not in (off.advice or "")
    modern_off = judge("native-routing", modern(network_routing="Tunnel"), MODERN)
    check(modern_off, State.OFF, "Set routing-mode: native with")
    check(judge("native-routing", modern(), MODERN), State.ON, "Routing: Native")


def test_native_routing_drift_configured_native_agent_still_tunnel() -> None:
    finding = judge("native-routing", modern(network_routing="Tunnel"), MODERN)
    check(finding, State.OFF)
    assert finding.drift == f"configured native, agent still reports Tunnel: {RESTART_PENDING}"


def test_native_routing_from_config_alone_is_configured_not_verified() -> None:
    """On means the running agent shows it: an unreadable status leaves it unknown."""
    finding = judge("native-routing", dark(), SEED)
    check(finding, State.UNKNOWN, "configured, not verified: agent status unreadable", AGENT_ERROR)
    assert finding.configured is State.ON and finding.unverified


def crash_looping(name: str = "vm-9") -> NodeRecord:
    rec = record(name, errors={"agent": "agent pod cilium-vm-9 is CrashLoopBackOff (3 restarts)"})
    assert rec.pod is not None
    pod = replace(rec.pod, ready=False, waiting_reason="CrashLoopBackOff", restarts=3)
    return replace(rec, pod=pod)


RUNNING_STATE_ITEMS = tuple(i for i in CILIUM_ITEMS if judge(i, vm(), SEED).state is State.ON)
"""What the seed's config turns on and its agents show: without a running agent, configured only."""


@pytest.mark.parametrize("item_id", RUNNING_STATE_ITEMS)
@pytest.mark.parametrize(
    ("rec", "why"),
    [(crash_looping(), "agent CrashLoopBackOff"), (dark(), "agent status unreadable")],
    ids=["crash-loop", "unreadable"],
)
def test_an_agent_that_is_not_running_shows_nothing_on(
    item_id: str, rec: NodeRecord, why: str
) -> None:
    finding = judge(item_id, rec, SEED)
    assert len(RUNNING_STATE_ITEMS) >= 7
    if item_id == "bpf-host-routing":  # the agent probes it: the config alone does not say
        check(finding, State.UNKNOWN, "host routing unknown: agent status unavailable")
        return
    check(finding, State.UNKNOWN, f"configured, not verified: {why}")
    assert finding.configured is State.ON
    assert judge(item_id, vm(), SEED).state is State.ON  # the same config, agent running


def test_configured_features_of_a_dead_agent_that_bbr_and_bwm_need_are_not_on() -> None:
    config_on = config(
        bandwidth_manager=setting(True, "enable-bandwidth-manager", "true"),
        bbr=setting(True, "enable-bbr", "true"),
    )
    for item_id in ("bandwidth-manager", "bbr"):
        check(judge(item_id, crash_looping(), config_on), State.UNKNOWN, "configured, not verified")


def test_kube_proxy_replacement() -> None:
    check(judge("kube-proxy-replacement", vm(), SEED), State.ON, "Strict")
    off = judge("kube-proxy-replacement", vm(kube_proxy_replacement="Disabled"), SEED)
    check(off, State.OFF, "kube-proxy-replacement: strict")
    assert off.drift == f"configured true, agent still reports Disabled: {RESTART_PENDING}"
    old = with_probe(vm(kube_proxy_replacement="Disabled"), kernel_release="4.14.300")
    check(judge("kube-proxy-replacement", old, SEED), State.BLOCKED, "kernel 4.14.300 < 4.19.57")
    still = judge("kube-proxy-replacement", vm(), SEED, kube_proxy_present=True)
    check(still, State.ON, "kube-proxy DaemonSet still runs")


def test_kube_proxy_replacement_1_14_plus_says_true() -> None:
    off = judge("kube-proxy-replacement", modern(kube_proxy_replacement="False"), MODERN)
    check(off, State.OFF, "kube-proxy-replacement: true")


def test_bpf_masquerading() -> None:
    check(judge("bpf-masquerading", vm(), SEED), State.ON)
    iptables = Masquerading("IPTables")
    off = judge("bpf-masquerading", vm(masquerading=iptables), SEED)
    check(off, State.OFF, "iptables masquerading")
    assert off.drift is not None and "a fallback to iptables masquerading" in off.drift
    blocked = judge(
        "bpf-masquerading", vm(masquerading=iptables, kube_proxy_replacement="Disabled"), None
    )
    check(blocked, State.BLOCKED, "kube-proxy replacement Disabled", "BPF NodePort")
    none = judge("bpf-masquerading", vm(masquerading=Masquerading("Disabled")), SEED)
    check(none, State.NA, "masquerading is disabled")


def test_bpf_masquerading_with_partial_replacement_and_bpf_nodeport_is_off_not_blocked() -> None:
    data = {"enable-node-port": "true"}
    rec = vm(masquerading=Masquerading("IPTables"), kube_proxy_replacement="Partial")
    check(judge("bpf-masquerading", rec, config(data)), State.OFF)


def test_bpf_host_routing() -> None:
    check(judge("bpf-host-routing", vm(), SEED), State.ON, "Host Routing: BPF")
    blocked = judge("bpf-host-routing", board(), SEED)
    check(blocked, State.BLOCKED, "4.19.0-24-arm64", "bypass iptables connection tracking")
    assert blocked.blocked_by == ("kernel 4.19 < 5.10",)


def test_bpf_host_routing_forced_legacy_is_off_not_blocked() -> None:
    forced = config(host_legacy_routing=setting(True, "enable-host-legacy-routing", "true"))
    finding = judge("bpf-host-routing", vm(host_routing="Legacy"), forced)
    check(finding, State.OFF, "enable-host-legacy-routing")


def test_bpf_host_routing_without_a_visible_cause_points_at_the_log() -> None:
    finding = judge("bpf-host-routing", vm(host_routing="Legacy"), SEED)
    check(finding, State.OFF, "no cause found", "kubectl -n kube-system logs cilium-vm-1")


def test_bpf_host_routing_predicted_from_config_when_agent_unreachable() -> None:
    kpr_off = config(kpr_full=setting(False, "kube-proxy-replacement", "disabled"))
    finding = judge("bpf-host-routing", dark(), kpr_off)
    check(finding, State.BLOCKED, "predicted", AGENT_ERROR)
    assert finding.blocked_by == ("kube-proxy replacement false",)
    check(judge("bpf-host-routing", dark(), SEED), State.UNKNOWN, AGENT_ERROR)


def test_conntrack_bypass_is_unnecessary_with_bpf_host_routing() -> None:
    finding = judge("bypass-iptables-conntrack", vm(), SEED)
    assert (finding.state, finding.reason, finding.recommended) == (
        State.NA,
        CONNTRACK_UNNECESSARY,
        False,
    )


def test_conntrack_bypass_on_legacy() -> None:
    off = judge("bypass-iptables-conntrack", board(), SEED)
    check(off, State.OFF, "install-no-conntrack-iptables-rules")
    assert off.recommended is True
    enabled = config(
        install_no_conntrack=setting(True, "install-no-conntrack-iptables-rules", "true")
    )
    done = with_probe(board(), notrack_rules=True)
    check(judge("bypass-iptables-conntrack", done, enabled), State.ON, "NOTRACK")
    pending = judge("bypass-iptables-conntrack", board(), enabled)
    check(pending, State.OFF)
    assert pending.drift is not None and "configured true" in pending.drift
    kpr_off = board(kube_proxy_replacement="Disabled", masquerading=Masquerading("IPTables"))
    blocked = judge("bypass-iptables-conntrack", kpr_off, SEED)
    check(blocked, State.BLOCKED)
    assert blocked.blocked_by == ("kube-proxy replacement Disabled", "iptables masquerading")


def test_conntrack_bypass_unknown() -> None:
    no_facts = replace(board(), probe=None)
    check(judge("bypass-iptables-conntrack", no_facts, None), State.UNKNOWN, "not show it")
    # configured off, but host routing cannot be told: whether it is needed is unknown
    check(judge("bypass-iptables-conntrack", dark(), SEED), State.UNKNOWN, "depends on host")


def test_netkit() -> None:
    on = judge("netkit", modern(device_mode="netkit"), MODERN)
    check(on, State.ON, "netkit device mode")
    check(judge("netkit", modern(), MODERN), State.OFF, "CiliumNodeConfig")
    # Cilium 1.13 has no netkit: not a blocked option but an upgrade (the kernel would follow).
    too_old = judge("netkit", board(), SEED)
    check(too_old, State.NA, "n/a: needs Cilium >= 1.16 (running 1.13.4)", "Cilium: 1.13.4")
    assert too_old.blocked_by == () and too_old.advice is None
    blocked = judge("netkit", modern(host_routing="Legacy"), MODERN)
    check(blocked, State.BLOCKED)
    assert blocked.blocked_by == ("BPF host routing Legacy",)
    no_version = replace(dark(), pod=None)
    check(judge("netkit", no_version, None), State.UNKNOWN, "device mode unknown")


# -------------------------------------------------------------------------------- services


def test_nodeport_dsr() -> None:
    check(judge("nodeport-dsr", vm(), SEED), State.ON, "bpf-lb-mode")
    check(judge("nodeport-dsr", vm(nodeport_mode="Hybrid"), SEED), State.ON, "hybrid")
    check(judge("nodeport-dsr", modern(), MODERN), State.OFF, "SNAT mode")
    drift = judge("nodeport-dsr", vm(nodeport_mode="SNAT"), SEED)
    check(drift, State.OFF)
    assert drift.drift == f"configured dsr, agent still reports SNAT: {RESTART_PENDING}"
    tunnel = modern_config(
        routing_mode=setting("tunnel", "routing-mode", "tunnel"), lb_mode=default("snat")
    )
    blocked = judge("nodeport-dsr", modern(network_routing="Tunnel"), tunnel)
    check(blocked, State.BLOCKED, "IP-option dispatch needs native routing")
    geneve = modern_config(
        routing_mode=setting("tunnel", "routing-mode", "tunnel"),
        dsr_dispatch=setting("geneve", "bpf-lb-dsr-dispatch", "geneve"),
    )
    vxlan = judge("nodeport-dsr", modern(network_routing="Tunnel"), geneve)
    check(vxlan, State.BLOCKED, "tunnel protocol vxlan")
    check(judge("nodeport-dsr", vm(), None), State.UNKNOWN, "load-balancer mode unknown")


def test_xdp_acceleration() -> None:
    check(judge("xdp-acceleration", vm(xdp_acceleration="Native"), SEED), State.ON)
    check(judge("xdp-acceleration", vm(), SEED), State.OFF, "bpf-lb-acceleration: native")
    check(judge("xdp-acceleration", board(), SEED), State.BLOCKED, "st_gmac has no native XDP")
    ena = with_probe(vm(), nic_driver="ena", kernel_release="5.4.0-1109-aws")
    check(
        judge("xdp-acceleration", ena, SEED), State.BLOCKED, "kernel 5.4 < 5.6 (native XDP in ena)"
    )
    mlx5 = judge("xdp-acceleration", modern(xdp_acceleration="Disabled"), MODERN)
    check(mlx5, State.OFF)
    generic = judge("xdp-acceleration", vm(xdp_acceleration="Generic"), SEED)
    check(generic, State.OFF, "generic XDP is no acceleration")
    no_probe = judge("xdp-acceleration", replace(vm(), probe=None), SEED)
    check(no_probe, State.OFF, "not verified", "no SSH probe")
    check(judge("xdp-acceleration", vm(), None), State.UNKNOWN)


# -------------------------------------------------------------------------------- throughput


def test_ipv6_big_tcp() -> None:
    check(judge("ipv6-big-tcp", vm(), SEED), State.NA, "IPv6 is disabled")
    on = judge("ipv6-big-tcp", modern(ipv6_big_tcp=BigTCP(True, 196608, 196608)), MODERN)
    check(on, State.ON)
    check(judge("ipv6-big-tcp", modern(), MODERN), State.OFF, "mlx4, mlx5, ice", "mlx5_core")
    blocked = judge("ipv6-big-tcp", board(), IPV6)
    check(blocked, State.BLOCKED, "fail to start")
    assert blocked.blocked_by == ("kernel 4.19 < 5.19", "BPF host routing Legacy")
    check(judge("ipv6-big-tcp", dark(), None), State.UNKNOWN)


def test_ipv6_big_tcp_kernel_only_is_blocked_without_crash_warning() -> None:
    blocked = judge("ipv6-big-tcp", modern(kernel="5.15.0-58-generic"), MODERN)
    assert blocked.blocked_by == ("kernel 5.15 < 5.19",)
    assert "fail to start" not in blocked.reason


def test_ipv4_big_tcp() -> None:
    on = judge("ipv4-big-tcp", modern(ipv4_big_tcp=BigTCP(True, 196608, 196608)), MODERN)
    check(on, State.ON)
    check(judge("ipv4-big-tcp", modern(), MODERN), State.OFF, "enable-ipv4-big-tcp")
    # Cilium 1.13 has no IPv4 BIG TCP: n/a even though neither status nor config mention it
    seed_vm = judge("ipv4-big-tcp", vm(), SEED)
    check(seed_vm, State.NA, "n/a: needs Cilium >= 1.14 (running 1.13.4)")
    assert seed_vm.blocked_by == () and "fail to start" not in seed_vm.reason
    wireguard = judge(
        "ipv4-big-tcp", modern(encryption="Wireguard", ipv4_big_tcp=BigTCP(False)), MODERN
    )
    check(wireguard, State.BLOCKED, "encryption Wireguard", "fail to start")
    check(judge("ipv4-big-tcp", replace(dark(), pod=None), None), State.UNKNOWN)


def test_bandwidth_manager() -> None:
    on = judge("bandwidth-manager", vm(bandwidth_manager=BandwidthManager(True, "CUBIC")), SEED)
    check(on, State.ON, "EDT")
    check(judge("bandwidth-manager", vm(), SEED), State.OFF, "enable-bandwidth-manager")
    check(judge("bandwidth-manager", board(), SEED), State.BLOCKED, "kernel 4.19 < 5.1")
    ipsec = judge("bandwidth-manager", vm(encryption="IPsec"), SEED)
    check(ipsec, State.BLOCKED, "IPsec encryption")
    check(judge("bandwidth-manager", dark(), None), State.UNKNOWN)


def test_bbr() -> None:
    bbr_on = BandwidthManager(True, "BBR")
    check(judge("bbr", modern(bandwidth_manager=bbr_on), MODERN), State.ON)
    cubic = BandwidthManager(True, "CUBIC")
    check(judge("bbr", modern(bandwidth_manager=cubic), MODERN), State.OFF, "only new Pods")
    # The Bandwidth Manager is not a blocker: BBR's plan turns it on with BBR.
    check(judge("bbr", vm(), SEED), State.OFF, 'enable-bbr: "true" with the Bandwidth Manager')
    # Below 5.1 the Bandwidth Manager turns itself off before BBR is checked: no crash.
    old_kernel = judge("bbr", board(bandwidth_manager=cubic), SEED)
    check(old_kernel, State.BLOCKED, "enabling it now would silently do nothing")
    assert "fail to start" not in old_kernel.reason
    assert old_kernel.blocked_by == (
        "kernel 4.19 < 5.1 (Bandwidth Manager)",
        "kernel 4.19 < 5.18",
        "BPF host routing Legacy",
    )
    legacy = judge("bbr", with_probe(board(bandwidth_manager=cubic), kernel_release="5.4.0"), SEED)
    check(legacy, State.BLOCKED, "enabling it now would make the agent fail to start")
    assert legacy.blocked_by == ("kernel 5.4 < 5.18", "BPF host routing Legacy")
    check(judge("bbr", dark(), None), State.UNKNOWN)


def test_bbr_hostns_only_on_a_legacy_1_18_node_starts_but_gives_pods_nothing() -> None:
    """enable-bbr-hostns-only lifts BBR's need for BPF host routing (no crash) and keeps BBR
    off Pods' sockets: the checklist and the planner both say "silently nothing"."""
    hostns = config(bbr_hostns_only=setting(True, "enable-bbr-hostns-only", "true"))
    rec = modern(
        cilium_version="1.18.2",
        host_routing="Legacy",
        bandwidth_manager=BandwidthManager(True, "CUBIC"),
    )
    finding = judge("bbr", replace(rec, pod=None), hostns)
    check(finding, State.BLOCKED, "enable-bbr-hostns-only", "would silently do nothing")
    assert "fail to start" not in finding.reason
    assert all("host routing" not in b for b in finding.blocked_by)


def test_bpf_map_sizing() -> None:
    check(judge("bpf-map-sizing", vm(), SEED), State.ON, "0.0025", "0.08")
    fixed = config(map_dynamic_size_ratio=setting(0.0, "bpf-map-dynamic-size-ratio", "0"))
    check(judge("bpf-map-sizing", vm(), fixed), State.OFF, "fixed BPF map sizes")
    verbose = judge("bpf-map-sizing", vm(bpf_map_dynamic_ratio=0.08), None)
    check(verbose, State.ON, "0.08")
    assert verbose.advice is None
    check(judge("bpf-map-sizing", vm(), None), State.UNKNOWN)


def test_jumbo_mtu_is_advisory_guidance() -> None:
    assert item("jumbo-mtu").advisory
    off = judge("jumbo-mtu", vm(), SEED)
    check(off, State.OFF, "eth0 MTU 1500", "ip -j link show dev eth0")
    assert not item("jumbo-mtu").fails(off)
    jumbo = with_probe(vm(), mtu=9000)
    pinned = config(mtu=setting(8950, "mtu", "8950"))
    check(judge("jumbo-mtu", jumbo, pinned), State.ON, "9000", "mtu 8950 overrides")
    check(judge("jumbo-mtu", ssh_only(), None), State.OFF)


# -------------------------------------------------------------------------------- hubble


def test_hubble_on_is_fine_and_never_fails() -> None:
    hubble = item("hubble")
    assert hubble.advisory and not hubble.on_is_good
    on = judge("hubble", vm(), SEED)
    check(on, State.ON, "observability beats a marginal gain", "rate", "trace events off")
    off = judge("hubble", vm(hubble="Disabled"), SEED)
    check(off, State.OFF)
    assert off.recommended is False and not hubble.fails(off)
    check(judge("hubble", dark(), None), State.UNKNOWN)


# -------------------------------------------------------------------------------- host


def test_kernel() -> None:
    on = judge("kernel", vm(), SEED)
    check(on, State.ON, "6.2.0-39-generic >= 5.10", "6.8+ also unlocks", "uname -r")
    check(judge("kernel", modern(), MODERN), State.ON, "every datapath tuning")
    check(judge("kernel", board(), SEED), State.OFF, "< 5.10", "newest LTS")
    from_node = judge("kernel", dark(kernel="5.15.0-58-generic"), SEED)
    check(from_node, State.ON, "Node status.nodeInfo.kernelVersion")
    check(judge("kernel", NodeRecord("x"), None), State.UNKNOWN, "no SSH probe")
    garbage = record("x", kernel="unknown-kernel", agent_status=None, probe_facts=None)
    check(judge("kernel", garbage, None), State.UNKNOWN, "not understood")
    rhel = with_probe(vm(), kernel_release="4.18.0-372.9.1.el8.x86_64")
    check(judge("kernel", rhel, SEED), State.OFF, "RHEL 8")


def test_kernel_drift_between_node_object_and_uname() -> None:
    rec = with_probe(vm(), kernel_release="6.5.0-14-generic")
    finding = judge("kernel", rec, SEED)
    assert finding.drift == (
        "Node object reports kernel 6.2.0-39-generic, uname -r over SSH says 6.5.0-14-generic: "
        "check that the inventory maps this node to the right SSH host"
    )


def test_unreadable_uname_falls_back_to_the_node_object() -> None:
    rec = with_probe(vm(), kernel_release="???")
    check(judge("kernel", rec, SEED), State.ON, "Node status.nodeInfo.kernelVersion")


def test_preempt_none() -> None:
    check(judge("preempt-none", with_probe(vm(), preempt="none"), SEED), State.ON)
    # Ubuntu: voluntary by default, but PREEMPT_DYNAMIC (uname -v): a boot option switches it
    ubuntu = judge("preempt-none", vm(), SEED)
    check(
        ubuntu,
        State.OFF,
        "preempt=none",
        "/boot/config",
        "uname -v: #40-Ubuntu SMP PREEMPT_DYNAMIC",
    )
    dynamic = judge("preempt-none", with_probe(vm(), preempt="dynamic", kernel_build="#1"), SEED)
    check(dynamic, State.OFF, "preempt=none")
    # Debian 10: voluntary, compiled in: only another kernel helps
    debian = judge("preempt-none", board(), SEED)
    check(debian, State.BLOCKED, "without PREEMPT_DYNAMIC", "CONFIG_PREEMPT_NONE=y")
    assert debian.blocked_by == ("kernel built with PREEMPT_VOLUNTARY",)
    check(judge("preempt-none", with_probe(vm(), preempt=None), SEED), State.UNKNOWN)


def test_tuned_profile() -> None:
    latency = with_probe(vm(), tuned_installed=True, tuned_profile="network-latency")
    check(judge("tuned-profile", latency, SEED), State.ON, "network-latency")
    balanced = with_probe(vm(), tuned_installed=True, tuned_profile="balanced")
    check(judge("tuned-profile", balanced, SEED), State.OFF, "balanced", "tuned-adm profile")
    idle = with_probe(vm(), tuned_installed=True, tuned_profile="")
    check(judge("tuned-profile", idle, SEED), State.OFF, "no active profile")
    missing = judge("tuned-profile", vm(), SEED)
    assert missing.state is State.BLOCKED and missing.blocked_by == ("tuned not installed",)
    unread = with_probe(vm(), tuned_installed=None, tuned_profile=None)
    check(judge("tuned-profile", unread, SEED), State.UNKNOWN)


def test_cpu_governor() -> None:
    check(judge("cpu-governor", vm(), SEED), State.NA, "no cpufreq")
    performance = with_probe(board(), cpu_governors=("performance",) * 4)
    check(judge("cpu-governor", performance, SEED), State.ON, "all 4 CPUs")
    mixed = with_probe(board(), cpu_governors=("performance", "powersave"))
    check(judge("cpu-governor", mixed, SEED), State.OFF, "powersave on 1/2 CPUs", "cpupower")
    unread = with_probe(board(), cpu_governors=())
    check(judge("cpu-governor", unread, SEED), State.UNKNOWN)


def test_irqbalance() -> None:
    check(judge("irqbalance", vm(), SEED), State.OFF, "irqbalance is running", "disable --now")
    spread = judge("irqbalance", board(), SEED)
    check(spread, State.OFF, "not installed", "1 NIC IRQ is not pinned", "35 eth0 -> 0-3")
    pinned = with_probe(
        vm(),
        irqbalance_active="inactive",
        irqbalance_enabled="enabled",
        nic_irqs=(
            IrqAffinity(41, "virtio0-input.0", "2"),
            IrqAffinity(42, "virtio0-output.0", "3"),
        ),
    )
    on = judge("irqbalance", pinned, SEED)
    check(on, State.ON, "stopped; NIC IRQs pinned", "starts again at boot")
    check(judge("irqbalance", with_probe(vm(), irqbalance_active=None), SEED), State.UNKNOWN)


def test_board_probe_debian_build_tells_the_real_patch_level() -> None:
    """4.19.0-24-arm64 hides its patch level; `uname -v` says Debian 4.19.282-1."""
    old = with_probe(board(), kernel_build="#1 SMP Debian 4.19.37-5 (2019-06-19)")
    blocked = judge("bypass-iptables-conntrack", old, SEED)
    check(blocked, State.BLOCKED, "kernel 4.19.37 < 4.19.57/5.1.16/5.2", "uname -v")
    hidden = with_probe(board(), kernel_build="#1 SMP")
    check(judge("bypass-iptables-conntrack", hidden, SEED), State.OFF, "not verified")


def test_recorded_evidence_is_preferred_to_synthesised() -> None:
    from cilium_tui.model import Evidence

    status = agent(evidence={"host_routing": Evidence("cilium-dbg status", "Host Routing", "BPF")})
    rec = record("vm-1", agent_status=status, probe_facts=probe())
    finding = judge("bpf-host-routing", rec, SEED)
    assert finding.evidence == ("cilium-dbg status Host Routing: BPF",)
    _ = board_probe  # the board probe is exercised through board()
