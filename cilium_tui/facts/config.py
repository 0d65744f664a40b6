"""The `cilium-config` ConfigMap, normalised across Cilium versions, and how to write it back.

Cilium renamed and respelled its keys over the releases: 1.13 says `tunnel: disabled` where 1.14+
says `routing-mode: native`; `kube-proxy-replacement` went from `strict` to `true`; `node-port-mode`
became `bpf-lb-mode`. `SETTINGS` is the one table of what we read: per normalised setting, the keys
that carry it (with the Cilium releases that read each key), the value type and the agent's default
when no key is present. `SPELLINGS` is the reverse table the remediation code writes with.

Values are strings in a ConfigMap; booleans are read the way the agent's flag parser does (Go's
`strconv.ParseBool`: true/false in any case, 1/0, t/f). A value we cannot read gives
`Setting(value=None)` - unknown, never off. An absent key gives the documented default, marked
`defaulted`, or None where the default depends on the release.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import yaml

from cilium_tui.facts.timestamps import parse_time
from cilium_tui.facts.version import CiliumVersion, parse_cilium_version
from cilium_tui.facts.version_window import VersionWindow, minor_of
from cilium_tui.model import CiliumConfig, Setting

Value = str | bool | int | float
Kind = Literal["bool", "int", "float", "str", "choice"]

HELM_MANAGED_BY = "app.kubernetes.io/managed-by"
HELM_RELEASE = "meta.helm.sh/release-name"


class ConfigMapError(ValueError):
    """The text is not a ConfigMap (or a List holding one)."""


@dataclass(frozen=True)
class Key:
    """A ConfigMap key carrying a setting, and the Cilium releases whose agent reads it."""

    name: str
    since: str | None = None
    """First minor release that reads the key (None: every release we support)."""
    until: str | None = None
    """First minor release that no longer reads it."""
    values: Mapping[str, Value | None] | None = None
    """Raw (lower-cased) -> normalised value, when this key spells the setting its own way. A raw
    value mapped to None says nothing about the setting (the next key or the default decides)."""

    def read_by(self, version: CiliumVersion | None) -> bool:
        """Whether an agent of `version` reads this key (unknown version: assume it does)."""
        if version is None:
            return True
        if self.since is not None and not version.at_least(self.since):
            return False
        return self.until is None or not version.at_least(self.until)


@dataclass(frozen=True)
class SettingSpec:
    name: str
    kind: Kind
    keys: tuple[Key, ...]
    """In the order the agent gives them precedence; the current spelling is written."""
    default: Value | None = None
    """The agent's default with no key set; None when it depends on the release."""
    choices: tuple[str, ...] = ()


def _spec(
    name: str,
    kind: Kind,
    *keys: str | Key,
    default: Value | None = None,
    choices: tuple[str, ...] = (),
) -> SettingSpec:
    return SettingSpec(
        name, kind, tuple(k if isinstance(k, Key) else Key(k) for k in keys), default, choices
    )


_KPR_MODES = ("strict", "partial", "probe", "disabled", "true", "false")
_LB_MODES = ("snat", "dsr", "hybrid")
_ACCELERATIONS = ("disabled", "native", "best-effort", "generic")
_KPR_FULL: Mapping[str, Value | None] = {
    "strict": True,
    "true": True,
    "partial": False,
    "probe": False,
    "disabled": False,
    "false": False,
}

SETTINGS: Mapping[str, SettingSpec] = {
    s.name: s
    for s in (
        # 1.13 `tunnel: disabled|vxlan|geneve`; 1.14 reads both (the deprecated `tunnel` wins when
        # set); 1.15 removed `tunnel`.
        _spec(
            "routing_mode",
            "choice",
            Key(
                "tunnel",
                until="1.15",
                values={"disabled": "native", "vxlan": "tunnel", "geneve": "tunnel"},
            ),
            Key("routing-mode", since="1.14"),
            default="tunnel",
            choices=("native", "tunnel"),
        ),
        _spec(
            "tunnel_protocol",
            "choice",
            Key(
                "tunnel",
                until="1.15",
                values={"disabled": None, "vxlan": "vxlan", "geneve": "geneve"},
            ),
            Key("tunnel-protocol", since="1.14"),
            default="vxlan",
            choices=("vxlan", "geneve"),
        ),
        _spec("kube_proxy_replacement", "choice", "kube-proxy-replacement", choices=_KPR_MODES),
        # Full replacement: `strict` (<=1.15) or `true` (1.14+); partial/probe are not full.
        _spec("kpr_full", "bool", Key("kube-proxy-replacement", values=_KPR_FULL), default=False),
        _spec("bpf_masquerade", "bool", "enable-bpf-masquerade", default=False),
        _spec("ipv4_masquerade", "bool", "enable-ipv4-masquerade", default=True),
        _spec("host_legacy_routing", "bool", "enable-host-legacy-routing", default=False),
        _spec("ipsec", "bool", "enable-ipsec", default=False),
        _spec("wireguard", "bool", "enable-wireguard", default=False),
        _spec("endpoint_routes", "bool", "enable-endpoint-routes", default=False),
        _spec("ipv4", "bool", "enable-ipv4", default=True),
        _spec("ipv6", "bool", "enable-ipv6", default=False),
        _spec("cni_chaining", "str", "cni-chaining-mode", default="none"),
        _spec("install_no_conntrack", "bool", "install-no-conntrack-iptables-rules", default=False),
        _spec("bandwidth_manager", "bool", "enable-bandwidth-manager", default=False),
        _spec("bbr", "bool", Key("enable-bbr", since="1.12"), default=False),
        _spec(
            "bbr_hostns_only", "bool", Key("enable-bbr-hostns-only", since="1.18"), default=False
        ),
        _spec("ipv4_big_tcp", "bool", Key("enable-ipv4-big-tcp", since="1.14"), default=False),
        _spec("ipv6_big_tcp", "bool", Key("enable-ipv6-big-tcp", since="1.13"), default=False),
        _spec(
            "lb_mode",
            "choice",
            "bpf-lb-mode",
            "node-port-mode",
            default="snat",
            choices=_LB_MODES,
        ),
        _spec(
            "dsr_dispatch",
            "choice",
            "bpf-lb-dsr-dispatch",
            default="opt",
            choices=("opt", "ipip", "geneve"),
        ),
        _spec(
            "lb_acceleration",
            "choice",
            "bpf-lb-acceleration",
            "node-port-acceleration",
            default="disabled",
            choices=_ACCELERATIONS,
        ),
        # The 1.13 chart writes enable-hubble only when Hubble is on; the agent's default is off.
        _spec("hubble", "bool", "enable-hubble", default=False),
        _spec("mtu", "int", "mtu", default=0),  # 0 = auto-detect
        _spec("map_dynamic_size_ratio", "float", "bpf-map-dynamic-size-ratio"),
        _spec("ct_global_tcp_max", "int", "bpf-ct-global-tcp-max"),
        _spec("ct_global_any_max", "int", "bpf-ct-global-any-max"),
        _spec("nat_global_max", "int", "bpf-nat-global-max"),
        _spec("distributed_lru", "bool", Key("bpf-distributed-lru", since="1.18"), default=False),
        _spec(
            "datapath_mode",
            "choice",
            Key("datapath-mode", since="1.16"),
            default="veth",
            choices=("veth", "netkit", "netkit-l2", "auto"),
        ),
        _spec("enable_tcx", "bool", Key("enable-tcx", since="1.16")),
        _spec("native_routing_cidr", "str", "ipv4-native-routing-cidr", "native-routing-cidr"),
        _spec("auto_direct_node_routes", "bool", "auto-direct-node-routes", default=False),
        _spec("bpf_clock_probe", "bool", "enable-bpf-clock-probe", default=False),
    )
}

_BOOL = {"true": True, "t": True, "1": True, "false": False, "f": False, "0": False}
_INT = re.compile(r"^[+-]?\d{1,19}$", re.ASCII)
_FLOAT = re.compile(r"^[+-]?(?:\d{1,32}(?:\.\d{0,32})?|\.\d{1,32})(?:[eE][+-]?\d{1,3})?$", re.ASCII)


def _normalise(spec: SettingSpec, key: Key, raw: str) -> tuple[Value | None, bool]:
    """(value, whether this key says anything); an unreadable value is (None, True)."""
    text = raw.strip()
    if key.values is not None:
        lowered = text.lower()
        if lowered in key.values:
            value = key.values[lowered]
            return value, value is not None
        return None, True
    if spec.kind == "bool":
        return _BOOL.get(text.lower()), True
    if spec.kind == "int":
        return (int(text) if _INT.match(text) else None), True
    if spec.kind == "float":
        number = float(text) if _FLOAT.match(text) else math.nan
        return (number if math.isfinite(number) else None), True
    if spec.kind == "choice":
        return (text.lower() if text.lower() in spec.choices else None), True
    return text, True


def read_setting(
    spec: SettingSpec, data: Mapping[str, str], version: CiliumVersion | None = None
) -> Setting:
    """The setting as an agent of `version` reads `data` (any version, when unknown)."""
    for key in spec.keys:
        if not key.read_by(version) or key.name not in data:
            continue
        raw = data[key.name]
        if not raw.strip():  # an empty value is unset: the agent's default applies
            return Setting(spec.default, key.name, raw, defaulted=spec.default is not None)
        value, says = _normalise(spec, key, raw)
        if says:
            return Setting(value, key.name, raw)
    return Setting(spec.default, None, None, defaulted=spec.default is not None)


def _as_text(value: object) -> str | None:
    """ConfigMap data is strings; hand-written YAML may hold bare booleans and numbers."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def _version(cilium_version: CiliumVersion | str | None) -> CiliumVersion | None:
    if cilium_version is None or isinstance(cilium_version, CiliumVersion):
        return cilium_version
    return parse_cilium_version(cilium_version)


def _mapping(value: object) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_configmap(
    obj: Mapping[str, Any], cilium_version: CiliumVersion | str | None = None
) -> CiliumConfig:
    """A ConfigMap object (API JSON or loaded YAML) -> CiliumConfig with normalised settings.

    `cilium_version`, when known, decides which keys the agent reads (e.g. 1.15+ ignores `tunnel`).
    Settings are computed only when `data` is an object; otherwise every setting is unknown.
    """
    obj = _mapping(obj)
    meta = _mapping(obj.get("metadata"))
    labels, annotations = _mapping(meta.get("labels")), _mapping(meta.get("annotations"))
    raw_data = obj.get("data")
    data = {
        key: text
        for key, value in _mapping(raw_data).items()
        if isinstance(key, str) and (text := _as_text(value)) is not None
    }
    version = _version(cilium_version)
    settings = (
        {name: read_setting(spec, data, version) for name, spec in SETTINGS.items()}
        if isinstance(raw_data, Mapping)
        else {}
    )
    release = annotations.get(HELM_RELEASE)
    release = release if isinstance(release, str) and release else None
    managed_by = labels.get(HELM_MANAGED_BY)
    return CiliumConfig(
        data=data,
        namespace=_text(meta.get("namespace")) or "kube-system",
        name=_text(meta.get("name")) or "cilium-config",
        resource_version=_text(meta.get("resourceVersion")),
        helm_managed=release is not None
        or (isinstance(managed_by, str) and managed_by.lower() == "helm"),
        helm_release=release,
        settings=settings,
        labels={k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)},
        changed_at=max(
            (t for f in meta.get("managedFields") or [] if (t := _field_time(f)) is not None),
            default=None,
        ),
        read_as=str(version) if version is not None else None,
    )


def _field_time(entry: object) -> datetime | None:
    return parse_time(entry.get("time")) if isinstance(entry, Mapping) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)


def parse_configmap_yaml(
    text: str, cilium_version: CiliumVersion | str | None = None
) -> CiliumConfig:
    """`kubectl get cm cilium-config -o yaml` (or `-o json`, or a List holding it) as text.

    Markdown fences around the document are ignored. Raises ConfigMapError when the text is not a
    ConfigMap, so the caller can say so instead of showing defaults for a file that was not one.
    """
    try:
        doc = yaml.safe_load(_FENCE.sub("", text))
    except (yaml.YAMLError, RecursionError, ValueError) as err:
        raise ConfigMapError(f"not YAML: {err}") from err
    if isinstance(doc, Mapping) and doc.get("kind") == "List":
        listed = doc.get("items")
        items = [i for i in listed if isinstance(i, Mapping)] if isinstance(listed, list) else []
        named = [i for i in items if _mapping(i.get("metadata")).get("name") == "cilium-config"]
        doc = next(iter(named or items), None)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("data"), Mapping):
        raise ConfigMapError("not a ConfigMap with a data section")
    return parse_configmap(doc, cilium_version)


# ---------------------------------------------------------------------------------------------
# Writing: which key and spelling a given Cilium release understands
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spelling:
    """How releases from `since` on spell a setting (newest first in `SPELLINGS`)."""

    since: str | None
    key: str
    values: Mapping[Value, str]


SPELLINGS: Mapping[str, tuple[Spelling, ...]] = {
    "routing_mode": (
        Spelling("1.14", "routing-mode", {"native": "native", "tunnel": "tunnel"}),
        Spelling(None, "tunnel", {"native": "disabled", "tunnel": "vxlan"}),
    ),
    "tunnel_protocol": (
        Spelling("1.14", "tunnel-protocol", {"vxlan": "vxlan", "geneve": "geneve"}),
        Spelling(None, "tunnel", {"vxlan": "vxlan", "geneve": "geneve"}),
    ),
    "kpr_full": (
        Spelling("1.14", "kube-proxy-replacement", {True: "true", False: "false"}),
        Spelling(None, "kube-proxy-replacement", {True: "strict", False: "disabled"}),
    ),
    # 1.9 renamed the node-port-* load-balancer keys bpf-lb-* (Helm's nodePort.mode became
    # loadBalancer.mode).
    "lb_mode": (
        Spelling("1.9", "bpf-lb-mode", {m: m for m in _LB_MODES}),
        Spelling(None, "node-port-mode", {m: m for m in _LB_MODES}),
    ),
    "lb_acceleration": (
        Spelling("1.9", "bpf-lb-acceleration", {m: m for m in _ACCELERATIONS}),
        Spelling(None, "node-port-acceleration", {m: m for m in _ACCELERATIONS}),
    ),
}
"""Settings whose key or spelling changed between releases; all others are written with the first
key of their `SETTINGS` entry that the release reads, in the plain spelling of their type."""


@dataclass(frozen=True)
class ConfigWrite:
    """One ConfigMap change: set `key` to `value`, and delete the keys in `remove`."""

    key: str
    value: str
    remove: tuple[str, ...] = field(default=())
    """Other keys of the same setting that this release also reads (and could prefer), e.g. a
    leftover `tunnel` on 1.14 when writing `routing-mode`. Deleting them makes the write decide."""


def _plain_spelling(spec: SettingSpec, value: Value) -> str:
    if isinstance(value, bool):
        valid, text = spec.kind == "bool", ("true" if value else "false")
    elif isinstance(value, int | float):
        whole = isinstance(value, int)
        valid = (spec.kind == "int" and whole) or (spec.kind == "float" and math.isfinite(value))
        text = str(value)
    else:
        text = value.lower() if spec.kind == "choice" else value
        valid = spec.kind == "str" or (spec.kind == "choice" and text in spec.choices)
    if not valid:
        raise ValueError(f"{value!r} is not a valid value for {spec.name} ({spec.kind})")
    return text


def _target(
    name: str, version: CiliumVersion | None
) -> tuple[SettingSpec, Spelling | None, list[Key]]:
    """The setting, the release's special spelling (if any) and the keys the release reads."""
    spec = SETTINGS[name]
    readable = [k for k in spec.keys if k.read_by(version)]
    spellings = SPELLINGS.get(name, ())
    spelling = next(
        (s for s in spellings if version is None or s.since is None or version.at_least(s.since)),
        None,
    )
    if spelling is None and not readable:
        raise ValueError(f"Cilium {version} has no configuration key for {name}")
    return spec, spelling, readable


def config_write_for(
    name: str, value: Value, cilium_version: CiliumVersion | str | None
) -> ConfigWrite:
    """The ConfigMap change that sets `name` to `value` for a Cilium release.

    An unknown release gets the newest spelling. Raises KeyError for an unknown setting and
    ValueError for a value the setting cannot take or a release that has no key for it.
    """
    spec, spelling, readable = _target(name, _version(cilium_version))
    if spelling is None:
        key, text = readable[0].name, _plain_spelling(spec, value)
    elif value in spelling.values:
        key, text = spelling.key, spelling.values[value]
    else:
        raise ValueError(f"{value!r} is not a valid value for {name}")
    remove = tuple(dict.fromkeys(k.name for k in readable if k.name != key))
    return ConfigWrite(key, text, remove)


def _spelled_in(name: str, value: Value, window: VersionWindow) -> list[tuple[Spelling, str]]:
    """The spellings (newest first) some release in `window` writes, each with its releases."""
    found = []
    newer: str | None = None  # the first release of the next newer spelling
    for spelling in SPELLINGS[name]:
        since = minor_of(spelling.since) if spelling.since is not None else None
        until = minor_of(newer) if newer is not None else None
        last = None if until is None else (until[0], until[1] - 1)
        if value in spelling.values and window.overlaps(since, last):
            releases = f"Cilium >= {spelling.since}" if since is not None else f"Cilium < {newer}"
            found.append((spelling, releases))
        newer = spelling.since
    return found


def config_setting_in(name: str, value: Value, window: VersionWindow) -> str:
    """`key: value` as the releases in `window` spell it: one spelling when they agree, else each
    with its releases ("tunnel: disabled (Cilium < 1.14) or routing-mode: native (Cilium >=
    1.14)"). For advice on an output whose version is known only by its shape."""
    found = _spelled_in(name, value, window)
    keys = {s.key for s, _ in found}
    if len(keys) == 1:  # one key: name it once ("kube-proxy-replacement: true (...) or strict")
        return f"{keys.pop()}: {config_value_in(name, value, window)}"
    return " or ".join(f"{s.key}: {s.values[value]} ({releases})" for s, releases in found)


def config_value_in(name: str, value: Value, window: VersionWindow) -> str:
    """The value alone, as `config_setting_in` spells it (for a key that did not change)."""
    found = _spelled_in(name, value, window)
    if len(found) == 1:
        return found[0][0].values[value]
    return " or ".join(f"{s.values[value]} ({releases})" for s, releases in found)


def config_key_for(name: str, cilium_version: CiliumVersion | str | None) -> str:
    """The key a Cilium release reads for `name` (routing_mode: 1.13 "tunnel", 1.14+
    "routing-mode")."""
    _, spelling, readable = _target(name, _version(cilium_version))
    return spelling.key if spelling is not None else readable[0].name


def config_value_for(name: str, value: Value, cilium_version: CiliumVersion | str | None) -> str:
    """How a Cilium release spells `value` for `name` (KPR full: 1.13 "strict", 1.14+ "true")."""
    return config_write_for(name, value, cilium_version).value
