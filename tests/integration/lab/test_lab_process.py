"""`--demo` runs its lab in a process of its own (issue 10): the console's GIL is the console's.

The lab process is started and read as a remote cluster, stopped when its source closes, and
never outlives its parent, however the parent ends: it watches its stdin, which only the parent
holds. Its temporary directory (a token and keys) goes with it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cilium_tui.connect import OpenError, open_source
from cilium_tui.lab.process import LabProcess, LabRefused
from cilium_tui.settings import Settings

DEADLINE = 60.0


def gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped by its new parent counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def wait_until(done: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def lab_dirs(tmp: Path) -> list[str]:
    return [p.name for p in tmp.iterdir() if p.name.startswith("cilium-tui-lab-")]


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    return tmp_path


async def test_the_demo_lab_runs_in_a_child_and_stops_with_its_source(tmp: Path) -> None:
    source = await open_source(Settings(demo="seed", no_ssh=True))
    lab = source.owns
    assert isinstance(lab, LabProcess)
    assert lab.pid != os.getpid() and not gone(lab.pid)
    assert lab.files.kubeconfig.is_file() and lab_dirs(tmp)
    try:
        snapshot = await source.scan()
        assert len([n for n in snapshot.nodes if n.agent is not None]) == 6  # its agents answer
    finally:
        await source.close()
    assert gone(lab.pid)
    assert lab_dirs(tmp) == []


async def test_a_refused_lab_says_why_and_leaves_nothing(tmp: Path) -> None:
    with pytest.raises(LabRefused, match=r"unknown scenario|no scenario"):
        await LabProcess.start("no-such-scenario")
    with pytest.raises(OpenError, match=r"--demo: .*fault"):
        await open_source(Settings(demo="seed"), faults=["melt:rock64-1"])
    assert lab_dirs(tmp) == []


PARENT = """
import asyncio, sys, tempfile
from pathlib import Path
from cilium_tui.lab.process import LabProcess
given = Path(tempfile.mkdtemp()) if sys.argv[1] == "given" else None
lab = asyncio.run(LabProcess.start("seed", given, temporary=given is not None))
print(lab.pid, lab.files.directory, flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("directory", ["own", "given"])
def test_the_lab_dies_with_its_parent(tmp: Path, how: signal.Signals, directory: str) -> None:
    """Its files go with it: a directory of its own, or one the console made for it (`given`,
    as `--demo` does, which a SIGKILLed console cannot remove itself)."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, directory],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert parent.stdout is not None
    pid, directory = parent.stdout.readline().split()
    child = int(pid)
    try:
        assert not gone(child) and Path(directory).is_dir()
        parent.send_signal(how)  # no clean-up of its own: SIGKILL, or SIGTERM's default
        parent.wait(timeout=DEADLINE)
        wait_until(lambda: gone(child), "the lab outlived its parent")
        assert not Path(directory).exists()
    finally:
        if not gone(child):
            os.kill(child, signal.SIGKILL)


def lab_children() -> list[int]:
    """This process's children running the lab."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or gone(int(proc.name)):
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if ppid == os.getpid() and b"cilium_tui.lab.process" in cmdline:
            found.append(int(proc.name))
    return found


async def test_giving_up_while_the_lab_starts_ends_it(tmp: Path) -> None:
    """The console quit before its lab was up: the half-started lab is killed, its files go."""
    starting = asyncio.create_task(LabProcess.start("scale:300"))
    deadline = time.monotonic() + DEADLINE
    while not lab_children():
        assert time.monotonic() < deadline, "the lab process never started"
        await asyncio.sleep(0.05)
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    assert lab_children() == []
    assert lab_dirs(tmp) == []
