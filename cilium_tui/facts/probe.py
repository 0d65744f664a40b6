"""Parse the output of the SSH probe script (`cilium_tui.collect.probe`) into `ProbeFacts`.

The same sections, fewer of them, come from the read through the agent pod (`parse_agent_pod`):
the agent runs in the host's network namespace with the host's /proc and /sys, so it shows the
kernel (with `/proc/version`'s build string), the NIC, the CPU governors and the preemption model
the version string names, but not systemd, tuned, /etc or /boot.

The probe prints one block per section::

    ### ctui-probe uname_r
    4.19.0-24-arm64
    ### ctui-probe uname_r rc=0

Each section carries its own exit code, so one missing tool (no `tuned-adm`, no systemd, no
`ethtool`) makes only its own facts unknown. The parser never raises: anything it cannot read is
None, and why is said in ``errors``. Every field it sets has an `Evidence` naming the command and
the line it came from.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from cilium_tui.model import Evidence, HostSource, IrqAffinity, ProbeFacts

MARKER = "### ctui-probe"
"""Start of every section marker line the probe prints."""

SOURCE = "ssh probe"
AGENT_POD_SOURCE = "via the agent pod"
"""Evidence source of host facts read through the agent pod."""

_BEGIN = re.compile(rf"^{re.escape(MARKER)} ([a-z_]+)$")
_END = re.compile(rf"^{re.escape(MARKER)} ([a-z_]+) rc=(\d{{1,3}})$")

WHERE = {
    "uid": "id -u",
    "uname_r": "uname -r",
    "uname_m": "uname -m",
    "uname_v": "uname -v",
    "proc_version": "/proc/version",
    "hostname": "hostname",
    "os_release": "cat /etc/os-release",
    "governors": "/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor",
    "irqbalance_active": "systemctl is-active irqbalance",
    "irqbalance_enabled": "systemctl is-enabled irqbalance",
    "tuned": "tuned-adm active",
    "kernel_config": "kernel config",
    "tcp_cc": "/proc/sys/net/ipv4/tcp_congestion_control",
    "default_route": "/proc/net/route",
    "nic_driver": "/sys/class/net/<nic>/device/driver",
    "mtu": "/sys/class/net/<nic>/mtu",
    "xdp": "ip -d link show dev <nic>",
    "irqs": "/proc/interrupts",
    "iptables_raw": "iptables -t raw -S",
}
"""Section name -> the command or file it reads (evidence ``where``; <nic> is filled in)."""

PRIVILEGED_READ = "iptables -t raw -S"

_NOT_FOUND_RC = 127
_MISSING_TOOL = re.compile(r"(?:^|: )([\w.-]+): (?:command )?not found", re.M)
"""sh's "sh: 6: ethtool: not found", bash's "bash: line 1: ethtool: command not found"."""
_NO_CPUFREQ = "no cpufreq"
_NOT_ROOT = "not root; sudo disabled"


@dataclass(frozen=True)
class Section:
    output: str
    rc: int | None
    """None when the section never finished (the output was cut)."""

    @property
    def lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.strip()]

    @property
    def first(self) -> str:
        lines = self.lines
        return lines[0].strip() if lines else ""

    @property
    def ok(self) -> bool:
        return self.rc == 0


def split_sections(text: str) -> dict[str, Section]:
    """The probe's sections by name; text outside sections is ignored, a later repeat wins."""
    sections: dict[str, Section] = {}
    name: str | None = None
    body: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        end = _END.match(line)
        if end is not None and name is not None and end.group(1) == name:
            sections[name] = Section("\n".join(body), int(end.group(2)))
            name = None
            continue
        begin = _BEGIN.match(line)
        if begin is not None:
            if name is not None:
                sections[name] = Section("\n".join(body), None)
            name, body = begin.group(1), []
            continue
        if name is not None:
            body.append(line)
    if name is not None:
        sections[name] = Section("\n".join(body), None)
    return sections


class _Facts:
    """Accumulates field values, their evidence and errors while parsing."""

    def __init__(self, sections: dict[str, Section], source: str = SOURCE) -> None:
        self.sections = sections
        self.source = source
        self.values: dict[str, object] = {}
        self.evidence: dict[str, Evidence] = {}
        self.errors: list[str] = []
        self.nic: str | None = None

    def where(self, section: str) -> str:
        where = WHERE[section]
        return where.replace("<nic>", self.nic) if self.nic else where

    def set(self, field: str, value: object, section: str, text: str, where: str = "") -> None:
        self.values[field] = value
        # interned: a scan keeps this per node, and most lines ("x86_64", "bbr") repeat
        line = sys.intern(" ".join(text.split()))
        place = sys.intern(where or self.where(section))
        self.evidence[field] = Evidence(self.source, place, line)

    def get(self, section: str, what: str) -> Section | None:
        """The section if it ran; otherwise note why its fact is unknown and return None."""
        sec = self.sections.get(section)
        if sec is None:
            self.errors.append(f"{what}: not in the probe output")
            return None
        if sec.rc is None:
            self.errors.append(f"{what}: probe output cut short")
            return None
        if sec.rc == _NOT_FOUND_RC:
            missing = _MISSING_TOOL.search(sec.output)
            tool = missing.group(1) if missing else self.where(section).split()[0]
            self.errors.append(f"{what}: {tool} not found")
            return None
        return sec

    def facts(self, source: HostSource) -> ProbeFacts:
        return ProbeFacts(
            **self.values,  # type: ignore[arg-type]
            errors=tuple(self.errors),
            source=source,
            evidence=self.evidence,
        )

    def fail(self, what: str, sec: Section) -> None:
        detail = sec.first or f"exit code {sec.rc}"
        self.errors.append(f"{what}: {detail}")


def _first_line_fact(f: _Facts, section: str, field: str, what: str) -> None:
    sec = f.get(section, what)
    if sec is None:
        return
    if sec.ok and sec.first:
        f.set(field, sec.first, section, sec.first)
    else:
        f.fail(what, sec)


_PROC_VERSION = re.compile(r"^Linux version (\S+) .*?\s(#\d+\S*\s.*)$")
"""`Linux version <uname -r> (<builder>) (<compiler>) <uname -v>`: the build string starts at the
first `#<number>` after the release."""


def _proc_version(f: _Facts) -> None:
    """The release and the build string from /proc/version (what `uname -r` and `-v` print)."""
    sec = f.get("proc_version", "kernel version")
    if sec is None:
        return
    m = _PROC_VERSION.match(sec.first)
    if not sec.ok or m is None:
        f.fail("kernel version", sec)
        return
    if "kernel_release" not in f.values:
        f.set("kernel_release", m.group(1), "proc_version", sec.first)
    f.set("kernel_build", m.group(2), "proc_version", sec.first)


def _os_release(f: _Facts) -> None:
    sec = f.get("os_release", "os-release")
    if sec is None:
        return
    keys = {"ID": "os_id", "VERSION_ID": "os_version_id", "PRETTY_NAME": "os_pretty_name"}
    for line in sec.lines:
        key, sep, value = line.strip().partition("=")
        if sep and key in keys and keys[key] not in f.values:
            f.set(keys[key], value.strip().strip("\"'"), "os_release", line)
    if not sec.ok and not any(v in f.values for v in keys.values()):
        f.fail("os-release", sec)


_GOVERNOR = re.compile(r"^cpu(\d{1,5}) (\S+)$")


def _governors(f: _Facts) -> None:
    sec = f.get("governors", "CPU governors")
    if sec is None:
        return
    if sec.ok and sec.first == _NO_CPUFREQ:
        f.set("cpufreq", False, "governors", _NO_CPUFREQ)
        return
    found = [m for m in (_GOVERNOR.match(line.strip()) for line in sec.lines) if m is not None]
    if not sec.ok or not found:
        f.fail("CPU governors", sec)
        return
    found.sort(key=lambda m: int(m.group(1)))
    f.set("cpufreq", True, "governors", found[0].group(0))
    f.set("cpu_governors", tuple(m.group(2) for m in found), "governors", "; ".join(sec.lines))


_UNIT_MISSING = re.compile(r"not[- ]found|could not be found|No such file or directory", re.I)
_NO_SYSTEMD = re.compile(r"not been booted with systemd|Failed to connect to bus", re.I)


def _irqbalance(f: _Facts) -> None:
    states: dict[str, tuple[str, Section]] = {}
    for field in ("irqbalance_enabled", "irqbalance_active"):  # section and field share names
        sec = f.get(field, "irqbalance")
        if sec is None:
            continue
        text = sec.output.strip()
        if _NO_SYSTEMD.search(text):
            f.errors.append(f"irqbalance: {sec.first} (`{WHERE[field]}` rc {sec.rc})")
            continue
        # systemd answers "not found" with rc 4 (LSB "unknown") or 5, or an is-enabled error.
        if sec.rc in (4, 5) or _UNIT_MISSING.search(text):
            state = "not-found"
        elif re.fullmatch(r"[a-z-]{3,20}", sec.first):
            state = sec.first
        else:
            f.fail("irqbalance", sec)
            continue
        states[field] = (state, sec)
    # An older systemd says "inactive" (rc 3) for a unit that does not exist, and without a
    # running systemd is-active cannot answer at all; a missing unit file settles both.
    if "irqbalance_enabled" in states and states["irqbalance_enabled"][0] == "not-found":
        states["irqbalance_active"] = states["irqbalance_enabled"]
    for field, (state, sec) in states.items():
        f.set(field, state, field, sec.first or state)


def _tuned(f: _Facts) -> None:
    sec = f.sections.get("tuned")
    if sec is not None and sec.rc == _NOT_FOUND_RC:
        f.set("tuned_installed", False, "tuned", sec.first or "tuned-adm: not found")
        return
    sec = f.get("tuned", "tuned")
    if sec is None:
        return
    for line in sec.lines:
        key, sep, value = line.partition(":")
        if sep and key.strip() == "Current active profile":
            f.set("tuned_installed", True, "tuned", line)
            f.set("tuned_profile", value.strip(), "tuned", line)
            return
        if line.strip().startswith("No current active profile"):
            f.set("tuned_installed", True, "tuned", line)
            f.set("tuned_profile", "", "tuned", line)
            return
    f.set("tuned_installed", True, "tuned", sec.first or f"rc {sec.rc}")
    f.fail("tuned profile", sec)


_PREEMPT_CONFIG = (
    ("CONFIG_PREEMPT_RT", "rt"),
    ("CONFIG_PREEMPT_DYNAMIC", "dynamic"),
    ("CONFIG_PREEMPT", "full"),
    ("CONFIG_PREEMPT_VOLUNTARY", "voluntary"),
    ("CONFIG_PREEMPT_NONE", "none"),
)
"""Most specific first: a PREEMPT_DYNAMIC build also sets one of the static modes as its default."""

_PREEMPT_UNAME = (("PREEMPT_RT", "rt"), ("PREEMPT_DYNAMIC", "dynamic"), ("PREEMPT", "full"))


def _preempt(f: _Facts) -> None:
    sec = f.sections.get("kernel_config")
    if sec is not None and sec.lines and sec.rc in (0, 1):
        where = sec.lines[0].strip()
        enabled = {
            line.strip().split("=", 1)[0] for line in sec.lines[1:] if line.strip().endswith("=y")
        }
        for option, mode in _PREEMPT_CONFIG:
            if option in enabled:
                source = where
                if mode == "dynamic":
                    default = next(
                        (m for o, m in _PREEMPT_CONFIG[2:] if o in enabled),
                        "unknown",
                    )
                    source = (
                        f"{where} (build default {default}; the preempt= boot parameter may "
                        "select another mode)"
                    )
                f.set("preempt", mode, "kernel_config", f"{option}=y", where)
                f.set("preempt_source", source, "kernel_config", f"{option}=y", where)
                return
    build = f.values.get("kernel_build")
    section = "uname_v" if "uname_v" in f.sections else "proc_version"
    if isinstance(build, str):
        tokens = set(build.split())
        from_uname = next((m for token, m in _PREEMPT_UNAME if token in tokens), None)
        if from_uname is not None:
            note = f"{f.where(section)} (no kernel config readable)"
            f.set("preempt", from_uname, section, build)
            f.set("preempt_source", note, section, build)
            return
    f.errors.append(
        f"preemption model: no kernel config and no PREEMPT token in {f.where(section)}"
    )


def _default_route(f: _Facts) -> None:
    sec = f.get("default_route", "default route")
    if sec is None:
        return
    for line in sec.lines:
        cols = line.split()
        if len(cols) >= 8 and cols[1] == "00000000" and cols[7] == "00000000":
            f.set("default_nic", cols[0], "default_route", line)
            f.nic = cols[0]
            return
    f.errors.append("default route: none (NIC facts unknown)")


def _nic_driver(f: _Facts) -> None:
    sec = f.get("nic_driver", "NIC driver") if f.nic else None
    if sec is None:
        return
    first = sec.first
    if sec.ok and first.startswith("sysfs "):
        f.set("nic_driver", first.split()[1], "nic_driver", first)
        return
    for line in sec.lines:
        key, sep, value = line.partition(":")
        if sec.ok and sep and key.strip() == "driver" and value.strip():
            f.set("nic_driver", value.strip(), "nic_driver", line, f"ethtool -i {f.nic}")
            return
    f.fail("NIC driver", sec)


def _mtu(f: _Facts) -> None:
    sec = f.get("mtu", "MTU") if f.nic else None
    if sec is None:
        return
    if sec.ok and sec.first.isdigit() and len(sec.first) <= 6:
        f.set("mtu", int(sec.first), "mtu", sec.first)
    else:
        f.fail("MTU", sec)


def _xdp(f: _Facts) -> None:
    sec = f.get("xdp", "XDP") if f.nic else None
    if sec is None:
        return
    if not sec.ok or not sec.lines:
        f.fail("XDP", sec)
        return
    prog = next((line for line in sec.lines if "prog/xdp" in line), None)
    f.set("xdp_attached", prog is not None, "xdp", prog or sec.first)


_IRQ = re.compile(r"^(\d{1,6}) (\S+) (\S+)$")


def _irqs(f: _Facts) -> None:
    sec = f.get("irqs", "NIC IRQs") if f.nic else None
    if sec is None:
        return
    irqs = [
        IrqAffinity(int(m.group(1)), m.group(3), m.group(2))
        for m in (_IRQ.match(line.strip()) for line in sec.lines)
        if m is not None
    ]
    if not sec.ok:
        f.fail("NIC IRQs", sec)
    elif irqs:
        f.set("nic_irqs", tuple(irqs), "irqs", "; ".join(sec.lines[:4]))


_SUDO_ASKS = ("sudo: a password is required", "sudo: a terminal is required")
"""What `sudo -n` prints when it would have to ask for a password."""


def sudo_wants_password(output: str) -> bool:
    """Whether `sudo -n` refused because it would need a password (it never prompts)."""
    return any(message in output for message in _SUDO_ASKS)


_NOTRACK_CHAINS = ("CILIUM_PRE_raw", "CILIUM_OUTPUT_raw")


def _sudo_refusal(sec: Section) -> str | None:
    """Why `sudo -n` did not run the privileged read, or None when it did run it."""
    text, first = sec.output, sec.first
    if first == _NOT_ROOT:
        return f"sudo is disabled for this host: needs root or sudo for: {PRIVILEGED_READ}"
    if sudo_wants_password(text):
        return f"needs passwordless sudo for: {PRIVILEGED_READ} ({first})"
    if sec.rc == _NOT_FOUND_RC and "sudo" in first:
        return f"sudo is not installed: needs root or sudo for: {PRIVILEGED_READ}"
    if sec.rc != 0 and first.startswith("sudo:") and "command not found" not in first:
        return f"sudo refused {PRIVILEGED_READ}: {first}"
    return None


def _privileged(f: _Facts) -> None:
    uid = f.sections.get("uid")
    is_root = uid is not None and uid.ok and uid.first == "0"
    sec = f.sections.get("iptables_raw")
    where = PRIVILEGED_READ if is_root else f"sudo -n {PRIVILEGED_READ}"
    if is_root:
        f.set("privilege", "root", "uid", "0")
    if sec is None or sec.rc is None:
        f.errors.append("iptables raw rules: not in the probe output")
        return
    if not is_root:
        refusal = _sudo_refusal(sec)
        f.set("privilege", "no-sudo" if refusal else "sudo", "iptables_raw", sec.first, where)
        if refusal:
            f.errors.append(refusal)
            return
    if sec.rc == _NOT_FOUND_RC or "command not found" in sec.first:
        f.errors.append("iptables raw rules: iptables not found")
        return
    if not sec.ok:
        f.fail("iptables raw rules", sec)
        return
    rule = next(
        (
            line
            for line in sec.lines
            if any(f" {chain} " in f" {line} " for chain in _NOTRACK_CHAINS)
            and ("-j CT --notrack" in line or "-j NOTRACK" in line)
        ),
        None,
    )
    f.set(
        "notrack_rules", rule is not None, "iptables_raw", rule or "no Cilium NOTRACK rule", where
    )


AGENT_POD_FIELDS = frozenset(
    {
        "kernel_release",
        "machine",
        "kernel_build",
        "cpufreq",
        "cpu_governors",
        "preempt",
        "preempt_source",
        "tcp_congestion_control",
        "default_nic",
        "nic_driver",
        "mtu",
        "xdp_attached",
        "nic_irqs",
    }
)
"""The ProbeFacts fields a read through the agent pod can fill; the others need SSH."""

AGENT_POD_SHOWS = (
    "the kernel release and /proc/version, the NIC's MTU, driver and XDP, the CPU governors and "
    "the preemption model the version string names"
)
"""`AGENT_POD_FIELDS` in words, for saying which facts need which access."""


def _nic(f: _Facts) -> _Facts:
    """The default route's NIC and its facts (a NIC-less host says why once)."""
    for read in (_default_route, _nic_driver, _mtu, _xdp, _irqs):
        read(f)
    return f


def parse_agent_pod(output: str) -> ProbeFacts:
    """Host facts from the read through the agent pod (`collect.probe.AGENT_POD_SCRIPT`)."""
    sections = split_sections(output)
    f = _Facts(sections, AGENT_POD_SOURCE)
    if not sections:
        f.errors.append("the read through the agent pod printed nothing recognisable")
        return ProbeFacts(errors=tuple(f.errors), source="agent pod")
    _first_line_fact(f, "uname_r", "kernel_release", "kernel release")
    _first_line_fact(f, "uname_m", "machine", "machine")
    _proc_version(f)
    _first_line_fact(f, "tcp_cc", "tcp_congestion_control", "TCP congestion control")
    _governors(f)
    _preempt(f)
    return _nic(f).facts("agent pod")


def parse_probe(output: str, privileged: str | None = None) -> ProbeFacts:
    """The facts in the probe's output; never raises.

    ``privileged`` is the output of privileged sections when they ran as a separate command
    (same section format); its sections take precedence over ``output``'s.
    """
    sections = split_sections(output)
    if privileged is not None:
        sections.update(split_sections(privileged))
    f = _Facts(sections)
    if not sections:
        f.errors.append("the probe printed nothing recognisable")
        return ProbeFacts(errors=tuple(f.errors))
    _first_line_fact(f, "uname_r", "kernel_release", "kernel release")
    _first_line_fact(f, "uname_m", "machine", "machine")
    _first_line_fact(f, "uname_v", "kernel_build", "kernel build")
    _first_line_fact(f, "hostname", "hostname", "hostname")
    _first_line_fact(f, "tcp_cc", "tcp_congestion_control", "TCP congestion control")
    _os_release(f)
    _governors(f)
    _irqbalance(f)
    _tuned(f)
    _preempt(f)
    _nic(f)
    _privileged(f)
    return f.facts("ssh")
