"""Cilium versions as comparable values.

Printed forms seen in real output: `1.13.4`, `1.17.6-cee.1` (Isovalent enterprise), `1.15.0-pre.2`,
`1.9.90` (a development build of 1.10), `v1.14.0`, image tags like `v1.16.4@sha256:...`. Behaviour
changes by minor release, so `minor` is what the checks and remediations mostly compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

_CILIUM = re.compile(r"^\s*v?\.?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?")


@dataclass(frozen=True, order=True)
class CiliumVersion:
    version: Version
    text: str
    """As printed, e.g. "1.17.6-cee.1"."""

    @property
    def minor(self) -> tuple[int, int]:
        return (self.version.major, self.version.minor)

    @property
    def is_prerelease(self) -> bool:
        return self.version.is_prerelease

    def at_least(self, minimum: str) -> bool:
        """Compares the release only: 1.15.0-pre.2 counts as 1.15 for behaviour."""
        return self.version.release >= Version(minimum).release

    def __str__(self) -> str:
        return self.text


def parse_cilium_version(text: str | None) -> CiliumVersion | None:
    if not text:
        return None
    m = _CILIUM.match(text)
    if m is None:
        return None
    major, minor, patch, suffix = m.group(1), m.group(2), m.group(3) or "0", m.group(4)
    base = f"{int(major)}.{int(minor)}.{int(patch)}"
    version = Version(base)
    if suffix:
        pre = re.match(r"(pre|rc|snapshot)\.?(\d+)", suffix)
        if pre is not None:
            tag = {"pre": "a", "snapshot": "a", "rc": "rc"}[pre.group(1)]
            try:
                version = Version(f"{base}{tag}{int(pre.group(2))}")
            except InvalidVersion:  # pragma: no cover - the regex admits only digits
                version = Version(base)
    printed = f"{base}-{suffix}" if suffix else base
    if m.group(3) is None and not suffix:
        printed = f"{int(major)}.{int(minor)}"
    return CiliumVersion(version, printed)


def cilium_at_least(text: str | None, minimum: str) -> bool | None:
    """Whether a printed Cilium version is at least `minimum` ("1.16"); None when unknown."""
    parsed = parse_cilium_version(text)
    return None if parsed is None else parsed.at_least(minimum)
