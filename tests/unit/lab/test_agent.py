"""The lab's model of a Cilium agent starting: features, fallbacks, start-up errors per release."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cilium_tui.lab.agent import AgentOutcome, apply_host_effects, log_lines, start_agent
from cilium_tui.lab.host import HostState
from cilium_tui.lab.release import UnsupportedRelease
from cilium_tui.lab.scenarios import (
    debian_10_board,
    scenario,
    ubuntu_2204_vm,
    ubuntu_2304_vm,
    ubuntu_2404_server,
)

KERNEL_FALLBACK = (
    "BPF host routing requires kernel 5.10 or newer. Falling back to legacy host routing "
    "(enable-host-legacy-routing=true)."
)
SEED = scenario("seed").config
TRAINING = scenario("training").config
MODERN = scenario("modern").config


def vm() -> HostState:
    return ubuntu_2304_vm("vm")


def board() -> HostState:
    return debian_10_board("board")


def server() -> HostState:
    return ubuntu_2404_server("server")


def native(minor: int, **extra: str) -> dict[str, str]:
    """Native routing, full KPR, BPF masquerading in the release's spelling."""
    routing = {"tunnel": "disabled"} if minor == 13 else {"routing-mode": "native"}
    kpr = "strict" if minor == 13 else "true"
    return {
        **routing,
        "kube-proxy-replacement": kpr,
        "enable-bpf-masquerade": "true",
        "ipv4-native-routing-cidr": "10.42.0.0/16",
        **extra,
    }


def start(version: str, config: Mapping[str, str], host: HostState, **kw: bool) -> AgentOutcome:
    return start_agent(version, config, host, **kw)


def ready(version: str, config: Mapping[str, str], host: HostState) -> AgentOutcome:
    outcome = start(version, config, host)
    assert outcome.ready, outcome.fatal
    assert outcome.status is not None and outcome.fatal is None
    return outcome


def fatal(version: str, config: Mapping[str, str], host: HostState) -> str:
    outcome = start(version, config, host)
    assert not outcome.ready and outcome.status is None and outcome.fatal is not None
    assert outcome.entries[-1].level == "fatal" and outcome.entries[-1].msg == outcome.fatal
    return outcome.fatal


# -- the seed and training clusters ----------------------------------------------------------


def test_seed_vms_run_bpf_host_routing() -> None:
    for node in scenario("seed").nodes[:3]:
        outcome = ready("1.13.4", SEED, node.host)
        assert outcome.status is not None
        assert outcome.status.host_routing == "BPF"
        assert outcome.status.kube_proxy_replacement == "Strict"
        assert outcome.status.masquerading is not None
        assert outcome.status.masquerading.mode == "BPF"
        assert outcome.status.nodeport_mode == "DSR"
        assert not any("Falling back" in line for line in outcome.log)


def test_seed_boards_fall_back_to_legacy_because_of_the_kernel() -> None:
    for node in scenario("seed").nodes[3:]:
        assert node.host.kernel_release == "4.19.0-24-arm64"
        outcome = ready("1.13.4", SEED, node.host)
        assert outcome.status is not None and outcome.status.host_routing == "Legacy"
        assert KERNEL_FALLBACK in outcome.log
        # BPF masquerading does not depend on the kernel probe: it stays on.
        assert outcome.status.masquerading is not None
        assert outcome.status.masquerading.mode == "BPF"


def test_training_is_legacy_everywhere_without_a_fallback_line() -> None:
    for node in scenario("training").nodes:
        outcome = ready("1.13.4", TRAINING, node.host)
        assert outcome.status is not None and outcome.status.host_routing == "Legacy"
        assert outcome.status.kube_proxy_replacement == "Disabled"
        assert outcome.status.masquerading is not None
        assert outcome.status.masquerading.mode == "IPTables"
        assert outcome.status.nodeport_mode is None
        # KPR=disabled turns NodePort off, which sets Legacy silently (cilium/cilium#44041).
        assert not any("Falling back to legacy host routing" in line for line in outcome.log)


def test_patching_seed_to_training_and_back_flips_host_routing_on_the_vms_only() -> None:
    host_vm, host_board = vm(), board()
    routing = []
    for config in (SEED, TRAINING, SEED):
        routing.append(
            tuple(
                ready("1.13.4", config, host).status.host_routing for host in (host_vm, host_board)
            )
        )
    assert routing == [("BPF", "Legacy"), ("Legacy", "Legacy"), ("BPF", "Legacy")]


def test_modern_runs_netkit_bbr_and_big_tcp() -> None:
    outcome = ready("1.18.2", MODERN, server())
    status = outcome.status
    assert status is not None
    assert status.host_routing == "BPF" and status.network_routing == "Native"
    assert status.device_mode == "netkit" and status.attach_mode == "TCX"
    assert status.bandwidth_manager is not None
    assert status.bandwidth_manager.congestion_control == "BBR"
    assert status.ipv4_big_tcp is not None and status.ipv4_big_tcp.enabled
    assert status.ipv4_big_tcp.max_gso == 196608


# -- fatal start-up errors -------------------------------------------------------------------


def test_bbr_on_legacy_host_routing_is_fatal() -> None:
    config = native(
        13,
        **{
            "enable-host-legacy-routing": "true",
            "enable-bandwidth-manager": "true",
            "enable-bbr": "true",
        },
    )
    assert (
        fatal("1.13.4", config, vm())
        == "BPF bandwidth manager's BBR setup requires BPF host routing."
    )
    # A node that fell back by itself crash-loops the same way once BBR is enabled.
    iptables = native(
        17,
        **{
            "enable-bpf-masquerade": "false",
            "enable-bandwidth-manager": "true",
            "enable-bbr": "true",
        },
    )
    assert "requires BPF host routing" in fatal("1.17.2", iptables, server())


def test_bbr_host_namespace_only_lifts_the_host_routing_requirement_on_1_18() -> None:
    config = native(
        18,
        **{
            "enable-host-legacy-routing": "true",
            "enable-bandwidth-manager": "true",
            "enable-bbr": "true",
            "enable-bbr-hostns-only": "true",
        },
    )
    assert ready("1.18.2", config, server()).status.bandwidth_manager.congestion_control == "BBR"
    assert "requires BPF host routing" in fatal("1.17.2", config, server())


def test_bbr_on_a_kernel_older_than_5_18_is_fatal() -> None:
    config = native(13, **{"enable-bandwidth-manager": "true", "enable-bbr": "true"})
    assert fatal("1.13.4", config, ubuntu_2204_vm("jammy")) == (
        "Cannot enable --enable-bbr, needs kernel 5.18 or newer."
    )
    assert (
        fatal(
            "1.15.6",
            native(15, **{"enable-bandwidth-manager": "true", "enable-bbr": "true"}),
            ubuntu_2204_vm("jammy"),
        )
        == "cannot enable --enable-bbr, needs kernel 5.18 or newer"
    )


def test_big_tcp_in_tunnel_mode_is_fatal_but_an_old_kernel_only_disables_it() -> None:
    tunnel = {
        "routing-mode": "tunnel",
        "kube-proxy-replacement": "true",
        "enable-bpf-masquerade": "true",
        "enable-ipv4-big-tcp": "true",
    }
    assert fatal("1.16.4", tunnel, server()) == "IPv4 BIG TCP is not supported in tunneling mode"
    outcome = ready("1.16.4", tunnel, vm())  # 6.2 < 6.3: probed first, warning only
    assert "Cannot enable --enable-ipv4-big-tcp, needs kernel 6.3 or newer" in outcome.log
    assert outcome.status is not None and outcome.status.ipv4_big_tcp is not None
    assert not outcome.status.ipv4_big_tcp.enabled


def test_big_tcp_with_legacy_host_routing_or_encryption_is_fatal() -> None:
    legacy = native(13, **{"enable-ipv6-big-tcp": "true", "enable-host-legacy-routing": "true"})
    assert fatal("1.13.4", legacy, vm()) == "IPv6 BIG TCP is not supported with legacy host routing"
    wireguard = native(17, **{"enable-ipv4-big-tcp": "true", "enable-wireguard": "true"})
    assert fatal("1.17.2", wireguard, server()) == (
        "IPv4 BIG TCP is not supported with encryption enabled"
    )


def test_conntrack_bypass_without_full_kpr_or_in_tunnel_mode_is_fatal() -> None:
    no_kpr = {
        **SEED,
        "kube-proxy-replacement": "partial",
        "install-no-conntrack-iptables-rules": "true",
    }
    assert fatal("1.13.4", no_kpr, vm()) == (
        "install-no-conntrack-iptables-rules requires the agent to run with "
        "kube-proxy-replacement=strict."
    )
    assert "kube-proxy-replacement=true." in fatal(
        "1.16.4",
        native(
            16, **{"kube-proxy-replacement": "false", "install-no-conntrack-iptables-rules": "true"}
        ),
        vm(),
    )
    tunnel = {**TRAINING, "install-no-conntrack-iptables-rules": "true"}
    assert fatal("1.13.4", tunnel, vm()) == (
        "install-no-conntrack-iptables-rules requires the agent to run in direct routing mode."
    )
    iptables = {
        **SEED,
        "enable-bpf-masquerade": "false",
        "install-no-conntrack-iptables-rules": "true",
    }
    assert "requires the agent to run with enable-bpf-masquerade." in fatal(
        "1.13.4", iptables, vm()
    )


def test_conntrack_bypass_installs_notrack_rules_when_accepted() -> None:
    outcome = ready("1.13.4", {**SEED, "install-no-conntrack-iptables-rules": "true"}, vm())
    rules = outcome.effects.notrack_rules
    assert len(rules) == 4 and all("10.42.0.0/16" in rule and "--notrack" in rule for rule in rules)


@pytest.mark.parametrize(
    ("version", "value", "ok"),
    [
        ("1.13.4", "strict", True),
        ("1.13.4", "partial", True),
        ("1.13.4", "disabled", True),
        ("1.13.4", "probe", False),  # removed in 1.13
        ("1.13.4", "true", False),
        ("1.14.0", "strict", True),  # deprecated, still accepted
        ("1.15.6", "true", True),
        ("1.16.4", "strict", False),
        ("1.16.4", "disabled", False),
        ("1.18.2", "true", True),
        ("1.18.2", "false", True),
    ],
)
def test_kube_proxy_replacement_values_per_release(version: str, value: str, ok: bool) -> None:
    config = {"kube-proxy-replacement": value}
    outcome = start(version, config, server())
    assert outcome.ready is ok
    if not ok:
        assert outcome.fatal == f"Invalid value for --kube-proxy-replacement: {value}"


def test_deprecated_kpr_values_warn_on_1_14_and_1_15() -> None:
    outcome = ready("1.14.0", {"kube-proxy-replacement": "strict"}, server())
    assert outcome.entries[0].level == "warning"
    assert outcome.log[0] == (
        'Deprecated value for --kube-proxy-replacement: strict (use either "true", or "false")'
    )
    assert outcome.status is not None and outcome.status.kube_proxy_replacement == "Strict"


def test_netkit_needs_kernel_6_8_on_1_18_but_1_16_starts_anyway() -> None:
    config = native(18, **{"datapath-mode": "netkit"})
    assert "requires kernel 6.8" in fatal("1.18.2", config, vm())
    assert ready("1.18.2", config, server()).status.device_mode == "netkit"
    # cilium/cilium#33878: 1.16 starts on a 6.2 kernel without complaint (Pods fail later).
    outcome = ready("1.16.4", native(16, **{"datapath-mode": "netkit"}), vm())
    assert outcome.status is not None and outcome.status.device_mode == "netkit"
    assert outcome.status.attach_mode == "Legacy TC"  # tcx needs a newer kernel


def test_netkit_with_legacy_host_routing_is_fatal_on_1_18() -> None:
    config = native(18, **{"datapath-mode": "netkit", "enable-host-legacy-routing": "true"})
    assert "requires BPF host routing" in fatal("1.18.2", config, server())


def test_xdp_acceleration_by_driver() -> None:
    native_xdp = {**SEED, "bpf-lb-acceleration": "native"}
    assert fatal("1.13.4", native_xdp, board()) == (
        "attaching XDP program to interface eth0: operation not supported"
    )
    on_virtio = ready("1.13.4", native_xdp, vm())
    assert on_virtio.effects.xdp_attached
    assert on_virtio.status is not None and on_virtio.status.xdp_acceleration == "Native"
    best_effort = native(15, **{"bpf-lb-acceleration": "best-effort"})
    skipped = ready("1.15.6", best_effort, debian_10_board("b"))
    assert not skipped.effects.xdp_attached
    assert any("skipping" in line for line in skipped.log)
    assert (
        fatal("1.14.0", native(14, **{"bpf-lb-acceleration": "best-effort"}), server())
        == "Invalid value for --bpf-lb-acceleration: best-effort"
    )


def test_dsr_dispatch_against_the_tunnel() -> None:
    vxlan = {"tunnel": "vxlan", "kube-proxy-replacement": "strict", "bpf-lb-mode": "dsr"}
    assert (
        fatal("1.13.4", vxlan, vm()) == 'Node Port "dsr" mode cannot be used with vxlan tunneling.'
    )
    geneve = {
        "routing-mode": "tunnel",
        "tunnel-protocol": "geneve",
        "kube-proxy-replacement": "true",
        "bpf-lb-mode": "dsr",
    }
    assert fatal("1.16.4", geneve, server()) == (
        'Tunnel routing with Node Port "dsr" mode requires geneve dispatch.'
    )
    dispatched = ready("1.16.4", {**geneve, "bpf-lb-dsr-dispatch": "geneve"}, server())
    assert dispatched.status is not None and dispatched.status.dsr_dispatch == "Geneve"


def test_unsupported_release_and_too_old_kernel() -> None:
    with pytest.raises(UnsupportedRelease, match=r"1\.13 to 1\.18"):
        start_agent("1.12.2", {}, vm())
    assert "minimal supported kernel version is >= 5.4" in fatal("1.16.4", {}, board())


# -- fallbacks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "extra", "reason"),
    [
        (
            "1.13.4",
            {"enable-bpf-masquerade": "false"},
            "BPF host routing requires enable-bpf-masquerade.",
        ),
        (
            "1.13.4",
            {"kube-proxy-replacement": "partial", "enable-node-port": "true"},
            "BPF host routing requires kube-proxy-replacement=strict.",
        ),
        (
            "1.15.6",
            {"kube-proxy-replacement": "false", "enable-node-port": "true"},
            "BPF host routing requires kube-proxy-replacement=true.",
        ),
        ("1.17.2", {"enable-ipsec": "true"}, "BPF host routing is incompatible with enable-ipsec."),
    ],
)
def test_each_logged_host_routing_fallback(
    version: str, extra: dict[str, str], reason: str
) -> None:
    minor = int(version.split(".")[1])
    outcome = ready(version, native(minor, **extra), vm())
    assert outcome.status is not None and outcome.status.host_routing == "Legacy"
    assert f"{reason} Falling back to legacy host routing (enable-host-legacy-routing=true)." in (
        outcome.log
    )


def test_endpoint_routes_with_ipv6_forces_legacy_on_1_13_only() -> None:
    config = native(13, **{"enable-endpoint-routes": "true", "enable-ipv6": "true"})
    outcome = start("1.13.4", config, vm(), node_ipv6=True)
    assert outcome.status is not None and outcome.status.host_routing == "Legacy"
    assert any("enable-endpoint-routes when IPv6" in line for line in outcome.log)
    newer = start(
        "1.14.0",
        native(14, **{"enable-endpoint-routes": "true", "enable-ipv6": "true"}),
        vm(),
        node_ipv6=True,
    )
    assert newer.status is not None and newer.status.host_routing == "BPF"


def test_ipsec_with_kpr_is_fatal_up_to_1_16() -> None:
    assert fatal("1.16.4", native(16, **{"enable-ipsec": "true"}), vm()) == (
        "IPSec cannot be used with BPF NodePort"
    )


def test_explicit_legacy_routing_is_silent() -> None:
    outcome = ready("1.13.4", {**SEED, "enable-host-legacy-routing": "true"}, vm())
    assert outcome.status is not None and outcome.status.host_routing == "Legacy"
    assert not any("Falling back" in line for line in outcome.log)


def test_the_kernel_probe_is_gone_in_1_18() -> None:
    host = server()
    host.kernel_release, host.kernel_build = "5.10.0-32-amd64", "#1 SMP Debian 5.10.223-1"
    assert ready("1.18.2", native(18), host).status.host_routing == "BPF"
    host.kernel_release, host.kernel_build = "5.4.0-190-generic", "#210-Ubuntu SMP"
    outcome = ready("1.17.2", native(17), host)  # assumed still probed (UNVERIFIED)
    assert KERNEL_FALLBACK in outcome.log


def test_bpf_masquerade_falls_back_on_1_13_and_is_fatal_on_1_16() -> None:
    config = native(13, **{"egress-masquerade-interfaces": "eth0"})
    outcome = ready("1.13.4", config, vm())
    assert outcome.status is not None and outcome.status.masquerading is not None
    assert outcome.status.masquerading.mode == "IPTables"
    assert outcome.status.host_routing == "Legacy"
    assert any(
        line.endswith("Falling back to iptables-based masquerading.") for line in outcome.log
    )
    assert any(line.startswith("BPF masquerade could not be enabled.") for line in outcome.log)
    no_kpr = {**TRAINING, "enable-bpf-masquerade": "true"}
    assert ready("1.13.4", no_kpr, vm()).status.masquerading.mode == "IPTables"
    assert fatal(
        "1.16.4", {"kube-proxy-replacement": "false", "enable-bpf-masquerade": "true"}, vm()
    ).startswith("unable to initialize BPF masquerade support: BPF masquerade requires NodePort")


def test_bandwidth_manager_kernel_and_ipsec_fallbacks() -> None:
    config = {**SEED, "enable-bandwidth-manager": "true"}
    outcome = ready("1.13.4", config, board())
    assert "BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." in outcome.log
    assert outcome.status is not None and outcome.status.bandwidth_manager is not None
    assert not outcome.status.bandwidth_manager.enabled
    on_vm = ready("1.13.4", config, vm())
    assert on_vm.status is not None and on_vm.status.bandwidth_manager is not None
    assert on_vm.status.bandwidth_manager.congestion_control == "CUBIC"
    ipsec = ready(
        "1.17.2",
        native(17, **{"enable-ipsec": "true", "enable-bandwidth-manager": "true"}),
        server(),
    )
    assert ipsec.status is not None and not ipsec.status.bandwidth_manager.enabled


def test_config_spellings_of_other_releases_are_ignored() -> None:
    # 1.13 knows no routing-mode: the default VXLAN tunnel applies, so DSR... is not asked.
    old = ready("1.13.4", {"routing-mode": "native", "kube-proxy-replacement": "strict"}, vm())
    assert old.details is not None and old.details.routing_mode == "tunnel"
    # 1.15 dropped `tunnel`: `tunnel: disabled` no longer means native routing.
    new = ready("1.15.6", {"tunnel": "disabled", "kube-proxy-replacement": "true"}, vm())
    assert new.details is not None and new.details.routing_mode == "tunnel"
    # 1.14 still reads it, with a deprecation warning.
    mid = ready(
        "1.14.0",
        {
            "tunnel": "disabled",
            "kube-proxy-replacement": "true",
            "ipv4-native-routing-cidr": "10.0.0.0/8",
        },
        vm(),
    )
    assert mid.details is not None and mid.details.routing_mode == "native"
    assert mid.entries[0].level == "warning" and "deprecated" in mid.log[0]


def test_native_routing_needs_its_cidr() -> None:
    config = {"tunnel": "disabled", "kube-proxy-replacement": "strict"}
    assert "--ipv4-native-routing-cidr" in fatal("1.13.4", config, vm())
    assert ready("1.13.4", {**config, "ipam": "eni"}, vm()).ready


# -- what the running agent reports ----------------------------------------------------------


def test_bpf_map_sizes_follow_memory_and_ratio() -> None:
    small = ready("1.13.4", SEED, vm()).status
    assert small is not None and small.bpf_map_dynamic_ratio == 0.0025
    sizes = {m.name: m.size for m in small.bpf_maps}
    assert sizes["TCP connection tracking"] == 131072  # the minimum: 8 GiB is not enough
    assert sizes["Non-TCP connection tracking"] == 65536
    assert sizes["Events"] == sizes["Signal"] == 4  # one per CPU
    big = ready("1.13.4", {**SEED, "bpf-map-dynamic-size-ratio": "0.01"}, server()).status
    assert big is not None
    big_sizes = {m.name: m.size for m in big.bpf_maps}
    assert big_sizes["TCP connection tracking"] > 131072
    assert big_sizes["NAT"] == big_sizes["TCP connection tracking"]
    assert (
        abs(big_sizes["Non-TCP connection tracking"] * 2 - big_sizes["TCP connection tracking"])
        <= 1
    )
    explicit = ready("1.13.4", {**SEED, "bpf-ct-global-tcp-max": "200000"}, vm()).status
    assert {m.name: m.size for m in explicit.bpf_maps}["TCP connection tracking"] == 200000
    assert "ratio" in fatal("1.13.4", {**SEED, "bpf-map-dynamic-size-ratio": "1.5"}, vm())


def test_1_17_map_table_has_its_own_layout() -> None:
    status = ready("1.17.2", native(17), server()).status
    assert status is not None
    names = [m.name for m in status.bpf_maps]
    assert names[0] == "Auth" and "Ratelimit metrics" in names and "Tunnel" not in names


def test_clock_source_jiffies_when_probed() -> None:
    status = ready("1.13.4", {**SEED, "enable-bpf-clock-probe": "true"}, vm()).status
    assert status is not None and (status.clock_source, status.clock_hz) == ("jiffies", 250)


def test_status_fields_are_absent_where_the_release_does_not_report_them() -> None:
    old = ready("1.13.4", SEED, vm()).status
    assert old is not None
    assert old.network_routing is None and old.attach_mode is None and old.ipv4_big_tcp is None
    assert old.ipv6_big_tcp is not None and old.ipv6_big_tcp.max_gso is None  # 1.13: `enabled` only
    new = ready("1.16.4", native(16), vm()).status
    assert new is not None and new.network_routing == "Native" and new.tunnel_protocol == "vxlan"


# -- effects on the machine and the log ------------------------------------------------------


def test_host_effects_follow_each_start() -> None:
    host = vm()
    bbr = native(
        16,
        **{
            "enable-bandwidth-manager": "true",
            "enable-bbr": "true",
            "install-no-conntrack-iptables-rules": "true",
            "bpf-lb-acceleration": "native",
        },
    )
    with_everything = ready("1.16.4", bbr, server())
    apply_host_effects(with_everything, host)
    assert host.sysctls["net.ipv4.tcp_congestion_control"] == "bbr"
    assert host.sysctls["net.core.default_qdisc"] == "fq"
    assert host.xdp_attached and len(host.iptables_raw) == 4
    apply_host_effects(ready("1.16.4", native(16), server()), host)
    assert not host.xdp_attached and host.iptables_raw == []
    assert host.sysctls["net.ipv4.tcp_congestion_control"] == "bbr"  # Cilium does not restore it
    crashed = start("1.16.4", {"kube-proxy-replacement": "strict"}, server())
    apply_host_effects(crashed, host)  # a crashed agent changes nothing
    assert host.sysctls["net.core.default_qdisc"] == "fq"


def test_log_lines_use_logrus_then_slog() -> None:
    old = log_lines(ready("1.13.4", SEED, board()), SEED)
    assert old[0].startswith('level=info msg="  --') and old[0].endswith(" subsys=daemon")
    assert f'level=info msg="{KERNEL_FALLBACK}" subsys=daemon' in old
    broken = start("1.18.2", {"kube-proxy-replacement": "strict"}, server())
    new = log_lines(broken)
    assert new[-1] == 'level=FATAL msg="Invalid value for --kube-proxy-replacement: strict"'
