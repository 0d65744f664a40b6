"""No Python warning reaches a user's stderr: `check`'s stderr is read by CI logs, and warnings
printed before the console starts stay in the scrollback after it quits.

Run as a user runs them, in a subprocess with the default warning filters (no PYTHONWARNINGS), so
that a new release of a dependency that starts warning at import (cryptography 51 deprecating DSA,
which asyncssh names) fails here first. `--demo` is covered by the tmux test, which reads the
terminal's scrollback after the console quits.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "cilium_tui"]
SAMPLE = Path(__file__).parents[2] / "data" / "status" / "status-1.17-native-bpf.json"
# What `warnings.showwarning` prints: "<file>:<line>: <Category>Warning: <message>".
WARNING_LINE = re.compile(r":\d+: \w*Warning: ")


def user_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHONWARNINGS")}


def assert_no_warning(stderr: str) -> None:
    found = [line for line in stderr.splitlines() if WARNING_LINE.search(line)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--demo"),
        ("plan", "native-routing", "--demo=training"),
        ("explain", str(SAMPLE)),
        ("check",),  # no cluster at all: the one-line error must be the only line
    ],
    ids=["check", "plan", "explain", "check-without-cluster"],
)
def test_commands_print_no_python_warning(args: tuple[str, ...], tmp_path: Path) -> None:
    env = {**user_env(), "KUBECONFIG": str(tmp_path / "none"), "HOME": str(tmp_path)}
    out = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode in (0, 1, 2), out.stderr
    assert_no_warning(out.stderr)


def test_lab_prints_no_python_warning(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*CLI, "lab", "--dir", str(tmp_path / "lab")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=user_env(),
    )
    assert proc.stdout is not None
    try:
        while line := proc.stdout.readline():
            if "Press Ctrl-C to stop" in line:
                break
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert_no_warning(stderr)
