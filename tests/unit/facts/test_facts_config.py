"""cilium-config normalised across releases, and the reverse table remediation writes with."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.facts.config import (
    SETTINGS,
    SPELLINGS,
    ConfigMapError,
    ConfigWrite,
    Value,
    config_key_for,
    config_value_for,
    config_write_for,
    parse_configmap,
    parse_configmap_yaml,
    read_setting,
)
from cilium_tui.facts.version import parse_cilium_version
from cilium_tui.model import CiliumConfig, Evidence, Setting
from tests.unit.facts.sampledata import sample_text

E_1_14 = "E/v1.14.0-eks-eni-arm64-bottlerocket.yaml.txt"
E_1_17 = "E/v1.17.6-cee-kubeadm-native-kpr-true.yaml.txt"


def _cm(data: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def _values(config: CiliumConfig) -> dict[str, object]:
    return {name: s.value for name, s in config.settings.items()}


# --- the E samples ------------------------------------------------------------------------------


def test_e_sample_1_14_eks_eni() -> None:
    config = parse_configmap_yaml(sample_text(E_1_14))  # starts with a ```console fence
    assert (config.namespace, config.name, config.resource_version) == (
        "cilium",
        "cilium-config",
        "5229",
    )
    assert config.helm_managed is True
    assert config.helm_release == "cilium"
    assert config.data["ipam"] == "eni"
    assert config.setting("routing_mode") == Setting("native", "routing-mode", "native")
    assert config.value("kube_proxy_replacement") == "disabled"
    assert config.setting("kpr_full") == Setting(False, "kube-proxy-replacement", "disabled")
    # enable-bpf-masquerade is absent: the agent's default (off), and said to be a default
    assert config.setting("bpf_masquerade") == Setting(False, None, None, defaulted=True)
    assert config.setting("host_legacy_routing") == Setting(False, None, None, defaulted=True)
    assert config.value("bandwidth_manager") is True
    assert config.value("bbr") is False
    assert config.value("wireguard") is True
    assert config.value("endpoint_routes") is True
    assert config.value("hubble") is True
    assert config.value("map_dynamic_size_ratio") == 0.0025
    assert config.setting("tunnel_protocol") == Setting("vxlan", None, None, defaulted=True)
    assert config.value("native_routing_cidr") is None  # not set, no default
    assert config.value("enable_tcx") is None  # default depends on the release


def test_e_sample_1_17_kubeadm_native_kpr_true() -> None:
    config = parse_configmap_yaml(sample_text(E_1_17))
    assert (config.namespace, config.resource_version) == ("kube-system", "436")
    assert config.helm_managed is True  # both samples carry the Helm label and annotations
    assert config.helm_release == "cilium"
    assert config.setting("routing_mode") == Setting("native", "routing-mode", "native")
    assert config.value("kube_proxy_replacement") == "true"
    assert config.setting("kpr_full") == Setting(True, "kube-proxy-replacement", "true")
    assert config.setting("bpf_masquerade") == Setting(True, "enable-bpf-masquerade", "true")
    assert config.setting("host_legacy_routing") == Setting(False, None, None, defaulted=True)
    assert config.setting("bandwidth_manager") == Setting(False, None, None, defaulted=True)
    assert config.value("datapath_mode") == "veth"
    assert config.value("enable_tcx") is True
    assert config.value("native_routing_cidr") == "172.16.0.0/20"
    assert config.value("auto_direct_node_routes") is True
    assert config.value("tunnel_protocol") == "vxlan"  # present although routing is native
    assert config.value("distributed_lru") is False
    assert config.value("lb_acceleration") == "disabled"


def test_every_setting_is_read_from_a_real_configmap() -> None:
    config = parse_configmap_yaml(sample_text(E_1_17))
    assert set(config.settings) == set(SETTINGS)
    for name, setting in config.settings.items():
        assert setting.defaulted is (setting.key is None and setting.value is not None), name


def test_setting_evidence() -> None:
    config = parse_configmap_yaml(sample_text(E_1_17))
    assert config.settings["routing_mode"].evidence == Evidence(
        "cilium-config", "routing-mode", '"native"'
    )
    assert config.settings["host_legacy_routing"].evidence == Evidence(
        "cilium-config", "(absent)", "default False"
    )


# --- older and odd ConfigMaps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"tunnel": "disabled"}, {"routing_mode": "native", "tunnel_protocol": "vxlan"}),
        ({"tunnel": "geneve"}, {"routing_mode": "tunnel", "tunnel_protocol": "geneve"}),
        ({"tunnel": "vxlan"}, {"routing_mode": "tunnel", "tunnel_protocol": "vxlan"}),
        ({"tunnel": "bogus"}, {"routing_mode": None, "tunnel_protocol": None}),
        ({}, {"routing_mode": "tunnel", "tunnel_protocol": "vxlan"}),
        (
            {"kube-proxy-replacement": "strict"},
            {"kpr_full": True, "kube_proxy_replacement": "strict"},
        ),
        (
            {"kube-proxy-replacement": "Partial"},
            {"kpr_full": False, "kube_proxy_replacement": "partial"},
        ),
        ({"kube-proxy-replacement": "probe"}, {"kpr_full": False}),
        ({"kube-proxy-replacement": "TRUE"}, {"kpr_full": True, "kube_proxy_replacement": "true"}),
        ({"kube-proxy-replacement": "maybe"}, {"kpr_full": None, "kube_proxy_replacement": None}),
        ({}, {"kpr_full": False, "kube_proxy_replacement": None, "hubble": False}),
        (
            {"node-port-mode": "dsr", "node-port-acceleration": "native"},
            {"lb_mode": "dsr", "lb_acceleration": "native"},
        ),
        ({"bpf-lb-mode": "hybrid", "node-port-mode": "dsr"}, {"lb_mode": "hybrid"}),
        ({"bpf-lb-dsr-dispatch": "geneve"}, {"dsr_dispatch": "geneve"}),
        ({"native-routing-cidr": "10.0.0.0/8"}, {"native_routing_cidr": "10.0.0.0/8"}),
        ({"cni-chaining-mode": "aws-cni"}, {"cni_chaining": "aws-cni"}),
    ],
)
def test_keys_and_spellings_across_releases(
    data: dict[str, str], expected: dict[str, object]
) -> None:
    values = _values(parse_configmap(_cm(data)))
    assert {name: values[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("1", True),
        ("t", True),
        ("false", False),
        ("False", False),
        ("0", False),
        (" false ", False),
        ("yes", None),
        ("enabled", None),
    ],
)
def test_booleans_read_like_go_parsebool(raw: str, value: bool | None) -> None:
    setting = parse_configmap(_cm({"enable-bpf-masquerade": raw})).settings["bpf_masquerade"]
    assert setting == Setting(value, "enable-bpf-masquerade", raw)


@pytest.mark.parametrize(
    ("name", "key", "raw", "value"),
    [
        ("mtu", "mtu", "0", 0),  # 0 = auto-detect, as set (not defaulted)
        ("mtu", "mtu", "9000", 9000),
        ("mtu", "mtu", "jumbo", None),
        ("map_dynamic_size_ratio", "bpf-map-dynamic-size-ratio", "0.08", 0.08),
        ("map_dynamic_size_ratio", "bpf-map-dynamic-size-ratio", "1e-3", 0.001),
        ("map_dynamic_size_ratio", "bpf-map-dynamic-size-ratio", "nan", None),
        ("map_dynamic_size_ratio", "bpf-map-dynamic-size-ratio", "inf", None),
        ("ct_global_tcp_max", "bpf-ct-global-tcp-max", "524288", 524288),
        ("nat_global_max", "bpf-nat-global-max", "-", None),
        ("datapath_mode", "datapath-mode", "netkit-l2", "netkit-l2"),
        ("datapath_mode", "datapath-mode", "warp", None),
    ],
)
def test_numbers_and_choices(name: str, key: str, raw: str, value: object) -> None:
    setting = parse_configmap(_cm({key: raw})).settings[name]
    assert setting == Setting(value, key, raw)


def test_empty_value_means_unset() -> None:
    config = parse_configmap(_cm({"enable-hubble": "", "ipv4-native-routing-cidr": ""}))
    assert config.settings["hubble"] == Setting(False, "enable-hubble", "", defaulted=True)
    assert config.settings["native_routing_cidr"] == Setting(None, "ipv4-native-routing-cidr", "")


def test_the_release_decides_which_keys_count() -> None:
    data = _cm({"tunnel": "vxlan", "routing-mode": "native", "datapath-mode": "netkit"})
    on = {v: _values(parse_configmap(data, v)) for v in ("1.13.4", "1.14.0", "1.15.1", "1.16.4")}
    assert on["1.13.4"]["routing_mode"] == "tunnel"  # 1.13 knows only `tunnel`
    assert on["1.14.0"]["routing_mode"] == "tunnel"  # the deprecated key still wins on 1.14
    assert on["1.15.1"]["routing_mode"] == "native"  # 1.15 removed `tunnel`
    assert on["1.15.1"]["datapath_mode"] == "veth"  # no netkit before 1.16: always veth
    assert on["1.16.4"]["datapath_mode"] == "netkit"
    only_new = _cm({"routing-mode": "native"})
    assert parse_configmap(only_new, "1.13.4").value("routing_mode") == "tunnel"
    assert (
        parse_configmap(only_new, parse_cilium_version("1.14.0")).value("routing_mode") == "native"
    )
    assert parse_configmap(only_new).value("routing_mode") == "native"  # unknown release


@pytest.mark.parametrize(
    ("meta", "managed", "release"),
    [
        ({"labels": {"app.kubernetes.io/managed-by": "Helm"}}, True, None),
        ({"annotations": {"meta.helm.sh/release-name": "cilium-1"}}, True, "cilium-1"),
        ({"labels": {"app.kubernetes.io/managed-by": "helm"}}, True, None),
        ({"labels": {"app.kubernetes.io/managed-by": "argocd"}}, False, None),
        ({}, False, None),
    ],
)
def test_helm_management(meta: dict[str, Any], managed: bool, release: str | None) -> None:
    config = parse_configmap(_cm({}, name="cilium-config", **meta))
    assert (config.helm_managed, config.helm_release) == (managed, release)


def test_yaml_forms() -> None:
    cm = _cm({"routing-mode": "native"}, name="cilium-config", namespace="cilium")
    as_json = parse_configmap_yaml(json.dumps(cm))
    assert as_json.value("routing_mode") == "native"
    assert as_json.namespace == "cilium"
    listing = {"apiVersion": "v1", "kind": "List", "items": [_cm({}, name="other"), cm]}
    assert parse_configmap_yaml(json.dumps(listing)).value("routing_mode") == "native"
    bare = parse_configmap_yaml("data:\n  enable-bpf-masquerade: true\n  mtu: 9000\n")
    assert bare.data == {"enable-bpf-masquerade": "true", "mtu": "9000"}
    assert (bare.value("bpf_masquerade"), bare.value("mtu")) == (True, 9000)
    assert (bare.namespace, bare.name) == ("kube-system", "cilium-config")


@pytest.mark.parametrize(
    "text",
    ["", "just text", "- a\n- b", "data: [1, 2]", "kind: List\nitems: []", "a: [unclosed", "{"],
)
def test_not_a_configmap_is_a_clear_error(text: str) -> None:
    with pytest.raises(ConfigMapError):
        parse_configmap_yaml(text)


def test_without_a_data_object_settings_are_unknown_not_defaults() -> None:
    config = parse_configmap({"metadata": {"name": "cilium-config"}, "data": "oops"})
    assert config.settings == {}
    assert config.value("bpf_masquerade") is None
    assert config.setting("bpf_masquerade") is None


# --- writing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "version", "write"),
    [
        ("routing_mode", "native", "1.13.4", ConfigWrite("tunnel", "disabled")),
        ("routing_mode", "tunnel", "1.13.4", ConfigWrite("tunnel", "vxlan")),
        ("routing_mode", "native", "1.14.0", ConfigWrite("routing-mode", "native", ("tunnel",))),
        ("routing_mode", "native", "1.16.4", ConfigWrite("routing-mode", "native")),
        ("routing_mode", "native", None, ConfigWrite("routing-mode", "native", ("tunnel",))),
        ("tunnel_protocol", "geneve", "1.13.4", ConfigWrite("tunnel", "geneve")),
        ("tunnel_protocol", "geneve", "1.17.6-cee.1", ConfigWrite("tunnel-protocol", "geneve")),
        ("kpr_full", True, "1.13.4", ConfigWrite("kube-proxy-replacement", "strict")),
        ("kpr_full", False, "1.13.4", ConfigWrite("kube-proxy-replacement", "disabled")),
        ("kpr_full", True, "1.14.0", ConfigWrite("kube-proxy-replacement", "true")),
        ("kpr_full", True, "1.15.0-pre.2", ConfigWrite("kube-proxy-replacement", "true")),
        ("kpr_full", False, "1.18.0", ConfigWrite("kube-proxy-replacement", "false")),
        ("bpf_masquerade", True, "1.13.4", ConfigWrite("enable-bpf-masquerade", "true")),
        (
            "host_legacy_routing",
            False,
            "1.16.4",
            ConfigWrite("enable-host-legacy-routing", "false"),
        ),
        ("lb_mode", "dsr", "1.13.4", ConfigWrite("bpf-lb-mode", "dsr", ("node-port-mode",))),
        (
            "lb_acceleration",
            "best-effort",
            "1.17.2",
            ConfigWrite("bpf-lb-acceleration", "best-effort", ("node-port-acceleration",)),
        ),
        (
            "map_dynamic_size_ratio",
            0.08,
            "1.18.0",
            ConfigWrite("bpf-map-dynamic-size-ratio", "0.08"),
        ),
        ("mtu", 9000, "1.13.4", ConfigWrite("mtu", "9000")),
        ("distributed_lru", True, "1.18.0", ConfigWrite("bpf-distributed-lru", "true")),
        ("datapath_mode", "netkit", "1.16.0", ConfigWrite("datapath-mode", "netkit")),
    ],
)
def test_write_table(name: str, value: Value, version: str | None, write: ConfigWrite) -> None:
    assert config_write_for(name, value, version) == write
    assert config_key_for(name, version) == write.key
    assert config_value_for(name, value, version) == write.value


@pytest.mark.parametrize(
    ("name", "value", "version", "error"),
    [
        ("routing_mode", "fast", "1.16.4", ValueError),
        ("kpr_full", "yes", "1.16.4", ValueError),
        ("mtu", True, "1.16.4", ValueError),
        ("mtu", 1.5, "1.16.4", ValueError),
        ("map_dynamic_size_ratio", float("nan"), "1.16.4", ValueError),
        ("bpf_masquerade", "true", "1.16.4", ValueError),
        ("distributed_lru", True, "1.17.6", ValueError),  # no such key before 1.18
        ("datapath_mode", "netkit", "1.15.0", ValueError),
        ("warp_drive", True, "1.16.4", KeyError),
    ],
)
def test_write_refuses_what_the_release_cannot_take(
    name: str, value: Value, version: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        config_write_for(name, value, version)


def _sample_values(name: str) -> list[Value]:
    spec = SETTINGS[name]
    if name in SPELLINGS:
        return sorted({v for s in SPELLINGS[name] for v in s.values}, key=repr)
    return {
        "bool": [True, False],
        "int": [0, 131072],
        "float": [0.0025, 0.08],
        "str": ["10.0.0.0/8"],
        "choice": list(spec.choices),
    }[spec.kind]


@pytest.mark.parametrize(
    "version", ["1.13.4", "1.14.0", "1.15.1", "1.16.4", "1.17.6-cee.1", "1.18.2"]
)
@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_what_is_written_reads_back(name: str, version: str) -> None:
    """Writing a value for a release, then reading as that release, gives the value back."""
    for value in _sample_values(name):
        try:
            write = config_write_for(name, value, version)
        except ValueError:
            assert not any(k.read_by(parse_cilium_version(version)) for k in SETTINGS[name].keys)
            continue
        setting = read_setting(
            SETTINGS[name], {write.key: write.value}, parse_cilium_version(version)
        )
        assert setting.value == value, (name, value, version, write)
        assert setting.key == write.key


_DATA_VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["true", "false", "TRUE", "0", "1", "native", "tunnel", "disabled", "strict", ""]
    ),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
_DATA_KEYS = st.sampled_from(sorted({k.name for s in SETTINGS.values() for k in s.keys})) | st.text(
    max_size=8
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["data", "metadata", "kind"]),
        st.one_of(
            st.dictionaries(_DATA_KEYS, _DATA_VALUES, max_size=10),
            st.dictionaries(
                st.sampled_from(["labels", "annotations", "name", "namespace", "resourceVersion"]),
                st.one_of(
                    st.text(max_size=6),
                    st.dictionaries(st.text(max_size=30), _DATA_VALUES, max_size=3),
                ),
            ),
            _DATA_VALUES,
        ),
    ),
    st.sampled_from([None, "1.13.4", "1.16.4", "garbage"]),
)
def test_arbitrary_configmaps_never_raise(obj: dict[str, Any], version: str | None) -> None:
    config = parse_configmap(obj, version)
    assert set(config.settings) in (set(), set(SETTINGS))
    assert all(isinstance(v, str) for v in config.data.values())


@settings(max_examples=150, deadline=None)
@given(
    st.text(max_size=200)
    | st.sampled_from(["kind: List\nitems: 5", "kind: List\nitems: [1, {data: {}}]"])
)
def test_arbitrary_yaml_text_raises_only_configmaperror(text: str) -> None:
    try:
        config = parse_configmap_yaml(text)
    except ConfigMapError:
        return
    assert set(config.settings) == set(SETTINGS)
