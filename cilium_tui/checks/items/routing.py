"""How packets travel: native routing, BPF masquerading, BPF host routing, the conntrack bypass,
and netkit devices."""

from __future__ import annotations

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.base import DOCS, Blockers, Verdicts, cilium_item, define, tuning
from cilium_tui.checks.legacy_causes import HOST_ROUTING_KERNEL
from cilium_tui.checks.requirements import (
    Check,
    Failure,
    Requirement,
    bpf_host_routing,
    bpf_nodeport,
    cilium,
    kernel,
)
from cilium_tui.checks.types import Finding, State
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import (
    BYPASS_ALWAYS,
    BYPASS_REQUIREMENTS,
    CONNTRACK_SETTING,
    CONNTRACK_UNNECESSARY,
    bypass_blockers,
    explain,
)
from cilium_tui.facts.config import config_setting_in

THEME = "routing"
BEFORE_DEFAULT_LEGACY = (1, 20)
"""The release whose next upgrade (1.21) turns BPF host routing off by default."""
NEEDS_NODEPORT = " (BPF masquerading needs BPF NodePort)"


def _no_egress_interfaces(view: NodeView) -> Check:
    fact = view.egress_masquerade_interfaces
    if fact.value is None:
        return Check(None, unknown="egress-masquerade-interfaces")
    unmet = "egress-masquerade-interfaces is set (BPF masquerading refuses it)"
    return Check(not fact.value, unmet if fact.value else "", "", fact.evidence)


MASQUERADING_REQUIREMENTS = (
    # Up to 1.15 the agent falls back to iptables masquerading; from 1.16 it refuses to start.
    bpf_nodeport(Failure.NO_EFFECT, NEEDS_NODEPORT, until="1.15"),
    bpf_nodeport(Failure.FATAL, NEEDS_NODEPORT, since="1.16"),
    Requirement("no egress-masquerade-interfaces", _no_egress_interfaces, Failure.NO_EFFECT,
                until="1.15"),
    Requirement("no egress-masquerade-interfaces", _no_egress_interfaces, Failure.FATAL,
                since="1.16"),
)  # fmt: skip

NETKIT_REQUIREMENTS = (
    cilium("1.16"),
    kernel("6.8"),
    # From 1.20 netkit without BPF host routing is a start-up error; before, it falls back.
    bpf_host_routing(Failure.NO_EFFECT, until="1.19"),
    bpf_host_routing(Failure.FATAL, since="1.20"),
)


@cilium_item(ItemId.NATIVE_ROUTING, "routing mode", lambda view: view.routing)
def _native_routing(v: Verdicts, fact: Fact[str], mode: str) -> Finding:
    note = v.note(fact)
    if mode == "native":
        return v.on(f"native routing{note}: pod packets between nodes are not encapsulated", fact)
    if mode != "tunnel":
        return v.not_understood("routing mode", fact)
    protocol = v.view.tunnel_protocol
    protocol_name = protocol.shown if protocol.known else "tunnel"
    return v.off(
        f"{protocol_name} tunnelling{note}: every pod packet between nodes is encapsulated",
        fact,
        advice=(
            f"Set {config_setting_in('routing_mode', 'native', v.view.cilium_window)} with "
            'ipv4-native-routing-cidr, plus auto-direct-node-routes: "true" when the nodes share '
            "an L2 segment (else routes via BGP or the cloud). The underlay must route the pod "
            "CIDRs. Disruptive: cross-node pod traffic breaks while nodes disagree; plan a window."
        ),
    )


@cilium_item(
    ItemId.BPF_MASQUERADING, "masquerading mode", lambda view: view.masquerading,
    MASQUERADING_REQUIREMENTS,
)  # fmt: skip
def _bpf_masquerading(v: Verdicts, fact: Fact[str], mode: str) -> Finding:
    view, note = v.view, v.note(fact)
    if mode == "BPF":
        return v.on(f"BPF masquerading{note}", fact)
    if mode == "Disabled":
        return v.finding(State.NA, f"masquerading is disabled{note}: nothing to move to BPF", fact)
    if mode != "IPTables":
        return v.not_understood("masquerading mode", fact)
    blockers = Blockers(view, MASQUERADING_REQUIREMENTS)
    return v.off(
        f"iptables masquerading{note}: pod egress SNAT goes through netfilter",
        fact,
        blockers=blockers,
        advice=(
            'Set enable-bpf-masquerade: "true" (Helm bpf.masquerade=true) with kube-proxy '
            "replacement and restart the agents; SNAT state moves to BPF maps, so masqueraded "
            "flows may reset."
        ),
    )


@cilium_item(ItemId.BPF_HOST_ROUTING, "host routing", lambda view: view.host_routing)
def _bpf_host_routing(v: Verdicts, fact: Fact[str], mode: str) -> Finding:
    note = v.note(fact)
    if mode == "BPF":
        return v.on(
            f"BPF host routing{note}: pod traffic bypasses iptables and the upper host stack",
            fact,
            advice=_before_1_21(v.view),
        )
    explanation = explain(v.view)
    if explanation is None:
        return v.not_understood("host routing", fact)
    causes = explanation.causes
    reason = f"Legacy host routing{note}: " + "; ".join(c.text for c in causes)
    evidence = [e for c in causes for e in c.evidence]
    blocking = [
        c
        for c in causes
        if c.fix_item != ItemId.BPF_HOST_ROUTING and c.id != "none-found" and not c.verify
    ]
    if blocking:
        return v.finding(
            State.BLOCKED,
            reason,
            fact,
            evidence=evidence,
            blocked_by=[c.blocker for c in blocking],
            recommended=True,
            advice=explanation.advice,
        )
    return v.finding(
        State.OFF, reason, fact, evidence=evidence, recommended=True, advice=explanation.advice
    )


def _before_1_21(view: NodeView) -> str | None:
    """The warning an install that relies on the default needs before upgrading to 1.21."""
    minor = view.cilium_minor()
    setting = view.config.setting("host_legacy_routing") if view.config else None
    if minor != BEFORE_DEFAULT_LEGACY or setting is None or not setting.defaulted:
        return None
    return (
        "Before upgrading to Cilium 1.21, which turns BPF host routing off by default, set "
        'enable-host-legacy-routing: "false" explicitly (Helm bpf.hostLegacyRouting=false): '
        "this node relies on the default and would quietly go Legacy."
    )


def _conntrack_bypass(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.CONNTRACK_BYPASS)
    if (na := v.not_cilium()) is not None:
        return na
    host_routing = view.host_routing
    fact = view.no_conntrack
    always = Blockers(view, BYPASS_ALWAYS)  # checked at every agent's start, BPF or Legacy
    if always.unmet and not fact.value:
        return v.off("the conntrack bypass cannot be turned on here", fact, blockers=always)
    if host_routing.value == "BPF":
        return v.finding(State.NA, CONNTRACK_UNNECESSARY, host_routing, recommended=False)
    blockers = bypass_blockers(view)
    if fact.value is None:
        if blockers.failure is Failure.FATAL and view.config is not None:
            return v.off(view.cilium_unknown("conntrack bypass"), blockers=blockers)
        return v.unknown("conntrack bypass")
    note = view.source_note(fact)
    if fact.value:
        return v.on(f"iptables connection tracking bypassed for pod traffic{note}", fact)
    if host_routing.value is None and blockers.failure is not Failure.FATAL:
        return v.finding(
            State.UNKNOWN,
            "conntrack bypass is off, but whether it is needed depends on host routing: "
            + view.cilium_unknown("host routing"),
            fact,
        )
    explanation = explain(view)
    better = ""
    if explanation is not None and not explanation.impossible:
        better = " Better still, fix what keeps host routing Legacy (see why Legacy)."
    return v.off(
        f"host routing is {host_routing.shown}{view.source_note(host_routing)} and pod traffic "
        f"still goes through iptables connection tracking{note}",
        fact,
        host_routing,
        blockers=blockers,
        advice=(
            f"Set {CONNTRACK_SETTING} (Helm installNoConntrackIptablesRules=true) and restart the "
            "agents; host firewall rules that rely on conntrack for pod traffic stop matching."
            + better
        ),
    )


def _netkit(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.NETKIT)
    if (na := v.not_cilium()) is not None:
        return na
    fact = view.device_mode
    too_old = view.cilium_at_least("1.16") is False
    if fact.value is None and not too_old:
        return v.unknown("device mode")
    note = view.source_note(fact)
    if fact.value is not None and fact.value.startswith("netkit"):
        return v.on(f"{fact.shown} device mode{note}: Pods attach without a veth pair", fact)
    blockers = Blockers(view, NETKIT_REQUIREMENTS)
    current = "veth device mode" if too_old else f"{fact.shown} device mode{note}"
    return v.off(
        f"{current}: pod traffic crosses a veth pair",
        fact,
        blockers=blockers,
        advice=(
            "netkit (beta, Cilium 1.16+, kernel >= 6.8 with CONFIG_NETKIT, BPF host routing) "
            "cannot replace veth in place: Pods or the node must be recreated. Set "
            "bpf.datapathMode=netkit through per-node config (CiliumNodeConfig) for new nodes."
        ),
    )


NATIVE_ROUTING = define(
    ItemId.NATIVE_ROUTING,
    "Native routing",
    why="Tunnelling (VXLAN/Geneve) encapsulates every pod packet between nodes: extra headers, "
    "a smaller MTU and more CPU per packet. Native routing hands pod traffic to the network.",
    requirements=(
        Requirement("the network routes the pod CIDRs (one L2 segment, BGP or cloud routes)"),
    ),
    detection="status `Routing: Network: Native|Tunnel` (1.16+); cilium-config `routing-mode` "
    "(1.14+) or `tunnel: disabled` (1.13)",
    docs=f"{DOCS}/network/concepts/routing/#native-routing",
    judge=_native_routing,
    theme=THEME,
)

BPF_MASQUERADING = define(
    ItemId.BPF_MASQUERADING,
    "BPF masquerading",
    why="Masquerading in BPF avoids netfilter for pod egress SNAT, and BPF host routing needs it.",
    requirements=MASQUERADING_REQUIREMENTS,
    detection="status `Masquerading: BPF|IPTables|Disabled`; cilium-config `enable-bpf-masquerade`",
    docs=f"{DOCS}/network/concepts/masquerading/#ebpf-based",
    judge=_bpf_masquerading,
    theme=THEME,
)

BPF_HOST_ROUTING = define(
    ItemId.BPF_HOST_ROUTING,
    "BPF host routing",
    why="Legacy host routing sends pod traffic through iptables and the upper host stack; BPF "
    "host routing skips both and switches network namespaces faster.",
    # Judged through why-Legacy's causes (checks/legacy_causes.py), which are per version.
    requirements=(
        Requirement(f"kernel >= {HOST_ROUTING_KERNEL}"),
        Requirement("full kube-proxy replacement"),
        Requirement("BPF masquerading (or none)"),
        Requirement("no IPsec up to Cilium 1.18"),
    ),
    detection="status `Host Routing: BPF|Legacy` (<= 1.15) or `Routing: ... Host: BPF|Legacy` "
    "(1.16+); cilium-config `enable-host-legacy-routing`",
    docs=tuning("ebpf-host-routing"),
    judge=_bpf_host_routing,
    theme=THEME,
)

CONNTRACK_BYPASS = define(
    ItemId.CONNTRACK_BYPASS,
    "Bypass iptables conntrack",
    why="Where BPF host routing is impossible, pod traffic still traverses iptables; skipping its "
    "connection tracker cuts most of that cost.",
    requirements=(*BYPASS_ALWAYS, *BYPASS_REQUIREMENTS),
    detection="cilium-config `install-no-conntrack-iptables-rules` (not in cilium-dbg status); "
    "node `iptables -t raw -S` NOTRACK rules",
    docs=tuning("bypass-iptables-connection-tracking"),
    judge=_conntrack_bypass,
    theme=THEME,
)

NETKIT = define(
    ItemId.NETKIT,
    "netkit device mode",
    why="netkit devices replace the veth pair of each Pod, bringing a Pod's networking close to "
    "the host namespace's speed.",
    requirements=NETKIT_REQUIREMENTS,
    detection="status `Device Mode: veth|netkit|netkit-l2` (1.16+); cilium-config `datapath-mode`",
    docs=tuning("netkit-device-mode"),
    judge=_netkit,
    theme=THEME,
    cilium_min="1.16",
)
