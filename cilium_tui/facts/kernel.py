"""Kernel releases as comparable versions.

Real releases carry distribution suffixes (`6.2.0-39-generic`, `4.19.0-24-arm64`,
`5.4.118-1.el7.elrepo.x86_64`, `6.6.54-talos`); only the leading major.minor[.patch] matters for
Cilium's feature probes, so that is what we compare. A release we cannot read is None (unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import Version

_RELEASE = re.compile(r"^\s*v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,6}))?")
_RHEL8 = re.compile(r"\.el8(?:_\d+)?(?:\.|$)")


@dataclass(frozen=True, order=True)
class KernelVersion:
    version: Version
    release: str

    @property
    def short(self) -> str:
        """major.minor, e.g. "4.19"."""
        return f"{self.version.major}.{self.version.minor}"

    @property
    def is_rhel8(self) -> bool:
        """RHEL 8's 4.18 carries backports that Cilium accepts in place of 5.x (1.16+ docs)."""
        return self.version.release[:2] == (4, 18) and bool(_RHEL8.search(self.release))

    def at_least(self, minimum: str) -> bool:
        return self.version >= Version(minimum)

    def __str__(self) -> str:
        return self.release


def parse_kernel(release: str | None) -> KernelVersion | None:
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
