"""`cilium status` / `cilium-dbg status [--verbose]` text, every layout from 1.8 to 1.20.

The agent prints `Label:<TAB>value` through a tabwriter, and the layout moved a lot between
releases (`Host Routing:` became `Routing: Network: … Host: …` in 1.16, the label column is 20 to 38
characters wide). Real copies are noisier still: kubectl's `Defaulted container` notice, CI log
prefixes (TAB + space, `##  `), markdown fences, shell prompts, CRLF, lines wrapped inside a
`[...]` list. So this parser matches *labels*, not columns: a line counts when the text before its
first `:` (prefix noise and spacing removed) is a label Cilium prints, in Cilium's own case, and its
value is everything after that colon. Unknown lines are ignored; a value we cannot read leaves the
fact unknown (None) rather than guessing.

Two verbose sub-blocks are read in context: `KubeProxyReplacement Details:` (whose `Status:`,
`Mode:`… labels mean nothing elsewhere) and the `BPF Maps:` Name/Size table. Both end at the next
top-level label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cilium_tui.facts import status_values as sv
from cilium_tui.facts.status_values import (
    StatusBuilder,
    kubernetes_version,
    spell,
    split_cilium_msg,
)
from cilium_tui.model import AgentStatus, BandwidthManager, BigTCP, BpfMap, Evidence, Masquerading

SOURCE = "cilium-dbg status"

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_PREFIX = re.compile(r"^[\s#>|]*")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_CIDR = re.compile(r"^[0-9A-Fa-f:.]+/\d{1,3}$")
_INT = re.compile(r"^\d{1,12}$", re.ASCII)
_MAX_CONTINUATION = 4


@dataclass(frozen=True)
class _Line:
    label: str
    """Whitespace-collapsed text before the first colon, e.g. "Host Routing"."""
    value: str
    """Whitespace-collapsed text after it."""
    text: str
    """The line as printed, minus prefix noise and trailing space (joined if it was wrapped)."""

    def evidence(self) -> Evidence:
        return Evidence(SOURCE, f"{self.label}:", self.text)


def _clean(raw: str) -> str:
    return _PREFIX.sub("", _ANSI.sub("", raw)).rstrip()


def _split(text: str) -> _Line | None:
    label, colon, value = text.partition(":")
    if not colon:
        return None
    return _Line(" ".join(label.split()), " ".join(value.split()), text)


def _unbalanced(text: str) -> bool:
    return text.count("[") > text.count("]") or text.count("(") > text.count(")")


def _logical_lines(text: str) -> Iterator[_Line | str]:
    """Labelled lines (joined across wraps inside brackets) and, for tables, the bare rows."""
    rows = [_clean(raw) for raw in text.splitlines()]
    i = 0
    while i < len(rows):
        current = rows[i]
        i += 1
        line = _split(current)
        if line is None or line.label not in _ALL_LABELS:
            if current:
                yield current
            continue
        joined = current
        taken = 0
        while _unbalanced(joined) and i < len(rows) and taken < _MAX_CONTINUATION:
            follower = _split(rows[i])
            if follower is not None and follower.label in _ALL_LABELS:
                break
            joined = f"{joined} {rows[i]}"
            i += 1
            taken += 1
        yield _split(joined) or line


# ---------------------------------------------------------------------------------------------
# Value readers, one per label. Each puts what it can read; what it cannot stays unknown.
# ---------------------------------------------------------------------------------------------


def _groups(value: str) -> list[str]:
    return [g.strip() for g in _BRACKETS.findall(value)]


def _outside_brackets(value: str) -> str:
    return _BRACKETS.sub(" ", value)


def _split_items(group: str) -> list[str]:
    """Comma-separated items, ignoring commas inside parentheses."""
    items: list[str] = []
    depth = start = 0
    for pos, char in enumerate(group):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            items.append(group[start:pos])
            start = pos + 1
    items.append(group[start:])
    return [item.strip() for item in items if item.strip()]


def _first_word(value: str) -> str | None:
    words = value.split()
    return words[0] if words else None


_KPR_FEATURES = {
    "NodePort",
    "HostPort",
    "ExternalIPs",
    "SessionAffinity",
    "HostReachableServicesTCP",
    "HostReachableServicesUDP",
    "HostReachableServices",
    "GracefulTermination",
}
_NODEPORT_FEATURE = re.compile(r"^NodePort\s*\((?P<inner>[^)]*)\)")
_XDP_IN_FEATURE = re.compile(r"XDP:\s*(?P<xdp>[\w-]+)")


def _read_kpr_features(b: StatusBuilder, items: list[str], ev: Evidence) -> None:
    """The pre-1.9 form: `[NodePort (SNAT, 30000-32767, XDP: DISABLED), HostPort, …]`."""
    for item in items:
        if item.split("(")[0].strip() == "NodePort":
            b.put("bpf_nodeport", True, ev)
        m = _NODEPORT_FEATURE.match(item)
        if m is None:
            continue
        parts = [p.strip() for p in m.group("inner").split(",")]
        if parts and parts[0].lower() in sv.NODEPORT_MODE:
            b.put("nodeport_mode", spell(sv.NODEPORT_MODE, parts[0]), ev)
        xdp = _XDP_IN_FEATURE.search(m.group("inner"))
        if xdp is not None:
            b.put("xdp_acceleration", spell(sv.XDP_ACCELERATION, xdp.group("xdp")), ev)


def _read_kpr_devices(b: StatusBuilder, items: list[str], ev: Evidence) -> None:
    """`[eth0 192.168.7.5 (Direct Routing), eth1 10.0.0.2]` or the 1.8 `[eth0 (DR)]`."""
    devices: list[str] = []
    for item in items:
        name = item.split()[0].split("(")[0]
        if not name:
            continue
        devices.append(name)
        if "(Direct Routing)" in item or "(DR)" in item:
            b.put("direct_routing_device", name, ev)
    b.put("kpr_devices", tuple(devices), ev)


def _kpr(b: StatusBuilder, line: _Line) -> None:
    ev = line.evidence()
    b.put("kube_proxy_replacement", spell(sv.KPR_MODE, _first_word(line.value)), ev)
    for group in _groups(line.value):
        items = _split_items(group)
        if any(re.split(r"[\s(]", item, maxsplit=1)[0] in _KPR_FEATURES for item in items):
            _read_kpr_features(b, items, ev)
        else:
            _read_kpr_devices(b, items, ev)


def _cilium(b: StatusBuilder, line: _Line) -> None:
    ev = line.evidence()
    state, _, msg = line.value.partition(" ")
    b.put("cilium_state", spell(sv.STATE, state), ev)
    version, revision = split_cilium_msg(msg)
    b.put("cilium_version", version, ev)
    b.put("cilium_revision", revision, ev)


def _kubernetes(b: StatusBuilder, line: _Line) -> None:
    state, _, msg = line.value.partition(" ")
    if spell(sv.STATE, state) != "Disabled":
        b.put("kubernetes_version", kubernetes_version(msg), line.evidence())


def _host_routing(b: StatusBuilder, line: _Line) -> None:
    b.put("host_routing", spell(sv.HOST_ROUTING, _first_word(line.value)), line.evidence())


_ROUTING = re.compile(
    r"Network:\s*(?P<network>[\w-]+)(?:\s*\[(?P<tunnel>[^\]]*)\])?|Host:\s*(?P<host>[\w-]+)"
)


def _routing(b: StatusBuilder, line: _Line) -> None:
    """1.16+: `Network: Tunnel [vxlan]   Host: Legacy` (the protocol is printed in tunnel mode)."""
    ev = line.evidence()
    for m in _ROUTING.finditer(line.value):
        if m.group("network"):
            b.put("network_routing", spell(sv.NETWORK_ROUTING, m.group("network")), ev)
            b.put("tunnel_protocol", (m.group("tunnel") or "").strip() or None, ev)
        if m.group("host"):
            b.put("host_routing", spell(sv.HOST_ROUTING, m.group("host")), ev)


_PROTOCOLS = re.compile(r"IPv(?P<family>[46]):(?P<state>[A-Za-z]+)")


def _masquerading(b: StatusBuilder, line: _Line) -> None:
    """`BPF (ip-masq-agent) [eth0, eth1] 10.0.0.0/8 [IPv4: Enabled, IPv6: Disabled]`, `IPTables
    [IPv4: …]`, `Disabled`, and the 1.8 form without the protocol list."""
    mode = spell(sv.MASQUERADING, _first_word(line.value))
    if mode is None:
        return
    protocols: dict[str, bool | None] = {"4": None, "6": None}
    devices: tuple[str, ...] = ()
    for group in _groups(line.value):
        found = _PROTOCOLS.findall("".join(group.split()))
        if found:
            protocols.update({family: sv.ON_OFF.get(state.lower()) for family, state in found})
        elif not devices:
            devices = tuple(_split_items(group))
    cidrs = [tok for tok in _outside_brackets(line.value).split() if _CIDR.match(tok)]
    masq = Masquerading(
        mode=mode,
        ip_masq_agent="(ip-masq-agent)" in line.value,
        devices=devices,
        snat_exclusion_cidr=cidrs[0] if cidrs else None,
        ipv4=protocols["4"],
        ipv6=protocols["6"],
    )
    b.put("masquerading", masq, line.evidence())


def _bandwidth_manager(b: StatusBuilder, line: _Line) -> None:
    """`EDT with BPF [CUBIC] [eth0, eth1]`; 1.10/1.11 print no congestion-control tag."""
    if line.value.lower().startswith("disabled"):
        b.put("bandwidth_manager", BandwidthManager(enabled=False), line.evidence())
        return
    if not line.value.startswith("EDT"):
        return
    groups = _groups(line.value)
    cc: str | None = None
    if len(groups) >= 2 or (groups and groups[0].lower() in sv.CONGESTION_CONTROL):
        cc = spell(sv.CONGESTION_CONTROL, groups.pop(0))
    devices = tuple(_split_items(groups[0])) if groups else ()
    bwm = BandwidthManager(enabled=True, congestion_control=cc, devices=devices)
    b.put("bandwidth_manager", bwm, line.evidence())


def _big_tcp(field: str) -> Callable[[StatusBuilder, _Line], None]:
    """`Disabled`, `Enabled [<max GSO>]` (GRO equal) or `Enabled [<max GRO>, <max GSO>]`."""

    def read(b: StatusBuilder, line: _Line) -> None:
        enabled = sv.ON_OFF.get((_first_word(line.value) or "").lower())
        if enabled is None:
            return
        sizes = [int(n) for n in re.findall(r"\d{1,12}", " ".join(_groups(line.value)))]
        gro, gso = (sizes[0], sizes[-1]) if sizes and enabled else (None, None)
        b.put(field, BigTCP(enabled=enabled, max_gro=gro, max_gso=gso), line.evidence())

    return read


def _attach_mode(b: StatusBuilder, line: _Line) -> None:
    b.put("attach_mode", spell(sv.ATTACH_MODE, line.value), line.evidence())


_CONFIGURED = re.compile(r"\[Configured:\s*(?P<mode>[\w-]+)\]")


def _device_mode(b: StatusBuilder, line: _Line) -> None:
    """`veth`; 1.19+ `auto/netkit` (configured/operational) when they differ."""
    ev = line.evidence()
    value = line.value
    configured = _CONFIGURED.search(value)
    if configured is not None:
        b.put("configured_device_mode", spell(sv.DEVICE_MODE, configured.group("mode")), ev)
        value = _CONFIGURED.sub("", value)
    first = _first_word(value)
    if first is None or first == "?":
        return
    if "/" in first:
        wanted, _, first = first.partition("/")
        b.put("configured_device_mode", spell(sv.DEVICE_MODE, wanted), ev)
    b.put("device_mode", spell(sv.DEVICE_MODE, first), ev)


def _first_word_of(field: str, table: dict[str, str]) -> Callable[[StatusBuilder, _Line], None]:
    def read(b: StatusBuilder, line: _Line) -> None:
        b.put(field, spell(table, _first_word(line.value)), line.evidence())

    return read


def _on_off_of(field: str) -> Callable[[StatusBuilder, _Line], None]:
    """A reader for `Enabled` / `Disabled` (anything else stays unknown)."""

    def read(b: StatusBuilder, line: _Line) -> None:
        b.put(field, sv.ON_OFF.get((_first_word(line.value) or "").lower()), line.evidence())

    return read


def _cni_chaining(b: StatusBuilder, line: _Line) -> None:
    b.put("cni_chaining", _first_word(line.value), line.evidence())


_HZ = re.compile(r"\[(?P<hz>\d{1,9})\s*Hz\]")


def _clock_source(b: StatusBuilder, line: _Line) -> None:
    ev = line.evidence()
    b.put("clock_source", spell(sv.CLOCK_SOURCE, _first_word(line.value)), ev)
    hz = _HZ.search(line.value)
    b.put("clock_hz", int(hz.group("hz")) if hz else None, ev)


_RATIO = re.compile(
    r"dynamic sizing:\s*(?:on\s*\(ratio:\s*(?P<ratio>[0-9.eE+-]{1,32})\)|(?P<off>off))"
)


def _bpf_maps(b: StatusBuilder, line: _Line) -> None:
    m = _RATIO.search(line.value)
    if m is None:
        return
    ratio: float | None = 0.0
    if m.group("ratio") is not None:
        try:
            ratio = float(m.group("ratio"))
        except ValueError:
            ratio = None
    b.put("bpf_map_dynamic_ratio", ratio, line.evidence())


def _ignore(b: StatusBuilder, line: _Line) -> None:
    """Printed, but not a fact cilium-tui uses; known so that it ends verbose sub-blocks."""


_Reader = Callable[[StatusBuilder, _Line], None]

_KPR_DETAILS = "KubeProxyReplacement Details"
_BPF_MAPS = "BPF Maps"

_TOP: dict[str, _Reader] = {
    "KubeProxyReplacement": _kpr,
    "Cilium": _cilium,
    "Kubernetes": _kubernetes,
    "Host Routing": _host_routing,
    "Routing": _routing,
    "Masquerading": _masquerading,
    "BandwidthManager": _bandwidth_manager,
    "IPv4 BIG TCP": _big_tcp("ipv4_big_tcp"),
    "IPv6 BIG TCP": _big_tcp("ipv6_big_tcp"),
    "Attach Mode": _attach_mode,
    "Device Mode": _device_mode,
    "Hubble": _first_word_of("hubble", sv.STATE),
    "Encryption": _first_word_of("encryption", sv.ENCRYPTION),
    "Host firewall": _on_off_of("host_firewall"),
    "CNI Chaining": _cni_chaining,
    "Clock Source for BPF": _clock_source,
    _BPF_MAPS: _bpf_maps,
    _KPR_DETAILS: _ignore,
    **dict.fromkeys(
        (
            "KVStore",
            "ContainerRuntime",
            "Kubernetes APIs",
            "SRv6",
            "CNI Config file",
            "Stale status",
            "NodeMonitor",
            "Cilium health daemon",
            "IPAM",
            "Allocated addresses",
            "ClusterMesh",
            "Controller Status",
            "Proxy Status",
            "Global Identity Range",
            "Cluster health",
            "Modules Health",
            "Auth certificate provider",
        ),
        _ignore,
    ),
}


def _details_status(b: StatusBuilder, line: _Line) -> None:
    b.put("kube_proxy_replacement", spell(sv.KPR_MODE, _first_word(line.value)), line.evidence())


def _details_dsr(b: StatusBuilder, line: _Line) -> None:
    b.put("dsr_dispatch", line.value or None, line.evidence())


def _details_devices(b: StatusBuilder, line: _Line) -> None:
    _read_kpr_devices(b, _split_items(line.value), line.evidence())


_DETAILS: dict[str, _Reader] = {
    "Status": _details_status,
    "Socket LB": _on_off_of("socket_lb"),
    "Devices": _details_devices,
    "Mode": _first_word_of("nodeport_mode", sv.NODEPORT_MODE),
    "DSR Dispatch Mode": _details_dsr,
    "XDP Acceleration": _first_word_of("xdp_acceleration", sv.XDP_ACCELERATION),
    # The verbose `Services:` list (1.9+): `  - NodePort:   Enabled (Range: 30000-32767)`.
    "- NodePort": _on_off_of("bpf_nodeport"),
}

_ALL_LABELS = frozenset(_TOP) | frozenset(_DETAILS)


def status_label(raw: str) -> str | None:
    """The Cilium status label a printed line starts with ("Host Routing"), else None."""
    line = _split(_clean(raw))
    return line.label if line is not None and line.label in _ALL_LABELS else None


def _map_row(row: str) -> BpfMap | None:
    """`  Non-TCP connection tracking   65536` (the `Name  Size` header is skipped)."""
    name, _, size = row.rpartition(" ")
    name = " ".join(name.split())
    if not name or not _INT.match(size):
        return None
    return BpfMap(name=name, size=int(size))


def parse_status_text(text: str) -> AgentStatus:
    """Read every fact `cilium(-dbg) status [--verbose]` prints; None where it does not say."""
    b = StatusBuilder("text")
    block: str | None = None
    maps: list[BpfMap] = []
    maps_evidence: Evidence | None = None
    for item in _logical_lines(text):
        if isinstance(item, str):
            row = _map_row(item) if block == _BPF_MAPS else None
            if row is not None:
                maps.append(row)
            continue
        reader = _TOP.get(item.label)
        if reader is not None:
            block = item.label if item.label in (_KPR_DETAILS, _BPF_MAPS) else None
            if item.label == _BPF_MAPS and maps_evidence is None:
                maps_evidence = item.evidence()
            reader(b, item)
        elif block == _KPR_DETAILS and item.label in _DETAILS:
            _DETAILS[item.label](b, item)
    if maps_evidence is not None:
        b.put("bpf_maps", tuple(maps), maps_evidence)
    return b.build()
