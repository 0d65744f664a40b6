"""The console (the default command): settings -> a cluster, the embedded lab or a file -> the app.

The console paints before anything is dialled: settings, themes and the kubeconfig are checked
before the screen takes over the terminal (a one-line message and exit status 2), then the first
scan, on screen, reads the cluster (or starts the lab) and streams nodes into the table as they
are read. A cluster of which nothing can be read still ends in one line and exit status 2, once
the screen is given back. `--demo[=SCENARIO]` starts the lab in this process, in a directory
that goes with the console, and reads it through the real collectors, as `check` does (see
`cilium_tui.connect`). Unless read-only, the console gets the remediation engine
(`cilium_tui.remedy`). `--sysdump` and `--snapshot` open a file instead, read-only, and `--since
FILE` compares every scan with one: those are read before the screen opens, as files are quick.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
from functools import partial
from pathlib import Path

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import Source
from cilium_tui.commands._scan import Target, open_target, target_of
from cilium_tui.connect import NoCluster, OpenError, OpeningSource, check_scenario, open_source
from cilium_tui.offline.source import OfflineError, SinceSource, open_offline
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal, journal_for
from cilium_tui.settings import SettingsError

EXIT_CANNOT_OPEN = 2
ENDING = (signal.SIGTERM, signal.SIGHUP)


def run(args: argparse.Namespace) -> int:
    try:
        target = checked_target(args)
    except CannotOpen as e:
        return _fail(str(e))
    since = getattr(args, "since", None)
    return asyncio.run(_console(target, Path(since).expanduser() if since else None))


class CannotOpen(Exception):
    """The console's options cannot work (a one-line message); found before the screen opens."""


def checked_target(args: argparse.Namespace) -> Target:
    """What the console will open, checked as far as can be without dialling anything: settings,
    theme and the lab's scenario (`serve` checks them once for every tab's console)."""
    from cilium_tui.ui.themes import ThemeError, load_themes  # noqa: PLC0415 - keeps --help instant

    try:
        target = target_of(args)
        load_themes().check(target.settings.theme)  # before the lab spends seconds starting
        if target.settings.demo and target.offline is None:
            check_scenario(target.settings.demo)
    except (SettingsError, OpenError, ThemeError) as e:
        raise CannotOpen(str(e)) from e
    return target


def _fail(message: str) -> int:
    print(f"cilium-tui: {message}", file=sys.stderr)
    return EXIT_CANNOT_OPEN


async def _console(target: Target, since: Path | None = None) -> int:
    if target.offline is None and since is None:
        return await _live(target)
    return await _compared(target, since)


async def _live(target: Target) -> int:
    """A cluster or the lab, read on screen."""
    from cilium_tui.ui.app import run_console  # noqa: PLC0415 - Textual loads only for the console

    settings = target.settings
    if not settings.demo:
        if target.latency or target.faults:
            return _fail("--latency and --fault are lab knobs: use them with --demo")
        try:  # the kubeconfig, read here: nothing is dialled before the console paints
            source = await open_source(settings)
        except NoCluster as e:
            return _fail(f"{e}; try `cilium-tui --demo` for the embedded lab")
        except OpenError as e:
            return _fail(str(e))
        remedy = None if settings.read_only else RemedyEngine(source, journal=journal_for(source))
        return await run_console(settings, source, remedy=remedy)
    # The lab removes it too when it stops, even if this process is killed (SIGKILL).
    with tempfile.TemporaryDirectory(prefix="cilium-tui-lab-", ignore_cleanup_errors=True) as files:
        directory = Path(files)
        opener = partial(
            open_source,
            settings,
            latency=target.latency,
            faults=target.faults,
            lab_directory=directory,
            lab_directory_temporary=True,
        )
        lab = OpeningSource(f"lab {settings.demo}", opener)  # the lab starts on screen
        # A demo's changes are journalled with the lab and go with it (see `journal_for`).
        journal = Journal(directory / "journal", temporary=True)
        remedy = None if settings.read_only else RemedyEngine(lab, journal=journal)
        return await run_console(settings, lab, remedy=remedy)


async def _compared(target: Target, since: Path | None) -> int:
    """A sysdump or snapshot file, or anything compared with one (`--since`): read first."""
    from cilium_tui.ui.app import run_console  # noqa: PLC0415 - Textual loads only for the console

    settings = target.settings
    if settings.demo:
        print(f"starting the lab ({settings.demo})...", file=sys.stderr, flush=True)
    # Until the console takes over (it handles them itself), SIGTERM and SIGHUP stop the opening
    # scan, which closes what it opened: the demo's lab and its directory with credentials.
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    received: list[signal.Signals] = []

    def stop(signum: signal.Signals) -> None:
        received.append(signum)
        if task is not None:
            task.cancel()

    for signum in ENDING:
        loop.add_signal_handler(signum, stop, signum)
    try:
        baseline = await open_offline(since) if since is not None else None
        source, snapshot = await open_target(target)
    except asyncio.CancelledError:
        if not received:
            raise
        return 128 + int(received[0])
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
    return await run_console(settings, shown, snapshot, remedy=remedy)
