"""parse_status finds the document in what kubectl printed and picks the right parser."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.facts.status import looks_like_status, parse_status
from cilium_tui.facts.status_text import parse_status_text
from tests.conftest import DATA
from tests.unit.facts.sampledata import sample_names, sample_text

NOTICE = (
    'Defaulted container "cilium-agent" out of: cilium-agent, config (init), '
    "mount-cgroup (init), apply-sysctl-overwrites (init)\n"
)
JSON_DOC = (DATA / "status" / "status-1.17-native-bpf.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "wrapped",
    [
        JSON_DOC,
        NOTICE + JSON_DOC,
        "```json\n" + JSON_DOC + "```\n",
        "$ kubectl -n kube-system exec ds/cilium -- cilium-dbg status -o json\n"
        + JSON_DOC
        + "root@master:~# \n",
        JSON_DOC.replace("\n", "\r\n"),
        json.dumps(json.loads(JSON_DOC)),  # one line, as `-o json` piped through jq -c
    ],
)
def test_json_is_found_inside_noise(wrapped: str) -> None:
    status = parse_status(wrapped)
    assert status.source_format == "json"
    assert status.host_routing == "BPF"
    assert status.network_routing == "Native"
    assert status.cilium_version == "1.17.6-cee.1"


def test_debuginfo_json_is_unwrapped() -> None:
    text = (DATA / "status" / "debuginfo-1.13-strict-legacy.json").read_text(encoding="utf-8")
    status = parse_status(text)
    assert status.source_format == "json"
    assert status.host_routing == "Legacy"


@pytest.mark.parametrize("name", sample_names("A"))
def test_text_samples_go_to_the_text_parser(name: str) -> None:
    text = sample_text(name)
    assert parse_status(text) == parse_status_text(text)
    assert parse_status(text).source_format == "text"
    assert looks_like_status(text)


def test_yaml_status_is_read_with_go_field_names() -> None:
    text = (
        "cilium:\n"
        "  msg: 1.18.2 (v1.18.2-5f2b7ea8)\n"
        "  state: Ok\n"
        "kubeproxyreplacement:\n"
        '  mode: "True"\n'
        "routing:\n"
        "  interhostroutingmode: Tunnel\n"
        "  intrahostroutingmode: Legacy\n"
        "  tunnelprotocol: geneve\n"
        "masquerading:\n"
        "  enabled: true\n"
        "  enabledprotocols:\n"
        "    ipv4: true\n"
        "    ipv6: false\n"
        "  mode: iptables\n"
    )
    status = parse_status(text)
    assert status.source_format == "json"
    assert status.cilium_version == "1.18.2"
    assert status.kube_proxy_replacement == "True"
    assert (status.network_routing, status.tunnel_protocol, status.host_routing) == (
        "Tunnel",
        "geneve",
        "Legacy",
    )
    assert status.masquerading is not None and status.masquerading.mode == "IPTables"
    assert status.evidence["host_routing"].source == "status YAML"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "foo: bar\n",
        'error: unable to upgrade connection: container not found ("cilium-agent")',
        "{not json",
        '{"kind": "Pod", "apiVersion": "v1"}',
        "```\n```",
        "- a\n- b\n",
        'Error from server (NotFound): pods "cilium-x" not found',
    ],
)
def test_not_a_status_is_all_unknown(text: str) -> None:
    status = parse_status(text)
    assert status.is_empty
    assert not looks_like_status(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    parse_status(text)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
        max_leaves=20,
    ),
    st.sampled_from(["", NOTICE, "```\n"]),
)
def test_arbitrary_json_and_yaml_documents_never_raise(doc: object, prefix: str) -> None:
    parse_status(prefix + json.dumps(doc))
    parse_status(prefix + json.dumps(doc, indent=2)[1:])  # a cut document


def test_the_cluster_level_cilium_cli_summary_is_not_an_agent_status() -> None:
    """`cilium status` of cilium-cli (samples/C, cli-v1.13.4-eks-eni.txt) prints no node facts."""
    summary = (
        "    /¯¯\\\n"
        " /¯¯\\__/¯¯\\    Cilium:             OK\n"
        " \\__/¯¯\\__/    Operator:           OK\n"
        " /¯¯\\__/¯¯\\    Envoy DaemonSet:    disabled (using embedded mode)\n"
        " \\__/¯¯\\__/    Hubble Relay:       OK\n"
        "    \\__/       ClusterMesh:        disabled\n"
        "\n"
        "DaemonSet         cilium             Desired: 2, Ready: 2/2, Available: 2/2\n"
        "Containers:       cilium             Running: 2\n"
        "Cluster Pods:     4/4 managed by Cilium\n"
    )
    assert parse_status(summary).is_empty
    assert not looks_like_status(summary)


@pytest.mark.parametrize(
    "text",
    [
        "bandwidthmanager: &a\n  enabled: true\n  devices: [*a]\n",
        "bandwidthmanager:\n  enabled: true\n  1: one\n  two: 2\n",
        '{"bandwidth-manager": {"enabled": true, "devices": ' + "[" * 500 + "]" * 500 + "}}",
    ],
    ids=["yaml-cycle", "keys-json-cannot-sort", "deep-but-decodable"],
)
def test_hostile_documents_still_give_evidence(text: str) -> None:
    status = parse_status(text)
    assert status.bandwidth_manager is not None
    assert status.bandwidth_manager.enabled is True
    assert status.evidence["bandwidth_manager"].text


def test_yaml_aliases_nested_exponentially_give_a_bounded_literal() -> None:
    """A "billion laughs" paste: the evidence is cut, never expanded in full."""
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 8)]
    text = "\n".join([*levels, "bandwidth-manager:", "  enabled: true", "  devices: *a7"])
    status = parse_status(text)
    assert status.bandwidth_manager is not None and status.bandwidth_manager.enabled
    literal = status.evidence["bandwidth_manager"].text
    assert literal.endswith("…") and len(literal) <= 401


def test_json_too_deep_to_decode_is_unknown() -> None:
    text = '{"bandwidth-manager": {"enabled": true, "x": ' + "[" * 5000 + "]" * 5000 + "}}"
    assert parse_status(text).is_empty
