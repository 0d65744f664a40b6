"""An item judged across the cluster: counts per state and a one-line headline.

e.g. "BPF host routing: on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10". Reasons are grouped, most
common first, so that a cluster-wide cause reads once, not once per node.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cilium_tui.checks.types import Finding, Item, Rollup, State

MAX_GROUPS = 3
_CLAUSE_END = re.compile(r": |; | \(")


def gist(finding: Finding) -> str:
    """The short form of a finding's reason, to group nodes by.

    Reasons are written "<what>: <detail>" or "<what> (<source note>)"; an unknown one
    "<what> unknown: <why>; <more>", where the why is what differs between nodes.
    """
    reason = finding.reason
    if finding.unverified:  # "configured, not verified: agent CrashLoopBackOff; ..."
        return reason.split(": ", 1)[-1].split("; ", 1)[0]
    if finding.state is State.UNKNOWN and " unknown: " in reason:
        return reason.split(" unknown: ", 1)[1].split("; ", 1)[0]
    return _CLAUSE_END.split(reason, 1)[0]


def _groups(counted: Counter[str], total: int, first: Mapping[str, int] | None = None) -> str:
    """Most common first; equal counts by `first` (the label's earliest place in a finding's
    list: blockers are listed in the order to fix them), then by the label. A pure function of
    what is counted, so that a roll-up recounted node by node reads as one counted whole."""
    place = first or {}
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], place.get(kv[0], 0), kv[0]))
    shown = [label if n == total else f"{label} ({n})" for label, n in ranked[:MAX_GROUPS]]
    if len(ranked) > MAX_GROUPS:
        shown.append(f"{len(ranked) - MAX_GROUPS} more")
    return ", ".join(shown)


_UNVERIFIED = "unverified"


def _bucket(finding: Finding) -> str:
    """Which clause of the summary the finding's gist counts in."""
    return _UNVERIFIED if finding.unverified else str(finding.state)


@dataclass(frozen=True)
class Tally:
    """What a summary is written from: counts per state, and the labels each clause groups by.
    Kept per roll-up so that a refresh of a few nodes recounts only those (`retally`)."""

    states: Counter[State] = field(default_factory=Counter)
    blocked: Counter[str] = field(default_factory=Counter)
    """The blockers of blocked findings (a finding may have several)."""
    places: dict[str, Counter[int]] = field(default_factory=dict)
    """Per blocker, the places it holds in findings' `blocked_by` lists."""
    gists: dict[str, Counter[str]] = field(default_factory=dict)
    """Per clause ("unverified", "off", "unknown", "n/a"), the findings' gists."""

    def count(self, finding: Finding, sign: int) -> None:
        self.states[finding.state] += sign
        if finding.state is State.BLOCKED:
            for place, blocker in enumerate(finding.blocked_by):
                self.blocked[blocker] += sign
                self.places.setdefault(blocker, Counter())[place] += sign
        if finding.unverified or finding.state in (State.OFF, State.UNKNOWN, State.NA):
            self.gists.setdefault(_bucket(finding), Counter())[gist(finding)] += sign

    def copy(self) -> Tally:
        gists = {bucket: Counter(c) for bucket, c in self.gists.items()}
        places = {blocker: Counter(c) for blocker, c in self.places.items()}
        return Tally(Counter(self.states), Counter(self.blocked), places, gists)

    def first_places(self) -> dict[str, int]:
        return {blocker: min(+c, default=0) for blocker, c in self.places.items()}

    def _clause(self, bucket: str) -> Counter[str]:
        return +self.gists.get(bucket, Counter())  # unary +: drops labels counted down to 0


def tally(findings: Iterable[Finding]) -> Tally:
    counted = Tally()
    for finding in findings:
        counted.count(finding, 1)
    return counted


def retally(previous: Tally, removed: Iterable[Finding], added: Iterable[Finding]) -> Tally:
    """`previous` with some nodes' old findings taken out and their new ones put in."""
    counted = previous.copy()
    for finding in removed:
        counted.count(finding, -1)
    for finding in added:
        counted.count(finding, 1)
    return counted


def summary_of(counted: Tally) -> str:
    """The state of an item across nodes: "on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"."""
    states = counted.states
    total = sum(states.values())
    if not total:
        return "no nodes"
    applicable = total - states[State.NA]
    if applicable == 0:
        return f"n/a on every node ({_groups(counted._clause(str(State.NA)), total)})"
    parts = [f"on {states[State.ON]}/{applicable} nodes"]
    if states[State.BLOCKED]:
        blocked = states[State.BLOCKED]
        reasons = _groups(+counted.blocked, blocked, counted.first_places())
        parts.append(f"{blocked} blocked: {reasons}")
    for bucket in (_UNVERIFIED, str(State.OFF), str(State.UNKNOWN)):
        clause = counted._clause(bucket)
        n = sum(clause.values())
        if n:
            parts.append(f"{n} {bucket}: {_groups(clause, n)}")
    if states[State.NA]:
        parts.append(f"{states[State.NA]} n/a")
    return "; ".join(parts)


def summary(findings: tuple[Finding, ...]) -> str:
    return summary_of(tally(findings))


def headline(item: Item, findings: tuple[Finding, ...]) -> str:
    return f"{item.title}: {summary(findings)}"


def rollup(item: Item, findings: tuple[Finding, ...], counted: Tally | None = None) -> Rollup:
    """`counted`: the findings' tally when the caller kept it up to date (`retally`)."""
    counted = tally(findings) if counted is None else counted
    counts = {state: counted.states[state] for state in State}
    text = summary_of(counted)
    return Rollup(item, findings, counts, f"{item.title}: {text}", text, counted)
