"""Cilium versions as printed by agents, image tags and CI builds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from cilium_tui.facts.version import CiliumVersion, cilium_at_least, parse_cilium_version


@pytest.mark.parametrize(
    ("printed", "text", "minor", "prerelease"),
    [
        ("1.13.4", "1.13.4", (1, 13), False),
        ("1.17.6-cee.1", "1.17.6-cee.1", (1, 17), False),
        ("1.15.0-pre.2", "1.15.0-pre.2", (1, 15), True),
        ("1.16.0-rc.1", "1.16.0-rc.1", (1, 16), True),
        ("1.14.0-snapshot.0", "1.14.0-snapshot.0", (1, 14), True),
        ("1.9.90", "1.9.90", (1, 9), False),
        ("v1.14.0", "1.14.0", (1, 14), False),
        ("v.1.9.90-r.83a1568", "1.9.90-r.83a1568", (1, 9), False),
        ("v1.16.4@sha256:0123abcd", "1.16.4", (1, 16), False),
        ("1.16", "1.16", (1, 16), False),
        ("1.13.4 (v1.13.4-4061cdfc)", "1.13.4", (1, 13), False),
    ],
)
def test_printed_forms(printed: str, text: str, minor: tuple[int, int], prerelease: bool) -> None:
    v = parse_cilium_version(printed)
    assert v is not None
    assert v.text == text
    assert str(v) == text
    assert v.minor == minor
    assert v.is_prerelease is prerelease


@pytest.mark.parametrize("garbage", [None, "", "OK", "latest", "vx.y", "1", "stable", "1.x.3"])
def test_unreadable_is_unknown(garbage: str | None) -> None:
    assert parse_cilium_version(garbage) is None
    assert cilium_at_least(garbage, "1.14") is None


@pytest.mark.parametrize(
    ("printed", "minimum", "expected"),
    [
        ("1.13.4", "1.14", False),
        ("1.14.0", "1.14", True),
        ("1.15.0-pre.2", "1.15", True),  # a pre-release behaves as its release line
        ("1.9.90", "1.10", False),  # a development build counts as the older line
        ("1.17.6-cee.1", "1.16", True),
        ("1.17.6-cee.1", "1.17.6", True),
        ("1.17.6-cee.1", "1.18", False),
        ("1.16", "1.16.0", True),
    ],
)
def test_at_least(printed: str, minimum: str, expected: bool) -> None:
    assert cilium_at_least(printed, minimum) is expected
    v = parse_cilium_version(printed)
    assert v is not None and v.at_least(minimum) is expected
    assert cilium_at_least(v, minimum) is expected


def test_ordering_puts_prereleases_before_their_release() -> None:
    texts = ["1.15.0", "1.13.4", "1.15.0-pre.2", "1.15.0-rc.1", "1.9.90", "1.14.0"]
    parsed = [parse_cilium_version(t) for t in texts]
    ordered = sorted(p for p in parsed if p is not None)
    assert [str(v) for v in ordered] == [
        "1.9.90",
        "1.13.4",
        "1.14.0",
        "1.15.0-pre.2",
        "1.15.0-rc.1",
        "1.15.0",
    ]
    pre = parse_cilium_version("1.15.0-pre.2")
    assert pre is not None and pre.version == Version("1.15.0a2")


def test_enterprise_builds_are_marked() -> None:
    cee = parse_cilium_version("1.17.6-cee.1")
    oss = parse_cilium_version("1.17.6")
    assert cee is not None and cee.is_enterprise
    assert oss is not None and not oss.is_enterprise


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(), st.from_regex(r"v?\.?\d{1,9}\.\d{1,9}(\.\d{1,9})?-.*")))
def test_parse_never_raises(text: str | None) -> None:
    v = parse_cilium_version(text)
    assert v is None or isinstance(v, CiliumVersion)
    assert cilium_at_least(text, "1.16") in (None, True, False)
