"""What the console and `check` read a cluster through: a Source of Snapshots and live node events.

The console never talks to the kubernetes client or asyncssh itself; it holds a Source. The real one
(`collect.scan.ClusterSource`) scans a cluster through kubeconfig and SSH; the lab's is the same
class pointed at the embedded lab's kubeconfig and ssh_config.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from cilium_tui.model import NodeInfo, NodeRecord, Snapshot


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


class ScanStream(Protocol):
    """What a scan tells as it goes, so that a console can paint a big cluster before the scan
    ends. Called on the scan's event loop, in this order: `listed` once, then `node_read` once per
    node or board, in whatever order they answer (a hung one delays only itself)."""

    def listed(self, snapshot: Snapshot) -> None:
        """The cluster as listed: every node with its Node object and agent pod, no facts read."""
        ...

    def node_read(self, record: NodeRecord) -> None:
        """One node's record, complete: its agent and its probe have answered (or failed)."""
        ...


class Source(Protocol):
    """A cluster as cilium-tui sees it."""

    @property
    def name(self) -> str:
        """Human name for the title bar: "context prod-eu", "lab seed"."""
        ...

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        """One full, bounded, concurrent scan; a per-node failure is a fact, not an exception.
        `stream` hears the list, then each node as it is read."""
        ...

    def node_events(self) -> AsyncIterator[NodeEvent]:
        """Live node changes until cancelled; resumes after disconnects."""
        ...

    async def close(self) -> None: ...
