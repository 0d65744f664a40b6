"""`cilium-tui snapshot save FILE`: scan once (a cluster, the lab, a sysdump or another snapshot)
and write the scan as versioned JSON (`cilium-tui.snapshot/1`, see
`cilium_tui.offline.snapshot_file`), to replay with `--snapshot FILE` or compare with `diff`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from cilium_tui.commands._scan import Target, scan_once, target_of
from cilium_tui.connect import OpenError
from cilium_tui.offline.snapshot_file import save_snapshot
from cilium_tui.settings import SettingsError

EXIT_FAILED = 2


def run(args: argparse.Namespace) -> int:
    try:
        target = target_of(args)
    except (SettingsError, OpenError) as e:
        return _fail(str(e))
    return asyncio.run(_save(target, Path(args.file).expanduser()))


def _fail(message: str) -> int:
    print(f"cilium-tui snapshot: {message}", file=sys.stderr)
    return EXIT_FAILED


async def _save(target: Target, path: Path) -> int:
    try:
        name, snapshot = await scan_once(target)
    except OpenError as e:
        return _fail(str(e))
    if not snapshot.nodes:
        return _fail("no nodes could be read: nothing saved")
    try:
        save_snapshot(snapshot, path)
    except OSError as e:
        return _fail(f"{path}: cannot write: {e.strerror or e}")
    print(f"saved {len(snapshot.nodes)} nodes of {name} to {path}", file=sys.stderr)
    return 0
