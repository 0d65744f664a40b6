"""PATCH semantics by content type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cilium_tui.lab.kube.errors import ApiError
from cilium_tui.lab.kube.patch import apply_patch, merge_patch

CM = {"metadata": {"name": "c", "labels": {"a": "1"}}, "data": {"x": "1", "y": "2"}}


def _patch(content_type: str, body: Any) -> dict[str, Any]:
    return apply_patch(content_type, CM, json.dumps(body).encode())


def test_rfc7386_examples() -> None:
    # RFC 7386 appendix A, a selection
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": ["b"]}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "c"}, {"a": ["b"]}) == {"a": ["b"]}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.dictionaries(st.text(max_size=2), json_values, max_size=4),
    st.dictionaries(st.text(max_size=2), json_values, max_size=4),
)
def test_merge_patch_is_idempotent(target: dict[str, Any], patch: dict[str, Any]) -> None:
    once = merge_patch(target, patch)
    assert merge_patch(once, patch) == once
    assert merge_patch(target, {}) == target


def test_merge_and_strategic_without_lists() -> None:
    for content_type in (
        "application/merge-patch+json",
        "application/strategic-merge-patch+json; charset=utf-8",
    ):
        out = _patch(content_type, {"data": {"x": None, "z": "3"}})
        assert out["data"] == {"y": "2", "z": "3"}
        assert out["metadata"] == CM["metadata"]
    assert CM["data"] == {"x": "1", "y": "2"}  # the input is never changed


def test_json_patch() -> None:
    out = _patch(
        "application/json-patch+json",
        [{"op": "remove", "path": "/data/x"}, {"op": "add", "path": "/data/w", "value": "0"}],
    )
    assert out["data"] == {"y": "2", "w": "0"}
    with pytest.raises(ApiError) as e:
        _patch("application/json-patch+json", [{"op": "remove", "path": "/data/nope"}])
    assert e.value.code == 422
    with pytest.raises(ApiError) as e:
        _patch("application/json-patch+json", {"op": "add"})
    assert e.value.code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"metadata": {"finalizers": ["a"]}},
        {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}},
        {"data": {"$patch": "delete"}},
        {"$retainKeys": ["data"]},
    ],
)
def test_strategic_merge_the_lab_cannot_do_is_422(body: Any) -> None:
    with pytest.raises(ApiError) as e:
        _patch("application/strategic-merge-patch+json", body)
    assert (e.value.code, e.value.reason) == (422, "Invalid")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_unknown_content_type_is_415(content_type: str) -> None:
    with pytest.raises(ApiError) as e:
        _patch(content_type, {"data": {}})
    assert (e.value.code, e.value.reason) == (415, "UnsupportedMediaType")


def test_server_side_apply_is_refused_loudly() -> None:
    with pytest.raises(ApiError) as e:
        apply_patch("application/apply-patch+yaml", CM, b"data: {}")
    assert e.value.code == 415
    assert "not emulated" in e.value.message


def test_bad_json_is_400() -> None:
    with pytest.raises(ApiError) as e:
        apply_patch("application/merge-patch+json", CM, b"{nope")
    assert e.value.code == 400
