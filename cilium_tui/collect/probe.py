"""The node probe: one constant POSIX shell script, sent as one SSH command per node.

It only reads. Each named section prints a marker, its output (stderr folded in) and its exit code
(see `cilium_tui.facts.probe`), so a missing tool costs only its own facts. The script is a
constant: nothing from the cluster or the user is ever put into it. The only values it handles
come from the node itself at run time (the default route's NIC name), as quoted shell variables.

Privileged reads (`iptables -t raw -S`) run as is for root and through `sudo -n` otherwise, so a
password prompt fails at once ("sudo: a password is required") instead of hanging.
"""

from __future__ import annotations

import shlex

from cilium_tui.facts.probe import MARKER

_PRELUDE = f"""\
export LC_ALL=C
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
section() {{
  _section=$1; shift
  echo "{MARKER} $_section"
  out=$("$@" 2>&1)
  rc=$?
  [ -z "$out" ] || printf '%s\\n' "$out"
  echo "{MARKER} $_section rc=$rc"
}}
"""

_READERS = """\
host_name() { hostname 2>/dev/null || cat /proc/sys/kernel/hostname; }
os_release() { cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release; }
governors() {
  found=
  for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor; do
    [ -e "$f" ] || continue
    found=1
    cpu=${f#/sys/devices/system/cpu/}
    echo "${cpu%%/*} $(cat "$f" 2>&1)"
  done
  [ -n "$found" ] || echo "no cpufreq"
}
kernel_config() {
  f=/boot/config-$(uname -r)
  if [ -r "$f" ]; then
    echo "$f"; grep -E "^CONFIG_PREEMPT" "$f"
  elif [ -r /proc/config.gz ]; then
    echo /proc/config.gz; zcat /proc/config.gz | grep -E "^CONFIG_PREEMPT"
  else
    echo "no kernel config"; return 2
  fi
}
default_route() { awk 'NR == 1 || ($2 == "00000000" && $8 == "00000000")' /proc/net/route; }
nic=$(awk '$2 == "00000000" && $8 == "00000000" { print $1; exit }' /proc/net/route 2>/dev/null)
need_nic() { [ -n "$nic" ] || { echo "no default route"; return 2; }; }
nic_driver() {
  need_nic || return
  link=$(readlink "/sys/class/net/$nic/device/driver" 2>/dev/null)
  if [ -n "$link" ]; then echo "sysfs ${link##*/}"; else ethtool -i "$nic"; fi
}
nic_mtu() { need_nic && cat "/sys/class/net/$nic/mtu"; }
nic_xdp() { need_nic && ip -d link show dev "$nic"; }
nic_irqs() {
  need_nic || return
  dev=$(readlink -f "/sys/class/net/$nic/device" 2>/dev/null)
  awk -v nic="$nic" -v dev="${dev##*/}" \\
    'NR > 1 && $1 ~ /^[0-9]+:$/ && (index($NF, nic) || (dev != "" && index($NF, dev))) \\
     { sub(":", "", $1); print $1, $NF }' /proc/interrupts |
  while read -r irq irq_name; do
    echo "$irq $(cat "/proc/irq/$irq/smp_affinity_list" 2>/dev/null || echo ?) $irq_name"
  done
}
"""

_IPTABLES_SUDO = """\
iptables_raw() {
  if [ "$(id -u)" = 0 ]; then iptables -t raw -S; else sudo -n iptables -t raw -S; fi
}
"""

_IPTABLES_NO_SUDO = """\
iptables_raw() {
  if [ "$(id -u)" = 0 ]; then iptables -t raw -S; else echo "not root; sudo disabled"; return 2; fi
}
"""

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("uid", ("id", "-u")),
    ("uname_r", ("uname", "-r")),
    ("uname_m", ("uname", "-m")),
    ("uname_v", ("uname", "-v")),
    ("hostname", ("host_name",)),
    ("os_release", ("os_release",)),
    ("governors", ("governors",)),
    ("irqbalance_active", ("systemctl", "is-active", "irqbalance")),
    ("irqbalance_enabled", ("systemctl", "is-enabled", "irqbalance")),
    ("tuned", ("tuned-adm", "active")),
    ("kernel_config", ("kernel_config",)),
    ("tcp_cc", ("cat", "/proc/sys/net/ipv4/tcp_congestion_control")),
    ("default_route", ("default_route",)),
    ("nic_driver", ("nic_driver",)),
    ("mtu", ("nic_mtu",)),
    ("xdp", ("nic_xdp",)),
    ("irqs", ("nic_irqs",)),
    ("iptables_raw", ("iptables_raw",)),
)
"""Section name -> the command it runs: a tool, or one of the script's own functions above."""

FUNCTIONS = frozenset(
    name
    for line in (_READERS + _IPTABLES_SUDO).splitlines()
    if (name := line.partition("()")[0]).isidentifier()
)
"""The shell functions the script defines (a lab board answers these from its state)."""


def _section_lines(sections: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    return "".join(f"section {name} {shlex.join(argv)}\n" for name, argv in sections)


_SECTIONS = _section_lines(SECTIONS)

PROBE_SCRIPT = _PRELUDE + _READERS + _IPTABLES_SUDO + _SECTIONS
"""The probe for a user who may use `sudo -n` (root runs the privileged reads directly)."""

PROBE_SCRIPT_NO_SUDO = _PRELUDE + _READERS + _IPTABLES_NO_SUDO + _SECTIONS
"""The probe for hosts where the inventory forbids sudo: privileged reads only as root."""


AGENT_POD_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, {**dict(SECTIONS), "proc_version": ("cat", "/proc/version")}[name])
    for name in (
        "uname_r",
        "uname_m",
        "proc_version",
        "governors",
        "kernel_config",
        "tcp_cc",
        "default_route",
        "nic_driver",
        "mtu",
        "xdp",
        "irqs",
    )
)
"""What the agent container can read of its host (see `facts.probe.parse_agent_pod`): no
systemd, tuned, /etc or privileged reads; /proc/version for the build string."""

AGENT_POD_SCRIPT = _PRELUDE + _READERS + _section_lines(AGENT_POD_SECTIONS)
"""The host reads through the agent pod: one exec of the agent container's sh, a constant."""


def agent_pod_argv() -> list[str]:
    """The read through the agent pod as an exec argv (fixed: nothing from the cluster in it)."""
    return ["sh", "-c", AGENT_POD_SCRIPT]


def probe_argv(sudo: bool = True) -> list[str]:
    """The probe as an argv: the script runs under /bin/sh whatever the login shell is."""
    return ["sh", "-c", PROBE_SCRIPT if sudo else PROBE_SCRIPT_NO_SUDO]


def probe_command(sudo: bool = True) -> str:
    """The one command line sent over SSH."""
    return shlex.join(probe_argv(sudo))
