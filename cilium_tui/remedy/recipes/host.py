"""The host items: SSH commands where they are safe, guidance where they are not.

tuned profile, CPU governor and irqbalance are changed over SSH with the fixed argv lists of
`collect.node_commands` (each with its check and its undo), on the nodes that can take them; a
node without a probe, without sudo or without the tool is skipped with its reason. Kernel
upgrades, the preemption model, jumbo frames and netkit are guidance: they need reboots, network
changes or recreated Pods, which cilium-tui does not do for you.
"""

from __future__ import annotations

import dataclasses
import re
import shlex

from cilium_tui.checks.items.routing import NETKIT_REQUIREMENTS
from cilium_tui.checks.items.throughput import JUMBO_MTU
from cilium_tui.checks.requirements import kernel_meets
from cilium_tui.checks.types import State
from cilium_tui.collect.node_commands import (
    TUNED_PROFILES,
    NodeCommand,
    cpu_governor,
    stop_unit,
    tuned_profile,
)
from cilium_tui.model import NodeRecord
from cilium_tui.remedy.context import NodeCase, PlanContext, Verdict, Write
from cilium_tui.remedy.plan import Guidance, NodeStep, Outcome, Plan
from cilium_tui.remedy.preview import apply_manifest, rollout_restart_command, ssh_line

_ONE_CPU = re.compile(r"\s*\d+\s*")
LTS_KERNEL = "5.10"

Assessed = tuple[Verdict, NodeStep | None]


def _ssh(record: NodeRecord, *argv: str) -> str:
    """A command line for a person to run `argv` as root on the node (sudo may ask a password)."""
    return ssh_line(record.ssh_host or record.name, ("sudo", *argv), tty=True)


def _kubectl(record: NodeRecord, *argv: str) -> tuple[str, ...]:
    """A kubectl command line for a Kubernetes node; nothing for an SSH-only board."""
    return (shlex.join(["kubectl", *argv]),) if record.node is not None else ()


def _reachable(case: NodeCase) -> Verdict | None:
    """Why SSH commands cannot run on this node, or None when they can."""
    probe = case.record.probe
    if probe is None or case.record.ssh_host is None:
        return Verdict(Outcome.UNKNOWN, case.now.host_unknown("host state"))
    if probe.privilege == "no-sudo":
        return Verdict(Outcome.NO_EFFECT, "needs root or passwordless sudo over SSH")
    return None


def tuned(ctx: PlanContext) -> Plan:
    profile = TUNED_PROFILES[0]

    def assess(case: NodeCase) -> Assessed:
        if case.finding.state == State.ON:
            return Verdict(Outcome.ALREADY, case.finding.reason), None
        if (blocked := _reachable(case)) is not None:
            return blocked, None
        probe = case.record.probe
        assert probe is not None
        if probe.tuned_installed is False:
            return Verdict(Outcome.NO_EFFECT, "tuned is not installed"), None
        if probe.tuned_profile is None:
            return Verdict(Outcome.UNKNOWN, "the active tuned profile was not read"), None
        previous = probe.tuned_profile
        before = (
            (f"Current active profile: {previous}",)
            if previous
            else ("No current active profile.",)
        )
        step = NodeStep(
            case.name, tuned_profile(profile, previous or None), before, case.record.ssh_host
        )
        return Verdict(Outcome.TAKES, f"tuned profile {previous or 'none'} -> {profile}"), step

    return ctx.node_plan(
        ctx.snapshot.nodes,
        assess,
        summary=f"switch tuned to its {profile} profile",
        disruption="none; the CPU may use more power",
        blocked=[
            Guidance(
                "Install tuned where it is missing, then plan again:",
                ("sudo apt-get install tuned  # Debian/Ubuntu", "sudo dnf install tuned  # RHEL"),
            )
        ],
    )


def governor(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Assessed:
        if case.finding.state in (State.ON, State.NA):
            outcome = Outcome.ALREADY if case.finding.state == State.ON else Outcome.NOT_APPLICABLE
            return Verdict(outcome, case.finding.reason), None
        if (blocked := _reachable(case)) is not None:
            return blocked, None
        probe = case.record.probe
        assert probe is not None
        if not probe.cpu_governors:
            return Verdict(Outcome.UNKNOWN, "the CPU governors were not read"), None
        before = tuple(probe.cpu_governors)
        step = NodeStep(case.name, cpu_governor(before), before, case.record.ssh_host)
        return Verdict(Outcome.TAKES, f"performance on {len(before)} CPUs"), step

    return ctx.node_plan(
        ctx.snapshot.nodes,
        assess,
        summary="set every CPU's frequency governor to performance",
        disruption="none; the CPUs draw more power",
        warnings=["Not persistent: a reboot restores the distribution's governor."],
    )


def irqbalance(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Assessed:
        probe = case.record.probe
        if probe is not None and probe.irqbalance_active not in (None, "active"):
            if case.finding.state == State.ON:
                return Verdict(Outcome.ALREADY, case.finding.reason), None
            return Verdict(Outcome.NO_EFFECT, f"{case.finding.reason} (pin them by hand)"), None
        if (blocked := _reachable(case)) is not None:
            return blocked, None
        assert probe is not None
        if probe.irqbalance_active is None:
            return Verdict(Outcome.UNKNOWN, "irqbalance's state was not read"), None
        change = stop_unit("irqbalance")
        if probe.irqbalance_enabled != "enabled":  # undo must not enable what was not enabled
            start = NodeCommand(("systemctl", "start", "irqbalance"))
            change = dataclasses.replace(change, undo=(start,))
        spread = [i for i in probe.nic_irqs if not _ONE_CPU.fullmatch(i.cpus)]
        expect = (State.OFF,) if spread else (State.ON,)  # as the checklist judges it
        why = (
            f"irqbalance stops; {len(spread)} NIC IRQs still need pinning"
            if spread
            else "irqbalance stops; NIC IRQs stay where they are"
        )
        step = NodeStep(case.name, change, ("active",), case.record.ssh_host)
        return Verdict(Outcome.TAKES, why, expect), step

    return ctx.node_plan(
        ctx.snapshot.nodes,
        assess,
        summary="stop and disable irqbalance so NIC interrupts stay on their CPUs",
        disruption="none; interrupts stop moving between CPUs",
        after=[
            Guidance(
                "Pin each NIC queue's IRQ to one CPU (see borkmann/netperf_scripts "
                "set_irq_affinity and the NIC vendor's guide), e.g.:",
                ("echo 2 | sudo tee /proc/irq/<irq>/smp_affinity_list",),
            )
        ],
    )


# --------------------------------------------------------------------------------------------
# Guidance only
# --------------------------------------------------------------------------------------------


def kernel(ctx: PlanContext) -> Plan:
    old = [
        r for r in ctx.snapshot.nodes if kernel_meets(ctx.view(r).kernel.value, LTS_KERNEL) is False
    ]
    if not old:
        return ctx.plan("guidance", f"nothing to do: every known kernel is >= {LTS_KERNEL}")
    steps = [
        Guidance(
            f"Upgrade {r.name} ({ctx.view(r).kernel.shown}) to the newest LTS kernel its "
            "distribution ships (>= 5.10; >= 6.8 for every datapath feature), one node at a time:",
            (
                *_kubectl(r, "drain", r.name, "--ignore-daemonsets", "--delete-emptydir-data"),
                _ssh(r, "apt-get", "update"),
                _ssh(r, "apt-get", "dist-upgrade"),
                _ssh(r, "reboot"),
                *_kubectl(r, "uncordon", r.name),
            ),
        )
        for r in old
    ]
    return ctx.guidance_plan(
        f"{len(old)} nodes run a kernel older than {LTS_KERNEL}: upgrade them (reboots)",
        steps,
        disruption="each node reboots: drain it first",
    )


def preempt_none(ctx: PlanContext) -> Plan:
    steps = []
    for record in ctx.snapshot.nodes:
        finding = ctx.finding(record)
        if finding.state == State.OFF:
            steps.append(
                Guidance(
                    f"{record.name}: its kernel has PREEMPT_DYNAMIC: boot it with preempt=none:",
                    (
                        _ssh(
                            record,
                            "sed",
                            "-i",
                            's/^GRUB_CMDLINE_LINUX_DEFAULT="/&preempt=none /',
                            "/etc/default/grub",
                        ),
                        _ssh(record, "update-grub"),
                        _ssh(record, "reboot"),
                    ),
                )
            )
        elif finding.state == State.BLOCKED:
            steps.append(
                Guidance(
                    f"{record.name}: {finding.reason}: install a kernel built with "
                    "CONFIG_PREEMPT_NONE=y (or one with PREEMPT_DYNAMIC) and reboot."
                )
            )
    if not steps:
        return ctx.plan("guidance", "nothing to do (or the preemption model is unknown)")
    return ctx.guidance_plan(
        "the preemption model changes only with a reboot",
        steps,
        disruption="each node reboots: drain it first",
    )


def jumbo_mtu(ctx: PlanContext) -> Plan:
    steps = [
        Guidance(
            f"Only if every hop (NICs, switches, cloud network) carries {JUMBO_MTU}-byte frames: "
            "raise the NIC MTU in each node's network configuration (netplan, NetworkManager, "
            "systemd-networkd). To try it until the next reboot:",
            tuple(
                _ssh(r, "ip", "link", "set", "dev", r.probe.default_nic, "mtu", str(JUMBO_MTU))
                for r in ctx.snapshot.nodes
                if r.probe is not None and r.probe.default_nic
            ),
        ),
        Guidance(
            "Then restart the agents so that Cilium detects the new MTU, and recreate Pods (they "
            "keep the MTU they were created with):",
            (rollout_restart_command(ctx.config.namespace if ctx.config else "kube-system"),),
        ),
    ]
    return ctx.guidance_plan(
        "jumbo frames are a network change: cilium-tui does not make it",
        steps,
        disruption="a mismatched MTU blackholes large packets",
    )


def netkit(ctx: PlanContext) -> Plan:
    def assess(case: NodeCase) -> Verdict:
        if (case.now.device_mode.value or "").startswith("netkit"):
            return Verdict(Outcome.ALREADY, f"{case.now.device_mode.shown} device mode")
        gates = case.gates().require(NETKIT_REQUIREMENTS)
        return gates.verdict("new Pods would get netkit devices")

    if ctx.version is not None and not ctx.version.at_least("1.16"):
        return ctx.refused(f"Cilium {ctx.version} has no netkit (since 1.16)", kind="guidance")
    plan = ctx.config_plan(
        [Write("datapath_mode", "netkit", "the item's setting")],
        assess,
        summary="netkit",
        disruption="",
    )
    takers = [a.node for a in plan.assessments if a.outcome == Outcome.TAKES]
    defaults = tuple((c.key, c.new) for c in plan.changes if c.new is not None)
    per_node = ctx.per_node_config(takers, defaults)
    steps = [
        Guidance(
            "netkit cannot replace veth in place: existing Pods keep veth and mixing is not "
            "supported. Give it to new (or reprovisioned) nodes with a CiliumNodeConfig:",
            (apply_manifest(per_node.to_yaml()),) if per_node else (),
        )
    ]
    return ctx.guidance_plan(
        "netkit device mode is for new nodes (or recreated Pods): shown, not applied",
        steps,
        assessments=plan.assessments,
        refusals=plan.refusals,
        per_node_config=per_node,
        disruption="Pods must be recreated (or the node reprovisioned)",
    )
