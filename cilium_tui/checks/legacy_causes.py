"""Why a node's Cilium agent runs Legacy host routing instead of BPF: the causes, per version.

The agent uses BPF host routing when it can and falls back to Legacy otherwise (reference §2).
Each cause below is one of its documented fallbacks, checked against the facts of one node, in
the order users should fix them. A cause whose applicability to this Cilium version is not
confirmed is kept, but marked `certain=False` and says so.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.requirements import kernel_meets, kernel_shortfall
from cilium_tui.facts.config import config_value_in

if TYPE_CHECKING:
    from cilium_tui.checks.view import NodeView

HOST_ROUTING_KERNEL = "5.10"
"""`bpf_redirect_neigh` / `bpf_redirect_peer`: what BPF host routing needs from the kernel."""

LOG_PATTERN = "legacy host routing|BPF host routing|Falling back"


@dataclass(frozen=True)
class Cause:
    """One reason for Legacy host routing on one node."""

    id: str
    """"cilium-version", "kernel", "kube-proxy-replacement", "iptables-masquerading", "ipsec",
    "endpoint-routes-ipv6", "explicit", "cni-chaining", or "none-found"."""
    text: str
    """What is wrong, in one sentence."""
    blocker: str
    """The same, short enough to group nodes by: "kernel 4.19 < 5.10"."""
    fix: str
    """What would fix it, or that no remediation can."""
    fix_item: str | None = None
    """The catalogue item whose remediation fixes it; None when none can (kernel, IPsec)."""
    evidence: tuple[str, ...] = ()
    certain: bool = True
    """False where the reference marks the fallback UNVERIFIED for this Cilium version."""


def _cilium_version(view: NodeView) -> Cause | None:
    minor = view.cilium_minor()
    if minor is None or minor >= (1, 9):
        return None
    return Cause(
        "cilium-version",
        f"Cilium {view.cilium.shown} predates BPF host routing (added in Cilium 1.9)",
        f"Cilium {minor[0]}.{minor[1]} < 1.9",
        "upgrade Cilium (to a supported release, which has BPF host routing)",
        None,
        view.cilium.evidence,
    )


def _kernel(view: NodeView) -> Cause | None:
    kernel = view.kernel.value
    if kernel is None or kernel_meets(kernel, HOST_ROUTING_KERNEL) is not False:
        return None
    minor = view.cilium_minor()
    if minor is not None and minor >= (1, 18):
        return None  # 1.18 requires 5.10 altogether: no fallback to explain
    text = (
        f"kernel {kernel.release} < {HOST_ROUTING_KERNEL}: BPF host routing needs "
        "bpf_redirect_neigh/bpf_redirect_peer"
    )
    certain = minor is not None and minor <= (1, 15)
    if minor is None:
        text += " (Cilium version unknown: treated as a cause)"
    elif not certain:
        text += (
            f" (UNVERIFIED whether Cilium {minor[0]}.{minor[1]} still falls back on the kernel: "
            "treated as a cause)"
        )
    return Cause(
        "kernel",
        text,
        kernel_shortfall(kernel, HOST_ROUTING_KERNEL) + ("" if certain else " (unverified)"),
        f"upgrade the kernel to >= {HOST_ROUTING_KERNEL} (package upgrade and reboot); "
        "no Cilium setting can fix this",
        None,
        view.kernel.evidence,
        certain,
    )


def _kube_proxy_replacement(view: NodeView) -> Cause | None:
    kpr = view.kpr
    if kpr.value is not False:
        return None
    wanted = config_value_in("kpr_full", True, view.cilium_window)
    return Cause(
        "kube-proxy-replacement",
        f"kube-proxy replacement is {kpr.shown}: BPF host routing requires "
        f"kube-proxy-replacement={wanted}",
        f"kube-proxy replacement {kpr.shown}",
        f"turn on full kube-proxy replacement (kube-proxy-replacement: {wanted})",
        ItemId.KUBE_PROXY_REPLACEMENT,
        kpr.evidence,
    )


def _iptables_masquerading(view: NodeView) -> Cause | None:
    masq = view.masquerading
    if masq.value != "IPTables":
        return None
    text = "iptables masquerading: BPF host routing requires enable-bpf-masquerade"
    if masq.drift:
        text += " (BPF masquerading is configured: the agent fell back, or awaits a restart)"
    return Cause(
        "iptables-masquerading",
        text,
        "iptables masquerading",
        'turn on BPF masquerading (enable-bpf-masquerade: "true")',
        ItemId.BPF_MASQUERADING,
        masq.evidence,
    )


def _ipsec(view: NodeView) -> Cause | None:
    enc = view.encryption
    minor = view.cilium_minor()
    if enc.value != "IPsec" or (minor is not None and minor >= (1, 19)):
        return None
    return Cause(
        "ipsec",
        "IPsec encryption: BPF host routing is incompatible with enable-ipsec up to Cilium 1.18",
        "IPsec encryption",
        "upgrade to Cilium >= 1.19 (IPsec with BPF host routing), or switch to WireGuard",
        None,
        enc.evidence,
    )


def _endpoint_routes_ipv6(view: NodeView) -> Cause | None:
    minor = view.cilium_minor()
    if minor is None or minor > (1, 13):
        return None
    if not (view.endpoint_routes.value and view.ipv6.value):
        return None
    return Cause(
        "endpoint-routes-ipv6",
        "enable-endpoint-routes with IPv6: Cilium 1.13 does not support BPF host routing with both",
        "endpoint routes with IPv6",
        "disable enable-endpoint-routes or IPv6, or upgrade to Cilium >= 1.14",
        None,
        view.endpoint_routes.evidence + view.ipv6.evidence,
    )


def _explicit(view: NodeView) -> Cause | None:
    if not view.legacy_forced.value:
        return None
    return Cause(
        "explicit",
        'enable-host-legacy-routing is set to "true" in cilium-config',
        "enable-host-legacy-routing: true",
        'set enable-host-legacy-routing: "false" (Helm bpf.hostLegacyRouting=false)',
        ItemId.BPF_HOST_ROUTING,
        view.legacy_forced.evidence,
    )


def _cni_chaining(view: NodeView) -> Cause | None:
    chaining = view.cni_chaining
    if chaining.value in (None, "none") or view.legacy_forced.value is False:
        return None  # chaining forces Legacy only through the chart's enable-host-legacy-routing
    return Cause(
        "cni-chaining",
        f"CNI chaining ({chaining.shown}): the Helm chart writes enable-host-legacy-routing: "
        '"true" with chaining',
        f"CNI chaining {chaining.shown}",
        "none short of dropping CNI chaining (an architecture change)",
        None,
        chaining.evidence,
    )


_CHECKS = (
    _cilium_version,
    _kernel,
    _kube_proxy_replacement,
    _iptables_masquerading,
    _ipsec,
    _endpoint_routes_ipv6,
    _explicit,
    _cni_chaining,
)


def legacy_causes(view: NodeView) -> tuple[Cause, ...]:
    """The causes of Legacy host routing found in this node's facts, most fundamental first.

    Does not look at the node's host routing itself: it also serves to predict Legacy when the
    agent cannot be asked.
    """
    return tuple(cause for check in _CHECKS if (cause := check(view)) is not None)


def no_cause_found(view: NodeView) -> Cause:
    pod = view.record.pod
    if pod is not None:
        logs = shlex.join(["kubectl", "-n", pod.namespace, "logs", pod.name, "-c", "cilium-agent"])
    else:
        logs = "kubectl -n kube-system logs <cilium pod> -c cilium-agent"
    return Cause(
        "none-found",
        "no cause found in the facts we have",
        "cause not found",
        f"read the agent's reason in its log: {logs} | grep -iE {shlex.quote(LOG_PATTERN)}",
        None,
        (),
        False,
    )
