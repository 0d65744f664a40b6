"""Why Legacy: for every node whose host routing is Legacy, the ordered causes with evidence.

The causes themselves are found by `cilium_tui.checks.legacy_causes`; this module turns them into
an explanation per node, with the advice the seed case calls for: where BPF host routing is
impossible (an old kernel), bypass iptables connection tracking; where it is BPF, the bypass is
unnecessary.
"""

from __future__ import annotations

from dataclasses import dataclass

from cilium_tui.checks.items.base import Blockers
from cilium_tui.checks.legacy_causes import Cause, legacy_causes, no_cause_found
from cilium_tui.checks.requirements import SOCKET_LB_KERNEL
from cilium_tui.checks.view import NodeView
from cilium_tui.model import Snapshot

CONNTRACK_UNNECESSARY = "unnecessary: BPF host routing already bypasses iptables conntrack"
CONNTRACK_SETTING = 'install-no-conntrack-iptables-rules: "true"'


@dataclass(frozen=True)
class LegacyExplanation:
    node: str
    causes: tuple[Cause, ...]
    """Most fundamental first; a single "none-found" cause when the facts show none."""
    evidence: tuple[str, ...]
    """What says the node is Legacy (status line, or the config it was predicted from)."""
    predicted: bool
    """True when the agent could not be asked and Legacy follows from the config and kernel."""
    advice: str

    @property
    def impossible(self) -> bool:
        """BPF host routing cannot be had by any Cilium setting (kernel, IPsec, chaining...)."""
        return any(c.fix_item is None and c.id != "none-found" for c in self.causes)


def bypass_prerequisites_off(view: NodeView) -> list[str]:
    """What the conntrack bypass needs that is known to be off on this node."""
    missing = []
    if view.routing.value == "tunnel":
        missing.append("native routing")
    if view.kpr.value is False:
        missing.append("full kube-proxy replacement")
    if view.masquerading.value == "IPTables":
        missing.append("BPF masquerading")
    return missing


def bypass_blockers(view: NodeView, *, fixable: bool = True) -> Blockers:
    """What the conntrack bypass needs and this node lacks: the bypass item's blockers. With
    `fixable=False`, only what no remediation here can change (kernel, CNI chaining, IPv4 off)."""
    blockers = Blockers(view).kernel(*SOCKET_LB_KERNEL)
    if fixable:
        blockers.native_routing().kube_proxy_replacement().bpf_or_no_masquerading()
    return blockers.needs(
        view.cni_chaining,
        lambda c: c == "none",
        f"CNI chaining {view.cni_chaining.shown} (the Helm chart forces the bypass off)",
        "CNI chaining",
    ).needs(
        view.ipv4,
        bool,
        "IPv4 disabled (enable-ipv4: false; the agent requires IPv4 for the bypass)",
        "IPv4",
    )


def advice_for(view: NodeView, causes: tuple[Cause, ...]) -> str:
    """What to do about Legacy host routing on this node."""
    if view.no_conntrack.value:
        return (
            "iptables connection tracking is already bypassed here, the right mitigation while "
            "host routing stays Legacy."
        )
    hard = [c.blocker for c in causes if c.fix_item is None and c.id != "none-found"]
    if hard and (ruled_out := bypass_blockers(view, fixable=False).unmet):
        return (
            f"BPF host routing is impossible here until that changes ({'; '.join(hard)}), and so "
            f"is the iptables conntrack bypass ({'; '.join(ruled_out)}): pod traffic keeps "
            "crossing iptables connection tracking on this node."
        )
    if hard:
        missing = bypass_prerequisites_off(view)
        first = f"turn on {', '.join(missing)} (the bypass needs them), then " if missing else ""
        return (
            f"BPF host routing is impossible here until that changes ({'; '.join(hard)}): "
            f"{first}bypass iptables connection tracking ({CONNTRACK_SETTING}) to cut the "
            "iptables cost meanwhile."
        )
    unexplained = [c for c in causes if c.id == "none-found"]
    if unexplained:
        return (
            f"{unexplained[0].fix[0].upper()}{unexplained[0].fix[1:]}. If BPF host routing stays "
            f"impossible, bypass iptables connection tracking ({CONNTRACK_SETTING})."
        )
    return (
        "Fix the causes above and restart the agent to get BPF host routing, which also makes "
        "the iptables conntrack bypass unnecessary."
    )


def explain(view: NodeView) -> LegacyExplanation | None:
    """The explanation for one node; None unless its host routing is (or predictably is) Legacy."""
    host_routing = view.host_routing
    if host_routing.value != "Legacy":
        return None
    causes = legacy_causes(view) or (no_cause_found(view),)
    return LegacyExplanation(
        view.name,
        causes,
        host_routing.evidence,
        host_routing.origin == "predicted",
        advice_for(view, causes),
    )


def why_legacy(snapshot: Snapshot) -> tuple[LegacyExplanation, ...]:
    """Explanations for every Legacy node of the snapshot, in node order."""
    found = (explain(NodeView(snapshot, record)) for record in snapshot.nodes)
    return tuple(e for e in found if e is not None)
