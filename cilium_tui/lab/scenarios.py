"""The lab's clusters, as data: which Cilium and Kubernetes, which config, which machines.

`scenario(name)` builds one of:

- `seed` - the cluster of the article cilium-tui starts from: K3s v1.26.6+k3s1 on three Ubuntu
  23.04 x86_64 VMs (kernel 6.2) and three Debian 10 arm64 boards (kernel 4.19), Cilium 1.13.4
  tuned as the article leaves it (native routing, KPR strict, BPF masquerading, DSR). Whether a
  node ends up with BPF or Legacy host routing is the agent model's decision (`lab.agent`), not
  written here: the VMs get BPF, the boards fall back to Legacy because of their kernel.
- `training` - the same six machines at Cilium's defaults (VXLAN, kube-proxy running with KPR
  disabled, iptables masquerading): every node Legacy.
- `modern` - Cilium 1.18 on Ubuntu 24.04 (kernel 6.8) servers: netkit, BBR, BIG TCP.
- `scale:N` - N machines of mixed kinds, chosen by an RNG seeded with N (for benchmarks).

Every machine is a fresh, mutable `HostState` (the lab's SSH boards answer from it and change it);
everything else is frozen.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from cilium_tui.lab.addresses import board_address
from cilium_tui.lab.agent import AgentDetails
from cilium_tui.lab.chart import ChartValues, render_config
from cilium_tui.lab.host import HostState, Irq, Unit
from cilium_tui.lab.release import Release
from cilium_tui.lab.render_context import (
    HEALTH_CONTROLLER,
    ClusterHealth,
    Controller,
    HealthPeer,
    RenderContext,
)

MAX_SCALE = 10_000

UBUNTU_2304 = """PRETTY_NAME="Ubuntu 23.04"
NAME="Ubuntu"
VERSION_ID="23.04"
VERSION="23.04 (Lunar Lobster)"
VERSION_CODENAME=lunar
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=lunar
LOGO=ubuntu-logo
"""
UBUNTU_2204 = """PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
"""
UBUNTU_2404 = """PRETTY_NAME="Ubuntu 24.04.2 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.2 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
"""
DEBIAN_10 = """PRETTY_NAME="Debian GNU/Linux 10 (buster)"
NAME="Debian GNU/Linux"
VERSION_ID="10"
VERSION="10 (buster)"
VERSION_CODENAME=buster
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""

ARM_GOVERNORS = ["conservative", "ondemand", "userspace", "powersave", "performance", "schedutil"]
K3S = ("v1.26.6+k3s1", "containerd://1.7.1-k3s1")
KUBEADM = ("v1.33.3", "containerd://1.7.27")
SEED_CREATED = "2023-11-20T09:12:41Z"
LAB_NOW = "2024-05-06T10:42:17Z"
"""The lab's "now" for timestamps in objects and status output (deterministic output)."""


@dataclass(frozen=True)
class NodeSpec:
    """One machine of a scenario: its Kubernetes identity and its (mutable) host state."""

    name: str
    role: str
    """"control-plane" or "worker"."""
    labels: Mapping[str, str]
    internal_ip: str
    """The loopback address its SSH board listens on (`lab.addresses`): the lab's Nodes never
    advertise an address outside this machine."""
    pod_cidr: str
    host: HostState
    kubelet_version: str
    container_runtime: str
    ssh_board: bool = False
    """True for the boards the lab serves over SSH as standalone machines."""
    ipv6: bool = False
    created: str = SEED_CREATED

    @property
    def architecture(self) -> str:
        """Kubernetes spelling of `uname -m`."""
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(self.host.machine, self.host.machine)

    @property
    def os_image(self) -> str:
        """PRETTY_NAME of /etc/os-release, which kubelet reports as `osImage`."""
        for line in self.host.os_release.splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
        return "Linux"

    @property
    def link_local(self) -> str:
        digest = hashlib.sha256(self.name.encode()).hexdigest()
        return f"fe80::{digest[0:4]}:{digest[4:6]}ff:fe{digest[6:8]}:{digest[8:12]}"


@dataclass(frozen=True)
class Scenario:
    name: str
    cilium_version: str
    kubernetes_version: str
    distribution: str
    """"k3s" or "kubeadm"."""
    namespace: str
    helm_managed: bool
    kube_proxy: bool
    """Whether a kube-proxy DaemonSet runs (K3s without --disable-kube-proxy, kubeadm default)."""
    config: Mapping[str, str]
    nodes: tuple[NodeSpec, ...]
    cluster_cidr: str
    created: str = SEED_CREATED

    @functools.cached_property
    def _indexes(self) -> dict[str, int]:
        return {node.name: i for i, node in enumerate(self.nodes)}

    def index(self, node: NodeSpec) -> int:
        """The node's position in `nodes`, in O(1) (every agent's status asks it)."""
        return self._indexes[node.name]

    def node(self, name: str) -> NodeSpec:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"scenario {self.name!r} has no node {name!r}")


# --------------------------------------------------------------------------------------------
# Machines
# --------------------------------------------------------------------------------------------


def _virtio_irqs(cpus: int) -> list[Irq]:
    """virtio-net queue IRQs, spread one CPU each as irqbalance leaves them."""
    irqs = [Irq(24, "virtio0-config", "0")]
    for queue in range(cpus):
        irqs.append(Irq(25 + 2 * queue, f"virtio0-input.{queue}", str(queue)))
        irqs.append(Irq(26 + 2 * queue, f"virtio0-output.{queue}", str(queue)))
    return irqs


def _common_units(irqbalance: bool = True, tuned: bool = False) -> dict[str, Unit]:
    return {
        "irqbalance": Unit(installed=True, active=irqbalance, enabled=irqbalance),
        "tuned": Unit(installed=tuned, active=tuned, enabled=tuned),
    }


def ubuntu_2304_vm(hostname: str, cpus: int = 4) -> HostState:
    """A KVM guest: virtio_net, no cpufreq, irqbalance on, no tuned."""
    return HostState(
        hostname=hostname,
        kernel_release="6.2.0-39-generic",
        machine="x86_64",
        kernel_build="#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023",
        os_release=UBUNTU_2304,
        cpus=cpus,
        mem_total_kib=8_131_204,
        governors=None,
        units=_common_units(),
        kernel_config={
            "CONFIG_PREEMPT_BUILD": "y",
            "CONFIG_PREEMPT_VOLUNTARY": "y",
            "CONFIG_PREEMPT_DYNAMIC": "y",
            "CONFIG_HZ": "250",
        },
        sysctls={
            "net.ipv4.tcp_congestion_control": "cubic",
            "net.core.default_qdisc": "fq_codel",
        },
        default_nic="enp1s0",
        nic_driver="virtio_net",
        mtu=1500,
        irqs=_virtio_irqs(cpus),
    )


def ubuntu_2204_vm(hostname: str, cpus: int = 2) -> HostState:
    host = ubuntu_2304_vm(hostname, cpus)
    host.kernel_release = "5.15.0-91-generic"
    host.kernel_build = "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023"
    host.os_release = UBUNTU_2204
    host.mem_total_kib = 4_005_588
    return host


def debian_10_board(hostname: str, governor: str = "ondemand") -> HostState:
    """An arm64 single-board computer (RK3328 class): stmmac GMAC, cpufreq, irqbalance on."""
    return HostState(
        hostname=hostname,
        kernel_release="4.19.0-24-arm64",
        machine="aarch64",
        kernel_build="#1 SMP Debian 4.19.289-2 (2023-08-08)",
        os_release=DEBIAN_10,
        kernel_builder="(debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6))",
        cpus=4,
        mem_total_kib=4_028_104,
        governors=[governor] * 4,
        available_governors=list(ARM_GOVERNORS),
        units=_common_units(),
        kernel_config={"CONFIG_PREEMPT_VOLUNTARY": "y", "CONFIG_HZ": "250"},
        sysctls={
            "net.ipv4.tcp_congestion_control": "cubic",
            "net.core.default_qdisc": "pfifo_fast",
        },
        default_nic="eth0",
        nic_driver="st_gmac",
        mtu=1500,
        irqs=[Irq(38, "eth0", "2")],
        sudo="nopasswd",
    )


def ubuntu_raspi_board(hostname: str) -> HostState:
    """A Raspberry Pi 4 on Ubuntu 22.04: bcmgenet, cpufreq on, kernel 5.15."""
    host = debian_10_board(hostname, governor="ondemand")
    host.kernel_release = "5.15.0-1046-raspi"
    host.kernel_build = "#49-Ubuntu SMP PREEMPT Thu Jan 18 10:20:53 UTC 2024"
    host.os_release = UBUNTU_2204
    host.kernel_config = {"CONFIG_PREEMPT": "y", "CONFIG_HZ": "250"}
    host.nic_driver = "bcmgenet"
    host.irqs = [Irq(42, "eth0", "0"), Irq(43, "eth0", "0")]
    return host


def ubuntu_2404_server(hostname: str, driver: str = "mlx5_core", tuned: bool = False) -> HostState:
    """A bare-metal server: intel_pstate governors, jumbo frames, a native-XDP NIC."""
    cpus = 32
    return HostState(
        hostname=hostname,
        kernel_release="6.8.0-60-generic",
        machine="x86_64",
        kernel_build="#63-Ubuntu SMP PREEMPT_DYNAMIC Tue Apr 15 19:04:15 UTC 2025",
        os_release=UBUNTU_2404,
        cpus=cpus,
        mem_total_kib=131_811_128,
        governors=["powersave"] * cpus,
        units=_common_units(tuned=tuned),
        tuned_profile="balanced" if tuned else None,
        kernel_config={
            "CONFIG_PREEMPT_BUILD": "y",
            "CONFIG_PREEMPT_VOLUNTARY": "y",
            "CONFIG_PREEMPT_DYNAMIC": "y",
            "CONFIG_HZ": "1000",
        },
        sysctls={
            "net.ipv4.tcp_congestion_control": "cubic",
            "net.core.default_qdisc": "fq_codel",
        },
        default_nic="ens1f0np0",
        nic_driver=driver,
        mtu=9000,
        irqs=[Irq(120 + q, f"mlx5_comp{q}@pci:0000:41:00.0", str(q)) for q in range(8)],
    )


# --------------------------------------------------------------------------------------------
# Kubernetes identity
# --------------------------------------------------------------------------------------------


def node_labels(name: str, arch: str, distribution: str, role: str) -> dict[str, str]:
    """The labels kubelet (and K3s) put on a Node."""
    labels = {
        "beta.kubernetes.io/arch": arch,
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch,
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    if distribution == "k3s":
        labels["beta.kubernetes.io/instance-type"] = "k3s"
        labels["node.kubernetes.io/instance-type"] = "k3s"
        if role == "control-plane":
            labels["node-role.kubernetes.io/control-plane"] = "true"
            labels["node-role.kubernetes.io/master"] = "true"
    elif role == "control-plane":
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    return dict(sorted(labels.items()))


def _node(
    name: str,
    host: HostState,
    index: int,
    *,
    cluster_cidr: str,
    distribution: str,
    versions: tuple[str, str],
    board: bool = False,
    created: str = SEED_CREATED,
) -> NodeSpec:
    role = "control-plane" if index == 0 else "worker"
    arch = {"x86_64": "amd64", "aarch64": "arm64"}[host.machine]
    pod_cidr = list(ipaddress.ip_network(cluster_cidr).subnets(new_prefix=24))[index]
    return NodeSpec(
        name=name,
        role=role,
        labels=node_labels(name, arch, distribution, role),
        internal_ip=board_address(index),
        pod_cidr=str(pod_cidr),
        host=host,
        kubelet_version=versions[0],
        container_runtime=versions[1],
        ssh_board=board,
        created=created,
    )


SEED_CIDR = "10.42.0.0/16"


def _seed_nodes() -> tuple[NodeSpec, ...]:
    machines: list[tuple[str, HostState, bool]] = [
        *((f"k3s-vm-{i}", ubuntu_2304_vm(f"k3s-vm-{i}"), False) for i in (1, 2, 3)),
        *(
            (f"rock64-{i}", debian_10_board(f"rock64-{i}", gov), True)
            for i, gov in ((1, "ondemand"), (2, "ondemand"), (3, "schedutil"))
        ),
    ]
    return tuple(
        _node(
            name,
            host,
            index,
            cluster_cidr=SEED_CIDR,
            distribution="k3s",
            versions=K3S,
            board=board,
        )
        for index, (name, host, board) in enumerate(machines)
    )


SEED_VALUES = ChartValues(
    routing_mode="native",
    native_routing_cidr=SEED_CIDR,
    auto_direct_node_routes=True,
    ipam="kubernetes",
    kube_proxy_replacement="strict",
    bpf_masquerade=True,
    lb_mode="dsr",
)
TRAINING_VALUES = ChartValues(ipam="kubernetes", kube_proxy_replacement="disabled")


def _k3s_cilium_1_13(
    name: str, values: ChartValues, nodes: tuple[NodeSpec, ...], cidr: str, *, kube_proxy: bool
) -> Scenario:
    """A K3s v1.26.6 cluster with Cilium 1.13.4 installed by Helm (the seed article's setup)."""
    return Scenario(
        name=name,
        cilium_version="1.13.4",
        kubernetes_version=K3S[0],
        distribution="k3s",
        namespace="kube-system",
        helm_managed=True,
        kube_proxy=kube_proxy,
        config=render_config("1.13.4", values),
        nodes=nodes,
        cluster_cidr=cidr,
    )


def seed() -> Scenario:
    return _k3s_cilium_1_13("seed", SEED_VALUES, _seed_nodes(), SEED_CIDR, kube_proxy=False)


def training() -> Scenario:
    return _k3s_cilium_1_13("training", TRAINING_VALUES, _seed_nodes(), SEED_CIDR, kube_proxy=True)


MODERN_CIDR = "10.244.0.0/16"
MODERN_VERSION = "1.18.2"


def modern() -> Scenario:
    created = "2025-08-04T08:52:46Z"
    machines = [
        ("cp-1", ubuntu_2404_server("cp-1", tuned=True)),
        ("worker-1", ubuntu_2404_server("worker-1")),
        ("worker-2", ubuntu_2404_server("worker-2", driver="ice")),
    ]
    nodes = tuple(
        _node(
            name,
            host,
            index,
            cluster_cidr=MODERN_CIDR,
            distribution="kubeadm",
            versions=KUBEADM,
            created=created,
        )
        for index, (name, host) in enumerate(machines)
    )
    values = ChartValues(
        routing_mode="native",
        native_routing_cidr=MODERN_CIDR,
        auto_direct_node_routes=True,
        ipam="kubernetes",
        kube_proxy_replacement="true",
        bpf_masquerade=True,
        datapath_mode="netkit",
        bandwidth_manager=True,
        bbr=True,
        ipv4_big_tcp=True,
    )
    return Scenario(
        name="modern",
        cilium_version=MODERN_VERSION,
        kubernetes_version=KUBEADM[0],
        distribution="kubeadm",
        namespace="kube-system",
        helm_managed=True,
        kube_proxy=False,
        config=render_config(MODERN_VERSION, values),
        nodes=nodes,
        cluster_cidr=MODERN_CIDR,
        created=created,
    )


SCALE_CIDR = "10.64.0.0/10"
_SCALE_KINDS: tuple[tuple[str, Callable[[str], HostState], bool, int], ...] = (
    ("vm", ubuntu_2304_vm, False, 40),
    ("jammy", ubuntu_2204_vm, False, 20),
    ("rock64", debian_10_board, True, 25),
    ("rpi", ubuntu_raspi_board, True, 15),
)


def scale(count: int) -> Scenario:
    """`count` mixed machines, the same for the same count (RNG seeded with it)."""
    rng = random.Random(count)  # noqa: S311 - a reproducible mix, not a secret
    kinds = rng.choices(_SCALE_KINDS, weights=[k[3] for k in _SCALE_KINDS], k=count)
    subnets = ipaddress.ip_network(SCALE_CIDR).subnets(new_prefix=24)
    nodes = []
    for index, ((kind, make, board, _), pod_cidr) in enumerate(zip(kinds, subnets, strict=False)):
        name = f"{kind}-{index:05d}"
        role = "control-plane" if index == 0 else "worker"
        host = make(name)
        arch = {"x86_64": "amd64", "aarch64": "arm64"}[host.machine]
        nodes.append(
            NodeSpec(
                name=name,
                role=role,
                labels=node_labels(name, arch, "k3s", role),
                internal_ip=board_address(index),
                pod_cidr=str(pod_cidr),
                host=host,
                kubelet_version=K3S[0],
                container_runtime=K3S[1],
                ssh_board=board,
            )
        )
    values = replace(SEED_VALUES, native_routing_cidr=SCALE_CIDR)
    return _k3s_cilium_1_13(f"scale:{count}", values, tuple(nodes), SCALE_CIDR, kube_proxy=False)


def scenario(name: str) -> Scenario:
    """Build a scenario by name: `seed`, `training`, `modern` or `scale:N` (1 <= N <= 10000)."""
    builders = {"seed": seed, "training": training, "modern": modern}
    text = name.strip()
    if text in builders:
        return builders[text]()
    if text.startswith("scale:"):
        count = text.removeprefix("scale:")
        if count.isdigit() and 1 <= int(count) <= MAX_SCALE:
            return scale(int(count))
        raise ValueError(f"scale:N needs a whole number N from 1 to {MAX_SCALE}, not {count!r}")
    raise ValueError(f"unknown scenario {name!r}: choose seed, training, modern or scale:N")


# --------------------------------------------------------------------------------------------
# What each node's agent status prints besides the agent's own decisions
# --------------------------------------------------------------------------------------------


def _endpoint_id(seed_text: str) -> int:
    return int(hashlib.sha256(seed_text.encode()).hexdigest()[:6], 16) % 4000 + 1


def _controllers(
    minor: int, node: NodeSpec, pod_ids: list[int], host_ids: list[int]
) -> tuple[Controller, ...]:
    """A plausible controller set for the release (names as in the samples of 1.13 and 1.17)."""
    ages = ("1s ago", "3s ago", "12s ago", "58s ago", "1m3s ago", "4m58s ago")
    names = [
        HEALTH_CONTROLLER,
        "dns-garbage-collector-job",
        "endpoint-gc",
        "ipcache-inject-labels",
        "k8s-heartbeat",
        "link-cache",
        "sync-lb-maps-with-k8s-services",
    ]
    if minor >= 16:
        names += [
            "ct-map-pressure",
            "daemon-validate-config",
            "endpoint-periodic-regeneration",
            "ep-bpf-prog-watchdog",
            "node-neighbor-link-updater",
            "proxy-ports-checkpoint",
            "sync-utime",
            "write-cni-file",
        ]
    else:
        names += ["metricsmap-bpf-prom-sync", "sync-endpoints-and-host-ips", "template-dir-watcher"]
    for endpoint in (*host_ids, *pod_ids):
        names += [
            f"endpoint-{endpoint}-regeneration-recovery",
            f"resolve-identity-{endpoint}",
            f"sync-policymap-{endpoint}",
        ]
    names += [f"sync-to-k8s-ciliumendpoint ({endpoint})" for endpoint in pod_ids]
    controllers = []
    for name in sorted(names):
        digest = int(hashlib.sha256(f"{node.name}/{name}".encode()).hexdigest()[:4], 16)
        recovery = name.endswith("-regeneration-recovery") or name == "template-dir-watcher"
        controllers.append(Controller(name, "never" if recovery else ages[digest % len(ages)]))
    return tuple(controllers)


@functools.lru_cache(maxsize=65536)
def _address(cidr: str, offset: int) -> str:
    return str(ipaddress.ip_network(cidr).network_address + offset)


def _pod_ip(node: NodeSpec, offset: int) -> str:
    return _address(node.pod_cidr, offset)


@functools.lru_cache(maxsize=65536)
def _offset(name: str, role: str, base: int, spread: int) -> int:
    return base + _endpoint_id(f"{name}/{role}") % spread


def _router_ip(node: NodeSpec) -> str:
    """cilium_host's address: somewhere in .3-.102 of the node's pod CIDR."""
    return _pod_ip(node, _offset(node.name, "router", 3, 100))


def _health_ip(node: NodeSpec) -> str:
    """The health endpoint's address: somewhere in .111-.160.

    Every agent's status lists every peer's health address: cached, or a 1000-node lab would
    compute a million of them per scan.
    """
    return _pod_ip(node, _offset(node.name, "health", 111, 50))


K3S_SYSTEM_PODS = (
    "kube-system/coredns-59b4f5bbd5-9xk2r",
    "kube-system/local-path-provisioner-76d776f6f9-t2vjq",
    "kube-system/metrics-server-68cf49699b-wq5cz",
)


def cluster_health(scenario: Scenario, unreachable: frozenset[str] = frozenset()) -> ClusterHealth:
    """Every agent's cluster-health peers, `unreachable` naming the nodes whose agent is down.
    O(N): a lab builds one per change of that set, shared by all its agents' statuses."""
    return ClusterHealth(
        [
            HealthPeer(
                other.name,
                other.internal_ip,
                endpoint_ip=_health_ip(other),
                reachable=other.name not in unreachable,
                endpoint_reachable=other.name not in unreachable,
            )
            for other in scenario.nodes
        ]
    )


def status_context(
    scenario: Scenario,
    node: NodeSpec,
    details: AgentDetails | None = None,
    *,
    unreachable: frozenset[str] = frozenset(),
    health: ClusterHealth | None = None,
) -> RenderContext:
    """The RenderContext for `node`'s agent: addresses, IPAM, controllers, cluster health.

    `details` comes from the node's `AgentOutcome`; `unreachable` names nodes whose agent is
    down (they show as unreachable in cluster health); `health`, the `cluster_health` of that
    set when the caller keeps one (then the context costs O(1), not O(N)).
    """
    minor = Release.parse(scenario.cilium_version).minor
    index = scenario.index(node)
    router, health_ip = _router_ip(node), _health_ip(node)
    pods = K3S_SYSTEM_PODS if index == 0 and scenario.distribution == "k3s" else ()
    allocations = [(router, "router"), (health_ip, "health")]
    allocations += [(_pod_ip(node, 170 + 20 * i), pod) for i, pod in enumerate(pods)]
    pod_ids = [_endpoint_id(f"{node.name}/{pod}") for pod in pods]
    host_ids = [_endpoint_id(f"{node.name}/host"), _endpoint_id(f"{node.name}/health")]
    control_plane = next((n for n in scenario.nodes if n.role == "control-plane"), node)
    if health is None:
        health = cluster_health(scenario, unreachable)
    return RenderContext(
        node_name=node.name,
        node_ip=node.internal_ip,
        device_ipv6=(node.link_local,),
        pod_cidr=node.pod_cidr,
        ipam_used=len(allocations),
        allocations=tuple(allocations),
        cpus=node.host.cpus,
        kubernetes_version=scenario.kubernetes_version,
        kubernetes_platform=f"linux/{control_plane.architecture}",
        controllers=_controllers(minor, node, pod_ids, host_ids),
        router_ip=router,
        hubble_flows=(min(4095, 700 + 97 * index), 4095),
        hubble_flows_per_second=round(1.0 + 0.37 * index, 2),
        health_timestamp=LAB_NOW,
        health_peers=health.seen_from(node.name),
        agent=details,
    )
