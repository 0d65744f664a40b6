"""What every command that reads a cluster does first: its settings, then open and scan once.

Progress goes to stderr: one updating line on a terminal, a start and an end line in logs.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import ScanProgress
from cilium_tui.connect import OpenError, open_source, parse_duration
from cilium_tui.model import Snapshot
from cilium_tui.offline.source import Kind, OfflineError, OfflineSource, open_offline
from cilium_tui.settings import Settings, SettingsError, resolve


@dataclass(frozen=True)
class Target:
    """The cluster a command reads: its settings, plus the lab's knobs when it is the demo."""

    settings: Settings
    latency: float = 0.0
    faults: tuple[str, ...] = ()
    offline: tuple[Kind, Path] | None = None
    """A sysdump or a saved snapshot read instead of a cluster (`--sysdump`, `--snapshot`)."""


def offline_of(args: argparse.Namespace) -> tuple[Kind, Path] | None:
    """`--sysdump FILE` or `--snapshot FILE`, which replace the cluster; raises OpenError when
    combined with each other or with a cluster option."""
    given: list[tuple[Kind, Path]] = [
        (kind, Path(value).expanduser())
        for kind in ("sysdump", "snapshot")
        if (value := getattr(args, kind, None))
    ]
    if not given:
        return None
    kind = given[0][0]
    if len(given) > 1:
        raise OpenError("--sysdump and --snapshot: give one of them")
    clashing = [
        f"--{name.replace('_', '-')}"
        for name in ("demo", "kubeconfig", "context", "latency", "fault")
        if getattr(args, name, None)
    ]
    if clashing:
        raise OpenError(f"--{kind} reads a file instead of a cluster: drop {', '.join(clashing)}")
    return given[0]


def target_of(args: argparse.Namespace) -> Target:
    """Raises `SettingsError` or `OpenError` with a one-line message.

    With `--sysdump`/`--snapshot` the settings are read-only and never refresh: a file does not
    change, and cannot be changed."""
    offline = offline_of(args)
    settings = resolve(args)
    if offline is not None:
        settings = dataclasses.replace(settings, demo=None, read_only=True, refresh=0.0)
    return Target(
        settings,
        parse_duration(getattr(args, "latency", None)),
        tuple(getattr(args, "fault", None) or ()),
        offline,
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


async def open_target(target: Target) -> tuple[ClusterSource | OfflineSource, Snapshot]:
    """`open_and_scan`, or the sysdump or snapshot file the target names. Raises `OpenError`."""
    if target.offline is None:
        return await open_and_scan(target)
    kind, path = target.offline
    try:
        source = await open_offline(path, kind)
    except OfflineError as e:
        raise OpenError(str(e)) from None
    print(f"read {source.name}: {len(source.snapshot.nodes)} nodes", file=sys.stderr)
    return source, source.snapshot


async def scan_once(target: Target) -> tuple[str, Snapshot]:
    """`open_target`, then close: the source's name and its one snapshot. Raises `OpenError`."""
    source, snapshot = await open_target(target)
    await source.close()
    return source.name, snapshot


@dataclass(frozen=True)
class Voice:
    """A command's one-line messages on stderr ("cilium-tui NAME: ..."); a failure's message
    returns the command's exit code for it."""

    name: str
    failed: int

    def say(self, message: str) -> None:
        print(f"cilium-tui {self.name}: {message}", file=sys.stderr)

    def fail(self, message: str) -> int:
        self.say(message)
        return self.failed

    def errors(self, snapshot: Snapshot) -> None:
        """The scan's errors, each distinct message once."""
        for error in dict.fromkeys(snapshot.errors):
            self.say(error)


def run_on_target(
    args: argparse.Namespace,
    voice: Voice,
    body: Callable[[Target], Coroutine[object, object, int]],
    expected: tuple[type[Exception], ...] = (),
) -> int:
    """`target_of(args)`, then `body(target)` on a new event loop. Options that cannot work, the
    `expected` errors and any surprise (a bug) end in one line and the voice's exit code, never in
    a traceback and Python's exit status 1."""
    refused: tuple[type[Exception], ...] = (SettingsError, OpenError, *expected)
    try:
        target = target_of(args)
    except refused as e:
        return voice.fail(str(e))
    try:
        return asyncio.run(body(target))
    except expected as e:
        return voice.fail(str(e))
    except Exception as e:
        return voice.fail(f"the scan failed unexpectedly: {type(e).__name__}: {e}")
