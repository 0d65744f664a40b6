"""The tuning catalogue: every item of the Cilium tuning guide, judged per node and rolled up."""

from __future__ import annotations

from cilium_tui.checks.items.base import judge_item
from cilium_tui.checks.items.host import (
    CPU_GOVERNOR,
    IRQBALANCE,
    KERNEL,
    PREEMPT_NONE,
    TUNED_PROFILE,
)
from cilium_tui.checks.items.observability import HUBBLE
from cilium_tui.checks.items.routing import (
    BPF_HOST_ROUTING,
    BPF_MASQUERADING,
    CONNTRACK_BYPASS,
    NATIVE_ROUTING,
    NETKIT,
)
from cilium_tui.checks.items.services import KUBE_PROXY_REPLACEMENT, NODEPORT_DSR, XDP_ACCELERATION
from cilium_tui.checks.items.throughput import (
    BANDWIDTH_MANAGER,
    BBR,
    BPF_MAP_SIZING,
    IPV4_BIG_TCP,
    IPV6_BIG_TCP,
    JUMBO_MTU_ITEM,
)
from cilium_tui.checks.rollup import rollup
from cilium_tui.checks.types import Finding, Item, Rollup
from cilium_tui.checks.view import NodeView
from cilium_tui.model import NodeRecord, Snapshot

CATALOGUE: tuple[Item, ...] = (
    NATIVE_ROUTING,
    KUBE_PROXY_REPLACEMENT,
    BPF_MASQUERADING,
    NODEPORT_DSR,
    CONNTRACK_BYPASS,
    BPF_HOST_ROUTING,
    IPV6_BIG_TCP,
    IPV4_BIG_TCP,
    HUBBLE,
    JUMBO_MTU_ITEM,
    BANDWIDTH_MANAGER,
    BBR,
    XDP_ACCELERATION,
    BPF_MAP_SIZING,
    NETKIT,
    KERNEL,
    PREEMPT_NONE,
    TUNED_PROFILE,
    CPU_GOVERNOR,
    IRQBALANCE,
)
"""Every item, in display order. Ids are stable: the CLI and the remediations use them."""

_BY_ID = {i.id: i for i in CATALOGUE}


def item(item_id: str) -> Item:
    """The item with this id; KeyError naming the known ids otherwise."""
    try:
        return _BY_ID[item_id]
    except KeyError:
        raise KeyError(f"no tuning item {item_id!r}; known: {', '.join(_BY_ID)}") from None


def evaluate_node(snapshot: Snapshot, record: NodeRecord) -> tuple[Finding, ...]:
    """Every item judged on one node, in catalogue order."""
    view = NodeView(snapshot, record)
    return tuple(judge_item(i, view) for i in CATALOGUE)


def evaluate(snapshot: Snapshot) -> tuple[Rollup, ...]:
    """Every item judged on every node, rolled up per item, in catalogue order."""
    per_node = [evaluate_node(snapshot, record) for record in snapshot.nodes]
    return tuple(
        rollup(entry, tuple(findings[index] for findings in per_node))
        for index, entry in enumerate(CATALOGUE)
    )
