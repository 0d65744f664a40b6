"""What every catalogue item is built from: a judge of one NodeView, and the helpers it uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.requirements import (
    kernel_shortfall,
)
from cilium_tui.checks.types import Finding, Item, Requirement, Scope, State
from cilium_tui.checks.view import NodeView
from cilium_tui.model import NodeRecord, Snapshot

T = TypeVar("T")

MASQUERADING_MODES = ("BPF", "IPTables", "Disabled")
"""The masquerading modes Cilium prints; any other value is not understood."""

DOCS = "https://docs.cilium.io/en/stable"
TUNING = f"{DOCS}/operations/performance/tuning/"

Judge = Callable[[NodeView], Finding]
FactJudge = Callable[["Verdicts", Fact[T], T], Finding]


def tuning(anchor: str) -> str:
    """A section of the tuning guide."""
    return f"{TUNING}#{anchor}"


@dataclass(frozen=True)
class ViewEvaluator:
    """`Item.evaluate` for items judged from a NodeView: builds the view, then judges it.

    The catalogue calls `judge` directly with one shared view per node instead.
    """

    judge: Judge

    def __call__(self, snapshot: Snapshot, record: NodeRecord) -> Finding:
        return self.judge(NodeView(snapshot, record))


def define(
    id: str,
    title: str,
    *,
    why: str,
    requirements: Iterable[Requirement],
    detection: str,
    docs: str,
    judge: Judge,
    theme: str,
    scope: Scope = "cilium",
    cilium_min: str | None = None,
    advisory: bool = False,
    on_is_good: bool = True,
) -> Item:
    return Item(
        id=id,
        title=title,
        why=why,
        requirements=tuple(requirements),
        detection=detection,
        docs=docs,
        evaluate=ViewEvaluator(judge),
        cilium_min=cilium_min,
        on_is_good=on_is_good,
        advisory=advisory,
        scope=scope,
        theme=theme,
    )


def judge_item(item: Item, view: NodeView) -> Finding:
    """Judge `item` on a node whose view is already built."""
    evaluate = item.evaluate
    if isinstance(evaluate, ViewEvaluator):
        return evaluate.judge(view)
    return evaluate(view.snapshot, view.record)


def cilium_item(
    item_id: str, what: str, fact: Callable[[NodeView], Fact[T]]
) -> Callable[[FactJudge[T]], Judge]:
    """Turns a judge of one known Cilium fact into a judge of a node.

    The wrapper answers what every such item answers alike: n/a on SSH-only boards, unknown when
    neither the agent nor the config tells `what`; the judge sees the fact and its value.
    """

    def decorate(judge: FactJudge[T]) -> Judge:
        @wraps(judge)
        def run(view: NodeView) -> Finding:
            v = Verdicts(view, item_id)
            if (na := v.not_cilium()) is not None:
                return na
            found = fact(view)
            if found.value is None:
                return v.unknown(what)
            return judge(v, found, found.value)

        return run

    return decorate


class Blockers:
    """The unmet requirements of an item that is off, collected while its judge checks them.

    A requirement that cannot be checked (unknown kernel, no probe) is not a blocker: it is
    listed as unverified, and the item stays OFF rather than BLOCKED.
    """

    def __init__(self, view: NodeView) -> None:
        self.view = view
        self.unmet: list[str] = []
        self.evidence: list[str] = []
        self.unverified: list[str] = []
        self.needs_cilium: str | None = None
        """The Cilium release that introduced the item, when this node's is older: the item does
        not exist here (n/a), which outranks every other unmet requirement."""

    def _unmet(self, text: str, evidence: Iterable[str]) -> None:
        self.unmet.append(text)
        self.evidence.extend(evidence)

    def kernel(self, *minimums: str, purpose: str = "") -> Blockers:
        met, fact = self.view.kernel_meets(*minimums)
        if met is False:
            assert fact.value is not None
            self._unmet(kernel_shortfall(fact.value, *minimums) + purpose, fact.evidence)
        elif met is None:
            self.unverified.append(f"kernel >= {'/'.join(minimums)} ({fact.shown})")
        return self

    def cilium(self, minimum: str) -> Blockers:
        met = self.view.cilium_at_least(minimum)
        if met is False:
            self.needs_cilium = minimum
        elif met is None:
            self.unverified.append(f"Cilium >= {minimum}")
        return self

    def needs(self, fact: Fact[T], ok: Callable[[T], bool], unmet: str, what: str) -> Blockers:
        """A requirement on another fact: `unmet` names it when `ok` fails; `what` when unknown."""
        if fact.value is None:
            self.unverified.append(what)
        elif not ok(fact.value):
            self._unmet(unmet, fact.evidence)
        return self

    # The requirements several items share, worded alike so that roll-ups group them.

    def native_routing(self, why: str = "") -> Blockers:
        routing = self.view.routing
        return self.needs(routing, lambda r: r == "native", f"tunnel routing{why}", "routing mode")

    def kube_proxy_replacement(self) -> Blockers:
        kpr = self.view.kpr
        return self.needs(kpr, bool, f"kube-proxy replacement {kpr.shown}", "kube-proxy mode")

    def bpf_nodeport(self, why: str = "") -> Blockers:
        kpr = self.view.kpr
        cause = f"kube-proxy replacement {kpr.shown}" if kpr.known else "BPF NodePort off"
        unmet = f"{cause}{why}"
        return self.needs(self.view.bpf_nodeport, bool, unmet, "BPF NodePort")

    def bpf_or_no_masquerading(self) -> Blockers:
        masq = self.view.masquerading
        if masq.value not in MASQUERADING_MODES:  # a mode we cannot read is no verdict
            masq = Fact(None)
        ok = ("BPF", "Disabled")
        return self.needs(masq, lambda m: m in ok, "iptables masquerading", "masquerading mode")

    def bpf_host_routing(self) -> Blockers:
        hr = self.view.host_routing
        return self.needs(hr, lambda h: h == "BPF", f"BPF host routing {hr.shown}", "host routing")

    def add(self, unmet: str, evidence: Iterable[str] = ()) -> Blockers:
        self._unmet(unmet, evidence)
        return self


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


class Verdicts:
    """Builds the findings of one item on one node."""

    def __init__(self, view: NodeView, item_id: str) -> None:
        self.view = view
        self.item_id = item_id

    def note(self, fact: Fact[object]) -> str:
        """How to qualify an answer that does not come from the running agent."""
        return self.view.source_note(fact)

    def finding(
        self,
        state: State,
        reason: str,
        *facts: Fact[object],
        evidence: Iterable[str] = (),
        blocked_by: Iterable[str] = (),
        recommended: bool | None = None,
        advice: str | None = None,
    ) -> Finding:
        drifts = _unique(f.drift for f in facts if f.drift)
        return Finding(
            item_id=self.item_id,
            node=self.view.name,
            state=state,
            reason=reason,
            evidence=_unique([e for f in facts for e in f.evidence] + list(evidence)),
            blocked_by=tuple(blocked_by),
            recommended=recommended,
            advice=advice,
            drift="; ".join(drifts) or None,
        )

    def not_cilium(self) -> Finding | None:
        """N/A on a board that is only in the SSH inventory (no Node object, no agent)."""
        if self.view.is_cilium_node:
            return None
        return self.finding(
            State.NA, "not a Kubernetes node (SSH inventory only): no Cilium agent to judge"
        )

    def unknown(self, what: str, *facts: Fact[object]) -> Finding:
        return self.finding(State.UNKNOWN, self.view.cilium_unknown(what), *facts)

    def host_unknown(self, what: str, *facts: Fact[object]) -> Finding:
        return self.finding(State.UNKNOWN, self.view.host_unknown(what), *facts)

    def too_old(self, minimum: str, *facts: Fact[object]) -> Finding:
        """N/A: the option does not exist in this node's Cilium (an upgrade, not a setting)."""
        window = self.view.cilium_window
        running = self.view.cilium
        shown = f"running {running.shown}" if running.known else f"the output's shape: {window}"
        return self.finding(
            State.NA,
            f"n/a: needs Cilium >= {minimum} ({shown})",
            *facts,
            evidence=running.evidence or window.evidence,
        )

    def not_understood(self, what: str, fact: Fact[object]) -> Finding:
        return self.finding(State.UNKNOWN, f"{what} {fact.shown!r} is not understood", fact)

    def on(self, reason: str, *facts: Fact[object], advice: str | None = None) -> Finding:
        return self.finding(State.ON, reason, *facts, advice=advice)

    def off(
        self,
        reason: str,
        *facts: Fact[object],
        blockers: Blockers | None = None,
        evidence: Iterable[str] = (),
        advice: str | None = None,
        recommended: bool | None = True,
        consequence: str = "",
    ) -> Finding:
        """OFF, or BLOCKED when `blockers` found unmet requirements (then `consequence`, if any,
        says what turning the item on anyway would do), or N/A when this Cilium predates it."""
        if blockers is not None and blockers.needs_cilium is not None:
            return self.too_old(blockers.needs_cilium, *facts)
        if blockers is not None and blockers.unmet:
            text = f"{reason}; blocked by {', '.join(blockers.unmet)}"
            return self.finding(
                State.BLOCKED,
                text + (f": {consequence}" if consequence else ""),
                *facts,
                evidence=[*evidence, *blockers.evidence],
                blocked_by=blockers.unmet,
                recommended=recommended,
                advice=advice,
            )
        if blockers is not None and blockers.unverified:
            reason += f" (requirements not verified: {', '.join(blockers.unverified)})"
        return self.finding(
            State.OFF, reason, *facts, evidence=evidence, recommended=recommended, advice=advice
        )
