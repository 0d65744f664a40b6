"""`cilium-tui apply ITEM`: the plan, its preflight, a confirmation, then the change, verified.

The same checks, journal and verification as the console: the preview is printed first; without
`--yes` it asks (default no). In read-only mode it refuses before touching the cluster.
"""

from __future__ import annotations

import argparse
import asyncio

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.commands._remedy import (
    CommandError,
    confirm_and_apply,
    engine_for,
    fail,
    lesson_hint,
    plan_options,
    target_of_args,
    with_cluster,
)
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import ReadOnlyError, refuse_read_only
from cilium_tui.remedy.planner import REMEDIES, build_plan


def run(args: argparse.Namespace) -> int:
    known = {r.item_id for r in REMEDIES}
    if args.item not in known:
        return fail("apply", f"no item {args.item!r}; known: {', '.join(sorted(known))}")
    try:
        target = target_of_args(args)
        settings = target.settings
        refuse_read_only(settings.read_only)
        options = plan_options(args)

        async def apply(source: ClusterSource, snapshot: Snapshot) -> int:
            engine = engine_for(source, read_only=settings.read_only)
            plan = build_plan(args.item, snapshot, args.node, options=options)
            code = await confirm_and_apply(engine, plan, yes=args.yes)
            await lesson_hint(source, plan)
            return code

        return asyncio.run(with_cluster(target, apply))
    except (CommandError, ReadOnlyError) as e:
        return fail("apply", str(e))
