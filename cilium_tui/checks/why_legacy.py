"""Why Legacy: for every node whose host routing is Legacy, the ordered causes with evidence.

The causes themselves are found by `cilium_tui.checks.legacy_causes`; this module turns them into
an explanation per node, with the advice the seed case calls for: where BPF host routing is
impossible (an old kernel), bypass iptables connection tracking; where it is BPF, the bypass is
unnecessary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.base import Blockers
from cilium_tui.checks.legacy_causes import Cause, legacy_causes, no_cause_found
from cilium_tui.checks.requirements import (
    SOCKET_LB_KERNEL,
    Check,
    Failure,
    Requirement,
    assess,
    bpf_or_no_masquerading,
    full_kube_proxy_replacement,
    kernel,
    native_routing,
)
from cilium_tui.checks.types import Finding, State
from cilium_tui.checks.view import NodeView
from cilium_tui.model import Snapshot

HOST_ROUTING_ITEM = ItemId.BPF_HOST_ROUTING
"""The catalogue item whose finding explains Legacy host routing (see `legacy_cause`)."""

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
    """What the conntrack bypass needs that is known to be off here and a remediation provides."""
    found = assess(BYPASS_REQUIREMENTS, view)
    return [u.requirement.text for u in found.unmet if u.requirement.fix is not None]


def _ipv4(view: NodeView) -> Check:
    fact = view.ipv4
    if fact.value is None:
        return Check(None, unknown="IPv4")
    unmet = "IPv4 disabled (enable-ipv4: false; the agent requires IPv4 for the bypass)"
    return Check(fact.value, "" if fact.value else unmet, "IPv4", fact.evidence)


def _no_chaining(view: NodeView) -> Check:
    fact = view.cni_chaining
    if fact.value is None:
        return Check(None, unknown="CNI chaining")
    unmet = f"CNI chaining {fact.shown} (the Helm chart forces the bypass off)"
    return Check(fact.value == "none", "" if fact.value == "none" else unmet, "", fact.evidence)


BYPASS_ALWAYS = (Requirement("IPv4 enabled (the agent refuses the bypass without it)", _ipv4),)
"""What every agent checks at start when the bypass is set, whatever its host routing."""
BYPASS_REQUIREMENTS = (
    kernel(*SOCKET_LB_KERNEL),
    native_routing(Failure.FATAL),
    full_kube_proxy_replacement(Failure.FATAL),
    bpf_or_no_masquerading(Failure.FATAL),
    Requirement("no CNI chaining (the chart forces the bypass off)", _no_chaining,
                Failure.NO_EFFECT),
    Requirement("only useful with Legacy host routing"),
)  # fmt: skip
"""The conntrack bypass's requirements where host routing is Legacy."""


def bypass_blockers(view: NodeView, *, fixable: bool = True) -> Blockers:
    """What the conntrack bypass needs and this node lacks: the bypass item's blockers. With
    `fixable=False`, only what no remediation here can change (kernel, CNI chaining, IPv4 off)."""
    wanted = [r for r in (*BYPASS_REQUIREMENTS, *BYPASS_ALWAYS) if fixable or r.fix is None]
    return Blockers(view, wanted)


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


def host_routing_finding(findings: Iterable[Finding]) -> Finding | None:
    return next((f for f in findings if f.item_id == HOST_ROUTING_ITEM), None)


def legacy_cause(findings: Iterable[Finding]) -> str | None:
    """The first reason a node is not on BPF host routing, as the catalogue judged it: its first
    unmet requirement, else its reason. None when the catalogue has no verdict (yet)."""
    finding = host_routing_finding(findings)
    if finding is None or finding.state in (State.ON, State.UNKNOWN):
        return None
    return finding.blocked_by[0] if finding.blocked_by else finding.reason
