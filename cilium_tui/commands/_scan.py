"""What every command that reads a cluster does first: its settings, then open and scan once.

Progress goes to stderr: one updating line on a terminal, a start and an end line in logs.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import TextIO

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import ScanProgress
from cilium_tui.connect import open_source, parse_duration
from cilium_tui.model import Snapshot
from cilium_tui.settings import Settings, resolve


@dataclass(frozen=True)
class Target:
    """The cluster a command reads: its settings, plus the lab's knobs when it is the demo."""

    settings: Settings
    latency: float = 0.0
    faults: tuple[str, ...] = ()


def target_of(args: argparse.Namespace) -> Target:
    """Raises `SettingsError` or `OpenError` with a one-line message."""
    return Target(
        resolve(args),
        parse_duration(getattr(args, "latency", None)),
        tuple(getattr(args, "fault", None) or ()),
    )


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


async def open_and_scan(target: Target) -> tuple[ClusterSource, Snapshot]:
    """Open the cluster (or lab) and scan it once, progress on stderr.

    Raises `OpenError`. The caller owns the source and closes it.
    """
    source = await open_source(target.settings, latency=target.latency, faults=target.faults)
    try:
        progress = StderrProgress(source.name)
        snapshot = await source.scan(progress)
        progress.done(len(snapshot.nodes))
    except BaseException:
        await source.close()
        raise
    return source, snapshot
