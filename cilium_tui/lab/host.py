"""The state of one emulated machine (a node VM or a board) in the lab.

Scenarios create these; the lab's SSH boards answer the probe and the remediation commands from
them and change them when a command changes the machine; the lab's agent model reads the kernel,
architecture and NIC from them. Mutable on purpose: it is the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Unit:
    """A systemd unit as `systemctl` reports it."""

    installed: bool = True
    active: bool = False
    enabled: bool = False


@dataclass
class Irq:
    number: int
    name: str
    """As in /proc/interrupts, e.g. "virtio0-input.0" or "eth0-rx-0"."""
    affinity: str
    """`smp_affinity_list`, e.g. "0-3"."""


@dataclass
class HostState:
    hostname: str
    kernel_release: str
    """`uname -r`, e.g. "6.2.0-39-generic" or "4.19.0-24-arm64"."""
    machine: str
    """`uname -m`: "x86_64" or "aarch64"."""
    kernel_build: str
    """`uname -v`, e.g. "#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023"."""
    os_release: str
    """The full text of /etc/os-release."""
    kernel_builder: str = (
        "(buildd@lcy02-amd64-045) (x86_64-linux-gnu-gcc-12 (Ubuntu 12.2.0-17ubuntu1) 12.2.0, "
        "GNU ld (GNU Binutils for Ubuntu) 2.40)"
    )
    """Who built the kernel with what, as /proc/version prints it between release and build."""
    cpus: int = 4
    mem_total_kib: int = 4_025_332
    """`MemTotal` of /proc/meminfo in kB; Cilium sizes its BPF maps from it (dynamic ratio)."""
    governors: list[str] | None = None
    """Per-CPU `scaling_governor`; None when the machine exposes no cpufreq (typical for VMs)."""
    available_governors: list[str] = field(default_factory=lambda: ["performance", "powersave"])
    units: dict[str, Unit] = field(default_factory=dict)
    """e.g. {"irqbalance": Unit(active=True, enabled=True), "tuned": Unit(installed=False)}."""
    tuned_profile: str | None = None
    """Active tuned profile; "" when tuned runs with none; None when tuned is not installed."""
    tuned_profiles: list[str] = field(
        default_factory=lambda: [
            "balanced",
            "latency-performance",
            "network-latency",
            "network-throughput",
            "powersave",
            "throughput-performance",
            "virtual-guest",
        ]
    )
    kernel_config: dict[str, str] = field(default_factory=dict)
    """Lines of /boot/config-<release>, e.g. {"CONFIG_PREEMPT_VOLUNTARY": "y"}."""
    sysctls: dict[str, str] = field(default_factory=dict)
    """e.g. {"net.ipv4.tcp_congestion_control": "cubic"}."""
    default_nic: str = "eth0"
    nic_driver: str = "virtio_net"
    mtu: int = 1500
    xdp_attached: bool = False
    irqs: list[Irq] = field(default_factory=list)
    iptables_raw: list[str] = field(default_factory=list)
    """`iptables -t raw -S` output lines."""
    sudo: str = "root"
    """How the lab's SSH user gets privileges: "root" (is root), "nopasswd" or "password"."""
    reachable: bool = True
    """Fault knob: False makes the board refuse SSH connections."""

    @property
    def proc_version(self) -> str:
        """/proc/version: `Linux version <uname -r> <builder> <uname -v>`."""
        return f"Linux version {self.kernel_release} {self.kernel_builder} {self.kernel_build}"
