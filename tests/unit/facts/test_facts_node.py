"""Node objects as the API serves them, into NodeInfo with evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.facts.kernel import kernel_at_least
from cilium_tui.facts.node import parse_node
from cilium_tui.model import Evidence
from tests.conftest import DATA
from tests.unit.facts.sampledata import sample_text

NODES = DATA / "nodes"


def _node(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((NODES / f"{name}.json").read_text(encoding="utf-8"))
    return doc


def test_lab_vm_k3s_server() -> None:
    node = parse_node(_node("lab-vm-k3s-server"))
    assert node.name == "vm-1"
    assert node.kernel_version == "6.2.0-39-generic"
    assert node.architecture == "amd64"
    assert node.os_image == "Ubuntu 23.04"
    assert node.kubelet_version == "v1.26.6+k3s1"
    assert node.container_runtime == "containerd://1.7.1-k3s1"
    assert node.internal_ip == "10.10.0.11"
    assert node.external_ip is None
    assert node.hostname == "vm-1"
    assert node.roles == ("control-plane", "etcd", "master")
    assert node.ready is True
    assert node.ready_reason == "KubeletReady"
    assert node.unschedulable is False
    assert node.resource_version == "48213"
    assert node.labels["kubernetes.io/arch"] == "amd64"
    assert node.evidence["kernel_version"] == Evidence(
        "Node", "status.nodeInfo.kernelVersion", "6.2.0-39-generic"
    )
    assert node.evidence["ready"] == Evidence(
        "Node", "status.conditions[type=Ready]", "True (KubeletReady)"
    )
    assert node.evidence["internal_ip"].where == "status.addresses[type=InternalIP]"


def test_lab_board_k3s_agent() -> None:
    node = parse_node(_node("lab-board-k3s-agent"))
    assert node.name == "board-1"
    assert node.kernel_version == "4.19.0-24-arm64"
    assert kernel_at_least(node.kernel_version, "5.10") is False
    assert node.architecture == "arm64"
    assert node.os_image == "Debian GNU/Linux 10 (buster)"
    assert node.roles == ()  # k3s agents carry no role label
    assert "roles" not in node.evidence
    assert node.ready is True


def test_notready_cordoned_node_without_internal_ip() -> None:
    node = parse_node(_node("capz-notready-cordoned"))
    assert node.ready is False
    assert node.ready_reason == "KubeletNotReady"
    assert node.unschedulable is True
    assert node.evidence["unschedulable"] == Evidence("Node", "spec.unschedulable", "true")
    assert node.internal_ip is None  # kubectl prints <none>: unknown, not an empty string
    assert node.hostname == "az04-md-0-44z9r-2r8sf"
    assert node.roles == ()
    assert node.kernel_version == "6.11.0-1018-azure"


def test_role_labels_new_and_old() -> None:
    node = parse_node(_node("kubeadm-control-plane"))
    assert node.roles == ("control-plane", "master")
    assert node.evidence["roles"].text == (
        "node-role.kubernetes.io/control-plane, kubernetes.io/role=master"
    )


def test_nodeinfo_yaml_sample_reads_through_the_same_parser() -> None:
    """The D sample is a YAML rendering of `status.nodeInfo`; YAML loads to the same dict shape."""
    doc = yaml.safe_load(sample_text("D/nodeinfo-yaml-centos7-elrepo-harvester856.txt"))
    node = parse_node({"metadata": {"name": "harvester-node"}, **doc})
    assert node.kernel_version == "5.4.118-1.el7.elrepo.x86_64"
    assert node.architecture == "amd64"
    assert node.os_image == "CentOS Linux 7 (Core)"
    assert node.kubelet_version == "v1.20.6"
    assert node.container_runtime == "docker://20.10.6"
    assert node.ready is None  # no conditions in the fragment: unknown


@pytest.mark.parametrize(
    ("condition", "ready", "reason"),
    [
        (
            {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"},
            None,
            "NodeStatusUnknown",
        ),
        ({"type": "Ready", "status": "False"}, False, None),
        ({"type": "Ready"}, None, None),
        ({"type": "MemoryPressure", "status": "True"}, None, None),
    ],
)
def test_ready_condition(condition: dict[str, str], ready: bool | None, reason: str | None) -> None:
    node = parse_node({"metadata": {"name": "n"}, "status": {"conditions": [condition]}})
    assert node.ready is ready
    assert node.ready_reason == reason


@pytest.mark.parametrize(
    "obj",
    [
        {},
        {"metadata": None, "spec": "x", "status": []},
        {"metadata": {"name": 5, "labels": {"a": 1, 2: "b"}}},
        {"status": {"nodeInfo": {"kernelVersion": ["6.2"]}, "addresses": "10.0.0.1"}},
        {
            "status": {
                "addresses": [None, {"type": "InternalIP"}, {"type": "InternalIP", "address": 3}]
            }
        },
        {"spec": {"unschedulable": "true"}},
    ],
)
def test_wrong_shapes_are_unknown(obj: dict[str, Any]) -> None:
    node = parse_node(obj)
    assert node.name == ""
    assert node.kernel_version is None
    assert node.internal_ip is None
    assert node.unschedulable is False  # only a JSON true cordons


_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "metadata",
                    "name",
                    "labels",
                    "spec",
                    "status",
                    "nodeInfo",
                    "kernelVersion",
                    "addresses",
                    "type",
                    "address",
                    "conditions",
                    "status",
                    "reason",
                    "unschedulable",
                    "node-role.kubernetes.io/x",
                    "kubernetes.io/role",
                ]
            )
            | st.text(max_size=8),
            c,
            max_size=4,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["metadata", "spec", "status", "kind"]), _VALUE))
def test_arbitrary_objects_never_raise(obj: dict[str, Any]) -> None:
    node = parse_node(obj)
    assert isinstance(node.name, str)
    assert all(isinstance(r, str) and r for r in node.roles)


def test_pod_cidrs_from_spec() -> None:
    node = parse_node(_node("lab-board-k3s-agent"))
    assert node.pod_cidrs == ("10.42.3.0/24",)
    assert node.evidence["pod_cidrs"] == Evidence("Node", "spec.podCIDRs", "10.42.3.0/24")
    only_old_field = parse_node({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.0.1.0/24"}})
    assert only_old_field.pod_cidrs == ("10.0.1.0/24",)
    assert parse_node({"metadata": {"name": "n"}, "spec": {"podCIDRs": "bad"}}).pod_cidrs == ()
