"""Scan progress on stderr: one updating line on a terminal, a start and an end line in logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from cilium_tui.collect.source import ScanProgress


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
