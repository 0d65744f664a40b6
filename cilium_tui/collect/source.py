"""What the console and `check` read a cluster through: a Source of Snapshots and live node events.

The console never talks to the kubernetes client or asyncssh itself; it holds a Source. The real one
(`collect.scan.ClusterSource`) scans a cluster through kubeconfig and SSH; the lab's is the same
class pointed at the embedded lab's kubeconfig and ssh_config.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from cilium_tui.model import NodeInfo, Snapshot


@dataclass(frozen=True)
class ScanProgress:
    """A step of a scan, for progress bars and logs."""

    done: int
    total: int
    message: str


ProgressCallback = Callable[[ScanProgress], None]


@dataclass(frozen=True)
class NodeEvent:
    """A node appeared, changed or went away (from the Kubernetes watch)."""

    kind: Literal["ADDED", "MODIFIED", "DELETED"]
    node: NodeInfo


class Source(Protocol):
    """A cluster as cilium-tui sees it."""

    @property
    def name(self) -> str:
        """Human name for the title bar: "context prod-eu", "lab seed"."""
        ...

    async def scan(self, progress: ProgressCallback | None = None) -> Snapshot:
        """One full, bounded, concurrent scan; a per-node failure is a fact, not an exception."""
        ...

    def node_events(self) -> AsyncIterator[NodeEvent]:
        """Live node changes until cancelled; resumes after disconnects."""
        ...

    async def close(self) -> None: ...
