"""`cilium-tui diff A B`: what changed from A to B (snapshots or sysdumps, mixed), per node and
item, with a one-line summary first. Exit 0 when nothing changed, 1 when something did, 2 when a
file cannot be read (like diff(1))."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cilium_tui.offline.diff import diff_snapshots
from cilium_tui.offline.source import OfflineError, read_offline
from cilium_tui.report.diff import render_diff

EXIT_SAME, EXIT_CHANGED, EXIT_TROUBLE = 0, 1, 2


def run(args: argparse.Namespace) -> int:
    try:
        _, before = read_offline(Path(args.before).expanduser())
        _, after = read_offline(Path(args.after).expanduser())
    except OfflineError as e:
        print(f"cilium-tui diff: {e}", file=sys.stderr)
        return EXIT_TROUBLE
    diff = diff_snapshots(before, after)
    sys.stdout.write(render_diff(args.format, diff))
    return EXIT_CHANGED if diff.changed else EXIT_SAME
