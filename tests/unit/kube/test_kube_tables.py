"""The lab's server-side Tables: content negotiation, Go's durations, kubectl's pod STATUS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cilium_tui.lab.kube.resources import CONFIGMAPS, NODES, PODS
from cilium_tui.lab.kube.tables import has_table, human_duration, table_version, to_table

KUBECTL_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("accept", "version"),
    [
        (KUBECTL_ACCEPT, "v1"),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json", "v1beta1"),
        ("application/json", None),  # the kubernetes client
        ("application/json, application/json;as=Table;v=v1;g=meta.k8s.io", None),  # JSON first
        ("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", None),
        ("application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io", None),
        ("", None),
    ],
)
def test_the_accept_header_decides(accept: str, version: str | None) -> None:
    assert table_version(accept) == version


@pytest.mark.parametrize(
    ("seconds", "text"),
    [  # worked through k8s.io/apimachinery/pkg/util/duration.HumanDuration
        (1, "1s"),
        (70, "70s"),
        (190, "3m10s"),
        (70 * 60, "70m"),
        (47 * 3600, "47h"),
        (49 * 3600, "2d1h"),
        ((8 * 24 + 2) * 3600, "8d"),
        (367 * 24 * 3600, "367d"),
        ((365 * 2 * 24 + 25) * 3600, "2y1d"),
        ((365 * 8 * 24 + 2) * 3600, "8y"),
        (-1, "0s"),
        (-2, "<invalid>"),
    ],
)
def test_human_duration_is_gos(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def _pod(**status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "cilium-x", "creationTimestamp": "2026-11-28T11:00:00Z"},
        "spec": {"nodeName": "vm-1", "containers": [{"name": "cilium-agent"}]},
        "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.1"}], **status},
    }


def _cells(pod: dict[str, Any]) -> list[Any]:
    table = to_table(PODS, [pod], {"resourceVersion": "7"}, "v1", now=NOW)
    cells: list[Any] = table["rows"][0]["cells"]
    return cells


def test_a_crash_looping_agent_reads_as_kubectl_prints_it() -> None:
    pod = _pod(
        containerStatuses=[
            {
                "name": "cilium-agent",
                "ready": False,
                "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"finishedAt": "2026-11-28T11:57:00Z", "exitCode": 1}},
            }
        ]
    )
    assert _cells(pod) == [
        "cilium-x", "0/1", "CrashLoopBackOff", "4 (3m ago)", "60m", "10.0.0.1", "vm-1",
        "<none>", "<none>",
    ]  # fmt: skip


def test_terminating_and_initializing_pods() -> None:
    running = {"name": "a", "ready": True, "restartCount": 0, "state": {"running": {}}}
    pod = _pod(containerStatuses=[running])
    pod["metadata"]["deletionTimestamp"] = "2026-11-28T11:59:00Z"
    assert _cells(pod)[1:4] == ["1/1", "Terminating", "0"]
    init = _pod(
        phase="Pending",
        initContainerStatuses=[
            {"name": "config", "state": {"terminated": {"exitCode": 0}}},
            {"name": "mount", "state": {"waiting": {"reason": "PodInitializing"}}},
        ],
    )
    init["spec"]["initContainers"] = [{"name": "config"}, {"name": "mount"}]
    assert _cells(init)[1:3] == ["0/1", "Init:1/2"]


def test_node_rows_and_what_the_rows_carry() -> None:
    node = {
        "metadata": {
            "name": "vm-1",
            "creationTimestamp": "2026-11-26T12:00:00Z",
            "labels": {"node-role.kubernetes.io/control-plane": "true"},
        },
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [{"type": "Ready", "status": "False"}],
            "addresses": [{"type": "InternalIP", "address": "192.168.50.11"}],
            "nodeInfo": {"kubeletVersion": "v1.26.6+k3s1", "kernelVersion": "6.2.0-39-generic"},
        },
    }
    table = to_table(NODES, [node], {"resourceVersion": "9"}, "v1", now=NOW)
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert [c["priority"] for c in table["columnDefinitions"]] == [0] * 5 + [1] * 5
    assert table["rows"][0]["cells"] == [
        "vm-1", "NotReady,SchedulingDisabled", "control-plane", "2d", "v1.26.6+k3s1",
        "192.168.50.11", "<none>", "<unknown>", "6.2.0-39-generic", "<unknown>",
    ]  # fmt: skip
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["rows"][0]["object"]["metadata"]["name"] == "vm-1"
    full = to_table(NODES, [node], {}, "v1", include_object="Object", now=NOW)
    assert full["rows"][0]["object"]["kind"] == "Node"
    assert "object" not in to_table(NODES, [node], {}, "v1", include_object="None")["rows"][0]
    assert has_table(NODES) and has_table(PODS) and not has_table(CONFIGMAPS)
