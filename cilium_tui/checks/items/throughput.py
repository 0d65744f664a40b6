"""Moving more bytes per packet and per CPU: BIG TCP, the Bandwidth Manager, BBR, map sizing and
jumbo frames."""

from __future__ import annotations

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.base import Blockers, Verdicts, cilium_item, define, tuning
from cilium_tui.checks.requirements import (
    Check,
    Failure,
    Requirement,
    bpf_host_routing,
    cilium,
    cilium_meets,
    kernel,
    native_routing,
    no_encryption,
    no_ipsec,
)
from cilium_tui.checks.types import Finding, State
from cilium_tui.checks.view import NodeView

THEME = "throughput"

BIG_TCP = {6: ("1.13", "5.19"), 4: ("1.14", "6.3")}
"""Per IP family: the Cilium release that introduced BIG TCP and the kernel it needs."""
BIG_TCP_NICS = ("mlx4", "mlx5", "ice")
JUMBO_MTU = 9000


def big_tcp_requirements(family: int) -> tuple[Requirement, ...]:
    """BIG TCP's requirements (reference 3.7): too old a kernel leaves it off; tunnelling,
    encryption and Legacy host routing make the agent fail to start."""
    introduced, minimum = BIG_TCP[family]
    return (
        cilium(introduced),
        kernel(minimum, failure=Failure.NO_EFFECT),
        bpf_host_routing(Failure.FATAL),
        native_routing(Failure.FATAL),
        no_encryption(Failure.FATAL),
        Requirement("full kube-proxy replacement and BPF masquerading (for BPF host routing)"),
        Requirement(f"a documented NIC ({', '.join(BIG_TCP_NICS)})"),
    )


BIG_TCP_REQUIREMENTS = {family: big_tcp_requirements(family) for family in BIG_TCP}


def _bbr_for_pods(view: NodeView) -> Check:
    fact = view.bbr_hostns_only
    unmet = "enable-bbr-hostns-only (BBR for host sockets only)"
    return Check(not fact.value, unmet if fact.value else "", "", fact.evidence)


def _hostns_only(view: NodeView) -> bool:
    return bool(cilium_meets(view.cilium.value, "1.18") and view.bbr_hostns_only.value)


BWM_REQUIREMENTS = (
    kernel("5.1", failure=Failure.NO_EFFECT),
    no_ipsec(Failure.NO_EFFECT, " (the agent turns the Bandwidth Manager off)"),
)
BBR_REQUIREMENTS = (
    cilium("1.12"),
    # Below 5.1, or with IPsec, the Bandwidth Manager turns itself off before BBR is checked.
    kernel("5.1", failure=Failure.NO_EFFECT, purpose=" (Bandwidth Manager)", gate=True),
    no_ipsec(Failure.NO_EFFECT, " (the Bandwidth Manager stays off)", gate=True),
    Requirement("BBR for Pods, not host sockets only", _bbr_for_pods, Failure.NO_EFFECT,
                since="1.18"),
    kernel("5.18"),
    bpf_host_routing(Failure.FATAL, when=lambda view: not _hostns_only(view)),
    Requirement("the Bandwidth Manager (its plan turns it on with BBR)"),
)  # fmt: skip


def _big_tcp(view: NodeView, family: int) -> Finding:
    v = Verdicts(view, f"ipv{family}-big-tcp")
    if (na := v.not_cilium()) is not None:
        return na
    if family == 6 and view.ipv6.value is False:
        return v.finding(State.NA, "IPv6 is disabled (enable-ipv6: false)", view.ipv6)
    introduced, _ = BIG_TCP[family]
    fact = view.big_tcp(family)
    too_old = view.cilium_at_least(introduced) is False
    if fact.value is None and not too_old:
        blockers = Blockers(view, BIG_TCP_REQUIREMENTS[family] if view.config else ())
        if blockers.failure is Failure.FATAL:
            return v.off(view.cilium_unknown(f"IPv{family} BIG TCP"), blockers=blockers)
        return v.unknown(f"IPv{family} BIG TCP")
    note = view.source_note(fact)
    if fact.value:
        return v.on(f"IPv{family} BIG TCP{note}: GSO/GRO up to 192k", fact)
    blockers = Blockers(view, BIG_TCP_REQUIREMENTS[family])
    probe = view.probe
    driver = probe.nic_driver if probe is not None else None
    nics = f" Documented NICs: {', '.join(BIG_TCP_NICS)}" + (
        f" (this node: {driver})." if driver else "."
    )
    return v.off(
        f"IPv{family} BIG TCP off{note}: GSO/GRO stay at 64k",
        fact,
        blockers=blockers,
        advice=(
            f'Set enable-ipv{family}-big-tcp: "true", restart the agents, then recreate the Pods '
            "(their GSO/GRO sizes are set at creation)." + nics
        ),
    )


def _ipv6_big_tcp(view: NodeView) -> Finding:
    return _big_tcp(view, 6)


def _ipv4_big_tcp(view: NodeView) -> Finding:
    return _big_tcp(view, 4)


@cilium_item(
    ItemId.BANDWIDTH_MANAGER,
    "Bandwidth Manager",
    lambda view: view.bandwidth_manager,
    BWM_REQUIREMENTS,
)
def _bandwidth_manager(v: Verdicts, fact: Fact[bool], on: bool) -> Finding:
    view, note = v.view, v.note(fact)
    if on:
        return v.on(f"Bandwidth Manager on{note}: EDT rate limiting and fq pacing", fact)
    blockers = Blockers(view, BWM_REQUIREMENTS)
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


@cilium_item(ItemId.BBR, "Pods' congestion control", lambda view: view.bbr, BBR_REQUIREMENTS)
def _bbr(v: Verdicts, fact: Fact[bool], on: bool) -> Finding:
    view, note = v.view, v.note(fact)
    if on:
        return v.on(f"Pods use BBR{note}", fact)
    blockers = Blockers(view, BBR_REQUIREMENTS)
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
        advice=(
            'Set enable-bbr: "true" with the Bandwidth Manager and restart the agents; only new '
            "Pods get BBR. BBR can raise retransmissions and crowd out CUBIC flows sharing a "
            "link with it." + escape
        ),
    )


@cilium_item(ItemId.BPF_MAP_SIZING, "BPF map sizing", lambda v: v.map_ratio)
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
    v = Verdicts(view, ItemId.JUMBO_MTU)
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
    ItemId.IPV6_BIG_TCP,
    "IPv6 BIG TCP",
    why="Bigger GSO/GRO packets (192k) mean fewer trips through the stack: less CPU per byte and "
    "100 Gbit/s and beyond.",
    requirements=BIG_TCP_REQUIREMENTS[6],
    detection="status `IPv6 BIG TCP: Enabled|Disabled`; cilium-config `enable-ipv6-big-tcp`",
    docs=tuning("ipv6-big-tcp"),
    judge=_ipv6_big_tcp,
    theme=THEME,
    cilium_min="1.13",
)

IPV4_BIG_TCP = define(
    ItemId.IPV4_BIG_TCP,
    "IPv4 BIG TCP",
    why="The IPv4 counterpart of BIG TCP: 192k GSO/GRO packets for IPv4 traffic.",
    requirements=BIG_TCP_REQUIREMENTS[4],
    detection="status `IPv4 BIG TCP: Enabled|Disabled` (1.14+); cilium-config "
    "`enable-ipv4-big-tcp`",
    docs=tuning("ipv4-big-tcp"),
    judge=_ipv4_big_tcp,
    theme=THEME,
    cilium_min="1.14",
)

BANDWIDTH_MANAGER = define(
    ItemId.BANDWIDTH_MANAGER,
    "Bandwidth Manager",
    why="EDT-based rate limiting and fq pacing on the NIC, with server-grade network sysctls; "
    "the base for BBR.",
    requirements=BWM_REQUIREMENTS,
    detection="status `BandwidthManager: EDT with BPF [CUBIC|BBR] [devices]|Disabled`; "
    "cilium-config `enable-bandwidth-manager`",
    docs=tuning("bandwidth-manager"),
    judge=_bandwidth_manager,
    theme=THEME,
)

BBR = define(
    ItemId.BBR,
    "BBR for Pods",
    why="BBR congestion control gives Pods serving Internet clients much higher throughput and "
    "lower queueing delay than CUBIC.",
    requirements=BBR_REQUIREMENTS,
    detection="status `BandwidthManager: EDT with BPF [BBR]`; cilium-config `enable-bbr`",
    docs=tuning("bbr-congestion-control-for-pods"),
    judge=_bbr,
    theme=THEME,
)

BPF_MAP_SIZING = define(
    ItemId.BPF_MAP_SIZING,
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
    ItemId.JUMBO_MTU,
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
