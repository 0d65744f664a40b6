"""Scan progress on stderr: one updating line on a terminal, a start and an end line in logs."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TextIO

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import ScanProgress
from cilium_tui.connect import open_source
from cilium_tui.model import Snapshot
from cilium_tui.settings import Settings


class StderrProgress:
    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.what = what
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.stream.write(f"scanning {what}...\n")
        self.stream.flush()

    def __call__(self, step: ScanProgress) -> None:
        if self.tty:
            line = f"\r  [{step.done}/{step.total}] {step.message}"[:100]
            self.stream.write(line.ljust(100))
            self.stream.flush()

    def done(self, nodes: int) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 100 + "\r")
        took = time.monotonic() - self.started
        self.stream.write(f"scanned {nodes} nodes of {self.what} in {took:.1f} s\n")
        self.stream.flush()


async def open_and_scan(
    settings: Settings, *, latency: float = 0.0, faults: Sequence[str] = ()
) -> tuple[ClusterSource, Snapshot]:
    """Open the cluster (or lab) the settings name and scan it once, progress on stderr.

    Raises `OpenError`. The caller owns the source and closes it.
    """
    source = await open_source(settings, latency=latency, faults=faults)
    try:
        progress = StderrProgress(source.name)
        snapshot = await source.scan(progress)
        progress.done(len(snapshot.nodes))
    except BaseException:
        await source.close()
        raise
    return source, snapshot
