"""Kernel releases as comparable versions.

Real releases carry distribution suffixes (`6.2.0-39-generic`, `4.19.0-24-arm64`,
`5.4.118-1.el7.elrepo.x86_64`, `6.6.54-talos`); only the leading major.minor[.patch] matters for
Cilium's feature probes, so that is what we compare. A release we cannot read is None (unknown).

One distribution needs more than the number: Red Hat backports BPF features into RHEL 8's 4.18, and
Cilium's documentation accepts RHEL 8.6's kernel (4.18.0-372 and later) in place of the upstream
minimum (5.4 for Cilium 1.16/1.17, 5.10 for 1.18+). `KernelVersion.rhel8_minor` exposes that as data
so the checks decide, rather than a comparison here quietly pretending 4.18 is 5.10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import Version

_RELEASE = re.compile(r"^\s*v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,6}))?", re.ASCII)
_RHEL8 = re.compile(r"^4\.18\.0-(\d{1,6})\b.*\.el8(?:_(\d{1,2}))?(?:\.|$)", re.ASCII)

RHEL8_FIRST_BUILDS: tuple[tuple[int, int], ...] = (
    (553, 10),
    (513, 9),
    (477, 8),
    (425, 7),
    (372, 6),
    (348, 5),
    (305, 4),
    (240, 3),
    (193, 2),
    (147, 1),
    (80, 0),
)
"""(first kernel build number, RHEL 8 minor release): 4.18.0-372.* is RHEL 8.6, and so on.

GA kernels of a minor release carry only `.el8.` (e.g. `4.18.0-372.9.1.el8.x86_64`); z-stream
kernels add the minor (`.el8_6.`). The build number identifies both.
"""


@dataclass(frozen=True, order=True)
class KernelVersion:
    version: Version
    """major.minor.patch only; the distribution suffix is dropped."""
    release: str
    """As given (stripped), e.g. "4.18.0-553.el8_10.x86_64"."""

    @property
    def short(self) -> str:
        """major.minor, e.g. "4.19"."""
        return f"{self.version.major}.{self.version.minor}"

    @property
    def rhel8_minor(self) -> int | None:
        """The RHEL 8 minor release of a 4.18 `.el8` kernel (6 for RHEL 8.6), else None."""
        m = _RHEL8.match(self.release)
        if m is None:
            return None
        if m.group(2) is not None:
            return int(m.group(2))
        build = int(m.group(1))
        return next((minor for first, minor in RHEL8_FIRST_BUILDS if build >= first), None)

    @property
    def is_rhel8(self) -> bool:
        """A RHEL 8 (or rebuild: Rocky, Alma, Oracle RHCK) 4.18 kernel with backported BPF."""
        return _RHEL8.match(self.release) is not None

    @property
    def is_rhel86_or_newer(self) -> bool:
        """RHEL 8.6+: what Cilium's docs accept in place of the upstream minimum kernel."""
        minor = self.rhel8_minor
        return minor is not None and minor >= 6

    def at_least(self, minimum: str) -> bool:
        """Plain upstream comparison ("5.10", "4.19.57"); RHEL backports are not considered."""
        return self.version >= Version(minimum)

    def __str__(self) -> str:
        return self.release


def parse_kernel(release: str | None) -> KernelVersion | None:
    """`uname -r` / `status.nodeInfo.kernelVersion` -> KernelVersion; None when unreadable."""
    if not release:
        return None
    m = _RELEASE.match(release)
    if m is None:
        return None
    major, minor, patch = m.group(1), m.group(2), m.group(3) or "0"
    return KernelVersion(Version(f"{int(major)}.{int(minor)}.{int(patch)}"), release.strip())


def kernel_at_least(release: str | None, minimum: str) -> bool | None:
    """Whether `release` is at least `minimum` ("5.10", "4.19.57"); None when unknown."""
    parsed = parse_kernel(release)
    return None if parsed is None else parsed.at_least(minimum)
