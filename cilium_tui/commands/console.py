"""The console (the default command): settings -> a cluster or the embedded lab -> the Textual app.

The console paints before anything is dialled: settings, themes and the kubeconfig are checked
before the screen takes over the terminal (a one-line message and exit status 2), then the first
scan, on screen, reads the cluster (or starts the lab) and streams nodes into the table as they
are read. A cluster of which nothing can be read still ends in one line and exit status 2, once
the screen is given back. `--demo[=SCENARIO]` starts the lab in this process, in a directory
that goes with the console, and reads it through the real collectors, as `check` does (see
`cilium_tui.connect`).
Unless read-only, the console gets the remediation engine (`cilium_tui.remedy`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from functools import partial
from pathlib import Path

from cilium_tui.commands._scan import Target, target_of
from cilium_tui.connect import NoCluster, OpenError, OpeningSource, open_source
from cilium_tui.remedy.engine import RemedyEngine
from cilium_tui.remedy.journal import Journal, journal_for
from cilium_tui.settings import SettingsError

EXIT_CANNOT_OPEN = 2


def run(args: argparse.Namespace) -> int:
    from cilium_tui.ui.themes import ThemeError, load_themes  # noqa: PLC0415 - keeps --help instant

    try:
        target = target_of(args)
        load_themes().check(target.settings.theme)  # before the lab spends seconds starting
        if target.settings.demo:
            check_scenario(target.settings.demo)
        elif target.latency or target.faults:
            raise OpenError("--latency and --fault are lab knobs: use them with --demo")
    except (SettingsError, OpenError, ThemeError) as e:
        return _fail(str(e))
    return asyncio.run(_console(target))


def check_scenario(name: str) -> None:
    """An unknown scenario is refused before the screen opens (it is only a name to look up)."""
    from cilium_tui.lab.scenarios import scenario  # noqa: PLC0415 - loaded only for --demo

    try:
        scenario(name)
    except ValueError as e:
        raise OpenError(f"--demo: {e}") from e


def _fail(message: str) -> int:
    print(f"cilium-tui: {message}", file=sys.stderr)
    return EXIT_CANNOT_OPEN


async def _console(target: Target) -> int:
    from cilium_tui.ui.app import run_console  # noqa: PLC0415 - Textual loads only for the console

    settings = target.settings
    if not settings.demo:
        try:  # the kubeconfig, read here: nothing is dialled before the console paints
            source = await open_source(settings)
        except NoCluster as e:
            return _fail(f"{e}; try `cilium-tui --demo` for the embedded lab")
        except OpenError as e:
            return _fail(str(e))
        remedy = None if settings.read_only else RemedyEngine(source, journal=journal_for(source))
        return await run_console(settings, source, remedy=remedy)
    with tempfile.TemporaryDirectory(prefix="cilium-tui-lab-") as files:
        directory = Path(files)
        opener = partial(
            open_source,
            settings,
            latency=target.latency,
            faults=target.faults,
            lab_directory=directory,
        )
        lab = OpeningSource(f"lab {settings.demo}", opener)  # the lab starts on screen
        # A demo's changes are journalled with the lab and go with it (see `journal_for`).
        journal = Journal(directory / "journal", temporary=True)
        remedy = None if settings.read_only else RemedyEngine(lab, journal=journal)
        return await run_console(settings, lab, remedy=remedy)
