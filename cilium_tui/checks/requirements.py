"""Kernel and Cilium version requirements: met, unmet, or not verifiable from what we read."""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.version import Version

from cilium_tui.facts.kernel import KernelVersion
from cilium_tui.facts.version import CiliumVersion

SOCKET_LB_KERNEL = ("4.19.57", "5.1.16", "5.2")
"""The tuning guide's "Kernel >= 4.19.57, >= 5.1.16, >= 5.2" (socket LB, conntrack bypass)."""

_DISTRO_ABI = re.compile(r"^\d+\.\d+\.0-\d+")


@lru_cache(maxsize=64)
def version(text: str) -> Version:
    """A requirement's version ("5.10", "4.19.57"), parsed once: every node checks the same few."""
    return Version(text)


def _hides_patch_level(kernel: KernelVersion) -> bool:
    """Debian and Ubuntu name kernels X.Y.0-ABI-flavour: the real patch level is not shown."""
    return bool(_DISTRO_ABI.match(kernel.release))


def at_least(kernel: KernelVersion, minimum: str) -> bool:
    return kernel.version >= version(minimum)


def kernel_meets(kernel: KernelVersion | None, *minimums: str) -> bool | None:
    """Whether `kernel` meets the requirement; None when it cannot be told.

    `minimums` is one version ("5.10") or a stable-series list ("4.19.57", "5.1.16", "5.2"): every
    entry but the last applies within its own major.minor series. Unknown (None) when the kernel
    is unknown, when a patch-level minimum meets a distribution release that hides its patch level
    (`4.19.0-24-arm64` is really 4.19.2xx), or for RHEL 8's 4.18, whose backports Cilium accepts.
    """
    if kernel is None:
        return None
    if at_least(kernel, minimums[-1]):
        return True
    if kernel.is_rhel8:
        return None
    for minimum in minimums:
        wanted = version(minimum)
        if kernel.version.release[:2] != wanted.release[:2]:
            continue
        if kernel.version >= wanted:
            return True
        if len(wanted.release) > 2 and _hides_patch_level(kernel):
            return None
        return False
    return False


def kernel_shortfall(kernel: KernelVersion, *minimums: str) -> str:
    """An unmet kernel requirement, short enough to group nodes by: "kernel 4.19 < 5.10"."""
    with_patch = any(len(version(m).release) > 2 for m in minimums)
    shown = str(kernel.version) if with_patch else kernel.short
    return f"kernel {shown} < {'/'.join(minimums)}"


def cilium_meets(cilium: CiliumVersion | None, minimum: str) -> bool | None:
    return None if cilium is None else cilium.at_least(minimum)


def cilium_shortfall(cilium: CiliumVersion, minimum: str) -> str:
    return f"Cilium {cilium} < {minimum}"
