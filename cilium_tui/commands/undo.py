"""`cilium-tui undo [ID]`: put back what a journalled change altered (the latest by default).

The undo is a plan like any other: previewed against a fresh scan, confirmed (or `--yes`),
applied one agent at a time, verified, and journalled itself.
"""

from __future__ import annotations

import argparse
import asyncio

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.commands._remedy import (
    EXIT_NOT_DONE,
    CommandError,
    confirm_and_apply,
    fail,
    target_of_args,
    with_cluster,
)
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import ReadOnlyError, RemedyEngine, refuse_read_only
from cilium_tui.remedy.journal import JournalError


def run(args: argparse.Namespace) -> int:
    try:
        target = target_of_args(args)
        settings = target.settings
        refuse_read_only(settings.read_only)

        async def undo(source: ClusterSource, snapshot: Snapshot) -> int:
            engine = RemedyEngine(source, read_only=settings.read_only)
            try:
                plan = await engine.undo_plan(args.id)
            except JournalError as e:
                return fail("undo", str(e), EXIT_NOT_DONE)
            return await confirm_and_apply(engine, plan, yes=args.yes)

        return asyncio.run(with_cluster(target, undo))
    except (CommandError, ReadOnlyError) as e:
        return fail("undo", str(e))
