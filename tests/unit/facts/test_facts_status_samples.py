"""Every real agent status sample (A: text, B: JSON/YAML grep) reads as samples/INDEX.md says.

For each sample the facts of the INDEX columns are checked; a fact the sample does not print
(format too old, excerpt cut, line absent) must come out None - unknown, never a guess.
"""

from __future__ import annotations

from typing import Any

import pytest

from cilium_tui.facts.status import parse_status
from cilium_tui.facts.status_text import parse_status_text
from cilium_tui.model import AgentStatus, BandwidthManager, BigTCP, Evidence, Masquerading
from tests.unit.facts.sampledata import sample_names, sample_text

CHECKED = (
    "cilium_state",
    "cilium_version",
    "cilium_revision",
    "kubernetes_version",
    "kube_proxy_replacement",
    "kpr_devices",
    "direct_routing_device",
    "host_routing",
    "network_routing",
    "tunnel_protocol",
    "masquerading",
    "bandwidth_manager",
    "ipv4_big_tcp",
    "ipv6_big_tcp",
    "attach_mode",
    "device_mode",
    "configured_device_mode",
    "hubble",
    "encryption",
    "host_firewall",
    "cni_chaining",
    "nodeport_mode",
    "dsr_dispatch",
    "xdp_acceleration",
    "socket_lb",
    "clock_source",
    "clock_hz",
    "bpf_map_dynamic_ratio",
)
"""Facts compared on every sample; those an expectation leaves out must be unknown."""

IPTABLES_V4 = Masquerading(mode="IPTables", ipv4=True, ipv6=False)
BWM_OFF = BandwidthManager(enabled=False)
BIG_TCP_OFF = BigTCP(enabled=False)
V1_13_4 = {"cilium_version": "1.13.4", "cilium_revision": "v1.13.4-4061cdfc"}
COMMON_1_12_PLUS = {"cilium_state": "Ok", "cni_chaining": "none", "host_firewall": False}

TUNNEL_LEGACY_1_16_PLUS = {
    **COMMON_1_12_PLUS,
    "kube_proxy_replacement": "True",
    "ipv4_big_tcp": BIG_TCP_OFF,
    "ipv6_big_tcp": BIG_TCP_OFF,
    "bandwidth_manager": BWM_OFF,
    "network_routing": "Tunnel",
    "tunnel_protocol": "vxlan",
    "host_routing": "Legacy",
    "attach_mode": "TCX",
    "device_mode": "veth",
    "masquerading": IPTABLES_V4,
    "hubble": "Ok",
    "encryption": "Disabled",
}
"""What the two default-ish 1.16/1.17 installs (Talos, minikube) print alike."""

NATIVE_BPF_1_17_6 = {
    **COMMON_1_12_PLUS,
    "cilium_version": "1.17.6-cee.1",
    "cilium_revision": "v1.17.6-cee.1-a33b0b85",
    "kubernetes_version": "v1.33.3",
    "kube_proxy_replacement": "True",
    "kpr_devices": ("enp1s0",),
    "direct_routing_device": "enp1s0",
    "ipv4_big_tcp": BIG_TCP_OFF,
    "ipv6_big_tcp": BIG_TCP_OFF,
    "bandwidth_manager": BWM_OFF,
    "network_routing": "Native",
    "host_routing": "BPF",
    "attach_mode": "TCX",
    "device_mode": "veth",
    "masquerading": Masquerading(
        mode="BPF", devices=("enp1s0",), snat_exclusion_cidr="172.16.0.0/20", ipv4=True, ipv6=False
    ),
    "hubble": "Ok",
    "encryption": "Disabled",
}
"""The same node printed twice (plain and --verbose), per the INDEX."""

EXPECTED: dict[str, dict[str, Any]] = {
    "A/pre-1.7-dev-strict-features-pr10059.txt": {
        "cilium_state": "Ok",  # "Ok   OK": no version printed
        "kubernetes_version": "v1.17.2",
        "kube_proxy_replacement": "Strict",  # [NodePort, ExternalIPs, ...] is a feature list
    },
    "A/v1.8-era-kind-partial-bpfmasq-srcunresolved.txt": {
        "cilium_state": "Ok",
        "kubernetes_version": "v1.18.2",
        "kube_proxy_replacement": "Partial",
        "kpr_devices": ("eth0",),
        "direct_routing_device": "eth0",  # "(DR)"
        "nodeport_mode": "SNAT",  # NodePort (SNAT, 30000-32767, XDP: DISABLED)
        "xdp_acceleration": "Disabled",
        "masquerading": Masquerading(
            mode="BPF", devices=("eth0",), snat_exclusion_cidr="10.244.2.0/24"
        ),
        "hubble": "Ok",
    },
    "A/v1.9.90-ci-tabprefixed-strict-legacy-bpfmasq-issue15457.txt": {
        "cilium_state": "Ok",
        "cilium_version": "1.9.90",
        "cilium_revision": "v.1.9.90-r.83a1568",
        "kubernetes_version": "v1.19.8",
        "kube_proxy_replacement": "Strict",
        "kpr_devices": ("enp0s8", "enp0s3"),
        "direct_routing_device": "enp0s8",
        "host_routing": "Legacy",
        "masquerading": Masquerading(
            mode="BPF",
            devices=("enp0s8", "enp0s3"),
            snat_exclusion_cidr="10.0.0.0/8",
            ipv4=True,
            ipv6=True,
        ),
        "bandwidth_manager": BWM_OFF,
    },
    "A/v1.10.3-strict-legacy-iptables-issue17454.txt": {
        "cilium_state": "Ok",
        "cilium_version": "1.10.3",
        "cilium_revision": "v1.10.3-4145278",
        "kubernetes_version": "v1.22.1",
        "kube_proxy_replacement": "Strict",
        "kpr_devices": ("ens2",),
        "direct_routing_device": "ens2",
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
        "bandwidth_manager": BWM_OFF,
        "clock_source": "ktime",
    },
    "A/v1.10.4-probe-dualstack-edt-nocc-issue17515.txt": {
        "cilium_state": "Ok",
        "cilium_version": "1.10.4",
        "cilium_revision": "v1.10.4-2a46fd6",
        "kubernetes_version": "v1.22.1",
        "kube_proxy_replacement": "Probe",
        "kpr_devices": ("ens6f0np0",),
        "direct_routing_device": "ens6f0np0",
        # cut after BandwidthManager: Host Routing and Masquerading stay unknown
        "bandwidth_manager": BandwidthManager(enabled=True, devices=("ens6f0np0",)),
    },
    "A/v1.11.0-vagrant-strict-hostfw-legacy-iptables-issue18347.txt": {
        "cilium_state": "Ok",
        "cilium_version": "1.11.0",
        "cilium_revision": "v1.11.0-27e0848",
        "kubernetes_version": "v1.23.0",
        "kube_proxy_replacement": "Strict",
        "kpr_devices": ("eth1",),
        "direct_routing_device": "eth1",
        "host_firewall": True,
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
        "bandwidth_manager": BWM_OFF,
        "clock_source": "ktime",
    },
    "A/v1.12.2-k3s-partial-legacy-iptables-verbose-srcunresolved.txt": {
        **COMMON_1_12_PLUS,
        "cilium_version": "1.12.2",
        "cilium_revision": "v1.12.2-c7516b9",
        "kubernetes_version": "v1.23.1+k3s1",
        "kube_proxy_replacement": "Partial",
        "kpr_devices": ("ens4",),
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
        "bandwidth_manager": BWM_OFF,
        "clock_source": "ktime",
        "hubble": "Ok",
        "encryption": "Disabled",
        "socket_lb": False,
        "nodeport_mode": "SNAT",
        "xdp_acceleration": "Disabled",
        "bpf_map_dynamic_ratio": 0.0025,
    },
    "A/v1.13.4-eks-eni-strict-legacy-iptables-before.txt": {
        **COMMON_1_12_PLUS,
        **V1_13_4,
        "kubernetes_version": "v1.27.3-eks-a5565ad",
        "kube_proxy_replacement": "Strict",
        "kpr_devices": ("eth0",),
        "direct_routing_device": "eth0",
        "ipv6_big_tcp": BIG_TCP_OFF,  # no IPv4 BIG TCP line in 1.13
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
        "bandwidth_manager": BWM_OFF,
        "hubble": "Ok",
        "encryption": "Disabled",
    },
    "A/v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt": {
        **COMMON_1_12_PLUS,
        **V1_13_4,
        "kubernetes_version": "v1.27.3-eks-a5565ad",
        "kube_proxy_replacement": "Disabled",
        "ipv6_big_tcp": BIG_TCP_OFF,
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
        "bandwidth_manager": BWM_OFF,
        "clock_source": "jiffies",
        "clock_hz": 250,
        "hubble": "Ok",
        "encryption": "Disabled",
        "socket_lb": False,
        "bpf_map_dynamic_ratio": 0.0025,
        # NodePort is off: the details block prints no Mode and no XDP Acceleration
    },
    "A/v1.14.0-eks-eni-arm64-legacy-iptables-cubic-wireguard.txt": {
        **COMMON_1_12_PLUS,
        "cilium_version": "1.14.0",
        "cilium_revision": "v1.14.0-b5013e15",
        "kubernetes_version": "v1.25.12-eks-2d98532",
        "kube_proxy_replacement": "Disabled",
        "ipv4_big_tcp": BIG_TCP_OFF,
        "ipv6_big_tcp": BIG_TCP_OFF,
        "bandwidth_manager": BandwidthManager(
            enabled=True, congestion_control="CUBIC", devices=("eth0",)
        ),
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
        "hubble": "Ok",
        "encryption": "Wireguard",
    },
    "A/v1.15.0-pre.2-kpr-false-legacy-iptables-issue33863.txt": {
        **COMMON_1_12_PLUS,
        "cilium_version": "1.15.0-pre.2",
        "cilium_revision": "v1.15.0-pre.2-91bc81c9",
        "kubernetes_version": "v1.26.15",
        "kube_proxy_replacement": "False",
        "kpr_devices": ("enp0s31f6",),
        "direct_routing_device": "enp0s31f6",
        "ipv4_big_tcp": BIG_TCP_OFF,
        "ipv6_big_tcp": BIG_TCP_OFF,
        "bandwidth_manager": BWM_OFF,
        "host_routing": "Legacy",
        "masquerading": IPTABLES_V4,
    },
    "A/v1.16.4-talos-tunnel-legacy-tcx.txt": {
        **TUNNEL_LEGACY_1_16_PLUS,
        "cilium_version": "1.16.4",
        "cilium_revision": "v1.16.4-03807242",
        "kubernetes_version": "v1.31.1",
        "kube_proxy_replacement": "True",
        "kpr_devices": ("enx22989c9b16a0",),
        "direct_routing_device": "enx22989c9b16a0",
    },
    "A/v1.17.2-minikube-arm64-tunnel-legacy.txt": {
        **TUNNEL_LEGACY_1_16_PLUS,
        "cilium_version": "1.17.2",
        "cilium_revision": "v1.17.2-fb3ab54f",
        "kubernetes_version": "v1.32.0",
        "kube_proxy_replacement": "True",
        "kpr_devices": ("eth0",),
        "direct_routing_device": "eth0",
    },
    "A/v1.17.6-cee-ubuntu24.04-native-bpf-bpfmasq.txt": NATIVE_BPF_1_17_6,
    "A/v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt": {
        **NATIVE_BPF_1_17_6,
        "clock_source": "ktime",
        "socket_lb": True,
        "nodeport_mode": "SNAT",
        "xdp_acceleration": "Disabled",
        "bpf_map_dynamic_ratio": 0.0025,
    },
    "A/dev-2024-routing-line-pr32036.txt": {
        "network_routing": "Tunnel",
        "tunnel_protocol": "vxlan",
        "host_routing": "Legacy",
    },
    "A/dev-2026-bigtcp-text-grep-issue45513.txt": {
        # The IPv6 line is a known display bug (cilium/cilium#45529): assert what is printed.
        "ipv4_big_tcp": BigTCP(enabled=True, max_gro=196608, max_gso=196608),
        "ipv6_big_tcp": BigTCP(enabled=True, max_gro=196608, max_gso=196608),
    },
    "B/dev-2026-bigtcp-json-grep-issue45513.txt": {
        "ipv4_big_tcp": BigTCP(enabled=True, max_gro=196608, max_gso=196608),
        # no "enabled" key: omitempty false under a present object
        "ipv6_big_tcp": BigTCP(enabled=False, max_gro=65536, max_gso=65536),
    },
    "B/dev-2026-bigtcp-yaml-grep-issue45513.txt": {
        "ipv4_big_tcp": BigTCP(enabled=True, max_gro=196608, max_gso=196608),
        "ipv6_big_tcp": BigTCP(enabled=False, max_gro=65536, max_gso=65536),
    },
}


def test_every_a_and_b_sample_has_an_expectation() -> None:
    assert set(EXPECTED) == set(sample_names("A")) | set(sample_names("B"))


def _check(status: AgentStatus, expected: dict[str, Any]) -> None:
    unknown = {name: None for name in CHECKED}
    unknown.update({"kpr_devices": ()})
    for name, want in {**unknown, **expected}.items():
        assert getattr(status, name) == want, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_reads_as_index_says(name: str) -> None:
    status = parse_status(sample_text(name))
    assert not status.is_empty
    assert status.source_format == ("text" if name.startswith("A/") else "json")
    _check(status, EXPECTED[name])
    for field in EXPECTED[name]:
        if getattr(status, field) not in (None, ()):
            assert field in status.evidence, f"no evidence for {field}"


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("A/")))
def test_text_parser_agrees_with_the_dispatcher(name: str) -> None:
    assert parse_status_text(sample_text(name)) == parse_status(sample_text(name))


def test_evidence_quotes_the_printed_line() -> None:
    status = parse_status(sample_text("A/v1.13.4-eks-eni-strict-legacy-iptables-before.txt"))
    assert status.evidence["host_routing"] == Evidence(
        "cilium-dbg status", "Host Routing:", "Host Routing:            Legacy"
    )
    routing = parse_status(sample_text("A/v1.16.4-talos-tunnel-legacy-tcx.txt"))
    assert routing.evidence["host_routing"] == Evidence(
        "cilium-dbg status",
        "Routing:",
        "Routing:                 Network: Tunnel [vxlan]   Host: Legacy",
    )
    tab_prefixed = parse_status(
        sample_text("A/v1.9.90-ci-tabprefixed-strict-legacy-bpfmasq-issue15457.txt")
    )
    assert tab_prefixed.evidence["host_routing"].text == "Host Routing:           Legacy"
    verbose = parse_status(sample_text("A/v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt"))
    assert verbose.evidence["nodeport_mode"] == Evidence(
        "cilium-dbg status", "Mode:", "Mode:                   SNAT"
    )


def test_verbose_bpf_map_table() -> None:
    status = parse_status(sample_text("A/v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt"))
    sizes = {m.name: m.size for m in status.bpf_maps}
    assert len(status.bpf_maps) == 21
    assert sizes["TCP connection tracking"] == 131072
    assert sizes["Non-TCP connection tracking"] == 65536
    assert sizes["NAT"] == 131072
    assert "Name" not in sizes
    older = parse_status(
        sample_text("A/v1.12.2-k3s-partial-legacy-iptables-verbose-srcunresolved.txt")
    )
    assert len(older.bpf_maps) == 23
    assert {m.name: m.size for m in older.bpf_maps}["Tunnel"] == 65536


def test_kpr_details_block_is_read_only_in_its_block() -> None:
    status = parse_status(
        sample_text("A/v1.12.2-k3s-partial-legacy-iptables-verbose-srcunresolved.txt")
    )
    assert status.evidence["socket_lb"].where == "Socket LB:"
    assert status.evidence["kube_proxy_replacement"].where == "KubeProxyReplacement:"
