"""What the console and `check` read a cluster through: a Source of Snapshots and live node events.

The console never talks to the kubernetes client or asyncssh itself; it holds a Source. The real one
(`collect.scan.ClusterSource`) scans a cluster through kubeconfig and SSH; the lab's is the same
class pointed at the embedded lab's kubeconfig and ssh_config.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from cilium_tui.model import NodeInfo, NodeRecord, Snapshot

Part = Literal["agent", "ssh"]
"""The per-node reads of a scan: the agent's status (an exec) and the SSH probe."""


@dataclass(frozen=True)
class NodesListed:
    """The scan knows its nodes (the Kubernetes list, the inventory's boards), no facts yet:
    every record has its NodeInfo (boards: only a name and an SSH host)."""

    records: tuple[NodeRecord, ...]


@dataclass(frozen=True)
class NodeScanned:
    """One part of one node was read: `record` holds everything known about the node so far
    (facts and errors of the parts done), `pending` the parts still being read. The last update
    of a node has `pending` empty; its record is the one the final Snapshot holds."""

    record: NodeRecord
    pending: frozenset[Part]


ScanEvent = NodesListed | NodeScanned


@dataclass(frozen=True)
class ScanProgress:
    """A step of a scan, for progress bars and logs; from a streaming source (ClusterSource)
    also what the step brought: `event` is NodesListed once, then a NodeScanned per part read,
    on the event loop as they arrive (a consumer can fill a table before the scan ends). Sources
    that do not stream leave it None and deliver everything in the Snapshot."""

    done: int
    total: int
    message: str
    event: ScanEvent | None = None


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


@runtime_checkable
class AgentReports(Protocol):
    """A Source that fetches an agent's full status on demand: scans keep only the facts (the
    raw report is O(N) bytes per node), the detail view asks for the report when it is shown."""

    async def agent_report(self, record: NodeRecord) -> str:
        """The agent's status output as its CLI prints it in full (JSON where the agent has
        it); raises KubeError when it cannot be read."""
        ...
