"""The StatusResponse parser: schema paths, omitempty booleans, versions of the schema, fuzzing."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.facts.status_json import parse_status_json
from cilium_tui.facts.status_text import parse_status_text
from cilium_tui.model import BandwidthManager, BigTCP, BpfMap, Evidence, Masquerading
from tests.conftest import DATA
from tests.unit.facts.sampledata import sample_text

STATUS = DATA / "status"


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((STATUS / name).read_text(encoding="utf-8"))
    return doc


def test_json_and_text_of_the_same_node_agree() -> None:
    from_json = parse_status_json(_load("status-1.17-native-bpf.json"))
    from_text = parse_status_text(sample_text("A/v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt"))
    assert from_json.source_format == "json"
    differs = {"source_format", "evidence", "bpf_maps", "ipv4_big_tcp", "ipv6_big_tcp"}
    for name in from_json.__dataclass_fields__:
        if name not in differs:
            assert getattr(from_json, name) == getattr(from_text, name), name
    # JSON also carries the sizes of disabled BIG TCP; the text prints only "Disabled"
    assert from_json.ipv4_big_tcp == BigTCP(enabled=False, max_gro=65536, max_gso=65536)
    assert from_text.ipv4_big_tcp == BigTCP(enabled=False)
    assert set(from_json.bpf_maps) <= set(from_text.bpf_maps)
    assert BpfMap("TCP connection tracking", 131072) in from_json.bpf_maps


def test_evidence_names_the_json_path_and_literal() -> None:
    status = parse_status_json(_load("status-1.17-native-bpf.json"))
    assert status.evidence["host_routing"] == Evidence(
        "status JSON", ".routing.intra-host-routing-mode", '"BPF"'
    )
    assert status.evidence["attach_mode"] == Evidence("status JSON", ".attach-mode", '"tcx"')
    assert (
        status.evidence["nodeport_mode"].where == ".kube-proxy-replacement.features.nodePort.mode"
    )


def test_tunnel_protocol_is_not_reported_in_native_mode_but_kept_as_evidence() -> None:
    status = parse_status_json(_load("status-1.17-native-bpf.json"))
    assert status.network_routing == "Native"
    assert status.tunnel_protocol is None
    assert status.evidence["tunnel_protocol"] == Evidence(
        "status JSON", ".routing.tunnel-protocol", '"vxlan"'
    )
    tunnel = parse_status_json(
        {"routing": {"inter-host-routing-mode": "Tunnel", "tunnel-protocol": "geneve"}}
    )
    assert tunnel.tunnel_protocol == "geneve"


def test_debuginfo_wrapping_a_1_13_status() -> None:
    status = parse_status_json(_load("debuginfo-1.13-strict-legacy.json"))
    assert status.cilium_version == "1.13.4"
    assert status.cilium_revision == "v1.13.4-4061cdfc"
    assert status.kubernetes_version == "v1.26.6+k3s1"
    assert status.kube_proxy_replacement == "Strict"
    assert status.kpr_devices == ("eth0",)
    assert status.direct_routing_device == "eth0"
    assert status.host_routing == "Legacy"
    assert status.evidence["host_routing"].where == ".cilium-status.host-routing.mode"
    assert status.network_routing is None  # no .routing before 1.16
    assert status.masquerading == Masquerading(mode="IPTables", ipv4=True, ipv6=False)
    assert status.bandwidth_manager == BandwidthManager(
        enabled=True, congestion_control="BBR", devices=("eth0",)
    )
    assert status.ipv6_big_tcp == BigTCP(enabled=False)
    assert status.ipv4_big_tcp is None  # absent from the 1.13 schema: unknown, not off
    assert (status.clock_source, status.clock_hz) == ("jiffies", 250)
    assert status.xdp_acceleration == "Disabled"  # schema's "None"
    assert status.nodeport_mode == "SNAT"
    assert status.socket_lb is True  # hostReachableServices, the pre-1.12 name
    assert status.hubble == "Disabled"
    assert status.attach_mode is None and status.device_mode is None


def test_newer_schema_fields() -> None:
    status = parse_status_json(
        {
            "configured-datapath-mode": "auto",
            "datapath-mode": "netkit",
            "attach-mode": "tc",
            "routing": {"inter-host-routing-mode": "Tunnel", "intra-host-routing-mode": "BPF"},
            "kube-proxy-replacement": {
                "mode": "True",
                "features": {
                    "nodePort": {
                        "enabled": True,
                        "mode": "Hybrid",
                        "dsrMode": "Geneve",
                        "acceleration": "Best-Effort",
                    }
                },
            },
            "ipv4-big-tcp": {"enabled": True, "maxGRO": 65536, "maxGSO": 196608},
            "encryption": {"mode": "Wireguard"},
            "host-firewall": {"mode": "Enabled", "devices": ["eth0"]},
            "masquerading": {
                "enabled": True,
                "enabledProtocols": {"ipv4": True},
                "mode": "BPF",
                "ip-masq-agent": True,
            },
            "kube-proxy-replacement-ignored": 1,
        }
    )
    assert (status.configured_device_mode, status.device_mode) == ("auto", "netkit")
    assert status.attach_mode == "Legacy TC"
    assert (status.network_routing, status.host_routing) == ("Tunnel", "BPF")
    assert status.tunnel_protocol is None  # tunnel, but the protocol was not sent
    assert status.nodeport_mode == "Hybrid"
    assert status.dsr_dispatch == "Geneve"
    assert status.xdp_acceleration == "Best-Effort"
    assert status.ipv4_big_tcp == BigTCP(enabled=True, max_gro=65536, max_gso=196608)
    assert status.encryption == "Wireguard"
    assert status.host_firewall is True
    assert status.masquerading == Masquerading(
        mode="BPF", ip_masq_agent=True, ipv4=True, ipv6=False
    )


@pytest.mark.parametrize(
    ("doc", "field", "expected"),
    [
        ({}, "masquerading", None),
        ({"masquerading": {}}, "masquerading", Masquerading(mode="Disabled")),
        (
            {"masquerading": {"enabled": True, "enabledProtocols": {}, "mode": "BPF"}},
            "masquerading",
            Masquerading(mode="Disabled", ipv4=False, ipv6=False),
        ),
        (
            {"masquerading": {"enabled": True, "mode": "iptables"}},
            "masquerading",
            Masquerading(mode="IPTables"),
        ),
        (  # on, but the output does not say in which datapath: unknown, not iptables
            {"masquerading": {"enabled": True, "enabledProtocols": {"ipv4": True}}},
            "masquerading",
            None,
        ),
        ({"kube-proxy-replacement": {"features": {"nodePort": {}}}}, "bpf_nodeport", False),
        ({"kube-proxy-replacement": {"features": {}}}, "bpf_nodeport", None),
        (
            {"kube-proxy-replacement": {"features": {"nodePort": {"enabled": True}}}},
            "bpf_nodeport",
            True,
        ),
        ({}, "bandwidth_manager", None),
        ({"bandwidth-manager": {}}, "bandwidth_manager", BandwidthManager(enabled=False)),
        ({"ipv6-big-tcp": {}}, "ipv6_big_tcp", BigTCP(enabled=False)),
        ({}, "ipv6_big_tcp", None),
        ({"kube-proxy-replacement": {"features": {}}}, "socket_lb", None),
        ({"kube-proxy-replacement": {"features": {"socketLB": {}}}}, "socket_lb", False),
        ({"bpf-maps": {}}, "bpf_map_dynamic_ratio", 0.0),
        ({}, "bpf_map_dynamic_ratio", None),
        (
            {"kube-proxy-replacement": {"features": {"nodePort": {"mode": "DSR"}}}},
            "nodeport_mode",
            None,  # NodePort not enabled: its mode is not in effect (the text omits it too)
        ),
        ({"clock-source": {"mode": "ktime", "hertz": 0}}, "clock_hz", None),
        ({"kubernetes": {"state": "Disabled", "msg": "1.27"}}, "kubernetes_version", None),
    ],
)
def test_omitempty_booleans_and_absent_parents(
    doc: dict[str, Any], field: str, expected: object
) -> None:
    assert getattr(parse_status_json(doc), field) == expected


def test_yaml_spelling_of_keys_reads_the_same() -> None:
    json_doc = {
        "routing": {"intra-host-routing-mode": "Legacy", "inter-host-routing-mode": "Native"},
        "kube-proxy-replacement": {"mode": "False"},
        "ipv4-big-tcp": {"enabled": True, "maxGRO": 196608, "maxGSO": 196608},
    }
    yaml_doc = {
        "routing": {"intrahostroutingmode": "Legacy", "interhostroutingmode": "Native"},
        "kubeproxyreplacement": {"mode": "False"},
        "ipv4bigtcp": {"enabled": True, "maxgro": 196608, "maxgso": 196608},
    }
    from_yaml = parse_status_json(yaml_doc, source="status YAML")
    assert from_yaml == parse_status_json(json_doc)
    assert from_yaml.evidence["host_routing"] == Evidence(
        "status YAML", ".routing.intrahostroutingmode", '"Legacy"'
    )


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "not json",
        "[1, 2]",
        "null",
        '{"routing": "BPF"}',
        {"cilium": {"msg": 5, "state": ["Ok"]}},
        {
            "bpf-maps": {
                "maps": [1, {"name": 3}, {"name": "NAT", "size": True}],
                "dynamic-size-ratio": "x",
            }
        },
        {"bpf-maps": {"dynamic-size-ratio": float("nan")}},
        {"kube-proxy-replacement": {"deviceList": "eth0", "devices": [None, 3]}},
        {"masquerading": [], "bandwidth-manager": "on", "ipv4-big-tcp": {"maxGRO": "big"}},
        {1: 2, None: {"a": "b"}},
    ],
)
def test_wrong_shapes_are_unknown_not_errors(doc: Any) -> None:
    status = parse_status_json(doc)
    assert status.source_format == "json"
    assert status.host_routing is None
    assert status.bpf_maps == ()
    assert status.kpr_devices == ()


def test_a_json_string_is_accepted() -> None:
    text = json.dumps({"host-routing": {"mode": "BPF"}})
    assert parse_status_json(text).host_routing == "BPF"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "routing",
                    "intra-host-routing-mode",
                    "inter-host-routing-mode",
                    "tunnel-protocol",
                    "host-routing",
                    "mode",
                    "enabled",
                    "masquerading",
                    "enabledProtocols",
                    "ipv4",
                    "kube-proxy-replacement",
                    "features",
                    "nodePort",
                    "deviceList",
                    "name",
                    "size",
                    "bpf-maps",
                    "maps",
                    "dynamic-size-ratio",
                    "cilium",
                    "msg",
                    "state",
                    "ipv4-big-tcp",
                    "maxGRO",
                    "cilium-status",
                    "clock-source",
                    "hertz",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_JSON)
def test_arbitrary_json_never_raises(doc: Any) -> None:
    status = parse_status_json(doc) if isinstance(doc, dict) else parse_status_json(json.dumps(doc))
    assert status.source_format == "json"


def test_evidence_is_encoded_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan parses every agent's status but shows few evidence texts: parsing encodes none;
    reading one encodes that one, once."""
    from cilium_tui.facts import status_json

    encoded: list[object] = []
    real = status_json._bounded_json

    def counting(value: object) -> str:
        encoded.append(value)
        return real(value)

    monkeypatch.setattr(status_json, "_bounded_json", counting)
    status = parse_status_json(_load("status-1.17-native-bpf.json"))
    assert len(status.evidence) > 20
    assert encoded == []
    masq = status.evidence["masquerading"]
    assert masq.text.startswith('{"enabled": true')
    assert masq.text == masq.text
    assert len(encoded) == 1


def test_lazy_evidence_equals_and_hashes_as_its_text() -> None:
    lazy = Evidence.lazy("status JSON", ".x", json.dumps, "on")
    plain = Evidence("status JSON", ".x", '"on"')
    assert lazy == plain and hash(lazy) == hash(plain) and str(lazy) == str(plain)
    assert lazy != Evidence("status JSON", ".x", '"off"')
    with pytest.raises(AttributeError):
        plain.text = "changed"  # type: ignore[misc]
    assert copy.deepcopy(lazy) == plain and pickle.loads(pickle.dumps(lazy)) == plain


def test_nodes_share_their_evidence_paths_and_repeated_values() -> None:
    """What a scan keeps per node: the paths and the texts every agent repeats are one object
    for all nodes, not a copy each."""
    from cilium_tui.facts.status_json import STATUS_JSONPATH, status_from_jsonpath

    printed = "\n#0=Ok\n#5=True"
    assert STATUS_JSONPATH.startswith("\n#0=")
    first, second = (parse_status_json(status_from_jsonpath(printed)) for _ in range(2))
    assert first.cilium_state == "Ok" and first.kube_proxy_replacement == "True"
    assert first.cilium_state is second.cilium_state
    assert first.evidence["cilium_state"].where is second.evidence["cilium_state"].where
