"""`cilium-tui plan`: preview the remediation of a checklist item (nothing is changed).

`--list` prints the item ids with how each is remedied; `plan ITEM` scans the cluster and prints
the plan (text, or JSON with `--format json`). Exit 0 when the plan can be applied, has nothing to
do or is guidance, 1 when it is refused, 2 when the cluster cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.commands._remedy import (
    EXIT_NOT_DONE,
    EXIT_OK,
    CommandError,
    fail,
    lesson_hint,
    plan_options,
    show_plan,
    target_of_args,
    with_cluster,
)
from cilium_tui.model import Snapshot
from cilium_tui.remedy.planner import REMEDIES, build_plan
from cilium_tui.remedy.preview import render_json

HOW = {"config": "cilium-config", "node": "ssh", "guidance": "guidance (not automated)"}


def _list(fmt: str) -> int:
    if fmt == "json":
        doc = [
            {"item": r.item_id, "title": r.title, "kind": r.kind, "automatable": r.automatable}
            for r in REMEDIES
        ]
        print(json.dumps(doc, indent=2))
        return EXIT_OK
    width = max(len(r.item_id) for r in REMEDIES)
    print(f"{'ITEM'.ljust(width)}  {'HOW'.ljust(24)}  TITLE")
    for r in REMEDIES:
        print(f"{r.item_id.ljust(width)}  {HOW[r.kind].ljust(24)}  {r.title}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args.format)
    if not args.item:
        return fail("plan", "give an item id (cilium-tui plan --list shows them)")
    known = {r.item_id for r in REMEDIES}
    if args.item not in known:
        return fail("plan", f"no item {args.item!r}; known: {', '.join(sorted(known))}")
    try:
        target = target_of_args(args)
        options = plan_options(args)

        async def show(source: ClusterSource, snapshot: Snapshot) -> int:
            plan = build_plan(args.item, snapshot, args.node, options=options)
            if args.format == "json":
                print(json.dumps(render_json(plan), indent=2))
            else:
                show_plan(plan)
            await lesson_hint(source, plan)
            return EXIT_NOT_DONE if plan.status == "refused" else EXIT_OK

        return asyncio.run(with_cluster(target, show))
    except CommandError as e:
        return fail("plan", str(e))
