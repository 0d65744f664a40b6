"""CiliumNodeConfig: per-node overrides of cilium-config, and the configuration a node really gets.

A CiliumNodeConfig (cilium.io/v2, v2alpha1 before 1.16) in the agents' namespace holds `defaults`,
key/value pairs read exactly like cilium-config's data, and a `nodeSelector` (a LabelSelector).
When an agent starts, its init container merges cilium-config with every CiliumNodeConfig whose
selector matches its Node, ordered by name, a later one overwriting an earlier one's keys
(per-node-config.rst; the CRD's own description). A missing selector matches no node; an empty
one, every node. So a cilium-config change never reaches a key a node's override sets: the one
thing the checklist and the planner must not miss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cilium_tui.facts.config import SETTINGS, Value, read_setting
from cilium_tui.facts.version import parse_cilium_version
from cilium_tui.model import CiliumConfig, LabelRequirement, NodeConfig

KIND = "CiliumNodeConfig"
PLURAL = "ciliumnodeconfigs"
GROUP = "cilium.io"
VERSIONS = ("v2", "v2alpha1")
"""Served versions, newest first: v2 from Cilium 1.16, v2alpha1 from 1.13."""

_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


class NodeConfigError(ValueError):
    """An object that is not a CiliumNodeConfig we can apply (the message says which part)."""


def _requirement(raw: object) -> LabelRequirement:
    if not isinstance(raw, Mapping):
        raise NodeConfigError("a matchExpressions entry is not an object")
    key, operator, values = raw.get("key"), raw.get("operator"), raw.get("values") or []
    if not isinstance(key, str) or operator not in _OPERATORS:
        raise NodeConfigError(f"matchExpressions: cannot read {dict(raw)!r}")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise NodeConfigError(f"matchExpressions {key}: values are not strings")
    if (operator in ("In", "NotIn")) != bool(values):
        raise NodeConfigError(f"matchExpressions {key}: {operator} with values {values!r}")
    return LabelRequirement(key, str(operator), tuple(values))


def parse_node_config(obj: Mapping[str, Any]) -> NodeConfig:
    """A CiliumNodeConfig object as the API serves it. Raises NodeConfigError."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else None
    name = meta.get("name") if meta else None
    if not isinstance(name, str) or not name:
        raise NodeConfigError("a CiliumNodeConfig without a name")
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        raise NodeConfigError(f"{name}: no spec")
    defaults = spec.get("defaults") or {}
    if not isinstance(defaults, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in defaults.items()
    ):
        raise NodeConfigError(f"{name}: spec.defaults is not a map of strings")
    selector = spec.get("nodeSelector")
    try:
        if selector is None:
            return NodeConfig(name, dict(defaults), selects=False)
        if not isinstance(selector, Mapping):
            raise NodeConfigError("spec.nodeSelector is not an object")
        labels = selector.get("matchLabels") or {}
        if not isinstance(labels, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            raise NodeConfigError("matchLabels is not a map of strings")
        expressions = selector.get("matchExpressions") or []
        if not isinstance(expressions, list):
            raise NodeConfigError("matchExpressions is not a list")
        requirements = tuple(LabelRequirement(k, "In", (v,)) for k, v in labels.items())
        requirements += tuple(_requirement(e) for e in expressions)
    except NodeConfigError as e:
        raise NodeConfigError(f"{name}: {e}") from None
    return NodeConfig(name, dict(defaults), requirements)


def parse_node_configs(
    objs: Iterable[Mapping[str, Any]],
) -> tuple[tuple[NodeConfig, ...], list[str]]:
    """Every readable CiliumNodeConfig, and a problem line for each that is not."""
    configs: list[NodeConfig] = []
    problems: list[str] = []
    for obj in objs:
        try:
            configs.append(parse_node_config(obj))
        except NodeConfigError as e:
            problems.append(f"{KIND} {e}: not applied by cilium-tui's judgement")
    return tuple(sorted(configs, key=lambda c: c.name)), problems


def _holds(requirement: LabelRequirement, labels: Mapping[str, str]) -> bool:
    present = requirement.key in labels
    match requirement.operator:
        case "In":
            return present and labels[requirement.key] in requirement.values
        case "NotIn":
            return not present or labels[requirement.key] not in requirement.values
        case "Exists":
            return present
        case _:  # DoesNotExist
            return not present


def selects(config: NodeConfig, labels: Mapping[str, str]) -> bool:
    """Whether the override applies to a Node with these labels."""
    return config.selects and all(_holds(r, labels) for r in config.requirements)


def overrides_for(
    labels: Mapping[str, str], configs: Sequence[NodeConfig]
) -> dict[str, tuple[str, str]]:
    """key -> (value, the CiliumNodeConfig that sets it), as the agent's init container merges
    them: in name order, the later one winning."""
    merged: dict[str, tuple[str, str]] = {}
    for config in sorted(configs, key=lambda c: c.name):
        if selects(config, labels):
            merged.update((key, (value, config.name)) for key, value in config.defaults.items())
    return merged


def config_for_node(
    config: CiliumConfig, labels: Mapping[str, str], configs: Sequence[NodeConfig]
) -> CiliumConfig:
    """The configuration a node with these labels starts its agent with: `config` itself when no
    override applies (the same object, so that judging stays cheap)."""
    overrides = overrides_for(labels, configs)
    if not overrides:
        return config
    return _merged(config, tuple(sorted(overrides.items())))


_Overrides = tuple[tuple[str, tuple[str, str]], ...]
_merges: dict[tuple[int, _Overrides], tuple[CiliumConfig, CiliumConfig]] = {}
"""Nodes with the same overrides share one merged config (5000 nodes, a handful of overrides).
Keyed by the base config's identity, which the entry keeps alive so the id is not reused."""


def _merged(config: CiliumConfig, overrides: _Overrides) -> CiliumConfig:
    cached = _merges.get((id(config), overrides))
    if cached is not None and cached[0] is config:
        return cached[1]
    if len(_merges) >= 64:
        _merges.clear()
    merged = _merge(config, overrides)
    _merges[(id(config), overrides)] = (config, merged)
    return merged


def _merge(config: CiliumConfig, overrides: _Overrides) -> CiliumConfig:
    data = dict(config.data)
    data.update((key, value) for key, (value, _) in overrides)
    version = parse_cilium_version(config.read_as) if config.read_as else None
    sources = {key: name for key, (_, name) in overrides}
    settings = dict(config.settings)
    for name, spec in SETTINGS.items():
        if any(key.name in sources for key in spec.keys):
            setting = read_setting(spec, data, version)
            source = sources.get(setting.key or "")
            if source is not None:
                setting = dataclasses.replace(setting, source=f"{KIND} {source}")
            settings[name] = setting
    return dataclasses.replace(config, data=data, settings=settings, overridden_by=dict(sources))


def held_by_override(config: CiliumConfig, setting: str, value: Value) -> str | None:
    """Why a node whose configuration is `config` does not get `setting` = `value` from
    cilium-config: a CiliumNodeConfig sets it otherwise there. None when nothing holds it."""
    found = config.setting(setting)
    if found is None or not found.source.startswith(KIND) or found.value == value:
        return None
    return (
        f'{found.source} sets {found.key}="{found.raw}" on this node: cilium-config\'s change '
        "does not reach it"
    )
