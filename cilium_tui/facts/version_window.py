"""Which Cilium releases an agent status could come from, when it does not print its version.

Pasted outputs often lack the `Cilium:` line (a grep, a cut, a version-less dev build), but their
shape still bounds the release: `Probe`/`Partial` kube-proxy replacement was printed only up to
1.13, `Host Routing:` from 1.9 to 1.15, `Routing: Network: ... Host: ...` from 1.16, and so on.
`version_window` intersects every such bound the output shows into a `VersionWindow`, with the
lines that set it as evidence, so advice can use the spellings valid across that window.

The bounds come from the release notes summarised in ../shared/reference/cilium-cli-and-sysdump.md
and the sample outputs (tests/data/samples); each is a line or value the output *shows*, never
one it lacks (a grep or a cut page lacks lines of every release).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cilium_tui.model import AgentStatus

Minor = tuple[int, int]


def minor_of(text: str) -> Minor:
    """ "1.14" -> (1, 14)."""
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def _show(minor: Minor) -> str:
    return f"{minor[0]}.{minor[1]}"


@dataclass(frozen=True)
class VersionWindow:
    """The Cilium minor releases an output can come from: `low` to `high`, None = unbounded."""

    low: Minor | None = None
    high: Minor | None = None
    evidence: tuple[str, ...] = ()
    """What bounds it: the version as printed, or the lines whose shape does."""

    @classmethod
    def exact(cls, minor: Minor, evidence: tuple[str, ...] = ()) -> VersionWindow:
        return cls(minor, minor, evidence)

    @property
    def bounded(self) -> bool:
        return self.low is not None or self.high is not None

    def at_least(self, minimum: str) -> bool | None:
        """True when every release in the window is >= `minimum`, False when none is, else None."""
        wanted = minor_of(minimum)
        if self.low is not None and self.low >= wanted:
            return True
        if self.high is not None and self.high < wanted:
            return False
        return None

    def overlaps(self, low: Minor | None, high: Minor | None) -> bool:
        """Whether some release in the window is also in [low, high] (None = unbounded)."""
        above_low = low is None or self.high is None or self.high >= low
        below_high = high is None or self.low is None or self.low <= high
        return above_low and below_high

    def __str__(self) -> str:
        if self.low is not None and self.low == self.high:
            return f"Cilium {_show(self.low)}"
        if self.low is not None and self.high is not None:
            return f"Cilium {_show(self.low)} to {_show(self.high)}"
        if self.high is not None:
            return f"Cilium <= {_show(self.high)}"
        if self.low is not None:
            return f"Cilium >= {_show(self.low)}"
        return "any Cilium release"


@dataclass(frozen=True)
class Shape:
    """A line or value whose presence bounds the release that printed it."""

    field: str
    """The AgentStatus field whose evidence shows it."""
    shows: Callable[[AgentStatus], bool]
    low: Minor | None
    high: Minor | None
    why: str


def _kpr(*modes: str) -> Callable[[AgentStatus], bool]:
    return lambda s: s.kube_proxy_replacement in modes


def _printed_at(field: str, *wheres: str) -> Callable[[AgentStatus], bool]:
    """The field was read from a line (or JSON path ending) named `wheres`."""

    def shows(status: AgentStatus) -> bool:
        evidence = status.evidence.get(field)
        return evidence is not None and evidence.where.endswith(wheres)

    return shows


def _known(field: str) -> Callable[[AgentStatus], bool]:
    return lambda s: getattr(s, field) is not None


SHAPES: tuple[Shape, ...] = (
    Shape(
        "kube_proxy_replacement",
        _kpr("Probe", "Partial"),
        None,
        (1, 13),
        "Probe and Partial kube-proxy replacement were removed in 1.14",
    ),
    Shape(
        "kube_proxy_replacement",
        _kpr("Strict"),
        None,
        (1, 15),
        "Strict is printed up to 1.15 (1.16 knows only True/False)",
    ),
    Shape(
        "kube_proxy_replacement",
        _kpr("True", "False"),
        (1, 14),
        None,
        "kube-proxy replacement True/False arrived in 1.14",
    ),
    Shape(
        "bpf_nodeport",
        _printed_at("bpf_nodeport", "KubeProxyReplacement:"),
        None,
        (1, 9),
        "the feature list on the KubeProxyReplacement line is the 1.9-and-older layout",
    ),
    Shape(
        "host_routing",
        _printed_at("host_routing", "Host Routing:", ".host-routing.mode"),
        (1, 9),
        (1, 15),
        "Host Routing is printed from 1.9 (BPF host routing) to 1.15",
    ),
    Shape(
        "network_routing",
        _known("network_routing"),
        (1, 16),
        None,
        "the Routing: Network/Host line arrived in 1.16",
    ),
    Shape("attach_mode", _known("attach_mode"), (1, 16), None, "Attach Mode arrived in 1.16"),
    Shape("device_mode", _known("device_mode"), (1, 16), None, "Device Mode arrived in 1.16"),
    Shape("ipv4_big_tcp", _known("ipv4_big_tcp"), (1, 14), None, "IPv4 BIG TCP arrived in 1.14"),
    Shape("ipv6_big_tcp", _known("ipv6_big_tcp"), (1, 13), None, "IPv6 BIG TCP arrived in 1.13"),
    Shape(
        "bandwidth_manager",
        _known("bandwidth_manager"),
        (1, 9),
        None,
        "the Bandwidth Manager arrived in 1.9",
    ),
)
"""Every bound an output's shape can set. Add a row, not code, to teach it another."""


def shape_window(status: AgentStatus) -> VersionWindow:
    """The releases this output's shape allows (unbounded when it shows no bounding line).

    Bounds that contradict each other (a hand-edited paste, two outputs mixed) give no window
    rather than an empty one.
    """
    low: Minor | None = None
    high: Minor | None = None
    evidence: list[str] = []
    for shape in SHAPES:
        if not shape.shows(status):
            continue
        if shape.low is not None and (low is None or shape.low > low):
            low = shape.low
        if shape.high is not None and (high is None or shape.high < high):
            high = shape.high
        printed = status.evidence.get(shape.field)
        line = str(printed) if printed is not None else shape.field
        evidence.append(f"{line} ({shape.why})")
    if low is not None and high is not None and low > high:
        return VersionWindow()
    return VersionWindow(low, high, tuple(dict.fromkeys(evidence)))
