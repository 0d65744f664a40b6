"""The agent's StatusResponse (`cilium-dbg status -o json`, the `cilium-status` of a debuginfo).

Keys follow `api/v1/openapi.yaml`, which changed across releases: `host-routing.mode` (<=1.15)
became `routing.{intra,inter}-host-routing-mode` (1.16+), `ipv6-big-tcp` arrived in 1.13,
`ipv4-big-tcp` in 1.14/1.15, `attach-mode`/`datapath-mode` in 1.16. Two rules keep the result
honest:

- Go marshals booleans with `omitempty`: `"enabled": false` is *absent*. A missing flag is
  therefore False when its parent object is present, and unknown (None) when the parent is absent.
- `routing.tunnel-protocol` is filled even in native routing; it is reported only when the
  inter-host mode is Tunnel (as the text output does), with the literal kept in the evidence.

Keys are matched ignoring case, `-` and `_`, which also reads `cilium status -o yaml`: that output
spells the same fields as lower-cased Go names (`ipv4bigtcp`, `maxgro`, `intrahostroutingmode`).
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from cilium_tui.facts import status_values as sv
from cilium_tui.facts.status_values import (
    StatusBuilder,
    kubernetes_version,
    spell,
    split_cilium_msg,
)
from cilium_tui.model import AgentStatus, BandwidthManager, BigTCP, BpfMap, Evidence, Masquerading

SOURCE = "status JSON"

_MISSING = object()
_MAX_LITERAL = 400


def _bounded_json(value: object) -> str:
    """The JSON of `value`, cut at _MAX_LITERAL characters. The encoder runs lazily, so YAML
    aliases nested into an exponentially large document (a "billion laughs") cost no more than
    the characters kept."""
    encoder = json.JSONEncoder(sort_keys=True, default=str)
    kept: list[str] = []
    size = 0
    for chunk in encoder.iterencode(value):
        kept.append(chunk)
        size += len(chunk)
        if size > _MAX_LITERAL:
            return "".join(kept)[:_MAX_LITERAL] + "…"
    return "".join(kept)


@functools.lru_cache(maxsize=1024)
def _canon(key: str) -> str:
    """A key with case, `-` and `_` ignored (cached: every agent spells the same few keys)."""
    return key.replace("-", "").replace("_", "").lower()


class _At:
    """A value found (or not) at a JSON path, and whether its parent object exists.

    A status read takes a hundred of these per agent and keeps evidence for a third of them,
    so the path is spelled only when evidence is made."""

    __slots__ = ("_parent", "_step", "parent_present", "source", "value")

    def __init__(
        self, value: Any, parent: _At | None, step: str, parent_present: bool, source: str
    ) -> None:
        self.value = value
        self._parent = parent
        self._step = step
        self.parent_present = parent_present
        self.source = source

    @property
    def path(self) -> str:
        parent = self._parent
        return self._step if parent is None else f"{parent.path}{self._step}"

    def __getitem__(self, key: str) -> _At:
        value = self.value
        if type(value) is not dict and not isinstance(value, Mapping):
            return _At(_MISSING, self, f".{key}", False, self.source)
        if key in value:  # JSON spells keys as asked: no scan of every key
            return _At(value[key], self, f".{key}", True, self.source)
        wanted = _canon(key)
        for actual, found in value.items():
            if isinstance(actual, str) and _canon(actual) == wanted:
                return _At(found, self, f".{actual}", True, self.source)
        return _At(_MISSING, self, f".{key}", True, self.source)

    @property
    def present(self) -> bool:
        value = self.value
        return type(value) is dict or isinstance(value, Mapping)

    def text(self) -> str | None:
        return self.value if isinstance(self.value, str) and self.value.strip() else None

    def flag(self) -> bool | None:
        """An omitempty boolean: absent under a present parent means False."""
        if isinstance(self.value, bool):
            return self.value
        return False if self.value is _MISSING and self.parent_present else None

    def integer(self) -> int | None:
        value = self.value
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return None

    def number(self) -> float | None:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) else None

    def each(self) -> list[_At]:
        """The elements of a JSON array (none when this is not one)."""
        value = self.value
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            return []
        return [_At(item, self, f"[{i}]", True, self.source) for i, item in enumerate(value)]

    def evidence(self) -> Evidence:
        """The value as JSON, encoded only if the evidence is ever read. (A scan keeps one per
        field per node: the path is interned, shared by every node's.)"""
        path = sys.intern(self.path)
        if self.value is _MISSING:
            return Evidence(self.source, path, "(absent)")
        return Evidence.lazy(self.source, path, _literal, self.value)


def _literal(value: object) -> str:
    try:
        return _bounded_json(value)
    except (ValueError, TypeError, RecursionError):  # cyclic or absurdly deep YAML
        return f"({type(value).__name__})"


def _names(at: _At) -> tuple[str, ...]:
    """Names from `[{"name": …}]` or from plain strings."""
    names = (item["name"].text() if item.present else item.text() for item in at.each())
    return tuple(name for name in names if name)


def _read_cilium_and_kubernetes(b: StatusBuilder, root: _At) -> None:
    cilium = root["cilium"]
    b.put_lazy("cilium_state", spell(sv.STATE, cilium["state"].text()), cilium["state"].evidence)
    msg = cilium["msg"]
    version, revision = split_cilium_msg(msg.text() or "")
    b.put_lazy("cilium_version", version, msg.evidence)
    b.put_lazy("cilium_revision", revision, msg.evidence)
    k8s = root["kubernetes"]
    if spell(sv.STATE, k8s["state"].text()) != "Disabled":
        k8s_msg = k8s["msg"]
        version_text = kubernetes_version(k8s_msg.text() or "")
        b.put_lazy("kubernetes_version", version_text, k8s_msg.evidence)


def _read_kpr(b: StatusBuilder, root: _At) -> None:
    kpr = root["kube-proxy-replacement"]
    b.put_lazy(
        "kube_proxy_replacement", spell(sv.KPR_MODE, kpr["mode"].text()), kpr["mode"].evidence
    )
    for devices in (kpr["deviceList"], kpr["devices"]):
        b.put_lazy("kpr_devices", _names(devices), devices.evidence)
    direct = kpr["directRoutingDevice"]
    b.put_lazy("direct_routing_device", direct.text(), direct.evidence)

    features = kpr["features"]
    # socketLB was called hostReachableServices before 1.12; newer agents may send both.
    for socket_lb in (features["socketLB"], features["hostReachableServices"]):
        if socket_lb.present:
            b.put_lazy("socket_lb", socket_lb["enabled"].flag(), socket_lb["enabled"].evidence)
    nodeport = features["nodePort"]
    if nodeport.present:
        b.put_lazy("bpf_nodeport", nodeport["enabled"].flag(), nodeport["enabled"].evidence)
    # XDP acceleration is a setting of its own: "Disabled" is true even with NodePort off.
    xdp = nodeport["acceleration"]
    b.put_lazy("xdp_acceleration", spell(sv.XDP_ACCELERATION, xdp.text()), xdp.evidence)
    if nodeport["enabled"].flag():  # the mode means nothing without BPF NodePort
        mode = nodeport["mode"]
        spelled = spell(sv.NODEPORT_MODE, mode.text())
        b.put_lazy("nodeport_mode", spelled, mode.evidence)
        if spelled in ("DSR", "Hybrid"):  # the dispatch mode means nothing for SNAT
            dsr = nodeport["dsrMode"]
            b.put_lazy("dsr_dispatch", dsr.text(), dsr.evidence)


def _read_routing(b: StatusBuilder, root: _At) -> None:
    routing = root["routing"]
    for at in (routing["intra-host-routing-mode"], root["host-routing"]["mode"]):
        b.put_lazy("host_routing", spell(sv.HOST_ROUTING, at.text()), at.evidence)
    inter = routing["inter-host-routing-mode"]
    network = spell(sv.NETWORK_ROUTING, inter.text())
    b.put_lazy("network_routing", network, inter.evidence)
    protocol = routing["tunnel-protocol"]
    if network == "Tunnel":
        b.put_lazy("tunnel_protocol", protocol.text(), protocol.evidence)
    elif protocol.text() is not None:
        b.note("tunnel_protocol", protocol.evidence())


def _read_masquerading(b: StatusBuilder, root: _At) -> None:
    masq = root["masquerading"]
    if not masq.present:
        return
    protocols = masq["enabledProtocols"]
    ipv4, ipv6 = protocols["ipv4"].flag(), protocols["ipv6"].flag()
    disabled = not masq["enabled"].flag() or (protocols.present and not (ipv4 or ipv6))
    mode = "Disabled" if disabled else spell(sv.MASQUERADING, masq["mode"].text())
    if mode is None:  # on, but in which datapath the output does not say: unknown
        return
    # The text output lists the KPR devices for BPF masquerading; so does this.
    devices = _names(root["kube-proxy-replacement"]["deviceList"]) if mode == "BPF" else ()
    result = Masquerading(
        mode=mode,
        ip_masq_agent=bool(masq["ip-masq-agent"].flag()),
        devices=devices,
        snat_exclusion_cidr=masq["snat-exclusion-cidr-v4"].text(),
        ipv4=ipv4,
        ipv6=ipv6,
    )
    b.put_lazy("masquerading", result, masq.evidence)


def _read_bandwidth_manager(b: StatusBuilder, root: _At) -> None:
    bwm = root["bandwidth-manager"]
    if not bwm.present:
        return
    enabled = bool(bwm["enabled"].flag())
    result = BandwidthManager(
        enabled=enabled,
        congestion_control=spell(sv.CONGESTION_CONTROL, bwm["congestionControl"].text())
        if enabled
        else None,
        devices=_names(bwm["devices"]),
    )
    b.put_lazy("bandwidth_manager", result, bwm.evidence)


def _read_big_tcp(b: StatusBuilder, root: _At) -> None:
    for field, key in (("ipv4_big_tcp", "ipv4-big-tcp"), ("ipv6_big_tcp", "ipv6-big-tcp")):
        big = root[key]
        if big.present:
            result = BigTCP(
                enabled=bool(big["enabled"].flag()),
                max_gso=big["maxGSO"].integer(),
                max_gro=big["maxGRO"].integer(),
            )
            b.put_lazy(field, result, big.evidence)


def _read_modes(b: StatusBuilder, root: _At) -> None:
    for field, at, table in (
        ("device_mode", root["datapath-mode"], sv.DEVICE_MODE),
        ("configured_device_mode", root["configured-datapath-mode"], sv.DEVICE_MODE),
        ("attach_mode", root["attach-mode"], sv.ATTACH_MODE),
        ("hubble", root["hubble"]["state"], sv.STATE),
        ("encryption", root["encryption"]["mode"], sv.ENCRYPTION),
    ):
        b.put_lazy(field, spell(table, at.text()), at.evidence)
    chaining = root["cni-chaining"]["mode"]
    b.put_lazy("cni_chaining", chaining.text(), chaining.evidence)
    firewall = root["host-firewall"]["mode"]
    b.put_lazy("host_firewall", sv.ON_OFF.get((firewall.text() or "").lower()), firewall.evidence)

    clock = root["clock-source"]
    b.put_lazy("clock_source", spell(sv.CLOCK_SOURCE, clock["mode"].text()), clock["mode"].evidence)
    hertz = clock["hertz"].integer()
    b.put_lazy("clock_hz", hertz if hertz else None, clock["hertz"].evidence)

    maps = root["bpf-maps"]
    if maps.present:
        ratio = maps["dynamic-size-ratio"]
        value = ratio.number() if ratio.value is not _MISSING else 0.0
        b.put_lazy("bpf_map_dynamic_ratio", value, ratio.evidence)
        rows = [(entry["name"].text(), entry["size"].integer()) for entry in maps["maps"].each()]
        found = tuple(BpfMap(name, size) for name, size in rows if name and size is not None)
        b.put_lazy("bpf_maps", found, maps["maps"].evidence)


def _status_root(doc: Mapping[str, Any], source: str) -> _At:
    """The StatusResponse itself, unwrapping a debuginfo's `cilium-status`."""
    top = _At(doc, None, "", True, source)
    wrapped = top["cilium-status"]
    return wrapped if wrapped.present else top


def parse_status_json(doc: Mapping[str, Any] | str, *, source: str = SOURCE) -> AgentStatus:
    """Read a StatusResponse (or a debuginfo wrapping one); anything unreadable stays unknown."""
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError):
            return AgentStatus(source_format="json")
    if not isinstance(doc, Mapping):
        return AgentStatus(source_format="json")
    root = _status_root(doc, source)
    b = StatusBuilder("json")
    for read in (
        _read_cilium_and_kubernetes,
        _read_kpr,
        _read_routing,
        _read_masquerading,
        _read_bandwidth_manager,
        _read_big_tcp,
        _read_modes,
    ):
        read(b, root)
    return b.build()


# -- the fields above, asked for one by one ------------------------------------------------------

READ_FIELDS: tuple[tuple[str, str], ...] = (
    ("cilium.state", "text"),
    ("cilium.msg", "text"),
    ("kubernetes.state", "text"),
    ("kubernetes.msg", "text"),
    ("kube-proxy-replacement", "object"),
    ("kube-proxy-replacement.mode", "text"),
    ("kube-proxy-replacement.deviceList[*].name", "names"),
    ("kube-proxy-replacement.devices[*]", "names"),
    ("kube-proxy-replacement.directRoutingDevice", "text"),
    ("kube-proxy-replacement.features.socketLB", "object"),
    ("kube-proxy-replacement.features.socketLB.enabled", "flag"),
    ("kube-proxy-replacement.features.hostReachableServices", "object"),
    ("kube-proxy-replacement.features.hostReachableServices.enabled", "flag"),
    ("kube-proxy-replacement.features.nodePort", "object"),
    ("kube-proxy-replacement.features.nodePort.enabled", "flag"),
    ("kube-proxy-replacement.features.nodePort.acceleration", "text"),
    ("kube-proxy-replacement.features.nodePort.mode", "text"),
    ("kube-proxy-replacement.features.nodePort.dsrMode", "text"),
    ("routing.intra-host-routing-mode", "text"),
    ("routing.inter-host-routing-mode", "text"),
    ("routing.tunnel-protocol", "text"),
    ("host-routing.mode", "text"),
    ("masquerading", "object"),
    ("masquerading.enabled", "flag"),
    ("masquerading.mode", "text"),
    ("masquerading.ip-masq-agent", "flag"),
    ("masquerading.snat-exclusion-cidr-v4", "text"),
    ("masquerading.enabledProtocols", "object"),
    ("masquerading.enabledProtocols.ipv4", "flag"),
    ("masquerading.enabledProtocols.ipv6", "flag"),
    ("bandwidth-manager", "object"),
    ("bandwidth-manager.enabled", "flag"),
    ("bandwidth-manager.congestionControl", "text"),
    ("bandwidth-manager.devices[*]", "names"),
    ("ipv4-big-tcp", "object"),
    ("ipv4-big-tcp.enabled", "flag"),
    ("ipv4-big-tcp.maxGSO", "number"),
    ("ipv4-big-tcp.maxGRO", "number"),
    ("ipv6-big-tcp", "object"),
    ("ipv6-big-tcp.enabled", "flag"),
    ("ipv6-big-tcp.maxGSO", "number"),
    ("ipv6-big-tcp.maxGRO", "number"),
    ("datapath-mode", "text"),
    ("configured-datapath-mode", "text"),
    ("attach-mode", "text"),
    ("hubble.state", "text"),
    ("encryption.mode", "text"),
    ("cni-chaining.mode", "text"),
    ("host-firewall.mode", "text"),
    ("clock-source.mode", "text"),
    ("clock-source.hertz", "number"),
    ("bpf-maps", "object"),
    ("bpf-maps.dynamic-size-ratio", "number"),
    ("bpf-maps.maps", "name-size rows"),
)
"""Every StatusResponse field the readers above use, and what it holds ("names": a list of
names, no spaces in them; "name-size rows": a list of {name, size}, names with spaces, so
printed a row at a time): the agent is asked
for these alone (`STATUS_JSONPATH`), so its answer is O(1) bytes where its full status lists
every peer node (O(N) per agent). "object" fields are asked only to learn whether the object
is there: a missing omitempty flag is False under a present parent, unknown otherwise."""

_FIELD_MARK = "\n#"
_NO_VALUE = "<no value>"  # what Go's template printing writes for a nil pointer


_ROW, _CELL = ";", "\t"


def _jsonpath_expression(path: str, kind: str) -> str:
    if kind == "name-size rows":
        cell, row = json.dumps(_CELL), json.dumps(_ROW)  # quoted as Go unquotes them
        return f"{{range .{path}[*]}}{{.name}}{{{cell}}}{{.size}}{{{row}}}{{end}}"
    return "{." + path + "}"


STATUS_JSONPATH = "".join(
    f"{_FIELD_MARK}{i}={_jsonpath_expression(path, kind)}"
    for i, (path, kind) in enumerate(READ_FIELDS)
)
"""The `-o jsonpath=` template of `cilium(-dbg) status` that prints READ_FIELDS, one a line
("#<index>=<value>"). The agent's CLI evaluates it with client-go's jsonpath over its Go structs
(pkg/command/output.go, as old as its `-o json`): scalars print as text, lists of scalars
space-separated, a present object as Go's struct syntax, a nil one as "<no value>"."""


def _leaf(text: str, kind: str) -> Any:
    """A printed value as JSON would hold it. Texts are interned: the same few ("Ok",
    "Disabled", a version) repeat on every node, and a scan keeps them per node."""
    if kind == "flag":
        return {"true": True, "false": False}.get(text, _MISSING)
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return _MISSING
    return sys.intern(text)


def _put(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        doc = doc.setdefault(key, {})
    if isinstance(doc.get(last), dict) and isinstance(value, dict):
        return  # an object marked present already holds its asked-for fields
    doc[last] = value


def status_from_jsonpath(output: str) -> dict[str, Any]:
    """The StatusResponse fields an agent printed for STATUS_JSONPATH, rebuilt as the JSON
    they come from (only those fields), for `parse_status_json`. Empty when it printed none."""
    values: dict[int, str] = {}
    for chunk in output.removesuffix("\n").split(_FIELD_MARK)[1:]:  # the CLI's Println
        number, sep, text = chunk.partition("=")
        if sep and number.isdigit() and int(number) < len(READ_FIELDS):
            values[int(number)] = text
    doc: dict[str, Any] = {}
    for index, text in sorted(values.items()):
        path, kind = READ_FIELDS[index]
        if not text or text == _NO_VALUE:
            continue
        if kind == "object":
            _put(doc, path, {})
        elif kind == "names":
            names = [sys.intern(name) for name in text.split()]
            if path.endswith("[*].name"):  # a list of objects named
                _put(doc, path.removesuffix("[*].name"), [{"name": n} for n in names])
            else:  # a list of names
                _put(doc, path.removesuffix("[*]"), names)
        elif kind == "name-size rows":
            rows = [row.partition(_CELL) for row in text.split(_ROW) if row]
            sized = [(sys.intern(name), _leaf(size, "number")) for name, _, size in rows]
            _put(doc, path, [{"name": name, "size": size} for name, size in sized])
        else:
            value = _leaf(text, kind)
            if value is not _MISSING:
                _put(doc, path, value)
    return doc
