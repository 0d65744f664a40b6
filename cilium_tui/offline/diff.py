"""What changed between two snapshots (saved scans, sysdumps, or a live scan): per node and item.

Both sides are judged by the same catalogue, so a change is a change of what `check` says: the
node's effective facts (the same `NodeView` the checklist reads), each item's state, and the
host-routing mode with the first cause of Legacy. The summary names the moves that matter most
first: "3 nodes moved BPF -> Legacy: kube-proxy replacement Disabled".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.fact import Fact
from cilium_tui.checks.types import Finding
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import HOST_ROUTING_ITEM, legacy_cause
from cilium_tui.model import Snapshot

SUMMARY_ITEMS = 3
"""Item moves named in the one-line summary; the rest are counted (the body lists them all)."""

NodeStatus = Literal["changed", "added", "removed"]


def _shown(fact: Fact[object]) -> str | None:
    if fact.value is None:
        return None
    return fact.text or str(fact.value)


def _routing(view: NodeView) -> str | None:
    """ "native", or "tunnel/vxlan" as the node table shows it."""
    protocol = view.tunnel_protocol.value
    if view.routing.value == "tunnel" and protocol:
        return f"tunnel/{protocol}"
    return _shown(view.routing)


def _bool(fact: Fact[object]) -> str | None:
    return None if fact.value is None else "on" if fact.value else "off"


FACTS: tuple[tuple[str, Callable[[NodeView], str | None]], ...] = (
    ("kernel", lambda v: _shown(v.kernel)),
    ("cilium", lambda v: _shown(v.cilium)),
    ("host routing", lambda v: _shown(v.host_routing)),
    ("routing", _routing),
    ("kube-proxy replacement", lambda v: _shown(v.kpr)),
    ("masquerading", lambda v: _shown(v.masquerading)),
    ("bandwidth manager", lambda v: _bool(v.bandwidth_manager)),
    ("BBR", lambda v: _bool(v.bbr)),
    ("IPv4 BIG TCP", lambda v: _bool(v.big_tcp(4))),
    ("IPv6 BIG TCP", lambda v: _bool(v.big_tcp(6))),
    ("XDP", lambda v: _shown(v.xdp)),
    ("device mode", lambda v: _shown(v.device_mode)),
)
"""The per-node facts compared, as the node table and the reports show them (None: unknown)."""


@dataclass(frozen=True)
class Change:
    what: str
    before: str | None
    """None: unknown, or absent on that side."""
    after: str | None


@dataclass(frozen=True)
class NodeDiff:
    node: str
    status: NodeStatus
    facts: tuple[Change, ...] = ()
    items: tuple[Change, ...] = ()
    """Item id -> its state before and after ("on", "blocked", ...)."""
    host_routing: Change | None = None
    legacy_cause: str | None = None
    """The first cause of Legacy host routing after the change, when the node is Legacy."""


@dataclass(frozen=True)
class SnapshotDiff:
    before: Snapshot
    after: Snapshot
    nodes: tuple[NodeDiff, ...]
    summary: str

    @property
    def changed(self) -> bool:
        return bool(self.nodes)


def _findings(snapshot: Snapshot) -> dict[str, dict[str, Finding]]:
    by_node: dict[str, dict[str, Finding]] = {}
    for rollup in evaluate(snapshot):
        for f in rollup.findings:
            by_node.setdefault(f.node, {})[f.item_id] = f
    return by_node


def _facts(snapshot: Snapshot) -> dict[str, dict[str, str | None]]:
    facts = {}
    for record in snapshot.nodes:
        view = NodeView(snapshot, record)
        facts[record.name] = {name: read(view) for name, read in FACTS}
    return facts


class Baseline:
    """The older side of a comparison, judged once (the console compares every scan with it)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.facts = _facts(snapshot)
        self.findings = _findings(snapshot)

    def diff(self, after: Snapshot) -> SnapshotDiff:
        facts_a, facts_b = self.facts, _facts(after)
        find_a, find_b = self.findings, _findings(after)
        nodes: list[NodeDiff] = []
        for name in sorted(set(facts_a) | set(facts_b)):
            if name not in facts_a:
                nodes.append(NodeDiff(name, "added"))
            elif name not in facts_b:
                nodes.append(NodeDiff(name, "removed"))
            else:
                node = _node_diff(
                    name, facts_a[name], facts_b[name], find_a.get(name, {}), find_b.get(name, {})
                )
                if node is not None:
                    nodes.append(node)
        return SnapshotDiff(self.snapshot, after, tuple(nodes), summarize(nodes))


def _node_diff(
    name: str,
    fa: Mapping[str, str | None],
    fb: Mapping[str, str | None],
    ia: Mapping[str, Finding],
    ib: Mapping[str, Finding],
) -> NodeDiff | None:
    facts = tuple(Change(k, fa[k], fb[k]) for k, _ in FACTS if fa[k] != fb[k])
    items = tuple(
        Change(item, _state(ia.get(item)), _state(ib.get(item)))
        for item in sorted(set(ia) | set(ib))
        if _state(ia.get(item)) != _state(ib.get(item))
    )
    if not facts and not items:
        return None
    hr = next((c for c in facts if c.what == "host routing"), None)
    return NodeDiff(name, "changed", facts, items, hr, legacy_cause(ib.values()))


def diff_snapshots(before: Snapshot, after: Snapshot) -> SnapshotDiff:
    return Baseline(before).diff(after)


def _state(finding: Finding | None) -> str | None:
    return None if finding is None else finding.state.value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summarize(nodes: Sequence[NodeDiff]) -> str:
    """One line: host-routing moves first (with their most common cause), then the other items
    whose state moved, then nodes that came or went."""
    if not nodes:
        return "no change"
    parts: list[str] = []
    moves: dict[tuple[str, str], list[NodeDiff]] = {}
    for n in nodes:
        if n.host_routing is not None:
            key = (n.host_routing.before or "unknown", n.host_routing.after or "unknown")
            moves.setdefault(key, []).append(n)
    for (a, b), moved in sorted(moves.items(), key=lambda kv: -len(kv[1])):
        causes = Counter(n.legacy_cause for n in moved if n.legacy_cause)
        cause = f": {causes.most_common(1)[0][0]}" if causes and b.startswith("Legacy") else ""
        parts.append(f"{_plural(len(moved), 'node')} moved {a} -> {b}{cause}")
    items: dict[tuple[str, str, str], int] = Counter(
        (c.what, c.before or "absent", c.after or "absent")
        for n in nodes
        for c in n.items
        if c.what != HOST_ROUTING_ITEM
    )
    ranked = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))
    for (item, a, b), count in ranked[:SUMMARY_ITEMS]:
        parts.append(f"{item} {a} -> {b} on {_plural(count, 'node')}")
    if len(ranked) > SUMMARY_ITEMS:
        parts.append(f"{_plural(len(ranked) - SUMMARY_ITEMS, 'more item change')}")
    for status in ("added", "removed"):
        count = sum(1 for n in nodes if n.status == status)
        if count:
            parts.append(f"{_plural(count, 'node')} {status}")
    if not parts:
        touched = sum(1 for n in nodes if n.facts)
        parts.append(f"facts changed on {_plural(touched, 'node')}")
    return "; ".join(parts)


def since_marks(diff: SnapshotDiff) -> dict[str, dict[str, str]]:
    """Per node, each fact that changed with its value before (see `Snapshot.since`)."""
    marks: dict[str, dict[str, str]] = {}
    for n in diff.nodes:
        if n.status == "added":
            marks[n.node] = {"": "new"}
        elif n.facts:
            marks[n.node] = {c.what: c.before or "?" for c in n.facts}
    return marks
