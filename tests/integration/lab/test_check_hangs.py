"""A `check` against a cluster whose exec never answers still ends (and says so per node)."""

from __future__ import annotations

import json
import subprocess
import sys

from cilium_tui.lab.runner import start_lab


def test_check_ends_when_an_exec_handshake_is_never_answered() -> None:
    # The lab runs here, not in the checking process: it keeps stalling until the check is done.
    with start_lab("seed", faults=["exec-stall:k3s-vm-1", "exec-hang:k3s-vm-2"]) as lab:
        assert lab.files is not None
        out = subprocess.run(
            [sys.executable, "-m", "cilium_tui", "check", "--no-ssh", "--format", "json",
             "--kubeconfig", str(lab.files.kubeconfig)],
            capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
    assert out.returncode == 1, out.stderr
    problems = {n["name"]: n["problems"] for n in json.loads(out.stdout)["nodes"]}
    assert "no answer from https://127.0.0.1:" in problems["k3s-vm-1"][0]
    assert "no result after 10 s" in problems["k3s-vm-2"][0]
    assert not [p for p in problems["k3s-vm-3"] if p.startswith("agent")]
