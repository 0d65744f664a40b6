"""What every catalogue item is built from: a judge of one NodeView, and the helpers it uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.requirements import Failure, Requirement, assess
from cilium_tui.checks.types import Finding, Item, Scope, State
from cilium_tui.checks.view import NodeView
from cilium_tui.model import NodeRecord, Snapshot

T = TypeVar("T")

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
    item_id: str,
    what: str,
    fact: Callable[[NodeView], Fact[T]],
    requirements: Iterable[Requirement] = (),
) -> Callable[[FactJudge[T]], Judge]:
    """Turns a judge of one known Cilium fact into a judge of a node.

    The wrapper answers what every such item answers alike: n/a on SSH-only boards, unknown when
    neither the agent nor the config tells `what` (blocked when the item's `requirements` say
    turning it on would make the agent fail to start); the judge sees the fact and its value.
    """
    needs = tuple(requirements)

    def decorate(judge: FactJudge[T]) -> Judge:
        @wraps(judge)
        def run(view: NodeView) -> Finding:
            v = Verdicts(view, item_id)
            if (na := v.not_cilium()) is not None:
                return na
            found = fact(view)
            if found.value is None:
                blockers = Blockers(view, needs if view.config is not None else ())
                if blockers.failure is Failure.FATAL:
                    return v.off(view.cilium_unknown(what), blockers=blockers)
                return v.unknown(what)
            return judge(v, found, found.value)

        return run

    return decorate


class Blockers:
    """The unmet requirements of an item that is off: its `Requirement`s evaluated on the node.

    A requirement that cannot be checked (unknown kernel, no probe) is not a blocker: it is
    listed as unverified, and the item stays OFF rather than BLOCKED. `failure` is what turning
    the item on anyway would do, as the planner judges it from the same evaluation.
    """

    def __init__(self, view: NodeView, requirements: Iterable[Requirement] = ()) -> None:
        self.view = view
        self.unmet: list[str] = []
        self.evidence: list[str] = []
        self.unverified: list[str] = []
        self.failure: Failure | None = None
        self.needs_cilium: str | None = None
        """The Cilium release that introduced the item, when this node's is older: the item does
        not exist here (n/a), which outranks every other unmet requirement."""
        self.require(requirements)

    def require(self, requirements: Iterable[Requirement]) -> Blockers:
        found = assess(requirements, self.view)
        for unmet in found.unmet:
            if unmet.requirement.cilium_min is not None:
                self.needs_cilium = self.needs_cilium or unmet.requirement.cilium_min
                continue
            if unmet.text not in self.unmet:
                self.unmet.append(unmet.text)
        self.evidence.extend(found.evidence)
        self.unverified.extend(u for u in found.unknown if u not in self.unverified)
        if found.failure is Failure.FATAL or self.failure is None:
            self.failure = found.failure or self.failure
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
        configured: State | None = None,
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
            configured=configured,
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
        """ON, when the running agent shows it (`facts[0]` is the item's own fact). Where only
        cilium-config says so and no agent status was read (crash loop, unreadable status), or
        the agent started before cilium-config's last change (so it may run the older config:
        1.13 prints no routing mode), the item is UNKNOWN: "configured, not verified"."""
        view = self.view
        fact = facts[0] if facts else None
        state = view.agent_state
        if state is None and view.agent_stale:
            state = "the agent started before cilium-config's last change"
        if fact is None or fact.origin != "config" or state is None:
            return self.finding(State.ON, reason, *facts, advice=advice)
        configured = reason.replace(self.note(fact), "")
        return self.finding(
            State.UNKNOWN,
            f"configured, not verified: {state}; cilium-config asks for {configured}",
            *facts,
            evidence=[view.agent_problem or view.rollout_problem or state],
            configured=State.ON,
        )

    def off(
        self,
        reason: str,
        *facts: Fact[object],
        blockers: Blockers | None = None,
        evidence: Iterable[str] = (),
        advice: str | None = None,
        recommended: bool | None = True,
    ) -> Finding:
        """OFF, or BLOCKED when `blockers` found unmet requirements (then it says what turning
        the item on anyway would do: fail to start, or silently nothing), or N/A when this Cilium
        predates the item (an upgrade, not a setting)."""
        if blockers is not None and blockers.needs_cilium is not None:
            return self.too_old(blockers.needs_cilium, *facts)
        if blockers is not None and blockers.unmet:
            text = f"{reason}; blocked by {', '.join(blockers.unmet)}"
            if blockers.failure is not None:
                text += f": enabling it now {blockers.failure.consequence}"
            return self.finding(
                State.BLOCKED,
                text,
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
