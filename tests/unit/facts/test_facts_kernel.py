"""Kernel releases: real strings from nodes, the D samples, and anything else never crash."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from cilium_tui.facts.kernel import KernelVersion, kernel_at_least, parse_kernel
from tests.unit.facts.sampledata import sample_text

REAL = [
    ("6.2.0-39-generic", "6.2.0", "6.2"),
    ("4.19.0-24-arm64", "4.19.0", "4.19"),
    ("5.4.0-1109-azure", "5.4.0", "5.4"),
    ("6.6.54-talos", "6.6.54", "6.6"),
    ("5.15.79", "5.15.79", "5.15"),
    ("5.4.118-1.el7.elrepo.x86_64", "5.4.118", "5.4"),
    ("6.4.12-1-default", "6.4.12", "6.4"),
    ("5.4.0-1078-raspi", "5.4.0", "5.4"),
    ("6.11.0-1018-azure", "6.11.0", "6.11"),
    ("6.8.0-63-generic", "6.8.0", "6.8"),
    ("5.15.0-58-generic", "5.15.0", "5.15"),
    ("4.18.0-553.el8_10.x86_64", "4.18.0", "4.18"),
    ("4.18.0-372.9.1.el8.x86_64", "4.18.0", "4.18"),
    ("6.1.0-0.deb11.17-amd64", "6.1.0", "6.1"),
    ("5.10", "5.10.0", "5.10"),
]


@pytest.mark.parametrize(("release", "version", "short"), REAL)
def test_real_releases_parse(release: str, version: str, short: str) -> None:
    k = parse_kernel(release)
    assert k is not None
    assert k.version == Version(version)
    assert k.short == short
    assert k.release == release
    assert str(k) == release


@pytest.mark.parametrize(
    "garbage", [None, "", "   ", "garbage", "linux", "5", "v", "-5.4", "five.four", "٥.٤.١"]
)
def test_unreadable_releases_are_unknown(garbage: str | None) -> None:
    assert parse_kernel(garbage) is None
    assert kernel_at_least(garbage, "5.10") is None


@pytest.mark.parametrize(
    ("release", "minimum", "expected"),
    [
        ("4.19.0-24-arm64", "5.10", False),
        ("6.2.0-39-generic", "5.10", True),
        ("5.10.0-28-amd64", "5.10", True),
        ("5.9.16", "5.10", False),
        ("4.19.57-1", "4.19.57", True),
        ("4.19.56", "4.19.57", False),
        ("5.18.0", "5.18", True),
        ("6.3.0", "6.3", True),
        ("6.2.16", "6.3", False),
        # RHEL 8's 4.18 is *not* upstream 5.10: the checks must ask is_rhel86_or_newer explicitly.
        ("4.18.0-553.el8_10.x86_64", "5.10", False),
    ],
)
def test_kernel_at_least(release: str, minimum: str, expected: bool) -> None:
    assert kernel_at_least(release, minimum) is expected


def test_versions_order_numerically_not_lexically() -> None:
    releases = ["6.11.0-1018-azure", "4.19.0-24-arm64", "5.4.0-1109-azure", "6.2.0-39-generic"]
    parsed = [parse_kernel(r) for r in releases]
    assert all(p is not None for p in parsed)
    ordered = sorted(p for p in parsed if p is not None)
    assert [k.short for k in ordered] == ["4.19", "5.4", "6.2", "6.11"]


@pytest.mark.parametrize(
    ("release", "is_rhel8", "minor", "rhel86"),
    [
        ("4.18.0-553.el8_10.x86_64", True, 10, True),
        ("4.18.0-372.9.1.el8.x86_64", True, 6, True),  # RHEL 8.6 GA kernel: no _6 suffix
        ("4.18.0-372.32.1.el8_6.x86_64", True, 6, True),
        ("4.18.0-348.20.1.el8_5.x86_64", True, 5, False),
        ("4.18.0-305.7.1.el8_4.x86_64", True, 4, False),
        ("4.18.0-80.el8.x86_64", True, 0, False),
        ("4.18.0-477.10.1.el8_8.aarch64", True, 8, True),
        ("6.8.8-1.el8.elrepo.x86_64", False, None, False),  # ELRepo mainline on EL8: upstream rules
        ("5.4.118-1.el7.elrepo.x86_64", False, None, False),
        ("5.14.0-362.24.2.el9_3.x86_64", False, None, False),
        ("4.18.0-25-generic", False, None, False),
    ],
)
def test_rhel8_is_exposed_as_data(
    release: str, is_rhel8: bool, minor: int | None, rhel86: bool
) -> None:
    k = parse_kernel(release)
    assert k is not None
    assert k.is_rhel8 is is_rhel8
    assert k.rhel8_minor == minor
    assert k.is_rhel86_or_newer is rhel86


def _wide_kernels(text: str) -> list[str]:
    """KERNEL-VERSION column of `kubectl get nodes -o wide` (left-aligned: slice by header)."""
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    start, end = header.index("KERNEL-VERSION"), header.index("CONTAINER-RUNTIME")
    return [line[start:end].strip() for line in lines[1:]]


WIDE = {
    "D/talos-v1.8.1-proxmox-amd64-wide.txt": {"6.6.54-talos": True},
    "D/eks-bottlerocket-arm64-wide.txt": {"5.15.79": True},
    "D/rke2-azure-ubuntu18.04-wide.txt": {"5.4.0-1109-azure": False},
    "D/capi-azure-ubuntu24.04-wide.txt": {"6.11.0-1018-azure": True},
    "D/capi-azure-ubuntu24.04-notready-wide.txt": {"6.11.0-1018-azure": True},
    "D/kubeadm-ubuntu24.04-libvirt-wide.txt": {"6.8.0-63-generic": True},
    "D/kubeadm-mixed-x86-raspi-wide.txt": {"5.15.0-58-generic": True, "5.4.0-1078-raspi": False},
    "D/k3s-riscv64-opensuse-wide-pr7778.txt": {"6.4.12-1-default": True},
}


@pytest.mark.parametrize(("name", "expected"), sorted(WIDE.items()))
def test_d_samples_kernels_compare_against_5_10(name: str, expected: dict[str, bool]) -> None:
    kernels = _wide_kernels(sample_text(name))
    assert kernels, "the sample has node rows"
    assert set(kernels) == set(expected)
    for release in kernels:
        assert parse_kernel(release) is not None
        assert kernel_at_least(release, "5.10") is expected[release], release


def test_d_sample_nodeinfo_yaml_kernel() -> None:
    doc = yaml.safe_load(sample_text("D/nodeinfo-yaml-centos7-elrepo-harvester856.txt"))
    release = doc["status"]["nodeInfo"]["kernelVersion"]
    assert release == "5.4.118-1.el7.elrepo.x86_64"
    k = parse_kernel(release)
    assert k is not None and k.short == "5.4" and not k.is_rhel8
    assert kernel_at_least(release, "5.10") is False
    assert kernel_at_least(release, "5.4") is True


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(), st.from_regex(r"\d{1,12}\.\d{1,12}(\.\d{1,12})?.*")))
def test_parse_kernel_never_raises(release: str | None) -> None:
    k = parse_kernel(release)
    assert k is None or isinstance(k, KernelVersion)
    assert kernel_at_least(release, "5.10") in (None, True, False)
