"""Plans for every catalogue item: `build_plan(item_id, snapshot, nodes=None) -> Plan`. Pure.

    plan = build_plan("bypass-iptables-conntrack", snapshot)
    plan.status        # "ready", "refused", "nothing" or "guidance"
    plan.changes       # cilium-config keys: (key, old or None, new or None), version-correct
    plan.restart       # agents to restart, batch by batch
    plan.refusals      # why not: nodes whose agent would fail to start or ignore the change

`REMEDIES` says, per item, how it is remedied: a cilium-config change ("config"), commands over SSH
("node") or guidance only ("guidance"), for `cilium-tui plan --list` and the console.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from cilium_tui.checks.catalogue import CATALOGUE
from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.checks.ids import ItemId
from cilium_tui.model import Snapshot
from cilium_tui.remedy.context import PlanContext, PlanOptions
from cilium_tui.remedy.plan import Plan, PlanKind
from cilium_tui.remedy.recipes import cilium, host

Recipe = Callable[[PlanContext], Plan]


@dataclass(frozen=True)
class Remedy:
    item_id: str
    title: str
    kind: PlanKind
    why_manual: str = ""
    """For a guidance-only remedy: why cilium-tui does not make the change itself."""

    @property
    def automatable(self) -> bool:
        return self.kind != "guidance"


_RECIPES: dict[str, tuple[PlanKind, Recipe]] = {
    ItemId.NATIVE_ROUTING: ("config", cilium.native_routing),
    ItemId.KUBE_PROXY_REPLACEMENT: ("config", cilium.kube_proxy_replacement),
    ItemId.BPF_MASQUERADING: ("config", cilium.bpf_masquerading),
    ItemId.NODEPORT_DSR: ("config", cilium.nodeport_dsr),
    ItemId.CONNTRACK_BYPASS: ("config", cilium.bypass_conntrack),
    ItemId.BPF_HOST_ROUTING: ("config", cilium.bpf_host_routing),
    ItemId.IPV6_BIG_TCP: ("config", partial(cilium.big_tcp, family=6)),
    ItemId.IPV4_BIG_TCP: ("config", partial(cilium.big_tcp, family=4)),
    ItemId.HUBBLE: ("config", cilium.hubble),
    ItemId.JUMBO_MTU: ("guidance", host.jumbo_mtu),
    ItemId.BANDWIDTH_MANAGER: ("config", cilium.bandwidth_manager),
    ItemId.BBR: ("config", cilium.bbr),
    ItemId.XDP_ACCELERATION: ("config", cilium.xdp_acceleration),
    ItemId.BPF_MAP_SIZING: ("config", cilium.bpf_map_sizing),
    ItemId.NETKIT: ("guidance", host.netkit),
    ItemId.KERNEL: ("guidance", host.kernel),
    ItemId.PREEMPT_NONE: ("guidance", host.preempt_none),
    ItemId.TUNED_PROFILE: ("node", host.tuned),
    ItemId.CPU_GOVERNOR: ("node", host.governor),
    ItemId.IRQBALANCE: ("node", host.irqbalance),
}

_WHY_MANUAL: dict[str, str] = {
    ItemId.JUMBO_MTU: "a network change: every NIC, switch and cloud network on the path must "
    "allow jumbo frames, which no scan can verify",
    ItemId.NETKIT: "veth cannot be replaced in place: Pods or whole nodes must be recreated",
    ItemId.KERNEL: "a package upgrade and a reboot of the node, with a drain first",
    ItemId.PREEMPT_NONE: "a kernel built otherwise, or a boot parameter and a reboot",
}
"""Why each guidance-only item is left to a person."""

REMEDIES: tuple[Remedy, ...] = tuple(
    Remedy(entry.id, entry.title, _RECIPES[entry.id][0], _WHY_MANUAL.get(entry.id, ""))
    for entry in CATALOGUE
)
"""Every catalogue item, in catalogue order, with how it is remedied."""


def build_plan(
    item_id: str,
    snapshot: Snapshot,
    nodes: Sequence[str] | None = None,
    *,
    options: PlanOptions | None = None,
) -> Plan:
    """The plan that turns `item_id` on (Hubble: off) in the cluster of `snapshot`.

    `nodes` limits it to those nodes: SSH changes run there only; a cilium-config change becomes
    a CiliumNodeConfig shown as guidance. Raises KeyError for an unknown item id.
    """
    catalogue_item(item_id)  # KeyError naming the known ids
    _, recipe = _RECIPES[item_id]
    return recipe(PlanContext(item_id, snapshot, nodes, options or PlanOptions()))
