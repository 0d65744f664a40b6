"""The fields a parser reads: an object cut to them reads exactly as the whole one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.collect.kube import agent_container
from cilium_tui.collect.scan import agent_pods_by_node
from cilium_tui.facts.fields import Fields, kept
from cilium_tui.facts.node import NODE_FIELDS, parse_node
from cilium_tui.facts.pod import AGENT_POD_FIELDS, parse_agent_pod
from cilium_tui.model import NodeInfo
from tests.conftest import DATA

NODES = sorted((DATA / "nodes").glob("*.json"))


def _node_facts(obj: Any) -> tuple[NodeInfo, dict[str, str], dict[str, Any]]:
    """Everything `parse_node` returns, the fields its equality leaves out included."""
    info = parse_node(obj)
    return info, dict(info.labels), dict(info.evidence)


def _keys(fields: Fields) -> set[str]:
    return {
        key
        for key, sub in fields.items()
        for key in {key} | (_keys(sub) if sub is not True else set())
    }


@pytest.mark.parametrize("path", NODES, ids=lambda p: p.stem)
def test_a_real_node_cut_to_its_fields_reads_the_same_and_is_smaller(path: Any) -> None:
    node = json.loads(path.read_text(encoding="utf-8"))
    cut = kept(node, NODE_FIELDS)
    assert _node_facts(cut) == _node_facts(node)
    assert "managedFields" not in cut["metadata"] and "images" not in cut["status"]
    assert len(json.dumps(cut)) < len(json.dumps(node)) / 2


def _agent_pod(**changes: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "metadata": {
            "name": "cilium-x7k2p",
            "namespace": "kube-system",
            "creationTimestamp": "2026-12-01T10:00:00Z",
            "labels": {"k8s-app": "cilium", "controller-revision-hash": "7d9c"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-01T09:59:00Z"},
            "managedFields": [{"manager": "kube-controller-manager", "fieldsV1": {"f:spec": {}}}],
        },
        "spec": {
            "nodeName": "board-1",
            "containers": [
                {
                    "name": "cilium-agent",
                    "image": "quay.io/cilium/cilium:v1.13.4@sha256:bde8",
                    "args": ["--config-dir=/tmp/cilium/config-map"],
                    "env": [{"name": "K8S_NODE_NAME"}],
                }
            ],
            "volumes": [{"name": "bpf-maps", "hostPath": {"path": "/sys/fs/bpf"}}],
        },
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "x"}],
            "containerStatuses": [
                {
                    "name": "cilium-agent",
                    "restartCount": 2,
                    "image": "quay.io/cilium/cilium:v1.13.4",
                    "imageID": "sha256:bde8",
                    "state": {"running": {"startedAt": "2026-12-01T10:00:05Z"}},
                    "lastState": {"terminated": {"exitCode": 1}},
                }
            ],
        },
    }
    pod.update(changes)
    return pod


def _pod_facts(pods: list[Mapping[str, Any]]) -> list[Any]:
    """What a scan reads of agent pods: each pod's facts and container, and which one of a
    node it asks."""
    chosen = {
        node: (pod, obj["metadata"]["name"])
        for node, (pod, obj) in agent_pods_by_node(pods).items()
    }
    return [[(parse_agent_pod(p), agent_container(p)) for p in pods], chosen]


def test_an_agent_pod_cut_to_its_fields_reads_the_same_and_is_smaller() -> None:
    terminating = _agent_pod()
    terminating["metadata"] = {
        **terminating["metadata"],
        "name": "cilium-old",
        "creationTimestamp": "2026-12-01T10:30:00Z",  # newer: it would win if not deleting
        "deletionTimestamp": "2026-12-01T11:00:00Z",
    }
    pods = [terminating, _agent_pod()]
    cut = [kept(p, AGENT_POD_FIELDS) for p in pods]
    assert _pod_facts(cut) == _pod_facts(pods)
    assert _pod_facts(cut)[1]["board-1"][1] == "cilium-x7k2p"
    assert "managedFields" not in cut[0]["metadata"] and "volumes" not in cut[0]["spec"]
    assert len(json.dumps(cut[0])) < len(json.dumps(pods[0])) / 2


_WORDS = sorted(_keys(NODE_FIELDS) | _keys(AGENT_POD_FIELDS) | {"annotations", "images", "x"})
_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-1, 3)
    | st.sampled_from(
        [
            "True",
            "False",
            "Ready",
            "Running",
            "InternalIP",
            "cilium-agent",
            "node-role.kubernetes.io/x",
            "v1",
        ]
    )
)
_OBJECTS = st.recursive(
    _VALUES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_WORDS), inner, max_size=5)
    ),
    max_leaves=24,
)


@given(st.dictionaries(st.sampled_from(["metadata", "spec", "status", "x"]), _OBJECTS, max_size=4))
@settings(max_examples=300, deadline=None)
def test_any_object_cut_to_the_fields_reads_the_same(obj: dict[str, Any]) -> None:
    assert _node_facts(kept(obj, NODE_FIELDS)) == _node_facts(obj)
    assert parse_agent_pod(kept(obj, AGENT_POD_FIELDS)) == parse_agent_pod(obj)


def test_kept_keeps_odd_values_and_list_order_as_they_came() -> None:
    fields: Fields = {"a": {"b": True}, "c": True}
    assert kept({"a": "text", "c": {"deep": 1}, "d": 1}, fields) == {"a": "text", "c": {"deep": 1}}
    assert kept({"a": [{"b": 2, "z": 0}, 3, {"z": 1}]}, fields) == {"a": [{"b": 2}, 3, {}]}
    assert kept([1, {"c": 2, "d": 3}], fields) == [1, {"c": 2}]
