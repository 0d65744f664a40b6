"""`cilium-tui journal`: the journalled changes, newest first (no cluster needed)."""

from __future__ import annotations

import argparse
import json

from cilium_tui.remedy.journal import Journal


def run(args: argparse.Namespace) -> int:
    journal = Journal()
    entries = journal.entries()
    if args.format == "json":
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return 0
    if not entries:
        print(f"no changes journalled in {journal.directory}")
        return 0
    rows = [("ID", "STATUS", "CONTEXT", "USER", "NOTE")]
    for e in entries:
        note = e.events[-1].message if e.events else ""
        if e.undone_by:
            note = f"undone by {e.undone_by}"
        elif e.undoes:
            note = f"undoes {e.undoes}; {note}"
        rows.append((e.id, e.status, e.context or e.source, e.user, note))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[4])
    return 0
