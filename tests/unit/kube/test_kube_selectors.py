"""Label and field selectors as the real API server parses them."""

from __future__ import annotations

import pytest

from cilium_tui.lab.kube.errors import ApiError
from cilium_tui.lab.kube.selectors import object_filter, parse_field_selector, parse_label_selector

AGENT = {"k8s-app": "cilium", "app.kubernetes.io/part-of": "cilium"}
DNS = {"k8s-app": "kube-dns"}
BARE: dict[str, str] = {}


@pytest.mark.parametrize(
    ("selector", "agent", "dns", "bare"),
    [
        ("k8s-app=cilium", True, False, False),
        ("k8s-app==cilium", True, False, False),
        ("k8s-app!=cilium", False, True, True),  # != also matches objects without the key
        ("k8s-app in (cilium,kube-dns)", True, True, False),
        ("k8s-app in ( cilium , kube-dns )", True, True, False),
        ("k8s-app notin (cilium)", False, True, True),
        ("k8s-app", True, True, False),
        ("!k8s-app", False, False, True),
        ("k8s-app=cilium,app.kubernetes.io/part-of=cilium", True, False, False),
        (" k8s-app = cilium ", True, False, False),
        ("k8s-app=", False, False, False),
        ("", True, True, True),
    ],
)
def test_label_selector(selector: str, agent: bool, dns: bool, bare: bool) -> None:
    matches = parse_label_selector(selector)
    assert (matches(AGENT), matches(DNS), matches(BARE)) == (agent, dns, bare)


@pytest.mark.parametrize(
    "selector", ["k8s-app in cilium", "k8s-app in (cilium", "=x", "a b", "a=b=c", "a>1", "a,,b"]
)
def test_bad_label_selector_is_400(selector: str) -> None:
    with pytest.raises(ApiError) as e:
        parse_label_selector(selector)
    assert e.value.code == 400
    assert e.value.message.startswith("unable to parse requirement:")


POD = {"metadata": {"name": "cilium-x", "namespace": "kube-system"}, "spec": {"nodeName": "b1"}}
LABELS = ("metadata.name", "metadata.namespace", "spec.nodeName")


def test_field_selector() -> None:
    assert parse_field_selector("spec.nodeName=b1", LABELS)(POD)
    assert parse_field_selector("spec.nodeName==b1,metadata.namespace=kube-system", LABELS)(POD)
    assert not parse_field_selector("spec.nodeName!=b1", LABELS)(POD)
    assert parse_field_selector("metadata.name!=other", LABELS)(POD)
    assert not parse_field_selector("spec.nodeName=b2", LABELS)(POD)
    with pytest.raises(ApiError, match=r"field label not supported: status\.podIP"):
        parse_field_selector("status.podIP=1.2.3.4", LABELS)


def test_object_filter_combines_both() -> None:
    pod = {**POD, "metadata": {**POD["metadata"], "labels": AGENT}}
    assert object_filter("k8s-app=cilium", "spec.nodeName=b1", LABELS)(pod)
    assert not object_filter("k8s-app=cilium", "spec.nodeName=b2", LABELS)(pod)
    assert not object_filter("k8s-app=x", None, LABELS)(pod)
    assert object_filter(None, None, LABELS)(pod)
