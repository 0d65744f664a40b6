"""The host under Cilium: kernel, preemption model, tuned, CPU governor, irqbalance.

Judged from the SSH probe (the kernel also from the Node object), so they apply to SSH-only boards
too; without a probe they are unknown, never off.
"""

from __future__ import annotations

import re
from collections import Counter

from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.items.base import Verdicts, define, tuning
from cilium_tui.checks.requirements import (
    Requirement,
    at_least,
    cilium_minimum_kernel,
    meets_cilium_minimum,
)
from cilium_tui.checks.types import Finding, State
from cilium_tui.checks.view import NodeView

THEME = "host"
LTS_FLOOR = "5.10"
EVERYTHING = "6.8"
FEATURE_KERNELS = (
    ("5.10", "BPF host routing"),
    ("5.18", "BBR"),
    ("5.19", "IPv6 BIG TCP"),
    ("6.3", "IPv4 BIG TCP"),
    ("6.8", "netkit"),
)
_ONE_CPU = re.compile(r"\s*\d+\s*")
_IRQBALANCE_STOPPED = {"not-found": "not installed", "inactive": "stopped"}


def _kernel(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.KERNEL)
    fact = view.kernel
    kernel = fact.value
    if kernel is None:
        if fact.text:
            return v.not_understood("kernel release", fact)
        probe = view.probe_problem or "the probe did not read it"
        return v.finding(State.UNKNOWN, f"kernel unknown: {probe}; the Node object does not say")
    missing = [name for minimum, name in FEATURE_KERNELS if not at_least(kernel, minimum)]
    upgrade = (
        "Upgrade to the newest LTS kernel the distribution ships (>= 5.10; >= 6.8 for "
        "everything): package upgrade, drain, reboot."
    )
    minimum = cilium_minimum_kernel(view.cilium.value)
    if minimum is not None and not meets_cilium_minimum(kernel, minimum):
        met, _ = view.kernel_meets(minimum)
        if met is False or (met is None and kernel.is_rhel8):
            return v.off(
                f"kernel {kernel} < {minimum}, Cilium {view.cilium.shown}'s minimum kernel "
                "(RHEL 8.6's 4.18 counts as equivalent): the agent is not supported here",
                fact,
                view.cilium,
                advice=upgrade,
            )
    if kernel.is_rhel8:
        return v.off(
            f"RHEL 8 kernel {kernel}: Cilium accepts its backports, but the tuning guide's "
            f"newest-LTS advice (>= {LTS_FLOOR}) still applies",
            fact,
            advice=upgrade,
        )
    if at_least(kernel, EVERYTHING):
        return v.on(f"kernel {kernel} >= {EVERYTHING}: every datapath tuning is available", fact)
    if at_least(kernel, LTS_FLOOR):
        return v.on(
            f"kernel {kernel} >= {LTS_FLOOR}",
            fact,
            advice=f"{EVERYTHING}+ also unlocks {', '.join(missing)}. {upgrade}",
        )
    return v.off(f"kernel {kernel} < {LTS_FLOOR}: no {', '.join(missing)}", fact, advice=upgrade)


def _preempt_none(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.PREEMPT_NONE)
    probe = view.probe
    if probe is None or probe.preempt is None:
        return v.host_unknown("preemption model")
    fact = view.probed("preempt", probe.preempt.lower(), probe.preempt)
    if fact.value == "none":
        return v.on("CONFIG_PREEMPT_NONE: the kernel does not preempt in-kernel work", fact)
    build = probe.kernel_build or ""
    reason = f"preemption model {fact.shown}, not none"
    if fact.value == "dynamic" or "PREEMPT_DYNAMIC" in build:
        evidence = [view.probe_evidence("kernel_build", build)] if build else []
        advice = "Boot with preempt=none on the kernel command line (GRUB) and reboot."
        return v.off(reason, fact, evidence=evidence, advice=advice)
    return v.finding(
        State.BLOCKED,
        f"{reason}; the kernel is built without PREEMPT_DYNAMIC, so no boot option can change it",
        fact,
        blocked_by=[f"kernel built with PREEMPT_{fact.shown.upper()}"],
        recommended=True,
        advice="Run a kernel built with CONFIG_PREEMPT_NONE=y (the server setting) and reboot.",
    )


def _tuned_profile(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.TUNED_PROFILE)
    probe = view.probe
    if probe is None:
        return v.host_unknown("tuned profile")
    profile = view.probed("tuned_profile", probe.tuned_profile, probe.tuned_profile or "none")
    installed = view.probed("tuned_installed", probe.tuned_installed)
    advice = "tuned-adm profile network-latency (or network-throughput for bulk transfers)."
    if profile.value is not None and profile.value.startswith("network-"):
        return v.on(f"tuned profile {profile.value}", profile)
    if installed.value is False:
        return v.finding(
            State.BLOCKED,
            "tuned is not installed",
            installed,
            blocked_by=["tuned not installed"],
            recommended=True,
            advice=f"Install tuned, then {advice}",
        )
    if profile.value is None:
        return v.host_unknown("tuned profile", installed)
    current = "tuned runs with no active profile" if not profile.value else None
    return v.off(current or f"tuned profile {profile.value}, not network-*", profile, advice=advice)


def _cpu_governor(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.CPU_GOVERNOR)
    probe = view.probe
    if probe is None:
        return v.host_unknown("CPU governor")
    if probe.cpufreq is False:
        cpufreq = view.probed("cpufreq", False, "no cpufreq")
        return v.finding(
            State.NA,
            "no cpufreq exposed (typical in VMs): the hypervisor or firmware sets the frequency",
            cpufreq,
        )
    if not probe.cpu_governors:
        return v.host_unknown("CPU governor")
    counts = Counter(probe.cpu_governors)
    shown = ", ".join(f"{g} on {n}/{len(probe.cpu_governors)} CPUs" for g, n in counts.items())
    fact = view.probed("cpu_governors", tuple(probe.cpu_governors), shown)
    if set(counts) == {"performance"}:
        return v.on(f"governor performance on all {len(probe.cpu_governors)} CPUs", fact)
    return v.off(
        f"governor {shown}",
        fact,
        advice=(
            "Write performance to /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor (or "
            "cpupower frequency-set -g performance); it does not survive a reboot, so make it "
            "persistent with tuned or a systemd unit."
        ),
    )


def _irqbalance(view: NodeView) -> Finding:
    v = Verdicts(view, ItemId.IRQBALANCE)
    probe = view.probe
    if probe is None or probe.irqbalance_active is None:
        return v.host_unknown("irqbalance state")
    active = view.probed("irqbalance_active", probe.irqbalance_active)
    pin = (
        "pin each NIC queue's IRQ to one CPU through /proc/irq/<n>/smp_affinity_list (see "
        "borkmann/netperf_scripts set_irq_affinity and the NIC vendor's guide)."
    )
    if probe.irqbalance_active == "active":
        return v.off(
            "irqbalance is running: it may move NIC IRQs between CPUs",
            active,
            advice=f"systemctl disable --now irqbalance, then {pin}",
        )
    spread = [irq for irq in probe.nic_irqs if not _ONE_CPU.fullmatch(irq.cpus)]
    irq_evidence = [
        f"ssh probe cat /proc/irq/{irq.irq}/smp_affinity_list: {irq.cpus} ({irq.name})"
        for irq in probe.nic_irqs
    ]
    stopped = _IRQBALANCE_STOPPED.get(probe.irqbalance_active, probe.irqbalance_active)
    if spread:
        listed = ", ".join(f"{irq.irq} {irq.name} -> {irq.cpus}" for irq in spread[:4])
        more = f" and {len(spread) - 4} more" if len(spread) > 4 else ""
        irqs = "NIC IRQ is" if len(spread) == 1 else "NIC IRQs are"
        return v.off(
            f"irqbalance is {stopped}, but {len(spread)} {irqs} not pinned to one CPU: "
            f"{listed}{more}",
            active,
            evidence=irq_evidence,
            advice=pin[0].upper() + pin[1:],
        )
    enabled = view.probed("irqbalance_enabled", probe.irqbalance_enabled)
    pinned = "NIC IRQs pinned" if probe.nic_irqs else "NIC IRQs not read"
    return v.finding(
        State.ON,
        f"irqbalance is {stopped}; {pinned}",
        active,
        enabled,
        evidence=irq_evidence,
        advice=(
            "irqbalance is still enabled: it starts again at boot (systemctl disable irqbalance)."
            if probe.irqbalance_enabled == "enabled"
            else None
        ),
    )


KERNEL = define(
    ItemId.KERNEL,
    "Linux kernel",
    why="The newer the kernel, the more of Cilium's datapath optimisations can be used: 5.10 for "
    "BPF host routing, 5.18 BBR, 5.19/6.3 BIG TCP, 6.8 netkit.",
    requirements=(Requirement("newest LTS (>= 5.10; >= 6.8 for everything)"),),
    detection="node `uname -r`, else Node .status.nodeInfo.kernelVersion",
    docs=tuning("linux-kernel"),
    judge=_kernel,
    theme=THEME,
    scope="host",
)

PREEMPT_NONE = define(
    ItemId.PREEMPT_NONE,
    "CONFIG_PREEMPT_NONE",
    why="A non-preemptible kernel is the recommended server setting: fewer context switches in "
    "the middle of packet processing.",
    requirements=(Requirement("a kernel built with it, or preempt=none on a PREEMPT_DYNAMIC one"),),
    detection="node `/boot/config-$(uname -r)` or `/proc/config.gz` CONFIG_PREEMPT*",
    docs=tuning("config-preempt-none"),
    judge=_preempt_none,
    theme=THEME,
    scope="host",
)

TUNED_PROFILE = define(
    ItemId.TUNED_PROFILE,
    "tuned network profile",
    why="tuned's network-latency and network-throughput profiles trade power for deterministic "
    "network performance.",
    requirements=(Requirement("tuned installed"),),
    detection="node `tuned-adm active`",
    docs=tuning("tuned-network-profiles"),
    judge=_tuned_profile,
    theme=THEME,
    scope="host",
)

CPU_GOVERNOR = define(
    ItemId.CPU_GOVERNOR,
    "CPU governor performance",
    why="Frequency scaling up and down adds latency and jitter; the performance governor holds "
    "the clock.",
    requirements=(Requirement("cpufreq exposed (not in most VMs)"),),
    detection="node `/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor`",
    docs=tuning("set-cpu-governor-to-performance"),
    judge=_cpu_governor,
    theme=THEME,
    scope="host",
)

IRQBALANCE = define(
    ItemId.IRQBALANCE,
    "irqbalance off, NIC IRQs pinned",
    why="irqbalance migrates NIC interrupts between CPUs, which makes performance "
    "non-deterministic; pinned IRQs isolate the workload.",
    requirements=(Requirement("none"),),
    detection="node `systemctl is-active irqbalance`, `/proc/irq/<n>/smp_affinity_list`",
    docs=tuning("stop-irqbalance-and-pin-the-nic-interrupts-to-specific-cpus"),
    judge=_irqbalance,
    theme=THEME,
    scope="host",
)
