"""Cilium versions as comparable values.

Printed forms seen in real output: `1.13.4`, `1.17.6-cee.1` (Isovalent enterprise), `1.15.0-pre.2`,
`1.9.90` (a development build of 1.10), `v1.14.0`, image tags like `v1.16.4@sha256:...`, and the CI
git tag `v.1.9.90-r.83a1568`. Behaviour changes by minor release, so `minor` is what the checks and
remediations mostly compare.

Comparisons use the release numbers only: a pre-release (1.15.0-pre.2) behaves as its release line,
and a development build (x.y.90) counts as x.y, i.e. *older* than the release it leads to - the
conservative reading when deciding which configuration keys an agent understands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import Version

_CILIUM = re.compile(
    r"^\s*v?\.?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?", re.ASCII
)
_PRE = re.compile(r"(pre|rc|snapshot)\.?(\d{1,6})", re.ASCII)
_PRE_TAG = {"pre": "a", "snapshot": "a", "rc": "rc"}


@dataclass(frozen=True, order=True)
class CiliumVersion:
    version: Version
    text: str
    """As printed, without a leading "v", e.g. "1.17.6-cee.1"."""

    @property
    def minor(self) -> tuple[int, int]:
        return (self.version.major, self.version.minor)

    @property
    def is_prerelease(self) -> bool:
        return self.version.is_prerelease

    @property
    def is_enterprise(self) -> bool:
        """Isovalent Enterprise builds print a `-cee.N` suffix."""
        return "-cee" in self.text

    def at_least(self, minimum: str) -> bool:
        """Compares the release only: 1.15.0-pre.2 counts as 1.15 for behaviour."""
        return self.version.release >= Version(minimum).release

    def __str__(self) -> str:
        return self.text


def parse_cilium_version(text: str | None) -> CiliumVersion | None:
    """A printed Cilium version (or image tag) -> CiliumVersion; None when unreadable."""
    if not text:
        return None
    m = _CILIUM.match(text)
    if m is None:
        return None
    major, minor, patch, suffix = m.group(1), m.group(2), m.group(3), m.group(4)
    base = f"{int(major)}.{int(minor)}.{int(patch or 0)}"
    version = Version(base)
    if suffix:
        pre = _PRE.match(suffix)
        if pre is not None:
            version = Version(f"{base}{_PRE_TAG[pre.group(1)]}{int(pre.group(2))}")
    if patch is None and not suffix:
        printed = f"{int(major)}.{int(minor)}"
    else:
        printed = f"{base}-{suffix}" if suffix else base
    return CiliumVersion(version, printed)


def cilium_at_least(version: CiliumVersion | str | None, minimum: str) -> bool | None:
    """Whether a Cilium version is at least `minimum` ("1.16"); None when unknown."""
    parsed = version if isinstance(version, CiliumVersion) else parse_cilium_version(version)
    return None if parsed is None else parsed.at_least(minimum)
