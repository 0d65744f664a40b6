"""The screenshot fixture: the seed cluster as model objects, and a Source that serves it.

This is NOT the lab. It is a fixed Snapshot shaped like the lab's seed scenario (3 x86_64 Ubuntu
23.04 VMs on kernel 6.2 with BPF host routing, 3 arm64 Debian 10 boards on kernel 4.19 stuck on
Legacy; K3s v1.26.6+k3s1; Cilium 1.13.4), built by hand so that `python -m
cilium_tui.ui.screenshots` and the UI's snapshot tests render the same picture on any machine
without starting anything. The agent status texts imitate the layout of real `cilium status`
1.13.4 output; they are not a recording. The lead replaces this with the lab's own scan.

The checklist's verdicts are the real catalogue's, judged from these facts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress
from cilium_tui.model import (
    AgentPod,
    AgentStatus,
    BandwidthManager,
    BigTCP,
    CiliumConfig,
    Evidence,
    IrqAffinity,
    Masquerading,
    NodeInfo,
    NodeRecord,
    ProbeFacts,
    Snapshot,
)
from cilium_tui.facts.config import parse_configmap

TAKEN_AT = datetime(2026, 3, 2, 9, 41, 7, tzinfo=UTC)
K3S = "v1.26.6+k3s1"
CILIUM = "1.13.4"
VM_KERNEL = "6.2.0-39-generic"
BOARD_KERNEL = "4.19.0-24-arm64"
VMS = ("vm-1", "vm-2", "vm-3")
BOARDS = ("board-1", "board-2", "board-3")


def seed_snapshot() -> Snapshot:
    nodes = [_vm(i, name) for i, name in enumerate(VMS, 1)]
    nodes += [_board(i, name) for i, name in enumerate(BOARDS, 1)]
    return Snapshot(
        taken_at=TAKEN_AT,
        source="lab seed",
        nodes=tuple(nodes),
        config=_config(),
        context="cilium-tui-lab",
        kube_proxy_present=False,
    )


class StaticSource:
    """A `Source` that serves one fixed snapshot and no node events."""

    def __init__(self, snapshot: Snapshot | None = None, name: str = "lab seed") -> None:
        self._snapshot = snapshot or seed_snapshot()
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def scan(self, progress: ProgressCallback | None = None) -> Snapshot:
        total = len(self._snapshot.nodes)
        for done, record in enumerate(self._snapshot.nodes, 1):
            if progress is not None:
                progress(ScanProgress(done, total, f"probed {record.name}"))
        return self._snapshot

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        events: tuple[NodeEvent, ...] = ()
        for event in events:
            yield event

    async def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------------------------


def _vm(index: int, name: str) -> NodeRecord:
    probe = ProbeFacts(
        kernel_release=VM_KERNEL,
        machine="x86_64",
        kernel_build="#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023",
        hostname=name,
        os_id="ubuntu",
        os_version_id="23.04",
        os_pretty_name="Ubuntu 23.04",
        cpufreq=False,
        irqbalance_active="active",
        irqbalance_enabled="enabled",
        tuned_installed=False,
        preempt="voluntary",
        preempt_source="uname -v PREEMPT_DYNAMIC, default voluntary",
        tcp_congestion_control="cubic",
        default_nic="eth0",
        nic_driver="virtio_net",
        mtu=1500,
        xdp_attached=False,
        nic_irqs=(IrqAffinity(25, "virtio0-input.0", "0-3"),),
        notrack_rules=False,
        privilege="root",
        evidence=_probe_evidence(VM_KERNEL, "x86_64"),
    )
    roles = ("control-plane", "master") if index == 1 else ()
    ip = f"10.77.0.{10 + index}"
    return _record(
        name, index=index, ip=ip, arch="amd64", host_routing="BPF", probe=probe, roles=roles
    )


def _board(index: int, name: str) -> NodeRecord:
    readable = index != 3  # board-3's kernel config is missing: its preemption is unknown
    probe = ProbeFacts(
        kernel_release=BOARD_KERNEL,
        machine="aarch64",
        kernel_build="#1 SMP Debian 4.19.289-2 (2023-08-08)",
        hostname=name,
        os_id="debian",
        os_version_id="10",
        os_pretty_name="Debian GNU/Linux 10 (buster)",
        cpufreq=True,
        cpu_governors=("ondemand",) * 4,
        irqbalance_active="inactive",
        irqbalance_enabled="disabled",
        tuned_installed=False,
        preempt="none" if readable else None,
        preempt_source=f"/boot/config-{BOARD_KERNEL}" if readable else None,
        tcp_congestion_control="cubic",
        default_nic="eth0",
        nic_driver="st_gmac",
        mtu=1500,
        xdp_attached=False,
        notrack_rules=False,
        privilege="root",
        errors=() if readable else (f"/boot/config-{BOARD_KERNEL}: No such file or directory",),
        evidence=_probe_evidence(BOARD_KERNEL, "aarch64"),
    )
    ip = f"10.77.1.{10 + index}"
    return _record(name, index=3 + index, ip=ip, arch="arm64", host_routing="Legacy", probe=probe)


def _record(
    name: str,
    *,
    index: int,
    ip: str,
    arch: str,
    host_routing: str,
    probe: ProbeFacts,
    roles: tuple[str, ...] = (),
) -> NodeRecord:
    """A node as the scan would assemble it: its Node object agrees with what SSH read."""
    kernel, os_image = probe.kernel_release or "", probe.os_pretty_name or ""
    node = NodeInfo(
        name=name,
        kernel_version=kernel,
        architecture=arch,
        os_image=os_image,
        kubelet_version=K3S,
        container_runtime="containerd://1.7.1-k3s1",
        internal_ip=ip,
        hostname=name,
        roles=roles,
        ready=True,
        evidence=_node_evidence(kernel, arch, os_image),
    )
    return NodeRecord(
        name=name,
        node=node,
        pod=_pod(name, index),
        agent=_agent_status(host_routing, ip),
        agent_raw=_status_text(host_routing, ip),
        probe=probe,
        ssh_host=name,
    )


def _pod(node: str, index: int) -> AgentPod:
    suffix = ("x7k2p", "m4q9d", "t8w3n", "c2v6j", "h5r8s", "z9b4f")[index - 1]
    return AgentPod(
        name=f"cilium-{suffix}",
        namespace="kube-system",
        node=node,
        phase="Running",
        ready=True,
        image=f"quay.io/cilium/cilium:v{CILIUM}",
    )


def _node_evidence(kernel: str, arch: str, os_image: str) -> dict[str, Evidence]:
    return {
        "kernel_version": Evidence("Node", "status.nodeInfo.kernelVersion", kernel),
        "architecture": Evidence("Node", "status.nodeInfo.architecture", arch),
        "os_image": Evidence("Node", "status.nodeInfo.osImage", os_image),
        "kubelet_version": Evidence("Node", "status.nodeInfo.kubeletVersion", K3S),
    }


def _probe_evidence(kernel: str, machine: str) -> dict[str, Evidence]:
    return {
        "kernel_release": Evidence("ssh probe", "uname -r", kernel),
        "machine": Evidence("ssh probe", "uname -m", machine),
        "mtu": Evidence("ssh probe", "cat /sys/class/net/eth0/mtu", "1500"),
        "tcp_congestion_control": Evidence(
            "ssh probe", "sysctl net.ipv4.tcp_congestion_control", "cubic"
        ),
    }


def _agent_status(host_routing: str, ip: str) -> AgentStatus:
    line = _status_lines(host_routing, ip)
    return AgentStatus(
        source_format="text",
        cilium_state="Ok",
        cilium_version=CILIUM,
        cilium_revision="v1.13.4-4061cdfc",
        kubernetes_version="1.26",
        kube_proxy_replacement="Strict",
        kpr_devices=("eth0",),
        direct_routing_device="eth0",
        host_routing=host_routing,
        masquerading=Masquerading(
            mode="BPF", devices=("eth0",), snat_exclusion_cidr="10.42.0.0/16", ipv4=True, ipv6=False
        ),
        bandwidth_manager=BandwidthManager(enabled=False),
        ipv6_big_tcp=BigTCP(enabled=False),
        hubble="Ok",
        encryption="Disabled",
        host_firewall=False,
        cni_chaining="none",
        evidence={
            field: Evidence("cilium status", label, line[label])
            for field, label in (
                ("cilium_version", "Cilium"),
                ("kube_proxy_replacement", "KubeProxyReplacement"),
                ("host_routing", "Host Routing"),
                ("masquerading", "Masquerading"),
                ("bandwidth_manager", "BandwidthManager"),
                ("ipv6_big_tcp", "IPv6 BIG TCP"),
                ("hubble", "Hubble"),
                ("encryption", "Encryption"),
            )
        },
    )


def _status_lines(host_routing: str, ip: str) -> dict[str, str]:
    rows = (
        ("KVStore", "Ok   Disabled"),
        ("Kubernetes", "Ok   1.26 (v1.26.6+k3s1) [linux/amd64]"),
        ("KubeProxyReplacement", f"Strict   [eth0 {ip} (Direct Routing)]"),
        ("Host firewall", "Disabled"),
        ("CNI Chaining", "none"),
        ("Cilium", "Ok   1.13.4 (v1.13.4-4061cdfc)"),
        ("NodeMonitor", "Listening for events on 4 CPUs with 64x4096 of shared memory"),
        ("Cilium health daemon", "Ok"),
        ("IPAM", "IPv4: 5/254 allocated from 10.42.0.0/24,"),
        ("IPv6 BIG TCP", "Disabled"),
        ("BandwidthManager", "Disabled"),
        ("Host Routing", host_routing),
        ("Masquerading", "BPF   [eth0]   10.42.0.0/16 [IPv4: Enabled, IPv6: Disabled]"),
        ("Controller Status", "24/24 healthy"),
        ("Proxy Status", "OK, ip 10.42.0.81, 0 redirects active on ports 10000-20000"),
        ("Global Identity Range", "min 256, max 65535"),
        (
            "Hubble",
            "Ok   Current/Max Flows: 4095/4095 (100.00%), Flows/s: 3.12   Metrics: Disabled",
        ),
        ("Encryption", "Disabled"),
        ("Cluster health", "6/6 reachable   (2026-03-02T09:40:51Z)"),
    )
    return {label: f"{label + ':':<25}{value}" for label, value in rows}


def _status_text(host_routing: str, ip: str) -> str:
    return "\n".join(_status_lines(host_routing, ip).values()) + "\n"


def _config() -> CiliumConfig:
    """cilium-config as the Cilium 1.13 chart renders the seed's settings, normalised for real."""
    return parse_configmap(
        {
            "metadata": {
                "name": "cilium-config",
                "namespace": "kube-system",
                "resourceVersion": "1204",
                "labels": {"app.kubernetes.io/managed-by": "Helm"},
                "annotations": {"meta.helm.sh/release-name": "cilium"},
            },
            "data": {
                "tunnel": "disabled",
                "auto-direct-node-routes": "true",
                "ipv4-native-routing-cidr": "10.42.0.0/16",
                "kube-proxy-replacement": "strict",
                "enable-bpf-masquerade": "true",
                "bpf-lb-mode": "dsr",
                "enable-bandwidth-manager": "false",
                "enable-ipv6-big-tcp": "false",
                "enable-hubble": "true",
            },
        },
        cilium_version=CILIUM,
    )
