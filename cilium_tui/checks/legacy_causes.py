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
from cilium_tui.checks.legacy_origin import describe, set_by
from cilium_tui.checks.requirements import (
    cilium_minimum_kernel,
    kernel_meets,
    kernel_shortfall,
    meets_cilium_minimum,
)
from cilium_tui.facts.config import config_value_in

if TYPE_CHECKING:
    from cilium_tui.checks.view import NodeView

HOST_ROUTING_KERNEL = "5.10"
"""`bpf_redirect_neigh` / `bpf_redirect_peer`: what BPF host routing needs from the kernel."""

IPSEC_KERNEL_FIX = "c43272299488"
"""The kernel commit BPF host routing with IPsec needs from Cilium 1.19 (not probed by Cilium)."""
DEFAULT_LEGACY_SINCE = (1, 21)
"""From Cilium 1.21 BPF host routing is off by default (enable-host-legacy-routing defaults to
true): existing installs that relied on the default quietly go Legacy on upgrade."""

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
    verify: bool = False
    """Possible, not certain, and only a person can tell (a kernel fix Cilium does not probe):
    a check to make, not a blocker."""


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
    if kernel is None:
        return None
    minor = view.cilium_minor()
    minimum = cilium_minimum_kernel(view.cilium.value)
    if minimum == HOST_ROUTING_KERNEL:  # 1.18+: 5.10 is the minimum of Cilium itself
        met, _ = view.kernel_meets(minimum)
        if met or meets_cilium_minimum(kernel, minimum):
            return None  # RHEL 8.6's 4.18 counts as 5.10
        return Cause(
            "kernel",
            f"kernel {kernel.release} < {minimum}, Cilium {view.cilium.shown}'s minimum kernel "
            "(RHEL 8.6's 4.18 counts as equivalent): the agent is not supported on this node",
            kernel_shortfall(kernel, minimum),
            f"upgrade the kernel to >= {minimum} (or RHEL 8.6+); no Cilium setting can fix this",
            None,
            view.kernel.evidence,
        )
    if kernel_meets(kernel, HOST_ROUTING_KERNEL) is not False:
        return None
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
    if enc.value != "IPsec":
        return None
    if minor is not None and minor >= (1, 19):
        return Cause(
            "ipsec",
            "IPsec encryption: from Cilium 1.19 BPF host routing works with IPsec, but only on "
            f"kernels with the fix {IPSEC_KERNEL_FIX}, which Cilium does not probe: possible, "
            "verify the kernel",
            "IPsec encryption (possible, verify the kernel)",
            f"check that the node's kernel carries commit {IPSEC_KERNEL_FIX} (its changelog, or "
            "the distribution's advisory), then see the agent log for why it chose Legacy",
            None,
            enc.evidence,
            certain=False,
            verify=True,
        )
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


def _default_legacy(view: NodeView) -> Cause | None:
    minor = view.cilium_minor()
    setting = view.config.setting("host_legacy_routing") if view.config else None
    if minor is None or minor < DEFAULT_LEGACY_SINCE or setting is None or not setting.defaulted:
        return None
    return Cause(
        "default-legacy",
        f"Cilium {view.cilium.shown} turns BPF host routing off by default "
        "(enable-host-legacy-routing is unset, and defaults to true from 1.21)",
        "BPF host routing off by default (1.21+)",
        'set enable-host-legacy-routing: "false" (Helm bpf.hostLegacyRouting=false)',
        ItemId.BPF_HOST_ROUTING,
        (f"Cilium {view.cilium.shown}: enable-host-legacy-routing unset",),
    )


def _explicit(view: NodeView) -> Cause | None:
    if not view.legacy_forced.value:
        return None
    origins = set_by(view.config, view.record)
    return Cause(
        "explicit",
        'enable-host-legacy-routing is set to "true" in cilium-config'
        + describe(origins)
        + " (configured on purpose, not forced by the agent)",
        "enable-host-legacy-routing: true",
        'set enable-host-legacy-routing: "false" (Helm bpf.hostLegacyRouting=false)',
        ItemId.BPF_HOST_ROUTING,
        view.legacy_forced.evidence + tuple(e for o in origins for e in o.evidence),
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
    _default_legacy,
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
