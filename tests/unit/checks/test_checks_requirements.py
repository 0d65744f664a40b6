"""Kernel requirements: met, unmet, or not verifiable."""

from __future__ import annotations

import pytest

from cilium_tui.checks.requirements import (
    SOCKET_LB_KERNEL,
    cilium_shortfall,
    kernel_meets,
    kernel_shortfall,
)
from cilium_tui.facts.kernel import parse_kernel
from cilium_tui.facts.version import parse_cilium_version


@pytest.mark.parametrize(
    ("release", "minimums", "met"),
    [
        ("6.2.0-39-generic", ("5.10",), True),
        ("4.19.0-24-arm64", ("5.10",), False),
        ("5.10.0", ("5.10",), True),
        ("4.19.57", SOCKET_LB_KERNEL, True),
        ("4.19.56", SOCKET_LB_KERNEL, False),
        ("4.19.0-24-arm64", SOCKET_LB_KERNEL, None),  # Debian hides the patch level
        ("5.1.0-3-amd64", SOCKET_LB_KERNEL, None),
        ("5.1.16", SOCKET_LB_KERNEL, True),
        ("5.0.21", SOCKET_LB_KERNEL, False),
        ("4.20.17", SOCKET_LB_KERNEL, False),
        ("5.2.0", SOCKET_LB_KERNEL, True),
        ("4.18.0-372.9.1.el8.x86_64", ("5.10",), None),  # RHEL 8 backports
        ("4.18.0-1", ("5.10",), False),
        (None, ("5.10",), None),
    ],
)
def test_kernel_meets(release: str | None, minimums: tuple[str, ...], met: bool | None) -> None:
    assert kernel_meets(parse_kernel(release), *minimums) is met


def test_shortfalls_are_short_enough_to_group_nodes() -> None:
    board = parse_kernel("4.19.0-24-arm64")
    assert board is not None
    assert kernel_shortfall(board, "5.10") == "kernel 4.19 < 5.10"
    assert kernel_shortfall(board, *SOCKET_LB_KERNEL) == "kernel 4.19.0 < 4.19.57/5.1.16/5.2"
    version = parse_cilium_version("1.13.4")
    assert version is not None
    assert cilium_shortfall(version, "1.16") == "Cilium 1.13.4 < 1.16"
