"""The lab's `cilium status -o json`: keys per release, omitempty booleans, API enum spellings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cilium_tui.lab.agent import start_agent
from cilium_tui.lab.host import HostState
from cilium_tui.lab.render_context import RenderContext
from cilium_tui.lab.render_json import STATUS_KEYS, UNPOPULATED, render_status_json
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import scenario, status_context
from tests.unit.lab.golden import GOLDEN

MODERN = HostState(
    hostname="node-1",
    kernel_release="6.8.0-60-generic",
    machine="x86_64",
    kernel_build="#60-Ubuntu SMP PREEMPT_DYNAMIC Fri May 16 13:31:15 UTC 2025",
    os_release="",
    nic_driver="mlx5_core",
)
CONTEXT = RenderContext(node_name="node-1", node_ip="10.0.0.11", pod_cidr="10.42.0.0/24")


def _config(minor: int, **extra: str) -> dict[str, str]:
    routing = {"tunnel": "disabled"} if minor == 13 else {"routing-mode": "native"}
    return {
        **routing,
        "kube-proxy-replacement": "strict" if minor == 13 else "true",
        "enable-bpf-masquerade": "true",
        "ipv4-native-routing-cidr": "10.42.0.0/16",
        "enable-hubble": "true",
        **extra,
    }


def _render(version: str, **extra: str) -> dict[str, Any]:
    minor = int(version.split(".")[1])
    outcome = start_agent(version, _config(minor, **extra), MODERN)
    assert outcome.status is not None, outcome.fatal
    ctx = RenderContext(**{**CONTEXT.__dict__, "agent": outcome.details})
    doc = render_status_json(outcome.status, version, ctx)
    json.dumps(doc)  # JSON-serialisable as is
    return doc


def _walk(value: object) -> list[object]:
    if isinstance(value, dict):
        return [value, *(v for item in value.values() for v in _walk(item))]
    if isinstance(value, list):
        return [v for item in value for v in _walk(item)]
    return [value]


VERSIONS = ["1.13.4", "1.14.0", "1.15.0-pre.2", "1.15.6", "1.16.4", "1.17.2", "1.18.2"]


@pytest.mark.parametrize("version", VERSIONS)
def test_top_level_keys_are_the_releases_populated_schema_keys(version: str) -> None:
    minor = int(version.split(".")[1])
    expected = set(STATUS_KEYS[minor] - UNPOPULATED)
    if minor in (14, 15):
        expected.discard("cni-file")  # 1.14.0 and 1.15.0-pre.2 output has no CNI config line
    if version == "1.15.0-pre.2":
        expected.discard("srv6")  # the SRv6 status came with 1.15.0
    doc = _render(version)
    assert set(doc) == expected
    assert set(doc) <= STATUS_KEYS[minor]


def test_the_release_differences_the_parsers_rely_on() -> None:
    assert "host-routing" in STATUS_KEYS[15] and "routing" not in STATUS_KEYS[15]
    assert "routing" in STATUS_KEYS[16] and "host-routing" not in STATUS_KEYS[16]
    assert "ipv4-big-tcp" not in STATUS_KEYS[13]
    assert "hubble-metrics" in STATUS_KEYS[18] and "hubble-metrics" not in STATUS_KEYS[17]
    assert len(STATUS_KEYS[13]) == 25


@pytest.mark.parametrize("version", VERSIONS)
def test_booleans_are_omitempty(version: str) -> None:
    """No `false` anywhere: Go's omitempty drops them; `true` values are present."""
    doc = _render(version, **{"enable-bandwidth-manager": "false"})
    values = _walk(doc)
    assert False not in [v for v in values if isinstance(v, bool)]
    assert True in values
    assert "enabled" not in doc["bandwidth-manager"]


def test_enum_spellings_follow_the_api() -> None:
    old = _render("1.13.4", **{"bpf-lb-mode": "dsr"})
    assert old["kube-proxy-replacement"]["mode"] == "Strict"
    assert old["host-routing"] == {"mode": "BPF"}
    assert old["masquerading"]["mode"] == "BPF"
    assert old["kube-proxy-replacement"]["features"]["nodePort"]["mode"] == "DSR"
    assert old["kube-proxy-replacement"]["features"]["nodePort"]["acceleration"] == "Disabled"
    assert old["ipv6-big-tcp"] == {}  # 1.13 carries only `enabled`

    new = _render(
        "1.18.2",
        **{
            "enable-bandwidth-manager": "true",
            "enable-bbr": "true",
            "datapath-mode": "netkit",
            "bpf-lb-acceleration": "best-effort",
        },
    )
    assert new["kube-proxy-replacement"]["mode"] == "True"
    assert new["bandwidth-manager"]["congestionControl"] == "bbr"
    assert new["routing"]["intra-host-routing-mode"] == "BPF"
    assert new["routing"]["tunnel-protocol"] == "vxlan"  # filled even in native mode
    assert new["attach-mode"] == "tcx" and new["datapath-mode"] == "netkit"
    assert new["kube-proxy-replacement"]["features"]["nodePort"]["acceleration"] == "Best-Effort"

    iptables = _render("1.17.2", **{"enable-bpf-masquerade": "false"})
    assert iptables["masquerading"]["mode"] == "iptables"
    assert iptables["routing"]["intra-host-routing-mode"] == "Legacy"


def test_big_tcp_objects_match_the_real_json_fragment() -> None:
    """IPv4 BIG TCP on, IPv6 off, as `cilium status -o json | grep -A3 big` showed it."""
    doc = _render("1.18.2", **{"enable-ipv4-big-tcp": "true"})
    rendered = json.dumps({k: doc[k] for k in ("ipv4-big-tcp", "ipv6-big-tcp")}, indent=2)
    body = (GOLDEN / "json-dev-2026-bigtcp-json-grep-issue45513.txt").read_text().splitlines()
    fragments = [line for line in body if not line.startswith("#") and line != "--"]
    lines = rendered.splitlines()
    for fragment in fragments:
        assert fragment.rstrip(",") in [line.rstrip(",") for line in lines]


@pytest.mark.parametrize("name", ["seed", "training", "modern"])
def test_text_and_json_of_one_agent_agree(name: str) -> None:
    """What the checklist reads from either output is the same fact."""
    sc = scenario(name)
    for node in sc.nodes:
        outcome = start_agent(sc.cilium_version, sc.config, node.host)
        assert outcome.status is not None
        ctx = status_context(sc, node, outcome.details)
        text = render_status_text(outcome.status, sc.cilium_version, verbose=True, context=ctx)
        doc = render_status_json(outcome.status, sc.cilium_version, ctx)
        fields = {
            m.group(1): m.group(2).split()
            for line in text.splitlines()
            if (m := re.match(r"^([A-Z][^:]+):\s+(.*)$", line))
        }
        host = (
            doc["routing"]["intra-host-routing-mode"]
            if "routing" in doc
            else doc["host-routing"]["mode"]
        )
        assert host in (fields.get("Host Routing") or fields["Routing"])
        assert fields["KubeProxyReplacement"][0] == doc["kube-proxy-replacement"]["mode"]
        masq = {"BPF": "BPF", "iptables": "IPTables"}[doc["masquerading"]["mode"]]
        assert fields["Masquerading"][0] == masq
        bwm = doc["bandwidth-manager"]
        assert (fields["BandwidthManager"][0] == "Disabled") is ("enabled" not in bwm)
        mode = doc["kube-proxy-replacement"]["features"]["nodePort"].get("mode")
        assert mode is None or re.search(rf"^  Mode:\s+{mode}$", text, re.M)
