"""The Cilium items: which cilium-config settings each writes, and how every node reacts.

Each recipe names its settings (`Write`, spelled per release by `facts.config`) and judges one
node (`NodeCase`) against the changed config: it takes the change, already has it, does not apply,
or would fail to start / silently not take it (reference §3 for every requirement, §4 for what a
restart costs). The `PlanContext` turns that into the plan.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.routing import MASQUERADING_REQUIREMENTS
from cilium_tui.checks.items.services import (
    DSR_REQUIREMENTS,
    KPR_REQUIREMENTS,
    XDP_ON,
    XDP_REQUIREMENTS,
)
from cilium_tui.checks.items.throughput import (
    BBR_REQUIREMENTS,
    BIG_TCP,
    BIG_TCP_NICS,
    BIG_TCP_REQUIREMENTS,
    BWM_REQUIREMENTS,
)
from cilium_tui.checks.legacy_causes import legacy_causes
from cilium_tui.checks.requirements import assess as assess_requirements
from cilium_tui.checks.types import State
from cilium_tui.checks.why_legacy import BYPASS_ALWAYS, BYPASS_REQUIREMENTS
from cilium_tui.collect.node_commands import sysctl
from cilium_tui.model import NodeRecord
from cilium_tui.remedy.context import NodeCase, PlanContext, Verdict, Write
from cilium_tui.remedy.plan import Guidance, NodeStep, Outcome, Plan

AGENTS = "every agent restarts (one node at a time); established connections normally survive"
DEFAULT_MAP_RATIO = 0.0025
K3S_CLUSTER_CIDR = "10.42.0.0/16"
BWM_SYSCTLS = (
    "The agent sets net.core.default_qdisc=fq and raises host network sysctls for the Bandwidth "
    "Manager; undo restores cilium-config, not those sysctls."
)


def _already(reason: str) -> Verdict:
    return Verdict(Outcome.ALREADY, reason)


def _recreate_pods(what: str) -> Guidance:
    return Guidance(
        f"Existing Pods keep their old settings; {what} reaches Pods created after the restart. "
        "Recreate workloads when convenient:",
        ("kubectl rollout restart deployment -n NAMESPACE NAME",),
    )


# --------------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------------


def _cover(cidrs: Sequence[str]) -> ipaddress.IPv4Network | None:
    """The smallest IPv4 network containing every one of `cidrs`."""
    networks = []
    for text in cidrs:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None
        if isinstance(network, ipaddress.IPv4Network):
            networks.append(network)
    if not networks:
        return None
    cover = networks[0]
    while not all(n.subnet_of(cover) for n in networks):
        cover = cover.supernet()
    return cover


def native_cidr(ctx: PlanContext) -> tuple[str | None, str]:
    """The native-routing CIDR to write, and where it comes from."""
    if ctx.options.native_cidr:
        return ctx.options.native_cidr, "given with --native-cidr"
    config = ctx.config
    assert config is not None
    pool = config.data.get("cluster-pool-ipv4-cidr", "").split(" ")[0]
    if config.data.get("ipam", "cluster-pool") == "cluster-pool" and pool:
        return pool, "cilium-config cluster-pool-ipv4-cidr"
    pod_cidrs = [c for r in ctx.cilium_nodes if r.node for c in r.node.pod_cidrs]
    cover = _cover(pod_cidrs)
    if cover is None:
        return None, "no pod CIDR is known"
    k3s = all(r.node and "+k3s" in (r.node.kubelet_version or "") for r in ctx.cilium_nodes)
    k3s_default = ipaddress.IPv4Network(K3S_CLUSTER_CIDR)
    if k3s and cover.subnet_of(k3s_default):
        return K3S_CLUSTER_CIDR, "K3s's default cluster CIDR, which holds every node's podCIDR"
    return str(cover), "the smallest network holding every node's podCIDR"


def native_routing(ctx: PlanContext) -> Plan:
    if ctx.config is None:
        return ctx.refused("cilium-config could not be read")
    writes = [Write("routing_mode", "native", "the item's setting")]
    warnings = [
        "The network must route the pod CIDRs: auto-direct-node-routes only works when the nodes "
        "share one L2 segment; otherwise routes come from BGP or the cloud."
    ]
    if ctx.config.value("native_routing_cidr") is None:
        cidr, source = native_cidr(ctx)
        if cidr is None:
            return ctx.refused(
                f"native routing needs ipv4-native-routing-cidr and {source}: pass --native-cidr"
            )
        writes.append(
            Write(
                "native_routing_cidr",
                cidr,
                f"traffic to {cidr} is routed, not masqueraded ({source})",
            )
        )
        warnings.append(
            f"ipv4-native-routing-cidr {cidr} ({source}): it must cover every pod range, also "
            "of nodes that join later."
        )
    if ctx.config.value("auto_direct_node_routes") is not True:
        writes.append(
            Write("auto_direct_node_routes", True, "routes to the other nodes' pod CIDRs")
        )

    def assess(case: NodeCase) -> Verdict:
        if case.now.routing.value == "native":
            return _already("native routing")
        return Verdict(Outcome.TAKES, "pod traffic between nodes will not be encapsulated")

    return ctx.config_plan(
        writes,
        assess,
        summary="route pod traffic natively instead of through a VXLAN/Geneve tunnel",
        disruption="cross-node pod traffic breaks while nodes disagree on the routing mode (until "
        "every agent has restarted): plan a maintenance window",
        warnings=warnings,
    )


def bpf_masquerading(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        now, after = case.now, case.after
        if now.masquerading.value == "BPF":
            return _already("BPF masquerading")
        if after.masquerading.value == "Disabled":
            return Verdict(Outcome.NOT_APPLICABLE, "masquerading is disabled")
        gates = case.gates().require(MASQUERADING_REQUIREMENTS)
        return gates.verdict("pod egress SNAT moves from iptables to BPF")

    return ctx.config_plan(
        [Write("bpf_masquerade", True, "the item's setting")],
        assess,
        summary="masquerade pod egress in BPF instead of iptables",
        disruption="SNAT state moves from netfilter conntrack to BPF maps: established "
        "masqueraded egress connections may reset as each agent restarts",
    )


def bypass_conntrack(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        if case.now.no_conntrack.value:
            return _already("NOTRACK rules for pod traffic")
        if assess_requirements(BYPASS_ALWAYS, case.now).unmet:  # every agent checks these at start
            return case.gates().require(BYPASS_ALWAYS).verdict("")
        if case.now.host_routing.value == "BPF":
            return Verdict(
                Outcome.NOT_APPLICABLE,
                "unnecessary: BPF host routing already bypasses iptables conntrack",
            )
        gates = case.gates().require((*BYPASS_ALWAYS, *BYPASS_REQUIREMENTS))
        return gates.verdict(
            "pod traffic skips iptables connection tracking (host routing stays Legacy)"
        )

    return ctx.config_plan(
        [Write("install_no_conntrack", True, "the item's setting")],
        assess,
        summary="skip iptables connection tracking for pod traffic where host routing is Legacy",
        disruption=f"{AGENTS}; host firewall rules that rely on conntrack for pod traffic stop "
        "matching",
    )


def bpf_host_routing(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        if case.now.host_routing.value == "BPF":
            return _already("BPF host routing")
        mode, why = case.host_routing_after()
        if mode == "BPF":
            return Verdict(Outcome.TAKES, "every requirement of BPF host routing is met")
        return Verdict(Outcome.NO_EFFECT, f"host routing stays Legacy: {why}")

    forced = ctx.config.setting("host_legacy_routing") if ctx.config else None
    by_default = any(
        cause.id == "default-legacy"
        for record in ctx.cilium_nodes
        for cause in legacy_causes(ctx.view(record))
    )
    if forced is not None and (by_default or (forced.value is True and not forced.defaulted)):
        return ctx.config_plan(
            [Write("host_legacy_routing", False, "enable-host-legacy-routing forced Legacy")],
            assess,
            summary="stop forcing Legacy host routing",
            disruption=f"{AGENTS}; BPF host routing bypasses netfilter in the host namespace: host "
            "iptables rules for pod traffic stop applying",
        )
    plan = ctx.config_plan(
        [],
        assess,
        summary="BPF host routing has no switch of its own: it follows its requirements",
        disruption="",
    )
    if plan.status != "refused":
        return plan
    fixes = []
    for item_id in dict.fromkeys(_fix_items(ctx)):
        fixes.append(Guidance(f"Turn on {item_id} first:", (f"cilium-tui plan {item_id}",)))
    kernel = [r for r in plan.refusals if "kernel" in r.reason]
    if kernel:
        fixes.append(
            Guidance(
                "Upgrade the kernel of the nodes below 5.10 (package upgrade, drain, reboot); "
                "meanwhile bypass iptables conntrack there:",
                ("cilium-tui plan kernel", "cilium-tui plan bypass-iptables-conntrack"),
            )
        )
    return ctx.guidance_plan(
        "BPF host routing follows its requirements; fix them:",
        fixes,
        assessments=plan.assessments,
        refusals=plan.refusals,
    )


def _fix_items(ctx: PlanContext) -> list[str]:
    return [
        cause.fix_item
        for record in ctx.cilium_nodes
        for cause in legacy_causes(ctx.view(record))
        if cause.fix_item is not None and cause.fix_item != ItemId.BPF_HOST_ROUTING
    ]


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def kube_proxy_replacement(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        if case.now.kpr.value:
            return _already("full kube-proxy replacement")
        return case.gates().require(KPR_REQUIREMENTS).verdict("services are load-balanced in BPF")

    present = ctx.snapshot.kube_proxy_present
    after = []
    warnings = [
        "Without kube-proxy the agents reach the API server through Helm's k8sServiceHost/"
        "k8sServicePort: set them before removing kube-proxy."
    ]
    if present is not False:
        after.append(
            Guidance(
                "Once every agent runs with kube-proxy replacement, remove kube-proxy and its "
                "iptables rules (K3s: restart the servers with --disable-kube-proxy):",
                (
                    "kubectl -n kube-system delete daemonset kube-proxy",
                    "iptables-save | grep -v KUBE | iptables-restore  # on every node",
                ),
            )
        )
    return ctx.config_plan(
        [Write("kpr_full", True, "the item's setting")],
        assess,
        summary="replace kube-proxy with Cilium's BPF service load balancing",
        disruption="switching can break existing service connections while agents restart (the "
        "docs advise draining each node first)",
        warnings=warnings,
        after=after,
    )


def nodeport_dsr(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        now = case.now
        if now.lb_mode.value in ("dsr", "hybrid"):
            return _already(f"NodePort {now.lb_mode.shown}")
        gates = case.gates().require(DSR_REQUIREMENTS)
        return gates.verdict("backends reply to clients directly")

    return ctx.config_plan(
        [Write("lb_mode", "dsr", "the item's setting")],
        assess,
        summary="answer NodePort/LoadBalancer clients directly from the backend (DSR)",
        disruption="in-flight NodePort connections through other nodes may break as agents restart",
        warnings=[
            "DSR's IP-option dispatch needs a network that passes IPv4 options; on clouds turn "
            "source/destination checks off."
        ],
    )


def xdp_acceleration(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        now = case.now
        if now.xdp.value in XDP_ON:
            return _already(f"XDP acceleration {now.xdp.shown}")
        driver = now.probe.nic_driver if now.probe is not None else None
        gates = case.gates().require(XDP_REQUIREMENTS)
        return gates.verdict(f"NodePort requests handled in the {driver} driver")

    return ctx.config_plan(
        [Write("lb_acceleration", "native", "the item's setting")],
        assess,
        summary="serve NodePort/LoadBalancer traffic with XDP in the NIC driver",
        disruption=f"{AGENTS}; XDP-forwarded packets are invisible to tcpdump",
    )


# --------------------------------------------------------------------------------------------
# Throughput
# --------------------------------------------------------------------------------------------


def big_tcp(ctx: PlanContext, family: int) -> Plan:
    introduced, _ = BIG_TCP[family]
    if ctx.version is not None and not ctx.version.at_least(introduced):
        return ctx.refused(f"Cilium {ctx.version} has no IPv{family} BIG TCP (since {introduced})")
    if family == 6 and ctx.config is not None and ctx.config.value("ipv6") is False:
        return ctx.refused("IPv6 is disabled (enable-ipv6: false)")

    def assess(case: NodeCase) -> Verdict:
        if case.now.big_tcp(family).value:
            return _already(f"IPv{family} BIG TCP")
        gates = case.gates().require(BIG_TCP_REQUIREMENTS[family])
        return gates.verdict("GSO/GRO up to 192k")

    return ctx.config_plan(
        [Write(f"ipv{family}_big_tcp", True, "the item's setting")],
        assess,
        summary=f"raise IPv{family} GSO/GRO to 192k (BIG TCP)",
        disruption=f"{AGENTS}; Pods must be recreated to get the bigger GSO/GRO sizes",
        warnings=[f"BIG TCP is documented for {', '.join(BIG_TCP_NICS)} NICs."],
        after=[_recreate_pods("BIG TCP")],
    )


def bandwidth_manager(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        now = case.now
        if now.bandwidth_manager.value:
            return _already("Bandwidth Manager on")
        return case.gates().require(BWM_REQUIREMENTS).verdict("EDT rate limiting and fq pacing")

    return ctx.config_plan(
        [Write("bandwidth_manager", True, "the item's setting")],
        assess,
        summary="turn on the Bandwidth Manager (EDT rate limiting, fq pacing)",
        disruption=f"{AGENTS}; the NIC's root qdisc is replaced with mq/fq",
        warnings=[BWM_SYSCTLS],
    )


def bbr(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        if case.now.bbr.value:
            return _already("Pods use BBR")
        return case.gates().require(BBR_REQUIREMENTS).verdict("new Pods use BBR")

    writes = [Write("bbr", True, "the item's setting")]
    warnings = ["BBR can raise retransmissions and crowd out CUBIC flows sharing a link with it."]
    if not (ctx.config is not None and ctx.config.value("bandwidth_manager") is True):
        writes.insert(0, Write("bandwidth_manager", True, "BBR needs the Bandwidth Manager"))
        warnings.append(BWM_SYSCTLS)

    def previous(record: NodeRecord) -> str | None:
        """The congestion control the host has now, when it is to be changed."""
        probe = record.probe
        found = probe.tcp_congestion_control if probe is not None else None
        return None if found == "bbr" else found

    def step_for(case: NodeCase) -> NodeStep | None:
        probe, before = case.record.probe, previous(case.record)
        # Read through the agent pod (no SSH, e.g. --no-ssh): there is no shell to set it with.
        if before is None or probe is None or probe.source != "ssh" or probe.privilege == "no-sudo":
            return None
        change = sysctl("net.ipv4.tcp_congestion_control", "bbr", before)
        return NodeStep(case.name, change, (before,), case.record.ssh_host)

    changing = [r for r in ctx.cilium_nodes if previous(r) is not None and r.probe is not None]
    unsettable = [r.name for r in changing if r.probe is not None and r.probe.source != "ssh"]
    if len(unsettable) < len(changing) or not changing:
        warnings.append(
            "The agent sets the host's net.ipv4.tcp_congestion_control to bbr; the plan sets it "
            "over SSH too, so that undo restores the previous value."
        )
    if unsettable:
        warnings.append(
            f"Without SSH to {', '.join(unsettable)}, undo restores cilium-config but not their "
            "net.ipv4.tcp_congestion_control, which the agent sets to bbr."
        )
    return ctx.config_plan(
        writes,
        assess,
        summary="use BBR congestion control for Pods (with the Bandwidth Manager)",
        disruption=f"{AGENTS}; only Pods created afterwards use BBR",
        warnings=warnings,
        after=[_recreate_pods("BBR")],
        step_for=step_for,
    )


def bpf_map_sizing(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        ratio = case.now.map_ratio.value
        if ratio is not None and ratio > 0:
            return _already(f"dynamic map sizing at {ratio:g} of RAM")
        return Verdict(Outcome.TAKES, f"CT/NAT maps sized at {DEFAULT_MAP_RATIO:g} of RAM")

    return ctx.config_plan(
        [Write("map_dynamic_size_ratio", DEFAULT_MAP_RATIO, "the Helm chart's default ratio")],
        assess,
        summary="size the BPF connection-tracking and NAT maps from each node's memory",
        disruption="changed map sizes recreate the CT/NAT maps at each agent's start: ongoing "
        "connections may be dropped; plan a window",
    )


# --------------------------------------------------------------------------------------------
# Observability
# --------------------------------------------------------------------------------------------


def hubble(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        if case.now.hubble.value is False:
            return _already("Hubble is off")
        return Verdict(Outcome.TAKES, "no more flow visibility on this node")

    return ctx.config_plan(
        [Write("hubble", False, "the item's setting")],
        assess,
        summary="turn Hubble off (the tuning guide's last resort: 1-15 % for no flow visibility)",
        disruption=f"{AGENTS}; Hubble Relay, UI and Hubble metrics stop working",
        warnings=[
            "Not recommended: try a larger hubble-event-queue-size, BPF event rate limits or "
            "trace events off first."
        ],
        target_state=State.OFF,
        recommended=False,
    )
