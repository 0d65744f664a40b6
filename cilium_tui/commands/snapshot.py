"""`cilium-tui snapshot save FILE`: scan once (a cluster, the lab, a sysdump or another snapshot)
and write the scan as versioned JSON (`cilium-tui.snapshot/1`, see
`cilium_tui.offline.snapshot_file`), to replay with `--snapshot FILE` or compare with `diff`."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from cilium_tui.commands._scan import Target, Voice, run_on_target, scan_once
from cilium_tui.connect import OpenError
from cilium_tui.offline.snapshot_file import save_snapshot

VOICE = Voice("snapshot", failed=2)


def run(args: argparse.Namespace) -> int:
    return run_on_target(args, VOICE, partial(_save, path=Path(args.file).expanduser()))


async def _save(target: Target, path: Path) -> int:
    try:
        name, snapshot = await scan_once(target)
    except OpenError as e:
        return VOICE.fail(str(e))
    VOICE.errors(snapshot)
    if not snapshot.nodes:
        return VOICE.fail("no nodes could be read: nothing saved")
    try:
        save_snapshot(snapshot, path)
    except OSError as e:
        return VOICE.fail(f"{path}: cannot write: {e.strerror or e}")
    print(f"saved {len(snapshot.nodes)} nodes of {name} to {path}", file=sys.stderr)
    return 0
