"""Which Cilium release the lab emulates, and the release-dependent facts its parts share.

The lab models Cilium 1.13 to 1.18. Behaviour and output change by minor release, with a few
changes that landed between a pre-release and the final release (e.g. the SRv6 status line is
absent from 1.15.0-pre.2 output but part of the 1.15.0 StatusResponse), so both the minor and the
full version are kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from packaging.version import Version

from cilium_tui.facts.version import CiliumVersion, parse_cilium_version

OLDEST = (1, 13)
NEWEST = (1, 18)

KNOWN_REVISIONS = {
    "1.13.4": "4061cdfc",
    "1.14.0": "b5013e15",
    "1.15.0-pre.2": "91bc81c9",
    "1.16.4": "03807242",
    "1.17.2": "fb3ab54f",
    "1.17.6-cee.1": "a33b0b85",
}
"""Git short hashes printed by real builds (from the sample outputs)."""


class UnsupportedRelease(ValueError):
    """The lab does not model this Cilium version."""


@dataclass(frozen=True)
class Release:
    version: CiliumVersion

    @classmethod
    def parse(cls, text: str) -> Release:
        parsed = parse_cilium_version(text)
        if parsed is None:
            raise UnsupportedRelease(f"not a Cilium version: {text!r}")
        if not OLDEST <= parsed.minor <= NEWEST:
            raise UnsupportedRelease(
                f"the lab models Cilium {OLDEST[0]}.{OLDEST[1]} to {NEWEST[0]}.{NEWEST[1]}, "
                f"not {parsed.text}"
            )
        return cls(parsed)

    @property
    def minor(self) -> int:
        return self.version.minor[1]

    @property
    def text(self) -> str:
        return self.version.text

    def at_least(self, minor: int) -> bool:
        """Behaviour of 1.<minor> or later (pre-releases count as their minor)."""
        return self.minor >= minor

    def final_at_least(self, release: str) -> bool:
        """Strictly at least `release`: 1.15.0-pre.2 is older than 1.15.0."""
        return self.version.version >= Version(release)

    @property
    def revision(self) -> str:
        """The build tag printed after the version, e.g. "v1.13.4-4061cdfc"."""
        short = KNOWN_REVISIONS.get(self.text)
        if short is None:
            short = hashlib.sha256(self.text.encode()).hexdigest()[:8]
        return f"v{self.text}-{short}"

    @property
    def cli(self) -> str:
        """The in-pod debug CLI: renamed `cilium` -> `cilium-dbg` in 1.15."""
        return "cilium-dbg" if self.at_least(15) else "cilium"
