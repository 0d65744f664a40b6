"""The console (the default command): settings -> a cluster or the embedded lab -> the Textual app.

The cluster is opened, and scanned once, before the screen takes over the terminal: a kubeconfig
that cannot be used, a cluster that cannot be reached or a lab that cannot start is a one-line
message and exit status 2, not a console full of errors. `--demo[=SCENARIO]` starts the lab in this
process and reads it through the real collectors, as `check` does (see `cilium_tui.connect`).
Unless read-only, the console gets the remediation engine (`cilium_tui.remedy`). `--sysdump` and
`--snapshot` open a file instead, read-only; `--since FILE` compares every scan with one.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import Source
from cilium_tui.commands._scan import Target, open_target, target_of
from cilium_tui.connect import NoCluster, OpenError
from cilium_tui.offline.source import OfflineError, SinceSource, open_offline
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import journal_for
from cilium_tui.settings import SettingsError

EXIT_CANNOT_OPEN = 2


def run(args: argparse.Namespace) -> int:
    from cilium_tui.ui.themes import ThemeError, load_themes  # noqa: PLC0415 - keeps --help instant

    try:
        target = target_of(args)
        load_themes().check(target.settings.theme)  # before the lab spends seconds starting
    except (SettingsError, OpenError, ThemeError) as e:
        return _fail(str(e))
    since = getattr(args, "since", None)
    return asyncio.run(_console(target, Path(since).expanduser() if since else None))


def _fail(message: str) -> int:
    print(f"cilium-tui: {message}", file=sys.stderr)
    return EXIT_CANNOT_OPEN


async def _console(target: Target, since: Path | None = None) -> int:
    from cilium_tui.ui.app import run_console  # noqa: PLC0415 - Textual loads only for the console

    settings = target.settings
    if settings.demo:
        print(f"starting the lab ({settings.demo})...", file=sys.stderr, flush=True)
    try:
        baseline = await open_offline(since) if since is not None else None
        source, snapshot = await open_target(target)
    except NoCluster as e:
        return _fail(f"{e}; try `cilium-tui --demo` for the embedded lab")
    except (OpenError, OfflineError) as e:
        return _fail(str(e))
    if not snapshot.nodes:
        await source.close()
        why = snapshot.errors[0] if snapshot.errors else "the cluster has no nodes"
        return _fail(f"no nodes could be read from {source.name}: {why}")
    remedy = None
    if isinstance(source, ClusterSource) and not settings.read_only:
        remedy = RemedyEngine(source, journal=journal_for(source))
    shown: Source = source
    if baseline is not None:
        compared = SinceSource(source, baseline)
        shown, snapshot = compared, compared.compared(snapshot)
    return await run_console(settings, shown, snapshot, remedy)
