"""`cilium-tui check`: scan once, print the checklist; exit 0 all on, 1 some off, blocked or
unverifiable, 2 no scan (see `cilium_tui.report.outcome` for the exact rule).

Like kube-bench's `--exit-code` and Popeye: usable in CI. Progress goes to stderr, the report to
stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.commands._scan import Target, scan_once, target_of
from cilium_tui.connect import NoCluster, OpenError
from cilium_tui.report import EXIT_NO_SCAN, Format, check_exit_code, render_check
from cilium_tui.report.outcome import NOTHING_READ
from cilium_tui.settings import SettingsError


def run(args: argparse.Namespace) -> int:
    try:
        target = target_of(args)
    except (SettingsError, OpenError) as e:
        return _fail(str(e))
    try:
        return asyncio.run(_check(target, args.format))
    except Exception as e:  # a bug or a surprise: one line, and "no scan", never Python's exit 1
        return _fail(f"the scan failed unexpectedly: {type(e).__name__}: {e}")


def _fail(message: str) -> int:
    print(f"cilium-tui check: {message}", file=sys.stderr)
    return EXIT_NO_SCAN


async def _check(target: Target, fmt: Format) -> int:
    try:
        _, snapshot = await scan_once(target)
    except NoCluster as e:
        return _fail(f"{e}; try `cilium-tui check --demo` for the embedded lab")
    except OpenError as e:
        return _fail(str(e))
    for error in dict.fromkeys(snapshot.errors):  # each distinct message once
        print(f"cilium-tui check: {error}", file=sys.stderr)
    if not snapshot.nodes:
        return _fail("no nodes could be read")
    rollups = evaluate(snapshot)
    sys.stdout.write(render_check(fmt, snapshot, rollups, why_legacy(snapshot)))
    code = check_exit_code(rollups, snapshot)
    if code == EXIT_NO_SCAN:  # the report shows why; say it once where CI logs look
        return _fail(f"{NOTHING_READ}: nothing about Cilium was checked")
    return code
