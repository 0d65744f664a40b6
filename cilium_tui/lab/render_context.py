"""What a status output prints besides the agent's datapath decisions.

`cilium status` shows the node's addresses, IPAM usage, controllers, cluster health, Hubble flow
counters and so on: facts of the node and the moment, not of the agent's configuration. The
renderers take them from a `RenderContext`; the lab builds one per node from its scenario, tests
build one from a real sample to reproduce it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

from cilium_tui.lab.agent import CLOUD_IPAM, AgentDetails, LoadBalancing
from cilium_tui.model import AgentStatus

APIS_1_13 = (
    "cilium/v2::CiliumClusterwideNetworkPolicy",
    "cilium/v2::CiliumEndpoint",
    "cilium/v2::CiliumNetworkPolicy",
    "cilium/v2::CiliumNode",
    "core/v1::Namespace",
    "core/v1::Node",
    "core/v1::Pods",
    "core/v1::Service",
    "discovery/v1::EndpointSlice",
    "networking.k8s.io/v1::NetworkPolicy",
)
APIS_1_14 = (
    "EndpointSliceOrEndpoint",
    "cilium/v2::CiliumClusterwideNetworkPolicy",
    "cilium/v2::CiliumEndpoint",
    "cilium/v2::CiliumNetworkPolicy",
    "cilium/v2::CiliumNode",
    "cilium/v2alpha1::CiliumCIDRGroup",
    "core/v1::Namespace",
    "core/v1::Pods",
    "core/v1::Service",
    "networking.k8s.io/v1::NetworkPolicy",
)
"""The `Kubernetes APIs:` lists printed by 1.13 and by 1.14-1.17 (from the samples)."""

HEALTH_CONTROLLER = "cilium-health-ep"
"""`cilium status` prints cluster health only when this controller exists."""


@dataclass(frozen=True)
class Controller:
    name: str
    last_success: str = "never"
    """As printed: "1m3s ago" or "never"."""
    last_error: str = "never"
    failures: int = 0
    """Consecutive failures; a controller with failures is printed even without --verbose."""
    message: str | None = None
    """The last failure message ("no error" when None)."""


@dataclass(frozen=True)
class HealthPeer:
    """One node in the cluster-health probe results."""

    name: str
    ip: str
    local: bool = False
    reachable: bool = True
    endpoint_ip: str | None = None
    endpoint_reachable: bool = True
    host_rtts: tuple[str, str] = ("412.337µs", "611.248µs")
    """ICMP and HTTP round-trip times as Go prints durations (1.17+ verbose output)."""
    endpoint_rtts: tuple[str, str] = ("398.112µs", "873.054µs")


class ClusterHealth:
    """The cluster's nodes as every agent's health probe lists them, at one moment.

    Every agent lists the same peers but for which one is itself, so a big lab keeps one of these
    per cluster state and gives each agent a view of it (`seen_from`): an agent's context then
    costs O(1) to build, and what its outputs derive from the whole list (`shared`) is derived
    once per cluster state, not once per agent (which made a scan of N agents O(N^2)).
    """

    def __init__(self, peers: Sequence[HealthPeer]) -> None:
        self.peers = tuple(replace(p, local=False) if p.local else p for p in peers)
        self._derived: dict[str, Any] = {}

    def seen_from(self, node_name: str) -> HealthPeers:
        return HealthPeers(self, node_name)

    def shared(self, key: str, derive: Callable[[tuple[HealthPeer, ...]], Any]) -> Any:
        """`derive(peers)`, computed once for this cluster state: the result is shared by every
        agent's output, so nobody may change it."""
        if key not in self._derived:
            self._derived[key] = derive(self.peers)
        return self._derived[key]


class HealthPeers(Sequence[HealthPeer]):
    """One agent's peers: the cluster's shared list with the agent itself marked `local`,
    made only for the peers an output reads."""

    def __init__(self, cluster: ClusterHealth, local: str) -> None:
        self.cluster = cluster
        self.local = local

    def _seen(self, peer: HealthPeer) -> HealthPeer:
        return replace(peer, local=True) if peer.name == self.local else peer

    def __len__(self) -> int:
        return len(self.cluster.peers)

    @overload
    def __getitem__(self, index: int) -> HealthPeer: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[HealthPeer, ...]: ...
    def __getitem__(self, index: int | slice) -> HealthPeer | tuple[HealthPeer, ...]:
        if isinstance(index, slice):
            return tuple(self._seen(p) for p in self.cluster.peers[index])
        return self._seen(self.cluster.peers[index])

    def __iter__(self) -> Iterator[HealthPeer]:
        return (self._seen(p) for p in self.cluster.peers)


@dataclass(frozen=True)
class RenderContext:
    node_name: str
    node_ip: str
    """The node's primary IPv4 address on the agent's device."""
    device_ipv6: tuple[str, ...] = ()
    """Further addresses on the device; 1.16+ lists link-local ones in the KPR devices."""
    pod_cidr: str | None = None
    """The node's pod CIDR (IPAM line; also BPF masquerading's exclusion CIDR in tunnel mode)."""
    ipam_used: int = 2
    ipam_capacity: int | None = None
    """Addresses the node's IPAM can hand out; None: the pod CIDR's size (ENI IPAM sets it)."""
    allocations: tuple[tuple[str, str], ...] = ()
    """(IP, owner) pairs for `Allocated addresses:` (--verbose)."""
    cpus: int = 2
    kubernetes_version: str = "v1.26.6+k3s1"
    kubernetes_minor: str | None = None
    """The short form when it is not major.minor of the version, e.g. EKS's "1.27+"."""
    kubernetes_platform: str = "linux/amd64"
    kubernetes_apis: tuple[str, ...] | None = None
    """None: the list the release prints by default."""
    controllers: tuple[Controller, ...] = (Controller(HEALTH_CONTROLLER, "1s ago"),)
    router_ip: str | None = None
    """`Proxy Status: OK, ip <router ip>`; None derives one from the pod CIDR."""
    envoy_mode: str | None = None
    """"embedded" or "external"; None: the release's default."""
    hubble_flows: tuple[int, int] = (4095, 4095)
    """Current and maximum flows in the Hubble ring buffer."""
    hubble_flows_per_second: float = 1.5
    health_timestamp: str = "2024-01-01T00:00:00Z"
    health_peers: Sequence[HealthPeer] = ()
    """A tuple, or (the lab) a `HealthPeers` view of the cluster's shared list."""
    modules_ok: int = 54
    modules_tree: tuple[str, ...] = ()
    """The `Modules Health:` tree lines of --verbose (1.16+), as printed; empty: a default."""
    wireguard_public_key: str = "AxE7xXNN/Izr5ajkE48eSWtOH2WeQBTwhjS3Rma1tDo="
    agent: AgentDetails | None = None
    """From `AgentOutcome.details`; None derives plausible details from the status alone."""

    @property
    def health_enabled(self) -> bool:
        return any(c.name == HEALTH_CONTROLLER for c in self.controllers)

    @property
    def ipam_total(self) -> int:
        if self.ipam_capacity is not None:
            return self.ipam_capacity
        if self.pod_cidr is None:
            return 254
        network = ipaddress.ip_network(self.pod_cidr, strict=False)
        return max(network.num_addresses - 2, 1)

    @property
    def router(self) -> str:
        if self.router_ip is not None:
            return self.router_ip
        if self.pod_cidr is None:
            return self.node_ip
        return str(next(ipaddress.ip_network(self.pod_cidr, strict=False).hosts()))

    def kubernetes_message(self) -> str:
        """`1.26 (v1.26.6+k3s1) [linux/amd64]`: the Kubernetes status message."""
        short = self.kubernetes_minor
        if short is None:
            short = ".".join(self.kubernetes_version.lstrip("v").split(".")[:2])
        return f"{short} ({self.kubernetes_version}) [{self.kubernetes_platform}]"

    def apis(self, minor: int) -> tuple[str, ...]:
        if self.kubernetes_apis is not None:
            return self.kubernetes_apis
        return APIS_1_13 if minor == 13 else APIS_1_14

    def envoy(self, minor: int) -> str:
        """Envoy deployment mode: embedded up to 1.15, the separate DaemonSet from 1.16."""
        if self.envoy_mode is not None:
            return self.envoy_mode
        return "external" if minor >= 16 else "embedded"

    @property
    def wireguard_peers(self) -> int:
        return max(len(self.health_peers) - 1, 0)

    def ipam_status(self, details: AgentDetails) -> str:
        """The IPAM status string, e.g. `IPv4: 5/254 allocated from 172.16.2.0/24, `."""
        if details.ipam in CLOUD_IPAM or self.pod_cidr is None:
            return f"IPv4: {self.ipam_used}/{self.ipam_total} allocated, "
        return f"IPv4: {self.ipam_used}/{self.ipam_total} allocated from {self.pod_cidr}, "

    def details(self, status: AgentStatus) -> AgentDetails:
        return self.agent if self.agent is not None else details_from_status(status)


def details_from_status(status: AgentStatus) -> AgentDetails:
    """Plausible agent details for a status built by hand (tests, samples)."""
    node_port = status.nodeport_mode is not None
    full = status.kube_proxy_replacement in ("Strict", "True")
    masq = status.masquerading
    return AgentDetails(
        lb=LoadBalancing(
            node_port=node_port,
            host_port=node_port,
            external_ips=node_port,
            socket_lb=bool(status.socket_lb),
            socket_lb_tracing=bool(status.socket_lb),
            session_affinity=full,
        ),
        routing_mode="native" if status.network_routing == "Native" else "tunnel",
        tunnel_protocol=status.tunnel_protocol or "vxlan",
        native_routing_cidr=masq.snat_exclusion_cidr if masq is not None else None,
    )
