"""Real `cilium status` outputs and the AgentStatus + RenderContext each of them shows.

Each case rebuilds, from what the sample prints, the inputs the lab's renderer takes; the tests
render them and compare with the sample. Tables that are data rather than layout (controller
names and ages, BPF map sizes, allocated addresses) are read from the sample itself: what is
tested there is the padding, ordering and framing the renderer computes around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cilium_tui.lab.agent import AgentDetails, LoadBalancing
from cilium_tui.lab.render_context import (
    APIS_1_14,
    HEALTH_CONTROLLER,
    Controller,
    HealthPeer,
    RenderContext,
)
from cilium_tui.model import AgentStatus, BandwidthManager, BigTCP, BpfMap, Masquerading
from tests.conftest import DATA

GOLDEN = DATA / "lab-golden"


def sample_lines(name: str) -> list[str]:
    """The published output: header, kubectl's notice and markdown fences dropped."""
    lines = (GOLDEN / name).read_text().splitlines()
    body = [line for line in lines if not line.startswith("# ")]
    return [
        line
        for line in body
        if not line.startswith("Defaulted container") and not line.startswith("```")
    ]


def _table(lines: list[str], header: str) -> list[list[str]]:
    """Rows (cells split at runs of 2+ spaces) of the table under `header`, until it ends."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(header)) + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("  ") or line.startswith("  Name"):
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def controllers_from(lines: list[str]) -> tuple[Controller, ...]:
    return tuple(
        Controller(cells[0], cells[1], cells[2], int(cells[3]), None)
        for cells in _table(lines, "Name                  ")
        if len(cells) >= 4
    )


def bpf_maps_from(lines: list[str]) -> tuple[BpfMap, ...]:
    start = next(i for i, line in enumerate(lines) if line.startswith("BPF Maps:")) + 2
    maps = []
    for line in lines[start:]:
        match = re.match(r"^  (\S.*?)\s{2,}(\d+)$", line.rstrip())
        if match is None:
            break
        maps.append(BpfMap(match.group(1), int(match.group(2))))
    return tuple(maps)


def allocations_from(lines: list[str]) -> tuple[tuple[str, str], ...]:
    start = lines.index("Allocated addresses:") + 1
    pairs = []
    for line in lines[start:]:
        match = re.match(r"^  (\S+) \((.*)\)$", line.rstrip())
        if match is None:
            break
        pairs.append((match.group(1), match.group(2)))
    return tuple(pairs)


def healthy(count: int) -> tuple[Controller, ...]:
    """`count` healthy controllers, one of them the health endpoint (so health is printed)."""
    return (Controller(HEALTH_CONTROLLER), *(Controller(f"c{i}") for i in range(count - 1)))


def peers(count: int) -> tuple[HealthPeer, ...]:
    return tuple(HealthPeer(f"node-{i}", f"10.0.0.{i}", local=i == 0) for i in range(count))


@dataclass(frozen=True)
class Case:
    sample: str
    version: str
    status: AgentStatus
    context: RenderContext
    verbose: bool = False
    partial: bool = False
    """The published excerpt stops early: compare the rendered output's first lines."""
    stop_at: str | None = None
    """Compare up to (excluding) the first line starting with this text."""


def _status(version: str, revision: str, **kwargs: object) -> AgentStatus:
    base: dict[str, object] = {
        "source_format": "json",
        "cilium_state": "Ok",
        "cilium_version": version,
        "cilium_revision": revision,
        "hubble": "Ok",
        "encryption": "Disabled",
        "host_firewall": False,
        "cni_chaining": "none",
        "bandwidth_manager": BandwidthManager(False),
        "ipv6_big_tcp": BigTCP(False),
        "masquerading": Masquerading("IPTables", ipv4=True, ipv6=False),
        "host_routing": "Legacy",
    }
    base.update(kwargs)
    return AgentStatus(**base)


def _kpr_true_tunnel(version: str, revision: str, device: str) -> AgentStatus:
    """KPR true, VXLAN tunnel, Legacy host routing, iptables masquerading (1.16+ samples)."""
    return _status(
        version,
        revision,
        kube_proxy_replacement="True",
        kpr_devices=(device,),
        direct_routing_device=device,
        ipv4_big_tcp=BigTCP(False, 65536, 65536),
        ipv6_big_tcp=BigTCP(False, 65536, 65536),
        network_routing="Tunnel",
        tunnel_protocol="vxlan",
        attach_mode="TCX",
        device_mode="veth",
        nodeport_mode="SNAT",
        socket_lb=True,
    )


def cases() -> list[Case]:
    v13_verbose = sample_lines("status-v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt")
    v17_verbose = sample_lines("status-v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt")
    cee_apis = tuple(
        sorted(
            (
                *APIS_1_14,
                "isovalent/v1alpha1::IsovalentClusterwideNetworkPolicy",
                "isovalent/v1alpha1::IsovalentNetworkPolicy",
            )
        )
    )
    v17_peers = (
        HealthPeer(
            "k8s-node-3",
            "10.75.59.83",
            local=True,
            endpoint_ip="172.16.2.35",
            host_rtts=("451.197µs", "625.346µs"),
            endpoint_rtts=("376.939µs", "882.754µs"),
        ),
        HealthPeer(
            "k8s-node-1",
            "10.75.59.81",
            endpoint_ip="172.16.0.116",
            host_rtts=("582.892µs", "1.042743ms"),
            endpoint_rtts=("703.331µs", "1.533329ms"),
        ),
        HealthPeer(
            "k8s-node-2",
            "10.75.59.82",
            endpoint_ip="172.16.1.173",
            host_rtts=("632.658µs", "1.156736ms"),
            endpoint_rtts=("636.518µs", "1.37198ms"),
        ),
    )
    cee_status = _status(
        "1.17.6-cee.1",
        "v1.17.6-cee.1-a33b0b85",
        kube_proxy_replacement="True",
        kpr_devices=("enp1s0",),
        direct_routing_device="enp1s0",
        host_routing="BPF",
        network_routing="Native",
        tunnel_protocol="vxlan",
        attach_mode="TCX",
        device_mode="veth",
        ipv4_big_tcp=BigTCP(False),
        masquerading=Masquerading(
            "BPF", devices=("enp1s0",), snat_exclusion_cidr="172.16.0.0/20", ipv4=True, ipv6=False
        ),
        nodeport_mode="SNAT",
        xdp_acceleration="Disabled",
        socket_lb=True,
        clock_source="ktime",
        bpf_map_dynamic_ratio=0.0025,
        bpf_maps=bpf_maps_from(v17_verbose),
    )
    cee_details = AgentDetails(
        lb=LoadBalancing(
            node_port=True,
            host_port=True,
            external_ips=True,
            socket_lb=True,
            socket_lb_tracing=True,
            session_affinity=True,
        ),
        routing_mode="native",
        ipam="kubernetes",
        cni_conf_path="/host/etc/cni/net.d/05-cilium.conflist",
    )
    cee_context = RenderContext(
        node_name="k8s-node-3",
        node_ip="10.75.59.83",
        device_ipv6=("fe80::5054:ff:fead:b814",),
        pod_cidr="172.16.2.0/24",
        ipam_used=5,
        cpus=4,
        kubernetes_version="v1.33.3",
        kubernetes_apis=cee_apis,
        controllers=healthy(36),
        router_ip="172.16.2.88",
        hubble_flows=(2522, 4095),
        hubble_flows_per_second=1.51,
        health_timestamp="2025-08-04T09:21:04Z",
        health_peers=v17_peers,
        modules_ok=68,
        agent=cee_details,
    )
    return [
        Case(
            "status-v1.13.4-eks-eni-strict-legacy-iptables-before.txt",
            "1.13.4",
            _status(
                "1.13.4",
                "v1.13.4-4061cdfc",
                kube_proxy_replacement="Strict",
                kpr_devices=("eth0",),
                direct_routing_device="eth0",
                nodeport_mode="SNAT",
                socket_lb=True,
            ),
            RenderContext(
                node_name="ip-192-168-7-5",
                node_ip="192.168.7.5",
                ipam_used=6,
                ipam_capacity=15,
                kubernetes_version="v1.27.3-eks-a5565ad",
                kubernetes_minor="1.27+",
                controllers=healthy(35),
                router_ip="192.168.7.45",
                hubble_flows=(3058, 4095),
                hubble_flows_per_second=10.57,
                health_timestamp="2023-07-22T04:58:04Z",
                health_peers=peers(2),
                agent=AgentDetails(lb=LoadBalancing(node_port=True), ipam="eni"),
            ),
        ),
        Case(
            "status-v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt",
            "1.13.4",
            _status(
                "1.13.4",
                "v1.13.4-4061cdfc",
                kube_proxy_replacement="Disabled",
                kpr_devices=("eth0",),
                direct_routing_device="eth0",
                socket_lb=False,
                clock_source="jiffies",
                clock_hz=250,
                bpf_map_dynamic_ratio=0.0025,
                bpf_maps=bpf_maps_from(v13_verbose),
            ),
            RenderContext(
                node_name="ip-192-168-18-119.ec2.internal",
                node_ip="192.168.18.119",
                ipam_used=4,
                ipam_capacity=12,
                allocations=allocations_from(v13_verbose),
                kubernetes_version="v1.27.3-eks-a5565ad",
                kubernetes_minor="1.27+",
                controllers=controllers_from(v13_verbose),
                router_ip="192.168.28.58",
                hubble_flows=(607, 4095),
                hubble_flows_per_second=3.05,
                health_timestamp="2023-07-03T11:01:07Z",
                health_peers=(
                    HealthPeer("ip-192-168-18-119.ec2.internal", "192.168.18.119", local=True),
                    HealthPeer("ip-192-168-43-133.ec2.internal", "192.168.43.133"),
                ),
                agent=AgentDetails(ipam="eni"),
            ),
            verbose=True,
        ),
        Case(
            "status-v1.14.0-eks-eni-arm64-legacy-iptables-cubic-wireguard.txt",
            "1.14.0",
            _status(
                "1.14.0",
                "v1.14.0-b5013e15",
                kube_proxy_replacement="Disabled",
                kpr_devices=("eth0",),
                direct_routing_device="eth0",
                ipv4_big_tcp=BigTCP(False, 65536, 65536),
                ipv6_big_tcp=BigTCP(False, 65536, 65536),
                bandwidth_manager=BandwidthManager(True, "CUBIC", ("eth0",)),
                encryption="Wireguard",
            ),
            RenderContext(
                node_name="ip-192-168-8-67",
                node_ip="192.168.8.67",
                ipam_used=9,
                ipam_capacity=32,
                kubernetes_version="v1.25.12-eks-2d98532",
                kubernetes_minor="1.25+",
                controllers=healthy(55),
                router_ip="192.168.8.67",
                hubble_flows=(4095, 4095),
                hubble_flows_per_second=8.21,
                health_timestamp="2023-08-18T17:53:44Z",
                health_peers=peers(2),
                agent=AgentDetails(ipam="eni", hubble_metrics=True),
            ),
        ),
        Case(
            "status-v1.15.0-pre.2-kpr-false-legacy-iptables-issue33863.txt",
            "1.15.0-pre.2",
            _status(
                "1.15.0-pre.2",
                "v1.15.0-pre.2-91bc81c9",
                kube_proxy_replacement="False",
                kpr_devices=("enp0s31f6",),
                direct_routing_device="enp0s31f6",
                ipv4_big_tcp=BigTCP(False, 65536, 65536),
                ipv6_big_tcp=BigTCP(False, 65536, 65536),
            ),
            RenderContext(
                node_name="k8s-109",
                node_ip="192.168.10.105",
                pod_cidr="10.0.1.0/24",
                ipam_used=3,
                cpus=8,
                kubernetes_version="v1.26.15",
                controllers=healthy(24),
                router_ip="10.0.1.13",
            ),
            partial=True,
        ),
        Case(
            "status-v1.16.4-talos-tunnel-legacy-tcx.txt",
            "1.16.4",
            _kpr_true_tunnel("1.16.4", "v1.16.4-03807242", "enx22989c9b16a0"),
            RenderContext(
                node_name="talos-worker-1",
                node_ip="x.x.x.x",
                device_ipv6=("fe80::2098:9cff:fe9b:16a0",),
                pod_cidr="10.244.1.0/24",
                ipam_used=8,
                cpus=4,
                kubernetes_version="v1.31.1",
                controllers=healthy(51),
                router_ip="10.244.1.153",
                hubble_flows=(4095, 4095),
                hubble_flows_per_second=22.48,
                health_timestamp="2024-11-30T17:08:00Z",
                health_peers=peers(4),
                modules_ok=58,
                agent=AgentDetails(cni_conf_path="/host/etc/cni/net.d/05-cilium.conflist"),
            ),
        ),
        Case(
            "status-v1.17.2-minikube-arm64-tunnel-legacy.txt",
            "1.17.2",
            _kpr_true_tunnel("1.17.2", "v1.17.2-fb3ab54f", "eth0"),
            RenderContext(
                node_name="minikube",
                node_ip="192.168.49.2",
                device_ipv6=("fe80::2c41:c5ff:fe9f:e465",),
                pod_cidr="10.244.0.0/24",
                ipam_used=3,
                kubernetes_version="v1.32.0",
                kubernetes_platform="linux/arm64",
                controllers=healthy(26),
                router_ip="10.244.0.6",
                hubble_flows=(4095, 4095),
                hubble_flows_per_second=1.5,
                health_timestamp="2025-03-19T15:41:27Z",
                health_peers=peers(3),
                modules_ok=54,
                agent=AgentDetails(cni_conf_path="/host/etc/cni/net.d/05-cilium.conflist"),
            ),
        ),
        Case(
            "status-v1.17.6-cee-ubuntu24.04-native-bpf-bpfmasq.txt",
            "1.17.6-cee.1",
            cee_status,
            cee_context,
        ),
        Case(
            "status-v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt",
            "1.17.6-cee.1",
            cee_status,
            RenderContext(
                **{
                    **cee_context.__dict__,
                    "allocations": allocations_from(v17_verbose),
                    "controllers": controllers_from(v17_verbose),
                    "hubble_flows": (2570, 4095),
                }
            ),
            verbose=True,
            stop_at="Modules Health:",
        ),
    ]
