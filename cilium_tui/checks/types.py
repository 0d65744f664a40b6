"""The vocabulary of the tuning checklist: states, findings, catalogue items and roll-ups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from cilium_tui.checks.requirements import Requirement
from cilium_tui.model import NodeRecord, Snapshot

if TYPE_CHECKING:
    from cilium_tui.checks.rollup import Tally

__all__ = ["Finding", "Item", "Requirement", "Rollup", "Scope", "State"]

Scope = Literal["cilium", "host"]
"""What an item judges: the Cilium agent's datapath, or the host (kernel, CPU, NIC, services)."""


class State(StrEnum):
    """Where a tuning item stands on one node."""

    ON = "on"
    OFF = "off"
    """Off, and flipping this item's own setting would turn it on."""
    BLOCKED = "blocked"
    """Off, and cannot be turned on here until a requirement is met (see Finding.blocked_by)."""
    NA = "n/a"
    """Does not apply to this node (e.g. no cpufreq in a VM, no IPv6)."""
    UNKNOWN = "unknown"
    """The facts we have do not say."""


@dataclass(frozen=True)
class Finding:
    """One item judged on one node."""

    item_id: str
    node: str
    state: State
    reason: str
    """One human sentence: why this state."""
    evidence: tuple[str, ...] = ()
    """What said so: status lines, config keys, probe commands with their output."""
    blocked_by: tuple[str, ...] = ()
    """The unmet requirements, when state is BLOCKED (e.g. "kernel 4.19 < 5.10")."""
    recommended: bool | None = None
    """Whether turning the item on is advised on this node; None when the item is on or moot."""
    advice: str | None = None
    drift: str | None = None
    """Configured and running disagree, e.g. "configured native, agent still reports Tunnel:
    restart pending". Shown next to the state: it is one of the things users most want to see."""
    configured: State | None = None
    """When the state is UNKNOWN because no running agent confirmed it: what cilium-config alone
    says ("configured, not verified"). Roll-ups count these nodes as unverified."""

    @property
    def unverified(self) -> bool:
        return self.state is State.UNKNOWN and self.configured is not None


@dataclass(frozen=True)
class Item:
    """One entry of the tuning catalogue."""

    id: str
    title: str
    why: str
    requirements: tuple[Requirement, ...]
    detection: str
    docs: str
    evaluate: Callable[[Snapshot, NodeRecord], Finding] = field(compare=False, repr=False)
    cilium_min: str | None = None
    cilium_max: str | None = None
    """Last minor release the item exists in (None = still current)."""
    on_is_good: bool = True
    """False for items where "on" is not the recommendation (e.g. Hubble: on is fine)."""
    advisory: bool = False
    """Guidance only: never counts as a failure (Hubble, jumbo MTU)."""
    scope: Scope = "cilium"
    theme: str = ""
    """Grouping for display: "routing", "throughput", "observability", "host"."""

    def fails(self, finding: Finding) -> bool:
        """Whether this finding makes `check` fail: an advised item that is off or blocked."""
        return (
            not self.advisory
            and finding.state in (State.OFF, State.BLOCKED)
            and finding.recommended is not False
        )


@dataclass(frozen=True)
class Rollup:
    """An item judged across the cluster."""

    item: Item
    findings: tuple[Finding, ...]
    counts: dict[State, int]
    headline: str
    """e.g. "BPF host routing: on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"."""
    summary: str = ""
    """The headline without the item's title: "on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10"."""
    tally: Tally | None = field(default=None, compare=False, repr=False)
    """What the summary was written from, for recounting a few nodes (`rollup.retally`)."""

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if self.item.fails(f))
