"""Kernel requirements: met, unmet, or not verifiable."""

from __future__ import annotations

import pytest

from cilium_tui.checks.items.routing import NETKIT_REQUIREMENTS
from cilium_tui.checks.items.throughput import BBR_REQUIREMENTS
from cilium_tui.checks.requirements import (
    SOCKET_LB_KERNEL,
    Failure,
    assess,
    cilium_minimum_kernel,
    cilium_shortfall,
    kernel_meets,
    kernel_shortfall,
    meets_cilium_minimum,
)
from cilium_tui.checks.view import NodeView
from cilium_tui.facts.kernel import parse_kernel
from cilium_tui.facts.version import parse_cilium_version
from tests.unit.checks.seed import board, config, modern, modern_config, snapshot


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


@pytest.mark.parametrize(
    ("version", "failure"),
    [("1.16.4", Failure.NO_EFFECT), ("1.19.1", Failure.NO_EFFECT), ("1.20.0", Failure.FATAL)],
)
def test_netkit_without_bpf_host_routing_is_a_start_up_error_from_1_20(
    version: str, failure: Failure
) -> None:
    """Until 1.19 netkit without BPF host routing falls back to veth; from 1.20 the agent
    refuses to start. The checklist and the planner read this one rule."""
    rec = modern(kernel="6.8.0-63-generic", cilium_version=version, host_routing="Legacy")
    view = NodeView(snapshot(rec, cilium_config=modern_config()), rec)
    found = assess(NETKIT_REQUIREMENTS, view)
    assert [u.text for u in found.unmet] == ["BPF host routing Legacy"]
    assert found.failure is failure


def test_a_gate_stops_what_the_agent_never_reaches() -> None:
    """BBR below kernel 5.1: the Bandwidth Manager turns itself off first, so the 5.18 check
    (fatal) is never reached: listed as lacking, but what turning it on does is "nothing"."""
    rec = board()
    view = NodeView(snapshot(rec, cilium_config=config()), rec)
    found = assess(BBR_REQUIREMENTS, view)
    assert "kernel 4.19 < 5.18" in [u.text for u in found.unmet]
    assert [u.text for u in found.reached] == ["kernel 4.19 < 5.1 (Bandwidth Manager)"]
    assert found.failure is Failure.NO_EFFECT


def test_cilium_minimum_kernel_per_release() -> None:
    assert cilium_minimum_kernel(parse_cilium_version("1.13.4")) is None
    assert cilium_minimum_kernel(parse_cilium_version("1.17.6")) == "5.4"
    assert cilium_minimum_kernel(parse_cilium_version("1.18.0")) == "5.10"
    rhel = parse_kernel("4.18.0-372.9.1.el8.x86_64")
    assert rhel is not None and meets_cilium_minimum(rhel, "5.10")
    old = parse_kernel("4.19.0-24-arm64")
    assert old is not None and not meets_cilium_minimum(old, "5.10")
