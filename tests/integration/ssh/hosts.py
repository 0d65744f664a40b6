"""The machines the SSH tests emulate, as `HostState`s, and the facts a probe must read from them.

The same states feed the lab's asyncssh boards and the real-sshd network-namespace bed, so both must
give the same `ProbeFacts`. TCP congestion control is a real per-namespace sysctl in the bed, and
a child namespace may only pick what the host allows (here `reno`, `bbr`): the states use those.
"""

from __future__ import annotations

from cilium_tui.lab.host import HostState, Irq, Unit
from cilium_tui.lab.scenarios import DEBIAN_10
from cilium_tui.lab.scenarios import UBUNTU_2304 as UBUNTU_23_04
from cilium_tui.model import IrqAffinity, ProbeFacts

NOTRACK_RULES = [
    "-P PREROUTING ACCEPT",
    "-P OUTPUT ACCEPT",
    "-N CILIUM_OUTPUT_raw",
    "-N CILIUM_PRE_raw",
    '-A PREROUTING -m comment --comment "cilium-feeder: CILIUM_PRE_raw" -j CILIUM_PRE_raw',
    '-A OUTPUT -m comment --comment "cilium-feeder: CILIUM_OUTPUT_raw" -j CILIUM_OUTPUT_raw',
    '-A CILIUM_OUTPUT_raw -d 10.42.0.0/16 -m comment --comment "cilium: NOTRACK for pod traffic"'
    " -j CT --notrack",
    '-A CILIUM_PRE_raw -s 10.42.0.0/16 -m comment --comment "cilium: NOTRACK for pod traffic"'
    " -j CT --notrack",
]


def arm64_board(hostname: str = "board-1") -> HostState:
    """A Debian 10 arm64 board on kernel 4.19: cpufreq, irqbalance on, no tuned."""
    return HostState(
        hostname=hostname,
        kernel_release="4.19.0-24-arm64",
        machine="aarch64",
        kernel_build="#1 SMP Debian 4.19.289-2 (2023-08-08)",
        os_release=DEBIAN_10,
        cpus=4,
        governors=["ondemand"] * 4,
        available_governors=["ondemand", "performance", "powersave", "schedutil"],
        units={"irqbalance": Unit(active=True, enabled=True)},
        tuned_profile=None,
        kernel_config={"CONFIG_PREEMPT_VOLUNTARY": "y", "CONFIG_PREEMPT_NOTIFIERS": "y"},
        sysctls={"net.ipv4.tcp_congestion_control": "reno", "net.core.default_qdisc": "pfifo_fast"},
        nic_driver="st_gmac",
        mtu=1500,
        irqs=[Irq(38, "eth0", "0-3")],
    )


def x86_vm(hostname: str = "vm-1") -> HostState:
    """An Ubuntu 23.04 x86_64 VM on kernel 6.2 (PREEMPT_DYNAMIC): no cpufreq, tuned installed."""
    return HostState(
        hostname=hostname,
        kernel_release="6.2.0-39-generic",
        machine="x86_64",
        kernel_build="#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023",
        os_release=UBUNTU_23_04,
        cpus=2,
        governors=None,
        units={"irqbalance": Unit(active=True, enabled=True), "tuned": Unit(active=True)},
        tuned_profile="virtual-guest",
        kernel_config={
            "CONFIG_PREEMPT_BUILD": "y",
            "CONFIG_PREEMPT_VOLUNTARY": "y",
            "CONFIG_PREEMPT_COUNT": "y",
            "CONFIG_PREEMPTION": "y",
            "CONFIG_PREEMPT_DYNAMIC": "y",
        },
        sysctls={"net.ipv4.tcp_congestion_control": "bbr", "net.core.default_qdisc": "fq_codel"},
        nic_driver="ena",
        mtu=9001,
        irqs=[Irq(27, "eth0-Tx-Rx-0", "0"), Irq(28, "eth0-Tx-Rx-1", "1")],
        iptables_raw=list(NOTRACK_RULES),
    )


ARM64_BOARD_FACTS = ProbeFacts(
    kernel_release="4.19.0-24-arm64",
    machine="aarch64",
    kernel_build="#1 SMP Debian 4.19.289-2 (2023-08-08)",
    hostname="board-1",
    os_id="debian",
    os_version_id="10",
    os_pretty_name="Debian GNU/Linux 10 (buster)",
    cpufreq=True,
    cpu_governors=("ondemand",) * 4,
    irqbalance_active="active",
    irqbalance_enabled="enabled",
    tuned_installed=False,
    preempt="voluntary",
    preempt_source="/boot/config-4.19.0-24-arm64",
    tcp_congestion_control="reno",
    default_nic="eth0",
    nic_driver="st_gmac",
    mtu=1500,
    xdp_attached=False,
    nic_irqs=(IrqAffinity(38, "eth0", "0-3"),),
    notrack_rules=False,
    privilege="root",
)

X86_VM_FACTS = ProbeFacts(
    kernel_release="6.2.0-39-generic",
    machine="x86_64",
    kernel_build="#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023",
    hostname="vm-1",
    os_id="ubuntu",
    os_version_id="23.04",
    os_pretty_name="Ubuntu 23.04",
    cpufreq=False,
    irqbalance_active="active",
    irqbalance_enabled="enabled",
    tuned_installed=True,
    tuned_profile="virtual-guest",
    preempt="dynamic",
    preempt_source=(
        "/boot/config-6.2.0-39-generic (build default voluntary; the preempt= boot parameter "
        "may select another mode)"
    ),
    tcp_congestion_control="bbr",
    default_nic="eth0",
    nic_driver="ena",
    mtu=9001,
    xdp_attached=False,
    nic_irqs=(IrqAffinity(27, "eth0-Tx-Rx-0", "0"), IrqAffinity(28, "eth0-Tx-Rx-1", "1")),
    notrack_rules=True,
    privilege="root",
)
