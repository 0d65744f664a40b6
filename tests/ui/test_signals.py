"""SIGTERM and SIGHUP end the console like `q`: the terminal is restored (alternate screen left,
mouse tracking off) and the demo's temporary lab directory, which holds a token and keys, is
removed. The console runs in a pseudo-terminal, as a user's terminal would run it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEADLINE = 60.0
LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"


def read_until(fd: int, done: bytes, seen: bytearray) -> None:
    deadline = time.monotonic() + DEADLINE
    while done not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {done!r} in the terminal's output"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            seen += chunk


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_restores_the_terminal_and_removes_the_lab(
    tmp_path: Path, how: signal.Signals
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(tmp),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
    }
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cilium_tui", "--demo", "--no-ssh"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    seen = bytearray()
    try:
        read_until(main, b"\x1b[?1049h", seen)  # the console took over the terminal
        read_until(main, b"rock64-3", seen)  # and shows the node table
        assert [p.name for p in tmp.iterdir() if p.name.startswith("cilium-tui-lab-")]
        process.send_signal(how)
        read_until(main, LEAVE_ALTERNATE_SCREEN, seen)
        code = process.wait(timeout=DEADLINE)
        with_rest = bytearray()
        read_until(main, b"\x00never", with_rest)  # drain what is left until the pty closes
        seen += with_rest
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    # Whatever was switched on last is switched off after it.
    assert seen.rfind(LEAVE_ALTERNATE_SCREEN) > seen.rfind(b"\x1b[?1049h") >= 0
    assert seen.rfind(MOUSE_OFF) > seen.rfind(b"\x1b[?1000h") >= 0
    assert code == 128 + int(how)
    assert [p.name for p in tmp.iterdir() if p.name.startswith("cilium-tui-lab-")] == []
