"""The node-level changes remediation may send over SSH, as fixed argument lists.

Every change is data: the commands that apply it, the command whose output verifies it, and the
commands that undo it. Values from the cluster or the user (a unit, a tuned profile, a governor, a
sysctl value, a CPU number) only ever become separate argv elements, after a strict pattern check;
a value that does not match raises `ValueError` before anything is sent. Commands that need
privileges get a `sudo -n` prefix when the SSH user is not root (`command_line`), so a password
prompt fails at once instead of hanging. The command line is always `shlex.join(argv)`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._:-]{0,254}")
_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_GOVERNOR = re.compile(r"[a-z][a-z0-9_]{0,31}")
_GOVERNOR_PATH = re.compile(r"/sys/devices/system/cpu/cpu(\d{1,5})/cpufreq/scaling_governor")

TUNED_PROFILES = ("network-latency", "network-throughput")
"""The tuned profiles Cilium's tuning guide recommends; the only ones `tuned_profile` applies."""

SYSCTLS: dict[str, re.Pattern[str]] = {
    "net.core.default_qdisc": re.compile(r"fq|fq_codel|pfifo_fast|cake|sfq|codel"),
    "net.ipv4.tcp_congestion_control": re.compile(r"[a-z][a-z0-9_]{0,15}"),
}
"""The sysctls remediation may set, with the values each accepts."""

SUDO = ("sudo", "-n")


@dataclass(frozen=True)
class NodeCommand:
    argv: tuple[str, ...]
    input: str | None = None
    """Data for the command's stdin (e.g. the governor for `tee`): never on the command line."""
    privileged: bool = True

    def argv_for(self, root: bool) -> tuple[str, ...]:
        """The argv as sent: prefixed by `sudo -n` for a privileged command and a non-root user."""
        return self.argv if root or not self.privileged else SUDO + self.argv

    def command_line(self, root: bool) -> str:
        return shlex.join(self.argv_for(root))


@dataclass(frozen=True)
class NodeChange:
    """One node-level change with its check and its undo."""

    title: str
    apply: tuple[NodeCommand, ...]
    check: NodeCommand
    expect: tuple[str, ...]
    """The lines `check` prints once the change is in place."""
    undo: tuple[NodeCommand, ...]

    def verified(self, check_stdout: str) -> bool:
        """Whether the check command's output shows the change in place."""
        lines = tuple(line.strip() for line in check_stdout.splitlines() if line.strip())
        return lines == self.expect


def _valid(kind: str, pattern: re.Pattern[str], value: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise ValueError(f"refusing {kind} {value!r}: it does not match {pattern.pattern}")
    return value


def stop_unit(unit: str = "irqbalance", *, enabled: bool = True) -> NodeChange:
    """`systemctl disable --now <unit>`; undo starts it again, and re-enables it when it was
    `enabled` (undo must not enable what was not enabled)."""
    unit = _valid("unit name", _UNIT, unit)
    back = ("systemctl", "enable", "--now", unit) if enabled else ("systemctl", "start", unit)
    return NodeChange(
        title=f"stop and disable {unit}",
        apply=(NodeCommand(("systemctl", "disable", "--now", unit)),),
        check=NodeCommand(("systemctl", "is-active", unit), privileged=False),
        expect=("inactive",),
        undo=(NodeCommand(back),),
    )


def tuned_profile(profile: str, previous: str | None) -> NodeChange:
    """`tuned-adm profile <profile>`; undo restores `previous` ("" or None: `tuned-adm off`)."""
    if profile not in TUNED_PROFILES:
        raise ValueError(f"refusing tuned profile {profile!r}: not one of {TUNED_PROFILES}")
    if previous:
        undo = NodeCommand(("tuned-adm", "profile", _valid("tuned profile", _PROFILE, previous)))
    else:
        undo = NodeCommand(("tuned-adm", "off"))
    return NodeChange(
        title=f"tuned profile {profile}",
        apply=(NodeCommand(("tuned-adm", "profile", profile)),),
        check=NodeCommand(("tuned-adm", "active"), privileged=False),
        expect=(f"Current active profile: {profile}",),
        undo=(undo,),
    )


def governor_path(cpu: int) -> str:
    path = f"/sys/devices/system/cpu/cpu{int(cpu)}/cpufreq/scaling_governor"
    if cpu < 0 or _GOVERNOR_PATH.fullmatch(path) is None:
        raise ValueError(f"refusing CPU number {cpu!r}")
    return path


def _write_governors(governors: Sequence[str]) -> tuple[NodeCommand, ...]:
    """One `tee <path>` per CPU, the governor on stdin (tee echoes it: harmless)."""
    return tuple(
        NodeCommand(("tee", governor_path(cpu)), input=_valid("governor", _GOVERNOR, g) + "\n")
        for cpu, g in enumerate(governors)
    )


def cpu_governor(previous: Sequence[str], governor: str = "performance") -> NodeChange:
    """Set every CPU's governor; `previous` is the per-CPU list the probe read (cpu0 first)."""
    if not previous:
        raise ValueError("no CPU governors known: the node exposes no cpufreq")
    paths = tuple(governor_path(cpu) for cpu in range(len(previous)))
    return NodeChange(
        title=f"CPU governor {governor} on {len(previous)} CPUs",
        apply=_write_governors([governor] * len(previous)),
        check=NodeCommand(("cat", *paths), privileged=False),
        expect=(governor,) * len(previous),
        undo=_write_governors(previous),
    )


def sysctl(key: str, value: str, previous: str) -> NodeChange:
    """`sysctl -w key=value` for an allow-listed key; undo writes `previous` back."""
    if key not in SYSCTLS:
        raise ValueError(f"refusing sysctl {key!r}: not one of {sorted(SYSCTLS)}")
    value = _valid(key, SYSCTLS[key], value)
    previous = _valid(key, SYSCTLS[key], previous)
    return NodeChange(
        title=f"sysctl {key}={value}",
        apply=(NodeCommand(("sysctl", "-w", f"{key}={value}")),),
        check=NodeCommand(("sysctl", "-n", key), privileged=False),
        expect=(value,),
        undo=(NodeCommand(("sysctl", "-w", f"{key}={previous}")),),
    )


UNDO_PREFIX = "undo: "


def reverted(change: NodeChange, before: Sequence[str]) -> NodeChange:
    """The change that puts back what `change` altered: its undo commands, expecting the check
    to print `before` again."""
    return NodeChange(
        title=f"{UNDO_PREFIX}{change.title}",
        apply=change.undo,
        check=change.check,
        expect=tuple(before),
        undo=change.apply,
    )


def rebuild(change: NodeChange) -> NodeChange:
    """The same change made again by the constructors above from the values it carries (unit,
    profile, governors, sysctl): a change read back from a file (a journal entry) runs only if
    it is exactly one cilium-tui makes. Raises ValueError naming what does not match."""
    undoing = change.title.startswith(UNDO_PREFIX)
    # An undo runs a change's undo commands and expects what the node printed before (data).
    forward = (
        NodeChange(change.title[len(UNDO_PREFIX) :], change.undo, change.check, (), change.apply)
        if undoing
        else change
    )
    try:
        made = _remake(forward)
    except (IndexError, ValueError, AttributeError) as e:
        raise ValueError(f"{change.title!r} is not a node change cilium-tui makes: {e}") from None
    if undoing:
        made = reverted(made, change.expect)
    if made != change:
        raise ValueError(
            f"{change.title!r} does not match what cilium-tui would send for it (its commands "
            "were altered)"
        )
    return made


def _remake(change: NodeChange) -> NodeChange:
    first, undo = change.apply[0].argv, change.undo[0].argv
    if first[:3] == ("systemctl", "disable", "--now") and len(first) == 4:
        return stop_unit(first[3], enabled=undo[:3] == ("systemctl", "enable", "--now"))
    if first[:2] == ("tuned-adm", "profile") and len(first) == 3:
        profile = undo[2] if undo[:2] == ("tuned-adm", "profile") else None
        return tuned_profile(first[2], profile)
    if first[:1] == ("tee",):
        governors = [(c.input or "").rstrip("\n") for c in change.apply]
        if len(set(governors)) != 1:
            raise ValueError("governors differ between CPUs")
        return cpu_governor([(c.input or "").rstrip("\n") for c in change.undo], governors[0])
    if first[:2] == ("sysctl", "-w") and len(first) == 3 and len(undo) == 3:
        key, _, value = first[2].partition("=")
        return sysctl(key, value, undo[2].partition("=")[2])
    raise ValueError(f"unknown command {shlex.join(first)}")
