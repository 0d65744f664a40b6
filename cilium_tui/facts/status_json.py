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

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


def _canon(key: str) -> str:
    return key.replace("-", "").replace("_", "").lower()


@dataclass(frozen=True)
class _At:
    """A value found (or not) at a JSON path, and whether its parent object exists."""

    value: Any
    path: str
    parent_present: bool
    source: str

    def __getitem__(self, key: str) -> _At:
        path = f"{self.path}.{key}"
        if not isinstance(self.value, Mapping):
            return _At(_MISSING, path, False, self.source)
        wanted = _canon(key)
        for actual, value in self.value.items():
            if isinstance(actual, str) and _canon(actual) == wanted:
                return _At(value, f"{self.path}.{actual}", True, self.source)
        return _At(_MISSING, path, True, self.source)

    @property
    def present(self) -> bool:
        return isinstance(self.value, Mapping)

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
        return [_At(item, f"{self.path}[{i}]", True, self.source) for i, item in enumerate(value)]

    def evidence(self) -> Evidence:
        if self.value is _MISSING:
            return Evidence(self.source, self.path, "(absent)")
        try:
            literal = _bounded_json(self.value)
        except (ValueError, TypeError, RecursionError):  # cyclic or absurdly deep YAML
            literal = f"({type(self.value).__name__})"
        return Evidence(self.source, self.path, literal)


def _names(at: _At) -> tuple[str, ...]:
    """Names from `[{"name": …}]` or from plain strings."""
    names = (item["name"].text() if item.present else item.text() for item in at.each())
    return tuple(name for name in names if name)


def _read_cilium_and_kubernetes(b: StatusBuilder, root: _At) -> None:
    cilium = root["cilium"]
    b.put("cilium_state", spell(sv.STATE, cilium["state"].text()), cilium["state"].evidence())
    msg = cilium["msg"]
    version, revision = split_cilium_msg(msg.text() or "")
    b.put("cilium_version", version, msg.evidence())
    b.put("cilium_revision", revision, msg.evidence())
    k8s = root["kubernetes"]
    if spell(sv.STATE, k8s["state"].text()) != "Disabled":
        k8s_msg = k8s["msg"]
        version_text = kubernetes_version(k8s_msg.text() or "")
        b.put("kubernetes_version", version_text, k8s_msg.evidence())


def _read_kpr(b: StatusBuilder, root: _At) -> None:
    kpr = root["kube-proxy-replacement"]
    b.put("kube_proxy_replacement", spell(sv.KPR_MODE, kpr["mode"].text()), kpr["mode"].evidence())
    for devices in (kpr["deviceList"], kpr["devices"]):
        b.put("kpr_devices", _names(devices), devices.evidence())
    direct = kpr["directRoutingDevice"]
    b.put("direct_routing_device", direct.text(), direct.evidence())

    features = kpr["features"]
    # socketLB was called hostReachableServices before 1.12; newer agents may send both.
    for socket_lb in (features["socketLB"], features["hostReachableServices"]):
        if socket_lb.present:
            b.put("socket_lb", socket_lb["enabled"].flag(), socket_lb["enabled"].evidence())
    nodeport = features["nodePort"]
    if nodeport.present:
        b.put("bpf_nodeport", nodeport["enabled"].flag(), nodeport["enabled"].evidence())
    # XDP acceleration is a setting of its own: "Disabled" is true even with NodePort off.
    xdp = nodeport["acceleration"]
    b.put("xdp_acceleration", spell(sv.XDP_ACCELERATION, xdp.text()), xdp.evidence())
    if nodeport["enabled"].flag():  # the mode means nothing without BPF NodePort
        mode = nodeport["mode"]
        spelled = spell(sv.NODEPORT_MODE, mode.text())
        b.put("nodeport_mode", spelled, mode.evidence())
        if spelled in ("DSR", "Hybrid"):  # the dispatch mode means nothing for SNAT
            dsr = nodeport["dsrMode"]
            b.put("dsr_dispatch", dsr.text(), dsr.evidence())


def _read_routing(b: StatusBuilder, root: _At) -> None:
    routing = root["routing"]
    for at in (routing["intra-host-routing-mode"], root["host-routing"]["mode"]):
        b.put("host_routing", spell(sv.HOST_ROUTING, at.text()), at.evidence())
    inter = routing["inter-host-routing-mode"]
    network = spell(sv.NETWORK_ROUTING, inter.text())
    b.put("network_routing", network, inter.evidence())
    protocol = routing["tunnel-protocol"]
    if network == "Tunnel":
        b.put("tunnel_protocol", protocol.text(), protocol.evidence())
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
    b.put("masquerading", result, masq.evidence())


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
    b.put("bandwidth_manager", result, bwm.evidence())


def _read_big_tcp(b: StatusBuilder, root: _At) -> None:
    for field, key in (("ipv4_big_tcp", "ipv4-big-tcp"), ("ipv6_big_tcp", "ipv6-big-tcp")):
        big = root[key]
        if big.present:
            result = BigTCP(
                enabled=bool(big["enabled"].flag()),
                max_gso=big["maxGSO"].integer(),
                max_gro=big["maxGRO"].integer(),
            )
            b.put(field, result, big.evidence())


def _read_modes(b: StatusBuilder, root: _At) -> None:
    for field, at, table in (
        ("device_mode", root["datapath-mode"], sv.DEVICE_MODE),
        ("configured_device_mode", root["configured-datapath-mode"], sv.DEVICE_MODE),
        ("attach_mode", root["attach-mode"], sv.ATTACH_MODE),
        ("hubble", root["hubble"]["state"], sv.STATE),
        ("encryption", root["encryption"]["mode"], sv.ENCRYPTION),
    ):
        b.put(field, spell(table, at.text()), at.evidence())
    chaining = root["cni-chaining"]["mode"]
    b.put("cni_chaining", chaining.text(), chaining.evidence())
    firewall = root["host-firewall"]["mode"]
    b.put("host_firewall", sv.ON_OFF.get((firewall.text() or "").lower()), firewall.evidence())

    clock = root["clock-source"]
    b.put("clock_source", spell(sv.CLOCK_SOURCE, clock["mode"].text()), clock["mode"].evidence())
    hertz = clock["hertz"].integer()
    b.put("clock_hz", hertz if hertz else None, clock["hertz"].evidence())

    maps = root["bpf-maps"]
    if maps.present:
        ratio = maps["dynamic-size-ratio"]
        value = ratio.number() if ratio.value is not _MISSING else 0.0
        b.put("bpf_map_dynamic_ratio", value, ratio.evidence())
        rows = [(entry["name"].text(), entry["size"].integer()) for entry in maps["maps"].each()]
        found = tuple(BpfMap(name, size) for name, size in rows if name and size is not None)
        b.put("bpf_maps", found, maps["maps"].evidence())


def _status_root(doc: Mapping[str, Any], source: str) -> _At:
    """The StatusResponse itself, unwrapping a debuginfo's `cilium-status`."""
    top = _At(doc, "", True, source)
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
