"""The seed cluster and its training variant, as model objects, plus builders for variations.

Seed (the product's demo and the case cilium-tui was built for): 3 x86_64 Ubuntu 23.04 VMs on
kernel 6.2 and 3 arm64 Debian 10 boards on kernel 4.19, K3s v1.26.6+k3s1, Cilium 1.13.4 with a
1.13-style cilium-config (tunnel: disabled, kube-proxy-replacement: strict, BPF masquerading,
DSR). The agents run BPF host routing on the VMs and Legacy on the boards, because of the kernel.

Training variant: VXLAN tunnel, kube-proxy, iptables masquerading: Legacy everywhere.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cilium_tui.checks.catalogue import item
from cilium_tui.checks.types import Finding
from cilium_tui.model import (
    AgentPod,
    AgentStatus,
    BandwidthManager,
    BigTCP,
    CiliumConfig,
    IrqAffinity,
    Masquerading,
    NodeInfo,
    NodeRecord,
    ProbeFacts,
    Setting,
    Snapshot,
)

TAKEN_AT = datetime(2026, 11, 27, 20, 51, 6, tzinfo=UTC)
K3S = "v1.26.6+k3s1"
DIGEST = "sha256:bde8800d61aaad8b8451b10e247ac7bdeb7af187bb698f83d40ad75a38c1ee6b"
IMAGE = f"quay.io/cilium/cilium:v1.13.4@{DIGEST}"
VM_KERNEL = "6.2.0-39-generic"
BOARD_KERNEL = "4.19.0-24-arm64"
VMS = ("vm-1", "vm-2", "vm-3")
BOARDS = ("board-1", "board-2", "board-3")


def setting(value: str | bool | int | float, key: str, raw: str) -> Setting:
    return Setting(value, key, raw)


def default(value: str | bool | int | float) -> Setting:
    return Setting(value, None, None, defaulted=True)


SEED_SETTINGS: dict[str, Setting] = {
    "routing_mode": setting("native", "tunnel", "disabled"),
    "kpr_full": setting(True, "kube-proxy-replacement", "strict"),
    "bpf_masquerade": setting(True, "enable-bpf-masquerade", "true"),
    "lb_mode": setting("dsr", "bpf-lb-mode", "dsr"),
    "host_legacy_routing": default(False),
    "install_no_conntrack": default(False),
    "ipsec": default(False),
    "wireguard": default(False),
    "endpoint_routes": default(False),
    "ipv6": setting(False, "enable-ipv6", "false"),
    "cni_chaining": default("none"),
    "bandwidth_manager": default(False),
    "bbr": default(False),
    "ipv6_big_tcp": default(False),
    "hubble": setting(True, "enable-hubble", "true"),
    "mtu": default(0),
    "map_dynamic_size_ratio": setting(0.0025, "bpf-map-dynamic-size-ratio", "0.0025"),
    "lb_acceleration": default("disabled"),
    "dsr_dispatch": default("opt"),
}

SEED_DATA = {
    "tunnel": "disabled",
    "kube-proxy-replacement": "strict",
    "enable-bpf-masquerade": "true",
    "bpf-lb-mode": "dsr",
    "enable-ipv4": "true",
    "enable-ipv6": "false",
    "enable-hubble": "true",
    "ipv4-native-routing-cidr": "10.42.0.0/16",
    "auto-direct-node-routes": "true",
    "bpf-map-dynamic-size-ratio": "0.0025",
}


def config(data: dict[str, str] | None = None, **settings: Setting | None) -> CiliumConfig:
    """The seed's cilium-config with some settings replaced (or, with None, removed)."""
    merged = {**SEED_SETTINGS, **settings}
    return CiliumConfig(
        data=dict(SEED_DATA if data is None else data),
        settings={k: v for k, v in merged.items() if v is not None},
    )


def agent(**changes: Any) -> AgentStatus:
    """A 1.13.4 agent as the seed's VMs report it (text status), with changes."""
    status = AgentStatus(
        source_format="text",
        cilium_state="Ok",
        cilium_version="1.13.4",
        cilium_revision="v1.13.4-4061cdfc",
        kubernetes_version="v1.26.6+k3s1",
        kube_proxy_replacement="Strict",
        kpr_devices=("eth0",),
        host_routing="BPF",
        masquerading=Masquerading("BPF", devices=("eth0",), ipv4=True, ipv6=False),
        bandwidth_manager=BandwidthManager(False),
        ipv6_big_tcp=BigTCP(False),
        hubble="Ok",
        encryption="Disabled",
        clock_source="ktime",
    )
    return replace(status, **changes)


def probe(**changes: Any) -> ProbeFacts:
    """A VM's probe (Ubuntu 23.04, virtio NIC, no cpufreq), with changes."""
    facts = ProbeFacts(
        kernel_release=VM_KERNEL,
        machine="x86_64",
        kernel_build="#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023",
        hostname="vm-1",
        os_id="ubuntu",
        os_version_id="23.04",
        os_pretty_name="Ubuntu 23.04",
        cpufreq=False,
        irqbalance_active="active",
        irqbalance_enabled="enabled",
        tuned_installed=False,
        preempt="voluntary",
        preempt_source="/boot/config-6.2.0-39-generic",
        tcp_congestion_control="cubic",
        default_nic="eth0",
        nic_driver="virtio_net",
        mtu=1500,
        xdp_attached=False,
        nic_irqs=(IrqAffinity(41, "virtio0-input.0", "0-3"),),
        notrack_rules=False,
        privilege="root",
    )
    return replace(facts, **changes)


def board_probe(**changes: Any) -> ProbeFacts:
    """A board's probe (Debian 10 arm64, cpufreq, no irqbalance), with changes."""
    facts = probe(
        kernel_release=BOARD_KERNEL,
        machine="aarch64",
        kernel_build="#1 SMP Debian 4.19.282-1 (2023-04-29)",
        os_id="debian",
        os_version_id="10",
        os_pretty_name="Debian GNU/Linux 10 (buster)",
        cpufreq=True,
        cpu_governors=("schedutil",) * 4,
        irqbalance_active="not-found",
        irqbalance_enabled="not-found",
        nic_driver="st_gmac",
        nic_irqs=(IrqAffinity(35, "eth0", "0-3"),),
    )
    return replace(facts, **changes)


def record(
    name: str,
    *,
    kernel: str = VM_KERNEL,
    arch: str = "amd64",
    os_image: str = "Ubuntu 23.04",
    agent_status: AgentStatus | None = None,
    probe_facts: ProbeFacts | None = None,
    pod: bool = True,
    image: str = IMAGE,
    errors: dict[str, str] | None = None,
) -> NodeRecord:
    return NodeRecord(
        name=name,
        node=NodeInfo(
            name=name,
            kernel_version=kernel,
            architecture=arch,
            os_image=os_image,
            kubelet_version=K3S,
            container_runtime="containerd://1.7.1-k3s1",
            ready=True,
        ),
        pod=AgentPod(f"cilium-{name}", "kube-system", name, "Running", ready=True, image=image)
        if pod
        else None,
        agent=agent_status,
        probe=replace(probe_facts, hostname=name) if probe_facts is not None else None,
        ssh_host=name,
        errors=errors or {},
    )


def vm(name: str = "vm-1", **agent_changes: Any) -> NodeRecord:
    return record(name, agent_status=agent(**agent_changes), probe_facts=probe())


def board(name: str = "board-1", **agent_changes: Any) -> NodeRecord:
    return record(
        name,
        kernel=BOARD_KERNEL,
        arch="arm64",
        os_image="Debian GNU/Linux 10 (buster)",
        agent_status=agent(**{"host_routing": "Legacy", **agent_changes}),
        probe_facts=board_probe(),
    )


def snapshot(
    *records: NodeRecord,
    cilium_config: CiliumConfig | None = None,
    kube_proxy_present: bool | None = False,
    source: str = "lab seed",
) -> Snapshot:
    return Snapshot(
        taken_at=TAKEN_AT,
        source=source,
        nodes=records,
        config=cilium_config,
        context="lab-seed",
        kube_proxy_present=kube_proxy_present,
    )


def seed() -> Snapshot:
    return snapshot(*(vm(n) for n in VMS), *(board(n) for n in BOARDS), cilium_config=config())


TRAINING_SETTINGS = {
    "routing_mode": setting("tunnel", "tunnel", "vxlan"),
    "tunnel_protocol": setting("vxlan", "tunnel", "vxlan"),
    "kpr_full": setting(False, "kube-proxy-replacement", "disabled"),
    "bpf_masquerade": default(False),
    "lb_mode": default("snat"),
}


def training() -> Snapshot:
    legacy = {
        "kube_proxy_replacement": "Disabled",
        "masquerading": Masquerading("IPTables", ipv4=True, ipv6=False),
        "host_routing": "Legacy",
    }
    data = {
        "tunnel": "vxlan",
        "kube-proxy-replacement": "disabled",
        "enable-ipv4": "true",
        "enable-ipv6": "false",
        "enable-hubble": "true",
    }
    return snapshot(
        *(vm(n, **legacy) for n in VMS),
        *(board(n, **legacy) for n in BOARDS),
        cilium_config=config(data, **TRAINING_SETTINGS),
        kube_proxy_present=True,
        source="lab training",
    )


# ------------------------------------------------------------------------------------------------
# Other node shapes the tests need
# ------------------------------------------------------------------------------------------------

MODERN_KERNEL = "6.8.0-63-generic"
MODERN_SETTINGS: dict[str, Setting | None] = {
    "routing_mode": setting("native", "routing-mode", "native"),
    "tunnel_protocol": setting("vxlan", "tunnel-protocol", "vxlan"),
    "kpr_full": setting(True, "kube-proxy-replacement", "true"),
    "lb_mode": default("snat"),
    "ipv6": setting(True, "enable-ipv6", "true"),
    "ipv4_big_tcp": default(False),
    "datapath_mode": default("veth"),
    "distributed_lru": default(False),
}


def modern_config(**settings: Setting | None) -> CiliumConfig:
    """A 1.17-style cilium-config (routing-mode native, KPR true, IPv6 on), with changes."""
    return config(None, **{**MODERN_SETTINGS, **settings})


def modern(name: str = "node-1", kernel: str = MODERN_KERNEL, **agent_changes: Any) -> NodeRecord:
    """A Cilium 1.17.6 node on kernel 6.8 (Ubuntu 24.04) running BPF host routing."""
    status = agent(
        **{
            "cilium_version": "1.17.6",
            "cilium_revision": "v1.17.6-a33b0b85",
            "kube_proxy_replacement": "True",
            "network_routing": "Native",
            "tunnel_protocol": "vxlan",
            "attach_mode": "TCX",
            "device_mode": "veth",
            "ipv4_big_tcp": BigTCP(False),
            **agent_changes,
        }
    )
    return record(
        name,
        kernel=kernel,
        os_image="Ubuntu 24.04.2 LTS",
        agent_status=status,
        probe_facts=probe(kernel_release=kernel, nic_driver="mlx5_core"),
        image="quay.io/cilium/cilium:v1.17.6",
    )


AGENT_ERROR = "exec timed out after 10 s"
SSH_ERROR = "unreachable: connection refused"


def dark(name: str = "vm-9", kernel: str = VM_KERNEL) -> NodeRecord:
    """A Kubernetes node whose agent could not be asked and whose host could not be probed."""
    return record(name, kernel=kernel, errors={"agent": AGENT_ERROR, "ssh": SSH_ERROR})


def ssh_only(name: str = "pi-1") -> NodeRecord:
    """A board that is only in the SSH inventory: no Node object, no agent pod."""
    return NodeRecord(name=name, probe=board_probe(hostname=name), ssh_host=name)


def judge(
    item_id: str, rec: NodeRecord, cilium_config: CiliumConfig | None = None, **kw: Any
) -> Finding:
    """One item judged on one node of a snapshot made of just that node."""
    snap = snapshot(rec, cilium_config=cilium_config, **kw)
    return item(item_id).evaluate(snap, rec)
