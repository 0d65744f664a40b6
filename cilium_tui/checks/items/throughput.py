"""Moving more bytes per packet and per CPU: BIG TCP, the Bandwidth Manager, BBR, map sizing and
jumbo frames."""

from __future__ import annotations

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.items.base import Blockers, Verdicts, cilium_item, define, tuning
from cilium_tui.checks.types import Finding, Requirement, State
from cilium_tui.checks.view import NodeView

THEME = "throughput"

BIG_TCP = {6: ("1.13", "5.19"), 4: ("1.14", "6.3")}
"""Per IP family: the Cilium release that introduced BIG TCP and the kernel it needs."""
BIG_TCP_NICS = ("mlx4", "mlx5", "ice")
FATAL_FOR_BIG_TCP = ("BPF host routing", "tunnel routing", "encryption")
"""Conflicts that make the agent fail to start when BIG TCP is enabled anyway (reference 3.7)."""
JUMBO_MTU = 9000


def _big_tcp(view: NodeView, family: int) -> Finding:
    v = Verdicts(view, f"ipv{family}-big-tcp")
    if (na := v.not_cilium()) is not None:
        return na
    if family == 6 and view.ipv6.value is False:
        return v.finding(State.NA, "IPv6 is disabled (enable-ipv6: false)", view.ipv6)
    introduced, kernel = BIG_TCP[family]
    fact = view.big_tcp(family)
    too_old = view.cilium_at_least(introduced) is False
    if fact.value is None and not too_old:
        return v.unknown(f"IPv{family} BIG TCP")
    note = view.source_note(fact)
    if fact.value:
        return v.on(f"IPv{family} BIG TCP{note}: GSO/GRO up to 192k", fact)
    blockers = (
        Blockers(view)
        .cilium(introduced)
        .kernel(kernel)
        .bpf_host_routing()
        .kube_proxy_replacement()
        .bpf_or_no_masquerading()
        .native_routing()
        .needs(
            view.encryption,
            lambda e: e == "Disabled",
            f"encryption {view.encryption.shown}",
            "encryption",
        )
    )
    fatal = any(b.startswith(FATAL_FOR_BIG_TCP) for b in blockers.unmet)
    probe = view.probe
    driver = probe.nic_driver if probe is not None else None
    nics = f" Documented NICs: {', '.join(BIG_TCP_NICS)}" + (
        f" (this node: {driver})." if driver else "."
    )
    return v.off(
        f"IPv{family} BIG TCP off{note}: GSO/GRO stay at 64k",
        fact,
        blockers=blockers,
        consequence="enabling it now would make the agent fail to start" if fatal else "",
        advice=(
            f'Set enable-ipv{family}-big-tcp: "true", restart the agents, then recreate the Pods '
            "(their GSO/GRO sizes are set at creation)." + nics
        ),
    )


def _ipv6_big_tcp(view: NodeView) -> Finding:
    return _big_tcp(view, 6)


def _ipv4_big_tcp(view: NodeView) -> Finding:
    return _big_tcp(view, 4)


@cilium_item("bandwidth-manager", "Bandwidth Manager", lambda view: view.bandwidth_manager)
def _bandwidth_manager(v: Verdicts, fact: Fact[bool], on: bool) -> Finding:
    view, note = v.view, v.note(fact)
    if on:
        return v.on(f"Bandwidth Manager on{note}: EDT rate limiting and fq pacing", fact)
    blockers = (
        Blockers(view)
        .kernel("5.1")
        .needs(
            view.encryption,
            lambda e: e != "IPsec",
            "IPsec encryption (the agent turns the Bandwidth Manager off)",
            "encryption",
        )
    )
    return v.off(
        f"Bandwidth Manager off{note}: no EDT rate limiting, no fq pacing on the NIC",
        fact,
        blockers=blockers,
        advice=(
            'Set enable-bandwidth-manager: "true" and roll the agents (rollout restart ds/cilium); '
            "it sets fq qdiscs on the NIC and raises host network sysctls. The tuning guide also "
            "lists kube-proxy replacement as a requirement."
        ),
    )


@cilium_item("bbr", "Pods' congestion control", lambda view: view.bbr)
def _bbr(v: Verdicts, fact: Fact[bool], on: bool) -> Finding:
    view, note = v.view, v.note(fact)
    if on:
        return v.on(f"Pods use BBR{note}", fact)
    blockers = (
        Blockers(view)
        .cilium("1.12")
        .kernel("5.18")
        .needs(
            view.bandwidth_manager,
            bool,
            "Bandwidth Manager off",
            "Bandwidth Manager",
        )
        .bpf_host_routing()
    )
    fatal = any(b.startswith(("kernel", "BPF host routing")) for b in blockers.unmet)
    minor = view.cilium_minor()
    escape = (
        " On Cilium 1.18+ enable-bbr-hostns-only limits BBR to host sockets."
        if minor is not None and minor >= (1, 18)
        else ""
    )
    return v.off(
        f"Pods use CUBIC{note}",
        fact,
        blockers=blockers,
        consequence="enable-bbr here would make the agent fail to start" if fatal else "",
        advice=(
            'Set enable-bbr: "true" with the Bandwidth Manager and restart the agents; only new '
            "Pods get BBR. BBR can raise retransmissions and crowd out CUBIC flows: enable it "
            "cluster-wide." + escape
        ),
    )


@cilium_item("bpf-map-sizing", "BPF map sizing", lambda v: v.map_ratio)
def _bpf_map_sizing(v: Verdicts, fact: Fact[float], ratio: float) -> Finding:
    note = v.note(fact)
    minor = v.view.cilium_minor()
    lru = v.view.distributed_lru
    modern = minor is not None and minor >= (1, 18)
    latest = (
        "The latest tuning guide pairs bpf-map-dynamic-size-ratio 0.08 with "
        "bpf-distributed-lru (1.18+)."
        if modern and not lru.value
        else "The latest tuning guide suggests bpf-map-dynamic-size-ratio 0.08 on large nodes."
    )
    change = " Resizing recreates the CT/NAT maps at the next agent start: plan a window."
    if ratio > 0:
        return v.on(
            f"dynamic map sizing at {ratio:g} of RAM{note}",
            fact,
            lru,
            advice=latest + change if ratio < 0.08 or (modern and not lru.value) else None,
        )
    return v.off(
        f"fixed BPF map sizes (bpf-map-dynamic-size-ratio {fact.shown}){note}: connection "
        "tracking and NAT tables do not grow with the node's memory",
        fact,
        advice="Set bpf-map-dynamic-size-ratio (Helm default 0.0025). " + latest + change,
    )


def _jumbo_mtu(view: NodeView) -> Finding:
    v = Verdicts(view, "jumbo-mtu")
    probe = view.probe
    nic = probe.default_nic if probe is not None and probe.default_nic else "NIC"
    mtu = view.probed("mtu", probe.mtu if probe is not None else None, None)
    if mtu.value is None:
        return v.host_unknown(f"{nic} MTU")
    configured = view.mtu_setting
    pinned = (
        f"; cilium-config mtu {configured.value} overrides auto-detection"
        if configured.value
        else ""
    )
    if mtu.value >= JUMBO_MTU:
        return v.on(f"jumbo frames: {nic} MTU {mtu.value}{pinned}", mtu, configured)
    return v.off(
        f"{nic} MTU {mtu.value}: no jumbo frames{pinned}",
        mtu,
        configured,
        recommended=None,
        advice=(
            f"If every hop (NICs, switches, cloud network) allows it, raise the NIC MTU to "
            f"{JUMBO_MTU} in the node's network config; Cilium picks it up at its next start. "
            "Existing Pods keep their MTU until recreated; a mismatch blackholes large packets."
        ),
    )


IPV6_BIG_TCP = define(
    "ipv6-big-tcp",
    "IPv6 BIG TCP",
    why="Bigger GSO/GRO packets (192k) mean fewer trips through the stack: less CPU per byte and "
    "100 Gbit/s and beyond.",
    requirements=(
        Requirement("Cilium >= 1.13", cilium_min="1.13"),
        Requirement("kernel >= 5.19", kernel_min="5.19"),
        Requirement("BPF host routing", item="bpf-host-routing"),
        Requirement("full kube-proxy replacement", item="kube-proxy-replacement"),
        Requirement("BPF masquerading", item="bpf-masquerading"),
        Requirement("native routing, no encryption", item="native-routing"),
        Requirement("a documented NIC", drivers=BIG_TCP_NICS),
    ),
    detection="status `IPv6 BIG TCP: Enabled|Disabled`; cilium-config `enable-ipv6-big-tcp`",
    docs=tuning("ipv6-big-tcp"),
    judge=_ipv6_big_tcp,
    theme=THEME,
    cilium_min="1.13",
)

IPV4_BIG_TCP = define(
    "ipv4-big-tcp",
    "IPv4 BIG TCP",
    why="The IPv4 counterpart of BIG TCP: 192k GSO/GRO packets for IPv4 traffic.",
    requirements=(
        Requirement("Cilium >= 1.14", cilium_min="1.14"),
        Requirement("kernel >= 6.3", kernel_min="6.3"),
        Requirement("BPF host routing", item="bpf-host-routing"),
        Requirement("full kube-proxy replacement", item="kube-proxy-replacement"),
        Requirement("BPF masquerading", item="bpf-masquerading"),
        Requirement("native routing, no encryption", item="native-routing"),
        Requirement("a documented NIC", drivers=BIG_TCP_NICS),
    ),
    detection="status `IPv4 BIG TCP: Enabled|Disabled` (1.14+); cilium-config "
    "`enable-ipv4-big-tcp`",
    docs=tuning("ipv4-big-tcp"),
    judge=_ipv4_big_tcp,
    theme=THEME,
    cilium_min="1.14",
)

BANDWIDTH_MANAGER = define(
    "bandwidth-manager",
    "Bandwidth Manager",
    why="EDT-based rate limiting and fq pacing on the NIC, with server-grade network sysctls; "
    "the base for BBR.",
    requirements=(Requirement("kernel >= 5.1", kernel_min="5.1"), Requirement("no IPsec")),
    detection="status `BandwidthManager: EDT with BPF [CUBIC|BBR] [devices]|Disabled`; "
    "cilium-config `enable-bandwidth-manager`",
    docs=tuning("bandwidth-manager"),
    judge=_bandwidth_manager,
    theme=THEME,
)

BBR = define(
    "bbr",
    "BBR for Pods",
    why="BBR congestion control gives Pods serving Internet clients much higher throughput and "
    "lower queueing delay than CUBIC.",
    requirements=(
        Requirement("kernel >= 5.18", kernel_min="5.18"),
        Requirement("Bandwidth Manager", item="bandwidth-manager"),
        Requirement("BPF host routing", item="bpf-host-routing"),
    ),
    detection="status `BandwidthManager: EDT with BPF [BBR]`; cilium-config `enable-bbr`",
    docs=tuning("bbr-congestion-control-for-pods"),
    judge=_bbr,
    theme=THEME,
)

BPF_MAP_SIZING = define(
    "bpf-map-sizing",
    "BPF map sizing",
    why="Connection-tracking and NAT maps sized from the node's memory do not fill up under load; "
    "full maps drop new connections.",
    requirements=(Requirement("memory for the chosen ratio"),),
    detection="verbose status `BPF Maps: dynamic sizing: on (ratio: ...)`; cilium-config "
    "`bpf-map-dynamic-size-ratio`, `bpf-distributed-lru` (1.18+)",
    docs=tuning("ebpf-map-sizing"),
    judge=_bpf_map_sizing,
    theme=THEME,
)

JUMBO_MTU_ITEM = define(
    "jumbo-mtu",
    "Jumbo MTU",
    why="Cilium uses the NIC's MTU: jumbo frames (9000) carry six times the payload per packet "
    "where the whole network allows them.",
    requirements=(Requirement("jumbo frames on every hop: NICs, switches, cloud network"),),
    detection="node `ip -j link show dev <nic>` MTU; cilium-config `mtu` (0 or absent: auto)",
    docs=tuning("mtu"),
    judge=_jumbo_mtu,
    theme=THEME,
    scope="host",
    advisory=True,
)
