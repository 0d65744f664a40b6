"""The installed `cilium-tui --demo` in a real terminal: tmux on a private socket, 160x45.

This is the whole product as a user starts it: the entry point installed by pip (next to the
running Python, as CI's `.venv` has it, or on PATH), the embedded lab started in-process and read
over HTTPS and SSH, the console drawn by a real terminal emulator. The test reads the screen with
`capture-pane`, waiting with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import need, need_tools

pytestmark = pytest.mark.tmux

WIDTH, HEIGHT = 160, 45
DEADLINE = 60.0
VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")


def installed_entry_point() -> str | None:
    beside = Path(sys.executable).with_name("cilium-tui")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("cilium-tui")


@dataclass
class Tmux:
    socket: str
    session: str = "demo"
    socket_path: Path | None = None

    def start(self, command: str, env: dict[str, str]) -> None:
        """A detached session running `command` (a shell command line) in a WIDTHxHEIGHT window."""
        subprocess.run(
            [
                "tmux", "-L", self.socket, "new-session", "-d", "-s", self.session,
                "-x", str(WIDTH), "-y", str(HEIGHT), command,
            ],
            check=True,
            env=env,
        )  # fmt: skip
        shown = self.run("display-message", "-p", "-t", self.session, "#{socket_path}")
        self.socket_path = Path(shown.stdout.strip())

    def stop(self) -> None:
        """Kill the server and remove its socket file (tmux leaves it behind)."""
        self.run("kill-server", check=False)
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def wait(self, done: Callable[[str], bool], what: str) -> str:
        """The screen once `done(screen)`; fails with the last screen after DEADLINE."""
        deadline = time.monotonic() + DEADLINE
        screen = ""
        while time.monotonic() < deadline:
            if not self.alive():
                pytest.fail(f"cilium-tui exited while waiting for {what}")
            screen = self.screen()
            if done(screen):
                return screen
            time.sleep(0.2)
        pytest.fail(f"no {what} within {DEADLINE:.0f} s; the screen was:\n{screen}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    need_tools("tmux")
    session = Tmux(f"cilium-tui-test-{uuid.uuid4().hex[:12]}")
    try:
        yield session
    finally:
        session.stop()


def row(screen: str, node: str) -> str:
    return next((line for line in screen.splitlines() if line.strip().startswith(node)), "")


def test_demo_shows_the_seed_switches_to_the_checklist_and_quits(
    tmux: Tmux, tmp_path: Path
) -> None:
    entry = installed_entry_point()
    need(entry is not None, "cilium-tui is not installed (pip install .)")
    assert entry is not None
    status = tmp_path / "status"
    # A private config dir, so a user's config file or themes cannot change what is shown.
    command = shlex.join(["env", f"XDG_CONFIG_HOME={tmp_path / 'config'}", entry, "--demo"])
    # The shell stays after the console exits, so that the terminal's scrollback can be read.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONWARNINGS")}
    tmux.start(
        f"{command}; echo $? > {shlex.quote(str(status))}; exec sleep {DEADLINE:.0f}",
        env={**env, "TERM": "xterm-256color"},
    )

    first = tmux.wait(lambda s: "DEMO · seed" in s, "the first frame")
    busy = "opening lab seed" in first or "scanning" in first
    assert busy or "6.2.0-39-generic" not in first, "painted before the scan ended"
    screen = tmux.wait(
        lambda s: (
            all(" BPF " in row(s, n) for n in VMS)
            and all(" Legacy · " in row(s, n) for n in BOARDS)
        ),
        "node table",
    )
    assert "DEMO · seed" in screen
    for vm in VMS:
        assert " 6.2.0-39-generic " in row(screen, vm)
        assert " BPF " in row(screen, vm)
    for board in BOARDS:
        assert " 4.19.0-24-arm64 " in row(screen, board)
        assert " Legacy · kernel 4.19 < 5.10 " in row(screen, board)

    tmux.keys("2")
    screen = tmux.wait(lambda s: "Bypass iptables conntrack" in s, "checklist")
    routing = next(line for line in screen.splitlines() if "BPF host routing " in line)
    assert re.search(r"BPF host routing +3 +· +3 +· +· ", routing), "3 on, 3 blocked: " + routing

    tmux.keys("q")
    deadline = time.monotonic() + DEADLINE
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status.exists(), "q did not end the console"
    assert status.read_text().strip() == "0"
    # Nothing was printed around the console: no Python warning left in the scrollback.
    scrollback = tmux.run("capture-pane", "-p", "-S", "-", "-t", tmux.session).stdout
    assert "Warning:" not in scrollback, scrollback
    # The console painted first and showed the lab starting and the scan on screen: nothing of
    # it went to the terminal before the console opened (it used to print "starting the lab").
    assert "lab" not in scrollback and "scann" not in scrollback, scrollback
