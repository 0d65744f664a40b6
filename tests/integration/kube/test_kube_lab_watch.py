"""Watches against the lab API server with the official client's Watch helper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from cilium_tui.lab.kube import LabApiServer, Store
from tests.integration.kube.builders import seed


def _set_kernel(lab: LabApiServer, node: str, kernel: str) -> None:
    def change(obj: dict[str, Any]) -> None:
        obj["status"]["nodeInfo"]["kernelVersion"] = kernel

    lab.store.update("nodes", None, node, change)


def _events(stream: Iterator[dict[str, Any]], n: int) -> list[tuple[str, str]]:
    out = []
    for _ in range(n):
        event = next(stream)
        out.append((event["type"], event["raw_object"]["metadata"]["name"]))
    return out


def test_watch_lists_then_streams_changes_then_ends_at_timeout(
    lab: LabApiServer, core: client.CoreV1Api
) -> None:
    stream = watch.Watch().stream(core.list_node, timeout_seconds=1)
    assert _events(stream, 4) == [
        ("ADDED", "board-1"),
        ("ADDED", "vm-1"),
        ("ADDED", "vm-2"),
        ("ADDED", "vm-3"),
    ]
    _set_kernel(lab, "vm-2", "6.5.0-1-generic")
    event = next(stream)
    assert (event["type"], event["object"].metadata.name) == ("MODIFIED", "vm-2")
    assert event["object"].status.node_info.kernel_version == "6.5.0-1-generic"
    assert list(stream) == []  # the server ends the stream at timeoutSeconds


def test_watch_from_a_resource_version_sends_only_later_events(
    lab: LabApiServer, core: client.CoreV1Api
) -> None:
    rv = core.list_node().metadata.resource_version
    _set_kernel(lab, "vm-1", "6.5.0-1-generic")
    stream = watch.Watch().stream(core.list_node, resource_version=rv, timeout_seconds=1)
    assert _events(stream, 1) == [("MODIFIED", "vm-1")]
    assert list(stream) == []


def test_watch_label_selector_turns_transitions_into_added_and_deleted(
    lab: LabApiServer, core: client.CoreV1Api
) -> None:
    rv = core.list_pod_for_all_namespaces().metadata.resource_version

    def relabel(app: str) -> None:
        def change(obj: dict[str, Any]) -> None:
            obj["metadata"]["labels"]["k8s-app"] = app

        lab.store.update("pods", "kube-system", "coredns-59b4f5bbd5-x2vqf", change)

    relabel("cilium")
    relabel("kube-dns")
    stream = watch.Watch().stream(
        core.list_pod_for_all_namespaces,
        label_selector="k8s-app=cilium",
        resource_version=rv,
        timeout_seconds=1,
    )
    assert _events(stream, 2) == [
        ("ADDED", "coredns-59b4f5bbd5-x2vqf"),
        ("DELETED", "coredns-59b4f5bbd5-x2vqf"),
    ]


def test_watch_of_an_expired_resource_version_is_410_then_relist_works() -> None:
    with LabApiServer(store=Store(history=3)) as lab:
        seed(lab.store)
        api = config.new_client_from_config_dict(lab.kubeconfig(), persist_config=False)
        core = client.CoreV1Api(api)
        old = core.list_node().metadata.resource_version
        for kernel in ("6.3.0", "6.4.0", "6.5.0", "6.6.0"):
            _set_kernel(lab, "vm-1", kernel)
        with pytest.raises(ApiException) as e:
            list(watch.Watch().stream(core.list_node, resource_version=old, timeout_seconds=1))
        assert e.value.status == 410
        assert "Expired: too old resource version" in str(e.value.reason)
        fresh = core.list_node()
        assert fresh.items[1].status.node_info.kernel_version == "6.6.0"
        stream = watch.Watch().stream(
            core.list_node, resource_version=fresh.metadata.resource_version, timeout_seconds=1
        )
        _set_kernel(lab, "vm-3", "6.7.0")
        assert _events(stream, 1) == [("MODIFIED", "vm-3")]
        api.close()


def test_bookmarks_carry_the_current_resource_version() -> None:
    with LabApiServer(bookmark_interval=0.1) as lab:
        seed(lab.store)
        api = config.new_client_from_config_dict(lab.kubeconfig(), persist_config=False)
        core = client.CoreV1Api(api)
        rv = core.list_node().metadata.resource_version
        lab.store.update(
            "configmaps", "kube-system", "cilium-config", lambda cm: cm["data"].update(debug="true")
        )
        stream = watch.Watch().stream(
            core.list_node, resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=5
        )
        event = next(stream)
        assert event["type"] == "BOOKMARK"
        assert int(event["raw_object"]["metadata"]["resourceVersion"]) == int(rv) + 1
        api.close()
