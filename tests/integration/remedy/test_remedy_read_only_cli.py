"""`cilium-tui --read-only apply/undo` against a running lab (not `--demo`: the lab outlives the
command, so its API request log and its boards' command log can be read afterwards)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from cilium_tui.cli import main
from cilium_tui.lab.boards import LabBoards
from cilium_tui.lab.runner import RunningLab, start_lab
from tests.integration.lab.conftest import FAST


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningLab]:
    """A running seed lab; a private journal and no user config file."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with start_lab("seed", tmp_path / "lab", timing=FAST) as lab:
        yield lab


def cluster_args(lab: RunningLab) -> list[str]:
    files = lab.files
    assert files is not None
    return [
        "--kubeconfig", str(files.kubeconfig),
        "--inventory", str(files.inventory),
        "--ssh-config", str(files.ssh_config),
    ]  # fmt: skip


def test_read_only_apply_and_undo_are_refused_and_the_lab_logs_stay_clean(
    seed: RunningLab, capsys: pytest.CaptureFixture[str]
) -> None:
    boards = seed.boards
    assert isinstance(boards, LabBoards)
    machines, config = copy.deepcopy(seed.cluster.hosts), seed.cluster.config()
    where = cluster_args(seed)
    for argv in (
        ["--read-only", "apply", "cpu-governor", "--yes", *where],
        ["--read-only", "apply", "irqbalance", "--yes", *where],
        ["--read-only", "undo", "--yes", *where],
    ):
        assert main(argv) == 2, argv
        assert "read-only mode" in capsys.readouterr().err
    # The same cluster, read: the plan is there to apply, and reading it writes nothing.
    assert main(["--read-only", "plan", "cpu-governor", *where]) == 0
    assert "Status: READY to apply" in capsys.readouterr().out
    assert seed.api.requests.records() and boards.commands.records(), "it did read the lab"
    assert seed.api.requests.mutating() == []
    assert boards.commands.mutating() == []
    assert not any(e.argv and e.argv[:2] == ("sudo", "-n") for e in boards.commands.records())
    assert seed.cluster.hosts == machines and seed.cluster.config() == config
