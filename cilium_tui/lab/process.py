"""The embedded lab in a process of its own, as `--demo` runs it.

The lab serves a whole cluster (an API server, an agent per node, an SSH board per node) from
Python: in the console's process it took the GIL from the screen, and a big lab's start and
scans froze it. So the console starts `python -m cilium_tui.lab.process` and reads it as it would
a remote cluster, through the files the lab writes. The child:

- says on stdout, in one JSON line, that it is ready (with its files) or why it cannot start;
- runs until its stdin closes, which the parent does to stop it, and which the system does when
  the parent dies however it dies (no Linux-only parent-death signal needed); SIGTERM, SIGHUP and
  SIGINT stop it too;
- has a session of its own, so the terminal's signals (Ctrl-C, hang-up) reach the console, which
  stops the lab in its own time, and its stderr goes to a file, never onto the console's screen.

This module is what the parent imports: the lab itself loads only in the child.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from cilium_tui.lab.files import LabFiles

STOP_TIMEOUT = 30.0
"""How long a lab may take to stop (a 5000-board lab closes 5000 servers) before it is killed."""


class LabRefused(ValueError):
    """The lab was asked for something that is not there (an unknown scenario, a bad fault)."""


class LabFailed(RuntimeError):
    """The lab process could not start (open-files limit, a port, a crash)."""


class LabProcess:
    """A lab running in a child process; `stop()` ends it (blocking) and removes its files."""

    def __init__(
        self, popen: subprocess.Popen[bytes], scenario: str, files: LabFiles, owned_dir: bool
    ) -> None:
        self._popen = popen
        self.scenario = scenario
        """The scenario's name, as the lab reports it."""
        self.files = files
        self._owned_dir = owned_dir

    @property
    def pid(self) -> int:
        return self._popen.pid

    @classmethod
    async def start(
        cls,
        name: str,
        directory: Path | None = None,
        *,
        latency: float = 0.0,
        faults: Sequence[str] = (),
        temporary: bool = False,
    ) -> LabProcess:
        """Start the lab of scenario `name`, its files in `directory` (else a temporary one of
        its own), and wait until it serves. Raises LabRefused or LabFailed. Cancelled while it
        starts, it kills the child.

        A directory of its own, or one given as `temporary`, goes when the lab stops: the child
        removes it too, so it goes even when the parent is killed (SIGKILL runs no clean-up)."""
        owned = directory is None or temporary
        if directory is None:  # private (0700): the files in it carry a token and a key
            directory = Path(tempfile.mkdtemp(prefix="cilium-tui-lab-"))
        cmd = [sys.executable, "-m", __name__, name, "--latency", repr(latency)]
        cmd += ["--dir", str(directory)] + (["--remove-dir"] if owned else [])
        for fault in faults:
            cmd += ["--fault", fault]
        with tempfile.TemporaryFile() as log:  # the child's stderr, read back if it fails
            popen = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
            try:
                assert popen.stdout is not None
                line = await asyncio.to_thread(popen.stdout.readline)
                report = _report(line, popen, log)
            except BaseException:  # refused, failed, or the caller gave up waiting
                popen.kill()
                _end(popen)
                if owned:
                    shutil.rmtree(directory, ignore_errors=True)
                raise
        paths = {k: Path(v) for k, v in report["files"].items()}
        return cls(popen, report["scenario"], LabFiles(**paths), owned)

    def stop(self) -> None:
        _end(self._popen)
        if self._owned_dir:  # the child removes it too, unless it had to be killed
            shutil.rmtree(self.files.directory, ignore_errors=True)


def _report(line: bytes, popen: subprocess.Popen[bytes], log: IO[bytes]) -> dict[str, Any]:
    """The child's first line: ready, refused or failed (or it died before saying)."""
    try:
        report: dict[str, Any] = json.loads(line)
    except ValueError:
        popen.wait()
        log.seek(0)
        tail = log.read().decode(errors="replace").strip().splitlines()[-1:]
        raise LabFailed(f"the lab process exited ({popen.returncode}): {' '.join(tail)}") from None
    if "refused" in report:
        raise LabRefused(report["refused"])
    if "failed" in report:
        raise LabFailed(report["failed"])
    return report


def _end(popen: subprocess.Popen[bytes]) -> None:
    """Close the child's stdin (its signal to stop) and wait; kill it if it does not stop."""
    if popen.stdin is not None:
        with contextlib.suppress(OSError):
            popen.stdin.close()
    try:
        popen.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait()
    if popen.stdout is not None:
        popen.stdout.close()


# -- the child -------------------------------------------------------------------------------------


def _stop_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _say(report: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}")
    parser.add_argument("scenario")
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--remove-dir", action="store_true", help="remove --dir when stopping")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fault", action="append", default=[])
    args = parser.parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _stop_on_signal)

    # The lab's modules load in the child only.
    from cilium_tui.collect.fdlimit import raise_open_files_limit  # noqa: PLC0415
    from cilium_tui.lab.runner import start_lab  # noqa: PLC0415

    raise_open_files_limit()  # one SSH server per board, all in this process
    try:
        lab = start_lab(args.scenario, args.dir, latency=args.latency, faults=args.fault)
    except ValueError as e:
        _say({"refused": str(e)})
        return 2
    except (OSError, RuntimeError) as e:
        _say({"failed": str(e)})
        return 1
    try:
        files = lab.files
        assert files is not None
        paths = {k: str(v) for k, v in vars(files).items()}
        _say({"scenario": lab.scenario.name, "files": paths})
        sys.stdin.buffer.read()  # until the parent closes it, or dies
    finally:
        lab.stop()
        if args.remove_dir and args.dir is not None:
            shutil.rmtree(args.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
