"""`cilium-tui journal`: the journalled changes, newest first.

No cluster is needed to list them. An entry whose outcome is not on record (its run was killed,
interrupted, or lost its answer) is first reconciled from the cluster it was made on when that
cluster can be opened (the kubeconfig and context, as for `check`): the journal then states which
nodes run which config. When it cannot, the entry says so and how to reconcile it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from cilium_tui.collect.kube import KubeError
from cilium_tui.commands._remedy import CommandError, target_of_args
from cilium_tui.connect import OpenError, open_source
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal, JournalEntry, JournalError
from cilium_tui.report.safe import plain

RECONCILE_TIMEOUT = 30.0


async def _reconcile(args: argparse.Namespace, journal: Journal) -> list[str]:
    """Reconcile the unsettled entries of the cluster the settings name; what to tell."""
    target = target_of_args(args)
    if target.settings.demo:
        return ["not reconciled: the demo lab's changes are journalled with the lab"]
    source = await open_source(target.settings)
    try:
        # Reading the cluster and writing this journal only: nothing is sent that changes it.
        engine = RemedyEngine(source, journal=journal)
        found = await engine.reconcile_unsettled()
    finally:
        await source.close()
    return [f"{f.entry_id} reconciled: {line}" for f in found for line in f.lines()]


def reconcile_unsettled(args: argparse.Namespace, journal: Journal) -> None:
    """Reconcile what can be, and say so on stderr; never fails the listing."""
    try:
        lines = asyncio.run(asyncio.wait_for(_reconcile(args, journal), RECONCILE_TIMEOUT))
    except (CommandError, OpenError, KubeError, JournalError, TimeoutError) as e:
        lines = [f"not reconciled ({e or 'no answer in time'})"]
    for line in lines:
        print(plain(line), file=sys.stderr)


def note_of(e: JournalEntry) -> str:
    if e.unsettled:
        return (
            "interrupted, outcome not on record: `cilium-tui undo "
            f"{e.id}` (or this command with the cluster at hand) reads it from the cluster"
        )
    note = e.events[-1].message if e.events else ""
    if e.undone_by:
        note = f"undone by {e.undone_by}"
    elif e.undoes:
        note = f"undoes {e.undoes}; {note}"
    return note


def run(args: argparse.Namespace) -> int:
    journal = Journal()
    if any(e.unsettled for e in journal.entries()):
        reconcile_unsettled(args, journal)
    entries = journal.entries()
    for problem in journal.problems:
        print(plain(f"skipped: {problem}"), file=sys.stderr)
    if args.format == "json":
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return 0
    if not entries:
        print(f"no changes journalled in {journal.directory}")
        return 0
    rows: list[list[str]] = [["ID", "STATUS", "CONTEXT", "USER", "NOTE"]]
    rows += [[e.id, e.status, e.context or e.source, e.user, note_of(e)] for e in entries]
    rows = [[plain(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[4])
    return 0
