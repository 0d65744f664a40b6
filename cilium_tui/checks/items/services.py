"""Service load-balancing in BPF: kube-proxy replacement, DSR and XDP acceleration."""

from __future__ import annotations

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.base import DOCS, Blockers, Verdicts, cilium_item, define, tuning
from cilium_tui.checks.requirements import (
    SOCKET_LB_KERNEL,
    Check,
    Failure,
    Requirement,
    bpf_nodeport,
    kernel,
    kernel_shortfall,
    native_routing,
)
from cilium_tui.checks.types import Finding
from cilium_tui.checks.view import NodeView
from cilium_tui.facts.config import config_setting_in

THEME = "services"

XDP_DRIVERS = {
    "ena": "5.6",
    "bnxt_en": "4.11",
    "thunderx": "4.12",
    "dpaa2": "5.0",
    "ixgbe": "4.12",
    "ixgbevf": "4.17",
    "i40e": "4.13",
    "ice": "5.5",
    "mvneta": "5.5",
    "mlx4": "4.8",
    "mlx5": "4.9",
    "hv_netvsc": "5.6",
    "nfp": "4.10",
    "virtio_net": "4.10",
    "tun": "4.14",
    "bond": "5.15",
    "qede": "4.10",
    "netsec": "5.3",
    "sfc": "5.5",
    "cpsw": "5.3",
}
"""Drivers with native XDP and the kernel each needs (Cilium's `xdp_drivers` list)."""

_DRIVER_ALIASES = {"mlx4_en": "mlx4", "mlx5_core": "mlx5", "bonding": "bond", "tap": "tun"}
"""`ethtool -i` names of drivers the list above names differently."""

XDP_ON = ("native", "best-effort")


def xdp_driver(name: str) -> tuple[str, str] | None:
    """(list name, minimum kernel) of a NIC driver with native XDP; None when it has none."""
    listed = _DRIVER_ALIASES.get(name, name)
    minimum = XDP_DRIVERS.get(listed)
    return None if minimum is None else (listed, minimum)


def _dispatch(view: NodeView) -> str:
    return view.dsr_dispatch.value or "opt"


def _geneve(view: NodeView) -> Check:
    protocol = view.tunnel_protocol
    met = protocol.value == "geneve" or view.routing.value == "native"
    unmet = f"tunnel protocol {protocol.shown} (geneve dispatch needs geneve)"
    return Check(met, "" if met else unmet, "tunnel protocol", protocol.evidence)


def _lb_only(view: NodeView) -> Check:
    return Check(False, "IPIP dispatch only works in the lb-only datapath", "", ())


def _native_xdp_driver(view: NodeView) -> Check:
    probe = view.probe
    driver = view.probed("nic_driver", probe.nic_driver if probe is not None else None)
    if not driver.value:
        return Check(None, unknown=f"native XDP in the NIC driver ({view.host_unknown('driver')})")
    if xdp_driver(driver.value) is None:
        return Check(False, f"NIC driver {driver.value} has no native XDP", "", driver.evidence)
    return Check(True)


def _xdp_driver_kernel(view: NodeView) -> Check:
    probe = view.probe
    listed = xdp_driver(probe.nic_driver) if probe is not None and probe.nic_driver else None
    if listed is None:
        return Check(True)  # judged by the requirement above
    met, fact = view.kernel_meets(listed[1])
    unmet = ""
    if met is False:
        assert fact.value is not None
        unmet = kernel_shortfall(fact.value, listed[1]) + f" (native XDP in {listed[0]})"
    return Check(met, unmet, f"kernel >= {listed[1]} ({fact.shown})", fact.evidence)


KPR_REQUIREMENTS = (
    kernel(*SOCKET_LB_KERNEL),
    Requirement("k8sServiceHost/k8sServicePort set (no kube-proxy to reach the API)"),
)
DSR_REQUIREMENTS = (
    bpf_nodeport(Failure.NO_EFFECT),
    native_routing(
        Failure.FATAL,
        " (DSR's IP-option dispatch needs native routing)",
        when=lambda view: _dispatch(view) == "opt",
    ),
    Requirement("geneve dispatch: a geneve tunnel (never VXLAN)", _geneve,
                when=lambda view: _dispatch(view) == "geneve"),
    Requirement("IPIP dispatch: the lb-only datapath", _lb_only,
                when=lambda view: _dispatch(view) == "ipip"),
)  # fmt: skip
XDP_REQUIREMENTS = (
    bpf_nodeport(Failure.NO_EFFECT),
    Requirement("a NIC driver with native XDP", _native_xdp_driver),
    Requirement("the driver's minimum kernel for native XDP", _xdp_driver_kernel),
)


def _kpr_setting(view: NodeView) -> str:
    return config_setting_in("kpr_full", True, view.cilium_window)


@cilium_item(
    ItemId.KUBE_PROXY_REPLACEMENT, "kube-proxy replacement", lambda view: view.kpr, KPR_REQUIREMENTS
)
def _kube_proxy_replacement(v: Verdicts, fact: Fact[bool], full: bool) -> Finding:
    view, note = v.view, v.note(fact)
    kube_proxy = view.snapshot.kube_proxy_present
    if full:
        return v.on(
            f"full kube-proxy replacement ({fact.shown}){note}",
            fact,
            advice=(
                "A kube-proxy DaemonSet still runs: remove it and flush its iptables rules."
                if kube_proxy
                else None
            ),
        )
    return v.off(
        f"kube-proxy replacement is {fact.shown}{note}: services go through "
        + ("kube-proxy's iptables rules" if kube_proxy else "more than BPF alone"),
        fact,
        evidence=["kube-proxy DaemonSet present"] if kube_proxy else [],
        blockers=Blockers(view, KPR_REQUIREMENTS),
        advice=(
            f"Set {_kpr_setting(view)} with k8sServiceHost/"
            "k8sServicePort, restart the agents, then remove kube-proxy and its iptables rules. "
            "Drain first: switching can break existing service connections; per-node rollout "
            "with CiliumNodeConfig is safer."
        ),
    )


@cilium_item(
    ItemId.NODEPORT_DSR,
    "load-balancer mode",
    lambda view: view.lb_mode,
    DSR_REQUIREMENTS,
)
def _nodeport_dsr(v: Verdicts, fact: Fact[str], mode: str) -> Finding:
    view, note = v.view, v.note(fact)
    if mode == "dsr":
        return v.on(f"NodePort DSR{note}: backends reply straight to clients", fact)
    if mode == "hybrid":
        return v.on(f"NodePort hybrid{note}: DSR for TCP, SNAT for UDP", fact)
    if mode != "snat":
        return v.not_understood("load-balancer mode", fact)
    blockers = Blockers(view, DSR_REQUIREMENTS)
    return v.off(
        f"NodePort in SNAT mode{note}: replies detour through the node that took the request",
        fact,
        view.dsr_dispatch,
        blockers=blockers,
        advice=(
            f"Set {config_setting_in('lb_mode', 'dsr', view.cilium_window)}, or hybrid (DSR for "
            "TCP, SNAT for UDP: no MTU change). IP-option "
            "dispatch needs native routing and a fabric that passes IP options; on clouds turn "
            "source/destination checks off. In tunnel mode use geneve dispatch with a geneve "
            "tunnel (Cilium 1.14+)."
        ),
    )


@cilium_item(
    ItemId.XDP_ACCELERATION,
    "XDP acceleration",
    lambda view: view.xdp,
    XDP_REQUIREMENTS,
)
def _xdp_acceleration(v: Verdicts, fact: Fact[str], mode: str) -> Finding:
    view, note = v.view, v.note(fact)
    if mode in XDP_ON:
        return v.on(f"XDP acceleration {fact.shown}{note}", fact)
    probe = view.probe
    nic = probe.default_nic if probe is not None and probe.default_nic else "the NIC"
    driver = view.probed("nic_driver", probe.nic_driver if probe is not None else None)
    blockers = Blockers(view, XDP_REQUIREMENTS)
    generic = " (generic XDP is no acceleration)" if mode == "generic" else ""
    return v.off(
        f"XDP acceleration {fact.shown}{generic}{note}: NodePort and LoadBalancer requests are "
        "handled after the stack, not at the driver",
        fact,
        driver,
        blockers=blockers,
        advice=(
            f"Set {config_setting_in('lb_acceleration', 'native', view.cilium_window)} ({nic} must "
            "have a native-XDP driver on every "
            "device Cilium uses; best-effort skips those without), preferably per node with "
            "CiliumNodeConfig. XDP-forwarded packets are invisible to tcpdump."
        ),
    )


KUBE_PROXY_REPLACEMENT = define(
    ItemId.KUBE_PROXY_REPLACEMENT,
    "Kube-proxy replacement",
    why="Services load-balanced in BPF instead of kube-proxy's iptables chains: fewer rules per "
    "packet, socket-level load balancing, and a prerequisite of BPF host routing.",
    requirements=KPR_REQUIREMENTS,
    detection="status `KubeProxyReplacement: Strict|True|...`; cilium-config "
    "`kube-proxy-replacement`",
    docs=f"{DOCS}/network/kubernetes/kubeproxy-free/",
    judge=_kube_proxy_replacement,
    theme=THEME,
)

NODEPORT_DSR = define(
    ItemId.NODEPORT_DSR,
    "NodePort DSR",
    why="With Direct Server Return the backend answers the client itself: no extra hop and no "
    "SNAT for NodePort and LoadBalancer traffic.",
    requirements=DSR_REQUIREMENTS,
    detection="verbose status `Mode: SNAT|DSR|Hybrid` or JSON "
    "`.kube-proxy-replacement.features.nodePort.mode`; cilium-config `bpf-lb-mode`",
    docs=f"{DOCS}/network/kubernetes/kubeproxy-free/#direct-server-return-dsr",
    judge=_nodeport_dsr,
    theme=THEME,
)

XDP_ACCELERATION = define(
    ItemId.XDP_ACCELERATION,
    "XDP acceleration",
    why="NodePort and LoadBalancer requests served from the NIC driver, before the kernel stack: "
    "much more forwarding capacity per node.",
    requirements=XDP_REQUIREMENTS,
    detection="verbose status `XDP Acceleration: Disabled|Native|Best-Effort`; cilium-config "
    "`bpf-lb-acceleration`; node `ethtool -i <nic>`",
    docs=tuning("xdp-acceleration"),
    judge=_xdp_acceleration,
    theme=THEME,
)
