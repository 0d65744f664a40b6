"""An item judged across the cluster: counts per state and a one-line headline.

e.g. "BPF host routing: on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10". Reasons are grouped, most
common first, so that a cluster-wide cause reads once, not once per node.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

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


def _groups(labels: Iterable[str], total: int) -> str:
    counted = Counter(labels).most_common()
    shown = [label if n == total else f"{label} ({n})" for label, n in counted[:MAX_GROUPS]]
    if len(counted) > MAX_GROUPS:
        shown.append(f"{len(counted) - MAX_GROUPS} more")
    return ", ".join(shown)


def summary(findings: tuple[Finding, ...]) -> str:
    """The state of an item across nodes: "on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"."""
    counts = Counter(f.state for f in findings)
    if not findings:
        return "no nodes"
    applicable = len(findings) - counts[State.NA]
    if applicable == 0:
        return f"n/a on every node ({_groups((gist(f) for f in findings), len(findings))})"
    parts = [f"on {counts[State.ON]}/{applicable} nodes"]
    blocked = [f for f in findings if f.state is State.BLOCKED]
    if blocked:
        reasons = _groups((b for f in blocked for b in f.blocked_by), len(blocked))
        parts.append(f"{len(blocked)} blocked: {reasons}")
    unverified = [f for f in findings if f.unverified]
    if unverified:
        groups = _groups(map(gist, unverified), len(unverified))
        parts.append(f"{len(unverified)} unverified: {groups}")
    for state in (State.OFF, State.UNKNOWN):
        chosen = [f for f in findings if f.state is state and not f.unverified]
        if chosen:
            parts.append(f"{len(chosen)} {state}: {_groups(map(gist, chosen), len(chosen))}")
    if counts[State.NA]:
        parts.append(f"{counts[State.NA]} n/a")
    return "; ".join(parts)


def headline(item: Item, findings: tuple[Finding, ...]) -> str:
    return f"{item.title}: {summary(findings)}"


def rollup(item: Item, findings: tuple[Finding, ...]) -> Rollup:
    counts = {state: 0 for state in State}
    for finding in findings:
        counts[finding.state] += 1
    text = summary(findings)
    return Rollup(item, findings, counts, f"{item.title}: {text}", text)
