"""What a lab board answers over SSH: the commands cilium-tui sends, emulated from its `HostState`.

Not a shell: the probe script is recognised whole and answered section by section, the node
commands of `cilium_tui.collect.node_commands` are looked up in a table and change the state, and
anything else gets `sh: 1: <cmd>: not found` with rc 127. Nothing here runs a process. Outputs
and exit codes are those of the real tools (systemd 252, tuned-adm, procps sysctl, coreutils tee,
iptables-nft, sudo), so the collectors parse the lab exactly as they parse a machine.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from cilium_tui.collect.probe import (
    AGENT_POD_SECTIONS,
    FUNCTIONS,
    PROBE_SCRIPT,
    PROBE_SCRIPT_NO_SUDO,
    SECTIONS,
)
from cilium_tui.facts.probe import MARKER
from cilium_tui.lab.host import HostState

Answer = tuple[int, str, str]
"""(exit code, stdout, stderr)."""

SYSCTL_DEFAULTS = {
    "net.ipv4.tcp_congestion_control": "cubic",
    "net.core.default_qdisc": "fq_codel",
}
SYSCTL_CHOICES = {
    "net.ipv4.tcp_congestion_control": ("reno", "cubic", "bbr"),
    "net.core.default_qdisc": ("fq", "fq_codel", "pfifo_fast", "cake", "sfq"),
}
_GOVERNOR_PATH = re.compile(r"/sys/devices/system/cpu/cpu(\d+)/cpufreq/scaling_governor")
_IPTABLES_POLICIES = ["-P PREROUTING ACCEPT", "-P OUTPUT ACCEPT"]
_NOT_ROOT_UID = "1000"
_ROUTE_HEADER = (
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
)
_DEFAULT_ROUTE = ("00000000", "0100000A", "0003", "0", "0", "100", "00000000", "0", "0", "0")
"""/proc/net/route's default route (via 10.0.0.1) after the interface name."""


def _ok(out: str = "") -> Answer:
    return 0, out, ""


def _err(rc: int, message: str) -> Answer:
    return rc, "", message + "\n"


def _not_found(command: str) -> Answer:
    return _err(127, f"sh: 1: {command}: not found")


@dataclass
class BoardShell:
    """Answers one board's commands. ``root`` is whether the SSH user is root."""

    state: HostState

    @property
    def root(self) -> bool:
        return self.state.sudo == "root"

    # ---------------------------------------------------------------- entry point

    def execute(self, command: str, stdin: str = "") -> Answer:
        words = _words(command)
        if words is None:
            return _err(2, "sh: 1: Syntax error: Unterminated quoted string")
        argv = list(words)
        if not argv:
            return _ok()
        if argv[:2] == ["sh", "-c"] and len(argv) == 3 and argv[2] in _PROBES:
            return self._probe(sudo=_PROBES[argv[2]])
        if argv[:2] == ["sudo", "-n"]:
            return self._sudo(argv[2:], stdin)
        return self._run(argv, stdin, root=self.root)

    def _sudo(self, argv: list[str], stdin: str) -> Answer:
        if self.state.sudo == "password":
            return _err(1, "sudo: a password is required")
        if not argv:
            return _err(1, "usage: sudo -h | -K | -k | -V")
        if argv[0] not in _COMMANDS:
            return _err(1, f"sudo: {argv[0]}: command not found")
        return self._run(argv, stdin, root=True)

    def _run(self, argv: list[str], stdin: str, *, root: bool) -> Answer:
        handler = _COMMANDS.get(argv[0])
        if handler is None:
            return _not_found(argv[0])
        return handler(self, argv[1:], stdin, root)

    # ---------------------------------------------------------------- the probe

    def _probe(self, *, sudo: bool) -> Answer:
        return self._sections(SECTIONS, sudo=sudo)

    def in_agent_pod(self) -> Answer:
        """The read through the agent pod, as the agent container shows this machine: the same
        /proc and /sys, but no /boot (so no kernel config: the lab's kernels have no
        /proc/config.gz either)."""
        return self._sections(AGENT_POD_SECTIONS, sudo=False, container=True)

    def _sections(
        self,
        sections: tuple[tuple[str, tuple[str, ...]], ...],
        *,
        sudo: bool,
        container: bool = False,
    ) -> Answer:
        out = []
        for name, argv in sections:
            if container and argv[0] == "kernel_config":
                rc, text = 2, "no kernel config\n"
            elif argv[0] in FUNCTIONS:
                rc, text = self._function(argv[0], sudo)
            else:
                rc, stdout, stderr = self._run(list(argv), "", root=self.root)
                text = stdout + stderr
            out.append(f"{MARKER} {name}\n{text}")
            if text and not text.endswith("\n"):
                out.append("\n")
            out.append(f"{MARKER} {name} rc={rc}\n")
        return _ok("".join(out))

    def _function(self, name: str, sudo: bool) -> tuple[int, str]:
        """The script's own functions, as they print on a machine in this state."""
        s = self.state
        if name == "host_name":
            return 0, s.hostname + "\n"
        if name == "os_release":
            return 0, s.os_release
        if name == "governors":
            if s.governors is None:
                return 0, "no cpufreq\n"
            return 0, "".join(f"cpu{i} {g}\n" for i, g in enumerate(s.governors))
        if name == "kernel_config":
            if not s.kernel_config:
                return 2, "no kernel config\n"
            lines = [
                f"{k}={v}" for k, v in s.kernel_config.items() if k.startswith("CONFIG_PREEMPT")
            ]
            text = "".join(f"{line}\n" for line in [f"/boot/config-{s.kernel_release}", *lines])
            return (0 if lines else 1), text
        if name == "default_route":
            return 0, _ROUTE_HEADER + "\t".join([s.default_nic, *_DEFAULT_ROUTE]) + "\n"
        if name == "nic_driver":
            return 0, f"sysfs {s.nic_driver}\n"
        if name == "nic_mtu":
            return 0, f"{s.mtu}\n"
        if name == "nic_xdp":
            return 0, self._ip_link()
        if name == "nic_irqs":
            return 0, "".join(f"{irq.number} {irq.affinity} {irq.name}\n" for irq in s.irqs)
        if name == "iptables_raw":
            if not self.root and not sudo:
                return 2, "not root; sudo disabled\n"
            rc, stdout, stderr = (
                self._run(["iptables", "-t", "raw", "-S"], "", root=True)
                if self.root
                else self._sudo(["iptables", "-t", "raw", "-S"], "")
            )
            return rc, stdout + stderr
        return 127, f"sh: 1: {name}: not found\n"

    def _ip_link(self) -> str:
        s = self.state
        xdp = "xdp " if s.xdp_attached else ""
        lines = [
            f"2: {s.default_nic}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu {s.mtu} {xdp}qdisc mq "
            "state UP mode DEFAULT group default qlen 1000",
            "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 "
            "maxmtu 9000 addrgenmode eui64 numtxqueues 4 numrxqueues 4 gso_max_size 65536 "
            "gso_max_segs 65535",
        ]
        if s.xdp_attached:
            lines.append("    prog/xdp id 42 tag 3b185187f1855c4c jited")
        return "\n".join(lines) + "\n"

    # ---------------------------------------------------------------- the tools

    def id_(self, args: list[str], stdin: str, root: bool) -> Answer:
        if args == ["-u"]:
            return _ok(("0" if root else _NOT_ROOT_UID) + "\n")
        return _err(1, "id: emulated lab board: only `id -u`")

    def uname(self, args: list[str], stdin: str, root: bool) -> Answer:
        s = self.state
        fields = {"-r": s.kernel_release, "-m": s.machine, "-v": s.kernel_build, "-n": s.hostname}
        if len(args) == 1 and args[0] in fields:
            return _ok(fields[args[0]] + "\n")
        if args in ([], ["-s"]):
            return _ok("Linux\n")
        return _err(1, f"uname: invalid option -- '{' '.join(args)}'")

    def systemctl(self, args: list[str], stdin: str, root: bool) -> Answer:
        if len(args) == 2 and args[0] in ("is-active", "is-enabled"):
            unit = self.state.units.get(args[1])
            name = _service(args[1])
            if args[0] == "is-active":
                if unit is not None and unit.installed and unit.active:
                    return _ok("active\n")
                return 3, "inactive\n", ""
            if unit is None or not unit.installed:
                return _err(
                    1, f"Failed to get unit file state for {name}: No such file or directory"
                )
            return (0, "enabled\n", "") if unit.enabled else (1, "disabled\n", "")
        verbs = {"disable": (False, None), "enable": (True, None), "stop": (None, False)}
        verbs["start"] = (None, True)
        now = "--now" in args
        rest = [a for a in args if a != "--now"]
        if len(rest) != 2 or rest[0] not in verbs:
            return _err(1, "systemctl: emulated lab board: unsupported arguments")
        verb, unit_name = rest
        if not root:
            return _err(1, f"Failed to {verb} unit: Interactive authentication required.")
        unit = self.state.units.get(unit_name)
        name = _service(unit_name)
        if unit is None or not unit.installed:
            if verb in ("stop", "start"):
                return _err(5, f"Failed to {verb} {name}: Unit {name} not found.")
            return _err(1, f"Failed to {verb} unit: Unit file {name} does not exist.")
        enabled, active = verbs[verb]
        link = f"/etc/systemd/system/multi-user.target.wants/{name}"
        message = ""
        if enabled is not None:
            if enabled and not unit.enabled:
                message = f"Created symlink {link} \u2192 /lib/systemd/system/{name}.\n"
            elif not enabled and unit.enabled:
                message = f'Removed "{link}".\n'
            unit.enabled = enabled
            if now:
                unit.active = enabled
        if active is not None:
            unit.active = active
        return 0, "", message

    def tuned_adm(self, args: list[str], stdin: str, root: bool) -> Answer:
        s = self.state
        if s.tuned_profile is None:
            return _not_found("tuned-adm")
        if args == ["active"]:
            if s.tuned_profile:
                return _ok(f"Current active profile: {s.tuned_profile}\n")
            return 1, "No current active profile.\n", ""
        if args == ["list"]:
            listing = "".join(f"- {p}\n" for p in s.tuned_profiles)
            current = s.tuned_profile or "none"
            return _ok(f"Available profiles:\n{listing}Current active profile: {current}\n")
        if args and args[0] in ("profile", "off") and not root:
            return _err(1, "Cannot talk to TuneD daemon via DBus. Is TuneD daemon running?")
        if args == ["off"]:
            s.tuned_profile = ""
            return _ok()
        if len(args) == 2 and args[0] == "profile":
            if args[1] not in s.tuned_profiles:
                return _err(1, f"Requested profile '{args[1]}' doesn't exist.")
            s.tuned_profile = args[1]
            return _ok()
        return _err(1, "tuned-adm: emulated lab board: unsupported arguments")

    def tee(self, args: list[str], stdin: str, root: bool) -> Answer:
        if len(args) != 1:
            return _err(1, "tee: emulated lab board: one file only")
        path = args[0]
        m = _GOVERNOR_PATH.fullmatch(path)
        governors = self.state.governors
        if m is None or governors is None or int(m.group(1)) >= len(governors):
            return 1, stdin, f"tee: {path}: No such file or directory\n"
        if not root:
            return 1, stdin, f"tee: {path}: Permission denied\n"
        value = stdin.strip()
        if value not in self.state.available_governors:
            return 1, stdin, f"tee: {path}: Invalid argument\n"
        governors[int(m.group(1))] = value
        return 0, stdin, ""

    def cat(self, args: list[str], stdin: str, root: bool) -> Answer:
        out, err = [], []
        for path in args:
            value = self._file(path)
            if value is None:
                err.append(f"cat: {path}: No such file or directory\n")
            else:
                out.append(value + "\n")
        return (1 if err else 0), "".join(out), "".join(err)

    def _file(self, path: str) -> str | None:
        if path == "/proc/version":
            return self.state.proc_version
        if path == "/proc/sys/net/ipv4/tcp_congestion_control":
            return self._sysctl("net.ipv4.tcp_congestion_control")
        m = _GOVERNOR_PATH.fullmatch(path)
        governors = self.state.governors
        if m is not None and governors is not None and int(m.group(1)) < len(governors):
            return governors[int(m.group(1))]
        return None

    def _sysctl(self, key: str) -> str | None:
        return self.state.sysctls.get(key, SYSCTL_DEFAULTS.get(key))

    def sysctl(self, args: list[str], stdin: str, root: bool) -> Answer:
        if len(args) == 2 and args[0] == "-n":
            value = self._sysctl(args[1])
            if value is None:
                path = "/proc/sys/" + args[1].replace(".", "/")
                return _err(255, f"sysctl: cannot stat {path}: No such file or directory")
            return _ok(value + "\n")
        if len(args) == 2 and args[0] == "-w" and "=" in args[1]:
            key, _, value = args[1].partition("=")
            if self._sysctl(key) is None:
                path = "/proc/sys/" + key.replace(".", "/")
                return _err(255, f"sysctl: cannot stat {path}: No such file or directory")
            if not root:
                return _err(255, f'sysctl: permission denied on key "{key}"')
            if value not in SYSCTL_CHOICES.get(key, (value,)):
                return _err(255, f'sysctl: setting key "{key}": Invalid argument')
            self.state.sysctls[key] = value
            return _ok(f"{key} = {value}\n")
        return _err(1, "sysctl: emulated lab board: only -n KEY and -w KEY=VALUE")

    def iptables(self, args: list[str], stdin: str, root: bool) -> Answer:
        if args != ["-t", "raw", "-S"]:
            return _err(2, "iptables: emulated lab board: only `iptables -t raw -S`")
        if not root:
            return _err(
                4,
                "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: "
                "Permission denied (you must be root)",
            )
        lines = self.state.iptables_raw or _IPTABLES_POLICIES
        return _ok("".join(f"{line}\n" for line in lines))


def _service(unit: str) -> str:
    return unit if "." in unit else f"{unit}.service"


_PROBES = {PROBE_SCRIPT: True, PROBE_SCRIPT_NO_SUDO: False}

_COMMANDS: dict[str, Callable[[BoardShell, list[str], str, bool], Answer]] = {
    "id": BoardShell.id_,
    "uname": BoardShell.uname,
    "systemctl": BoardShell.systemctl,
    "tuned-adm": BoardShell.tuned_adm,
    "tee": BoardShell.tee,
    "cat": BoardShell.cat,
    "sysctl": BoardShell.sysctl,
    "iptables": BoardShell.iptables,
}
"""The tools a board has; every other command is "not found"."""


@functools.lru_cache(maxsize=256)
def _words(command: str) -> tuple[str, ...] | None:
    """The command line's words as sh splits them (None: it does not parse). Cached: a scan
    sends every board the same probe, a script shlex takes a while to split."""
    try:
        return tuple(shlex.split(command))
    except ValueError:
        return None


def reads_stdin(command: str) -> bool:
    """Whether a command reads stdin (only `tee`): the others must not wait for an EOF."""
    argv = list(_words(command) or ())
    if argv[:2] == ["sudo", "-n"]:
        argv = argv[2:]
    return bool(argv) and argv[0] == "tee"


_READS: dict[str, Callable[[list[str]], bool]] = {
    "id": lambda args: True,
    "uname": lambda args: True,
    "cat": lambda args: True,
    "iptables": lambda args: args == ["-t", "raw", "-S"],
    "systemctl": lambda args: len(args) == 2 and args[0] in ("is-active", "is-enabled"),
    "tuned-adm": lambda args: args in (["active"], ["list"]),
    "sysctl": lambda args: len(args) == 2 and args[0] == "-n",
}
"""The commands that only read the machine, by tool: a predicate on the arguments."""


@dataclass(frozen=True)
class Classified:
    """What a command line asks of a board, judged before it runs (read-only's yardstick)."""

    argv: tuple[str, ...] | None
    """The command's words; None when it does not parse."""
    sudo: bool
    """It asks for root: `sudo -n ...`, or the probe script that reads iptables with sudo."""
    mutating: bool
    """It could change the machine: anything but the probe and the known reads (a command the
    board does not know, or cannot parse, counts as mutating)."""


def classify(command: str) -> Classified:
    parsed = _words(command)
    if parsed is None:
        return Classified(None, False, True)
    argv = list(parsed)
    if argv[:2] == ["sh", "-c"] and len(argv) == 3 and argv[2] in _PROBES:
        return Classified(tuple(argv), _PROBES[argv[2]], False)
    sudo = argv[:2] == ["sudo", "-n"]
    words = argv[2:] if sudo else argv
    reads = bool(words) and words[0] in _READS and _READS[words[0]](words[1:])
    return Classified(tuple(argv), sudo, bool(words) and not reads)
