"""A sysdump or a saved snapshot as a `Source`: the console and `check` read it like a cluster.

It is read once, when opened; a "scan" hands back that same Snapshot, and there are no live node
events. It cannot be changed, so the console opens it read-only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

from cilium_tui.collect.source import (
    NodeEvent,
    ProgressCallback,
    ScanProgress,
    ScanStream,
    Source,
)
from cilium_tui.model import Snapshot
from cilium_tui.offline.archive import ArchiveError, read_archive
from cilium_tui.offline.diff import Baseline, since_marks
from cilium_tui.offline.snapshot_file import SnapshotFileError, load_snapshot, looks_like_snapshot
from cilium_tui.offline.sysdump import snapshot_of, wanted

Kind = Literal["sysdump", "snapshot"]


class OfflineError(Exception):
    """The file cannot be opened; the message is one line."""


class OfflineSource:
    """A Snapshot read from a file, served as a Source."""

    def __init__(self, kind: Kind, path: Path, snapshot: Snapshot) -> None:
        self.kind = kind
        self.path = path
        self.snapshot = snapshot

    @property
    def name(self) -> str:
        """ "sysdump cilium-sysdump-20240716-090436.zip · taken 2024-07-16 09:04:36"."""
        return f"{self.kind} {self.path.name} · taken {self.snapshot.taken_at:%Y-%m-%d %H:%M:%S}"

    @property
    def context(self) -> str | None:
        return self.snapshot.context

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        """The file, read at once: nothing to stream."""
        if progress is not None:
            progress(ScanProgress(1, 1, f"read {self.path.name}"))
        return self.snapshot

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        return
        yield  # pragma: no cover - makes this an (empty) async generator

    async def close(self) -> None:
        return None


def read_offline(path: Path, kind: Kind | None = None) -> tuple[Kind, Snapshot]:
    """A sysdump (zip or folder) or a snapshot file; `kind` None: tell by its content.

    Blocking (reads the file): call it in a thread. Raises OfflineError.
    """
    if kind is None:
        kind = "snapshot" if path.is_file() and looks_like_snapshot(path) else "sysdump"
    try:
        if kind == "snapshot":
            return kind, load_snapshot(path)
        archive = read_archive(path, wanted)
    except (SnapshotFileError, ArchiveError) as e:
        raise OfflineError(str(e)) from None
    snapshot = snapshot_of(archive, f"sysdump {path.name}")
    if not snapshot.nodes:
        problems = "; ".join(snapshot.errors[:3]) or "no k8s-nodes or k8s-pods file"
        raise OfflineError(f"{path}: not a cilium sysdump, or an empty one ({problems})")
    return kind, snapshot


async def open_offline(path: Path, kind: Kind | None = None) -> OfflineSource:
    found, snapshot = await asyncio.to_thread(read_offline, path, kind)
    return OfflineSource(found, path, snapshot)


class SinceSource:
    """A live Source whose every scan carries what changed on each node since an older snapshot
    (`Snapshot.since`), for the node table's "since" marks."""

    def __init__(self, inner: Source, baseline: OfflineSource) -> None:
        self.inner = inner
        self.label = f"{baseline.kind} {baseline.path.name}"
        self.baseline = Baseline(baseline.snapshot)

    @property
    def name(self) -> str:
        return f"{self.inner.name} · since {self.label}"

    def compared(self, snapshot: Snapshot) -> Snapshot:
        return dataclasses.replace(snapshot, since=since_marks(self.baseline.diff(snapshot)))

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        """Not streamed: each scan is compared with the baseline whole."""
        snapshot = await self.inner.scan(progress)
        return await asyncio.to_thread(self.compared, snapshot)

    def node_events(self) -> AsyncIterator[NodeEvent]:
        return self.inner.node_events()

    async def close(self) -> None:
        await self.inner.close()
