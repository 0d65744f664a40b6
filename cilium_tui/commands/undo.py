"""`cilium-tui undo [ID]`: put back what a journalled change altered (by default the latest one
made on the cluster connected to).

The undo is a plan like any other: previewed against a fresh scan, confirmed (or `--yes`),
applied one agent at a time, verified, and journalled itself. It is refused for a change made on
another cluster, and for one under a later change still in effect (undo that first).
"""

from __future__ import annotations

import argparse
import asyncio

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.commands._remedy import (
    EXIT_NOT_DONE,
    CommandError,
    confirm_and_apply,
    engine_for,
    fail,
    target_of_args,
    with_cluster,
)
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import ReadOnlyError, refuse_read_only
from cilium_tui.remedy.journal import JournalError


def run(args: argparse.Namespace) -> int:
    try:
        target = target_of_args(args)
        settings = target.settings
        refuse_read_only(settings.read_only)

        async def undo(source: ClusterSource, snapshot: Snapshot) -> int:
            engine = engine_for(source, read_only=settings.read_only)
            try:
                plan = await engine.undo_plan(args.id)
            except JournalError as e:
                return fail("undo", str(e), EXIT_NOT_DONE)
            return await confirm_and_apply(engine, plan, yes=args.yes)

        return asyncio.run(with_cluster(target, undo))
    except (CommandError, ReadOnlyError) as e:
        return fail("undo", str(e))
