"""What the text, JSON and YAML status parsers share: value spellings and the result builder.

The agent prints one spelling in text (`IPTables`, `Legacy TC`, `CUBIC`) and another in JSON
(`iptables`, `tc`, `cubic`); `AgentStatus` holds the text spelling so that a fact reads the same
whichever output it came from. Values we do not know are kept as printed: a new Cilium release
adding a mode must show up as that mode, not vanish.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cilium_tui.model import AgentStatus, Evidence, StatusFormat

STATE = {"ok": "Ok", "warning": "Warning", "failure": "Failure", "disabled": "Disabled"}
KPR_MODE = {
    "strict": "Strict",
    "probe": "Probe",
    "partial": "Partial",
    "disabled": "Disabled",
    "true": "True",
    "false": "False",
}
HOST_ROUTING = {"bpf": "BPF", "legacy": "Legacy"}
NETWORK_ROUTING = {"native": "Native", "tunnel": "Tunnel"}
MASQUERADING = {"bpf": "BPF", "iptables": "IPTables", "disabled": "Disabled"}
CONGESTION_CONTROL = {"cubic": "CUBIC", "bbr": "BBR"}
ENCRYPTION = {"disabled": "Disabled", "ipsec": "IPsec", "wireguard": "Wireguard"}
NODEPORT_MODE = {"snat": "SNAT", "dsr": "DSR", "hybrid": "Hybrid"}
XDP_ACCELERATION = {
    "disabled": "Disabled",
    "none": "Disabled",
    "native": "Native",
    "generic": "Generic",
    "best-effort": "Best-Effort",
}
ATTACH_MODE = {"tc": "Legacy TC", "legacy tc": "Legacy TC", "tcx": "TCX"}
DEVICE_MODE = {"veth": "veth", "netkit": "netkit", "netkit-l2": "netkit-l2", "auto": "auto"}
CLOCK_SOURCE = {"ktime": "ktime", "jiffies": "jiffies"}
ON_OFF = {"enabled": True, "disabled": False}


def spell(table: Mapping[str, str], value: str | None) -> str | None:
    """The canonical spelling of `value` (case and spacing ignored); unknown values as printed."""
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        return None
    return table.get(cleaned.lower(), cleaned)


_CILIUM_MSG = re.compile(
    r"^v?(?P<version>\d{1,4}\.\d{1,4}\.\d{1,6}(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?)"
    r"(?:\s*\((?P<revision>[^()\s]+)\))?",
    re.ASCII,
)
_K8S_MSG = re.compile(
    r"^(?P<short>\S+)(?:\s*\((?P<git>v?\d[^()\s]*)\))?(?:\s*\[(?P<platform>[^\]]*)\])?", re.ASCII
)


def split_cilium_msg(msg: str) -> tuple[str | None, str | None]:
    """`1.13.4 (v1.13.4-4061cdfc)` -> ("1.13.4", "v1.13.4-4061cdfc"); `OK` -> (None, None)."""
    m = _CILIUM_MSG.match(msg.strip())
    if m is None:
        return None, None
    return m.group("version"), m.group("revision")


def kubernetes_version(msg: str) -> str | None:
    """`1.27+ (v1.27.3-eks-a5565ad) [linux/amd64]` -> "v1.27.3-eks-a5565ad" (the git version)."""
    m = _K8S_MSG.match(msg.strip())
    if m is None:
        return None
    if m.group("git"):
        return m.group("git")
    short = m.group("short")
    return short if re.match(r"^v?\d+\.\d+", short, re.ASCII) else None


class StatusBuilder:
    """Collects facts with their evidence; the first value found for a field wins."""

    def __init__(self, source_format: StatusFormat) -> None:
        self._format: StatusFormat = source_format
        self._fields: dict[str, Any] = {}
        self._evidence: dict[str, Evidence] = {}

    def _keeps(self, name: str, value: object) -> bool:
        return not (value is None or value == () or name in self._fields)

    def put(self, name: str, value: object, evidence: Evidence) -> None:
        if self._keeps(name, value):
            self._fields[name] = value
            self._evidence[name] = evidence

    def put_lazy(self, name: str, value: object, evidence: Callable[[], Evidence]) -> None:
        """`put`, making the evidence only when the value is kept."""
        if self._keeps(name, value):
            self._fields[name] = value
            self._evidence[name] = evidence()

    def note(self, name: str, evidence: Evidence) -> None:
        """Keep evidence for a field left unknown on purpose (printed, but not meaningful)."""
        self._evidence.setdefault(name, evidence)

    def build(self) -> AgentStatus:
        return AgentStatus(source_format=self._format, evidence=self._evidence, **self._fields)
