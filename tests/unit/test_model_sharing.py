"""What reads the same is held once: facts kept from the scan before, evidence shared by nodes."""

from __future__ import annotations

import json

from cilium_tui.facts.node import parse_node
from cilium_tui.model import AgentStatus, Evidence, NodeInfo, identical, unchanged


def _render(value: object) -> str:
    _render.calls += 1  # type: ignore[attr-defined]
    return json.dumps(value)


_render.calls = 0  # type: ignore[attr-defined]


def _status(value: object, *, clock_hz: int = 250) -> AgentStatus:
    evidence = {"clock_hz": Evidence.lazy("status JSON", ".clock-source.hertz", _render, value)}
    return AgentStatus(source_format="json", clock_hz=clock_hz, evidence=evidence)


def test_identical_statuses_are_kept_without_making_their_evidence_text() -> None:
    before = _status([250])
    calls = _render.calls  # type: ignore[attr-defined]
    assert unchanged(_status([250]), before) is before
    assert _render.calls == calls, "no evidence text made to compare"  # type: ignore[attr-defined]


def test_what_equality_leaves_out_still_counts() -> None:
    before = _status([250])
    assert _status([250]) == _status([True]) == _status({"x": 1})  # evidence is not compared
    assert unchanged(new := _status([True]), before) is new, "true prints otherwise than 1"
    assert unchanged(new := _status([250.0]), before) is new
    assert unchanged(new := _status([250], clock_hz=100), before) is new
    rendered = _status([250])
    assert rendered.evidence["clock_hz"].text == "[250]"
    assert unchanged(rendered, before) is before, "a made text compares with one to be made"
    node = NodeInfo("vm-1", labels={"a": "1"})
    assert NodeInfo("vm-1", labels={"a": "2"}) == node
    assert not identical(NodeInfo("vm-1", labels={"a": "2"}), node)
    assert unchanged(NodeInfo("vm-1", labels={"a": "1"}), node) is node
    assert unchanged(node, None) is node


def test_nodes_reading_the_same_value_share_one_evidence() -> None:
    def lazy(value: object) -> Evidence:
        return Evidence.lazy("status JSON", ".cilium.state", json.dumps, value)

    assert lazy("Ok") is lazy("Ok")
    assert lazy(1) is not lazy(True) and lazy(True).text == "true" and lazy(1).text == "1"
    assert lazy(0.0) is not lazy(-0.0) and lazy(-0.0).text == "-0.0"
    assert lazy(["eth0"]) is not lazy(["eth0"]), "a list may be anyone's: not shared"
    assert lazy("Ok") is not Evidence.lazy("status JSON", ".hubble.state", json.dumps, "Ok")


def test_nodes_reading_the_same_node_fields_share_their_evidence_and_labels() -> None:
    def node(name: str, ip: str) -> NodeInfo:
        served = {  # decoded, as a list's items are: every string a new object
            "metadata": {"name": name, "labels": {"kubernetes.io/os": "linux"}},
            "status": {
                "nodeInfo": {"kernelVersion": "6.8.0-63-generic"},
                "addresses": [{"type": "InternalIP", "address": ip}],
            },
        }
        return parse_node(json.loads(json.dumps(served)))

    a, b = node("vm-1", "10.0.0.1"), node("vm-2", "10.0.0.2")
    assert a.evidence["kernel_version"] is b.evidence["kernel_version"]
    assert a.evidence["kernel_version"] == Evidence(
        "Node", "status.nodeInfo.kernelVersion", "6.8.0-63-generic"
    )
    assert (
        a.evidence["internal_ip"].text == "10.0.0.1"
        and b.evidence["internal_ip"].text == "10.0.0.2"
    )
    (value_a,), (value_b,) = a.labels.values(), b.labels.values()
    assert value_a is value_b
