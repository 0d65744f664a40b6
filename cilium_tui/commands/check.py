"""`cilium-tui check`: scan once, print the checklist; exit 0 all on, 1 some off, blocked or
unverifiable, 2 no scan (see `cilium_tui.report.outcome` for the exact rule).

Like kube-bench's `--exit-code` and Popeye: usable in CI. Progress goes to stderr, the report to
stdout.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.commands._scan import Target, Voice, run_on_target, scan_once
from cilium_tui.connect import NoCluster, OpenError
from cilium_tui.report import EXIT_NO_SCAN, Format, check_exit_code, render_check
from cilium_tui.report.outcome import NOTHING_READ

VOICE = Voice("check", EXIT_NO_SCAN)


def run(args: argparse.Namespace) -> int:
    return run_on_target(args, VOICE, partial(_check, fmt=args.format))


async def _check(target: Target, fmt: Format) -> int:
    try:
        _, snapshot = await scan_once(target)
    except NoCluster as e:
        return VOICE.fail(f"{e}; try `cilium-tui check --demo` for the embedded lab")
    except OpenError as e:
        return VOICE.fail(str(e))
    VOICE.errors(snapshot)
    if not snapshot.nodes:
        return VOICE.fail("no nodes could be read")
    rollups = evaluate(snapshot)
    sys.stdout.write(render_check(fmt, snapshot, rollups, why_legacy(snapshot)))
    code = check_exit_code(rollups, snapshot)
    if code == EXIT_NO_SCAN:  # the report shows why; say it once where CI logs look
        return VOICE.fail(f"{NOTHING_READ}: nothing about Cilium was checked")
    return code
