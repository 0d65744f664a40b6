"""`check` says so when a board's sudo wants a password: its privileged reads were skipped."""

from __future__ import annotations

import pytest

from cilium_tui.cli import main
from cilium_tui.lab.runner import start_lab
from tests.integration.lab.conftest import FAST


def test_a_board_whose_sudo_wants_a_password_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    lab = start_lab("seed", timing=FAST)
    try:
        lab.cluster.hosts["rock64-1"].sudo = "password"
        files = lab.files
        assert files is not None
        cluster = ["--kubeconfig", str(files.kubeconfig), "--ssh-config", str(files.ssh_config)]
        main(["check", *cluster, "--inventory", str(files.inventory)])
        out, _ = capsys.readouterr()
        main(["check", "--format", "json", *cluster, "--inventory", str(files.inventory)])
        doc, _ = capsys.readouterr()
    finally:
        lab.stop()
    assert "! rock64-1: needs passwordless sudo for: iptables -t raw -S" in out
    assert "rock64-2: needs passwordless sudo" not in out
    assert "needs passwordless sudo" in doc
