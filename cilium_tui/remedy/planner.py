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
    "native-routing": ("config", cilium.native_routing),
    "kube-proxy-replacement": ("config", cilium.kube_proxy_replacement),
    "bpf-masquerading": ("config", cilium.bpf_masquerading),
    "nodeport-dsr": ("config", cilium.nodeport_dsr),
    "bypass-iptables-conntrack": ("config", cilium.bypass_conntrack),
    "bpf-host-routing": ("config", cilium.bpf_host_routing),
    "ipv6-big-tcp": ("config", partial(cilium.big_tcp, family=6)),
    "ipv4-big-tcp": ("config", partial(cilium.big_tcp, family=4)),
    "hubble": ("config", cilium.hubble),
    "jumbo-mtu": ("guidance", host.jumbo_mtu),
    "bandwidth-manager": ("config", cilium.bandwidth_manager),
    "bbr": ("config", cilium.bbr),
    "xdp-acceleration": ("config", cilium.xdp_acceleration),
    "bpf-map-sizing": ("config", cilium.bpf_map_sizing),
    "netkit": ("guidance", host.netkit),
    "kernel": ("guidance", host.kernel),
    "preempt-none": ("guidance", host.preempt_none),
    "tuned-profile": ("node", host.tuned),
    "cpu-governor": ("node", host.governor),
    "irqbalance": ("node", host.irqbalance),
}

_WHY_MANUAL = {
    "jumbo-mtu": "a network change: every NIC, switch and cloud network on the path must allow "
    "jumbo frames, which no scan can verify",
    "netkit": "veth cannot be replaced in place: Pods or whole nodes must be recreated",
    "kernel": "a package upgrade and a reboot of the node, with a drain first",
    "preempt-none": "a kernel built otherwise, or a boot parameter and a reboot",
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
