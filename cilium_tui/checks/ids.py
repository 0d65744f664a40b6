"""The ids of the catalogue's items: one constant per item, used by every layer that names one.

Ids are stable (the CLI, JSON reports and journal entries carry them); an `ItemId` is a `str`,
so it compares, hashes, prints and serialises as its id.
"""

from __future__ import annotations

from enum import StrEnum


class ItemId(StrEnum):
    NATIVE_ROUTING = "native-routing"
    KUBE_PROXY_REPLACEMENT = "kube-proxy-replacement"
    BPF_MASQUERADING = "bpf-masquerading"
    NODEPORT_DSR = "nodeport-dsr"
    CONNTRACK_BYPASS = "bypass-iptables-conntrack"
    BPF_HOST_ROUTING = "bpf-host-routing"
    IPV6_BIG_TCP = "ipv6-big-tcp"
    IPV4_BIG_TCP = "ipv4-big-tcp"
    HUBBLE = "hubble"
    JUMBO_MTU = "jumbo-mtu"
    BANDWIDTH_MANAGER = "bandwidth-manager"
    BBR = "bbr"
    XDP_ACCELERATION = "xdp-acceleration"
    BPF_MAP_SIZING = "bpf-map-sizing"
    NETKIT = "netkit"
    KERNEL = "kernel"
    PREEMPT_NONE = "preempt-none"
    TUNED_PROFILE = "tuned-profile"
    CPU_GOVERNOR = "cpu-governor"
    IRQBALANCE = "irqbalance"
