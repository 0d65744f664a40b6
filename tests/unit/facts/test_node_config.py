"""CiliumNodeConfig: which nodes an override selects, in which order they apply, what they hold."""

from __future__ import annotations

from typing import Any

import pytest

from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.node_config import (
    NodeConfigError,
    config_for_node,
    held_by_override,
    overrides_for,
    parse_node_config,
    parse_node_configs,
    selects,
)


def _cnc(name: str, defaults: dict[str, Any], selector: Any = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"defaults": defaults, **spec}
    if selector is not None:
        body["nodeSelector"] = selector
    return {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNodeConfig",
        "metadata": {"name": name, "namespace": "kube-system"},
        "spec": body,
    }


ARM = {"kubernetes.io/arch": "arm64", "kubernetes.io/hostname": "rock64-1"}
AMD = {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "k3s-vm-1"}


def test_match_labels_and_each_expression_operator() -> None:
    arm = parse_node_config(_cnc("a", {}, {"matchLabels": {"kubernetes.io/arch": "arm64"}}))
    assert selects(arm, ARM) and not selects(arm, AMD)
    cases = {
        "In": ({"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}, True, False),
        "NotIn": (
            {"key": "kubernetes.io/arch", "operator": "NotIn", "values": ["arm64"]},
            False,
            True,
        ),
        "Exists": ({"key": "kubernetes.io/arch", "operator": "Exists"}, True, True),
        "DoesNotExist": ({"key": "xdp", "operator": "DoesNotExist"}, True, True),
    }
    for operator, (expression, on_arm, on_amd) in cases.items():
        config = parse_node_config(_cnc("e", {}, {"matchExpressions": [expression]}))
        assert selects(config, ARM) is on_arm, operator
        assert selects(config, AMD) is on_amd, operator


def test_an_empty_selector_selects_every_node_and_a_missing_one_none() -> None:
    assert selects(parse_node_config(_cnc("all", {}, {})), AMD)
    assert not selects(parse_node_config(_cnc("none", {})), AMD)


def test_later_names_win_and_only_selected_overrides_count() -> None:
    configs, problems = parse_node_configs(
        [
            _cnc("b-later", {"enable-bbr": "false"}, {}),
            _cnc("a-first", {"enable-bbr": "true", "mtu": "9000"}, {}),
            _cnc("c-arm", {"mtu": "1500"}, {"matchLabels": {"kubernetes.io/arch": "arm64"}}),
        ]
    )
    assert not problems
    assert overrides_for(AMD, configs) == {
        "enable-bbr": ("false", "b-later"),
        "mtu": ("9000", "a-first"),
    }
    assert overrides_for(ARM, configs)["mtu"] == ("1500", "c-arm")


@pytest.mark.parametrize(
    ("obj", "error"),
    [
        ({"metadata": {}}, "without a name"),
        (_cnc("x", {"mtu": 9000}, {}), "not a map of strings"),
        (_cnc("x", {}, {"matchExpressions": [{"key": "k", "operator": "Near"}]}), "cannot read"),
        (_cnc("x", {}, {"matchExpressions": [{"key": "k", "operator": "In"}]}), "In with values"),
    ],
)
def test_an_unreadable_override_is_named_and_left_out(obj: dict[str, Any], error: str) -> None:
    with pytest.raises(NodeConfigError, match=error):
        parse_node_config(obj)
    configs, problems = parse_node_configs([obj, _cnc("good", {"mtu": "9000"}, {})])
    assert [c.name for c in configs] == ["good"]
    assert len(problems) == 1 and error in problems[0]


def test_a_node_s_configuration_has_the_override_and_says_where_it_comes_from() -> None:
    base = parse_configmap(
        {"data": {"enable-bpf-masquerade": "true", "enable-bbr": "true"}}, "1.16.3"
    )
    configs, _ = parse_node_configs(
        [_cnc("boards", {"enable-bpf-masquerade": "false"}, {"matchLabels": ARM})]
    )
    assert config_for_node(base, AMD, configs) is base
    board = config_for_node(base, ARM, configs)
    assert board is config_for_node(base, ARM, configs), "nodes alike share one merged config"
    masquerade = board.setting("bpf_masquerade")
    assert masquerade is not None and masquerade.value is False
    assert str(masquerade.evidence) == 'CiliumNodeConfig boards enable-bpf-masquerade: "false"'
    assert board.value("bbr") is True and board.overridden_by == {"enable-bpf-masquerade": "boards"}
    held = held_by_override(board, "bpf_masquerade", True)
    assert held is not None and held.startswith("CiliumNodeConfig boards sets enable-bpf-masq")
    assert held_by_override(board, "bpf_masquerade", False) is None
    assert held_by_override(board, "bbr", False) is None, "cilium-config's own key is not held"
