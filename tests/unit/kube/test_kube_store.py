"""The lab store: resourceVersions, copy-on-write, optimistic concurrency, watch history."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cilium_tui.lab.kube.errors import ApiError
from cilium_tui.lab.kube.store import Store


def _cm(name: str = "cilium-config", **data: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "kube-system"}, "data": dict(data)}


def test_every_write_bumps_one_global_resource_version() -> None:
    store = Store(first_resource_version=100)
    a = store.create("configmaps", _cm("a"))
    b = store.create("configmaps", _cm("b"))
    assert (a["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"]) == ("101", "102")
    assert (a["kind"], a["apiVersion"]) == ("ConfigMap", "v1")
    assert a["metadata"]["uid"] != b["metadata"]["uid"]
    _, rv = store.list("configmaps")
    assert rv == "102"
    store.delete("configmaps", "kube-system", "a")
    assert store.resource_version == "103"


def test_create_twice_is_409_already_exists() -> None:
    store = Store()
    store.create("configmaps", _cm())
    with pytest.raises(ApiError) as e:
        store.create("configmaps", _cm())
    assert (e.value.code, e.value.reason) == (409, "AlreadyExists")


def test_namespaced_objects_need_a_namespace() -> None:
    with pytest.raises(ApiError) as e:
        Store().create("configmaps", {"metadata": {"name": "x"}})
    assert e.value.code == 422


def test_readers_get_copies() -> None:
    store = Store()
    store.create("configmaps", _cm(x="1"))
    got = store.get("configmaps", "kube-system", "cilium-config")
    got["data"]["x"] = "changed"
    assert store.get("configmaps", "kube-system", "cilium-config")["data"]["x"] == "1"


def test_update_with_stale_resource_version_is_409_and_changes_nothing() -> None:
    store = Store()
    first = store.create("configmaps", _cm(x="1"))
    store.update("configmaps", "kube-system", "cilium-config", lambda c: c["data"].update(x="2"))

    def stale(c: dict[str, Any]) -> None:
        c["metadata"]["resourceVersion"] = first["metadata"]["resourceVersion"]
        c["data"]["x"] = "3"

    with pytest.raises(ApiError) as e:
        store.update("configmaps", "kube-system", "cilium-config", stale)
    assert e.value.code == 409
    assert store.get("configmaps", "kube-system", "cilium-config")["data"]["x"] == "2"


def test_no_op_update_writes_nothing() -> None:
    store = Store()
    store.create("configmaps", _cm(x="1"))
    rv = store.resource_version
    store.update("configmaps", "kube-system", "cilium-config", lambda c: None)
    assert store.resource_version == rv


def test_generation_follows_spec_changes_only() -> None:
    store = Store()
    ds = {"metadata": {"name": "cilium", "namespace": "kube-system"}, "spec": {"x": 1}}
    assert store.create("daemonsets", ds)["metadata"]["generation"] == 1
    after_status = store.update(
        "daemonsets", "kube-system", "cilium", lambda d: d.update(status={"numberReady": 1})
    )
    assert after_status["metadata"]["generation"] == 1
    after_spec = store.update(
        "daemonsets", "kube-system", "cilium", lambda d: d["spec"].update(x=2)
    )
    assert after_spec["metadata"]["generation"] == 2


def test_immutable_metadata_survives_updates() -> None:
    store = Store()
    made = store.create("configmaps", _cm())

    def vandal(c: dict[str, Any]) -> None:
        c["metadata"]["uid"] = "other"
        c["metadata"]["name"] = "renamed"

    out = store.update("configmaps", "kube-system", "cilium-config", vandal)
    assert (out["metadata"]["uid"], out["metadata"]["name"]) == (
        made["metadata"]["uid"],
        "cilium-config",
    )


def test_events_since_and_expiry() -> None:
    store = Store(history=3, first_resource_version=10)
    for i in range(5):
        store.put("configmaps", _cm(x=str(i)))
    events, current = store.events_since(12, "configmaps")
    assert current == 15
    assert [(e.type, e.resource_version) for e in events] == [
        ("MODIFIED", 13),
        ("MODIFIED", 14),
        ("MODIFIED", 15),
    ]
    assert events[0].previous is not None and events[0].previous["data"]["x"] == "1"
    assert store.events_since(15, "nodes") == ([], 15)
    with pytest.raises(ApiError) as e:
        store.events_since(11, "configmaps")
    assert (e.value.code, e.value.reason) == (410, "Expired")
    assert e.value.message == "too old resource version: 11 (13)"


def test_listeners_hear_every_write_from_any_thread() -> None:
    store = Store()
    heard: list[int] = []
    unsubscribe = store.subscribe(lambda: heard.append(1))
    threads = [
        threading.Thread(target=store.create, args=("configmaps", _cm(f"c{i}"))) for i in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(heard) == 20
    assert store.resource_version == str(1000 + 20)
    unsubscribe()
    store.create("configmaps", _cm("late"))
    assert len(heard) == 20


def test_list_filters_by_namespace_and_selectors() -> None:
    store = Store()
    store.put(
        "pods",
        {
            "metadata": {"name": "a", "namespace": "x", "labels": {"k": "v"}},
            "spec": {"nodeName": "n1"},
        },
    )
    store.put(
        "pods",
        {
            "metadata": {"name": "b", "namespace": "y", "labels": {"k": "v"}},
            "spec": {"nodeName": "n2"},
        },
    )
    names = lambda items: [o["metadata"]["name"] for o in items]  # noqa: E731
    assert names(store.list("pods")[0]) == ["a", "b"]
    assert names(store.list("pods", "y")[0]) == ["b"]
    assert names(
        store.list("pods", label_selector="k=v", field_selector="spec.nodeName=n1")[0]
    ) == ["a"]
