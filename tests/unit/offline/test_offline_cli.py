"""The command line around offline files: `--sysdump`, `--snapshot`, `snapshot save`, `diff`."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from cilium_tui.cli import main
from cilium_tui.model import Snapshot
from cilium_tui.offline.source import OfflineSource, SinceSource
from cilium_tui.settings import Settings
from tests.unit.offline.test_sysdump_samples import _era_1_13, _era_1_17


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("KUBECONFIG", raising=False)


def one_error_line(capsys: pytest.CaptureFixture[str], prefix: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith(prefix)]
    return line


def test_check_sysdump_prints_the_report_of_each_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = _era_1_17(tmp_path)
    assert main(["check", "--sysdump", str(dump)]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith(f"Cilium tuning check: sysdump {dump.name}, 2024-07-16 09:04:36")
    assert "k8s-node-1" in out and "BPF" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--sysdump", "nope.zip"], "no such file"),
        (["check", "--sysdump", "x.zip", "--demo"], "--sysdump reads a file instead of a cluster"),
        (["check", "--sysdump", "a.zip", "--snapshot", "b.json"], "give one of them"),
        (["snapshot", "save", "o.json", "--snapshot", "nope.json"], "cannot read"),
    ],
)
def test_bad_offline_options_are_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in one_error_line(capsys, f"cilium-tui {argv[0]}: ")


def test_snapshot_save_from_a_sysdump_replays_and_diffs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = _era_1_13(tmp_path)
    saved = tmp_path / "older.json"
    assert main(["snapshot", "save", str(saved), "--sysdump", str(older)]) == 0
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    capsys.readouterr()
    assert main(["check", "--snapshot", str(saved)]) == main(["check", "--sysdump", str(older)])
    newer = _era_1_17(tmp_path / "newer")
    capsys.readouterr()
    assert main(["diff", str(saved), str(newer)]) == 1
    out = capsys.readouterr().out
    assert "2 nodes removed" in out.splitlines()[0] and "1 node added" in out.splitlines()[0]
    assert main(["diff", str(saved), str(tmp_path / "gone.zip")]) == 2
    assert "gone.zip" in one_error_line(capsys, "cilium-tui diff: ")


def test_console_opens_a_sysdump_read_only_and_compares_with_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[tuple[Settings, Any, Snapshot, Any]] = []

    async def fake_console(settings: Settings, source: Any, snapshot: Snapshot, remedy: Any) -> int:
        opened.append((settings, source, snapshot, remedy))
        await source.close()
        return 0

    monkeypatch.setattr("cilium_tui.ui.app.run_console", fake_console)
    dump = _era_1_17(tmp_path)
    assert main(["--sysdump", str(dump)]) == 0
    settings, source, snapshot, remedy = opened[-1]
    assert settings.read_only and settings.refresh == 0 and remedy is None
    assert isinstance(source, OfflineSource)
    assert source.name == f"sysdump {dump.name} · taken 2024-07-16 09:04:36"

    older = tmp_path / "older.json"
    assert main(["snapshot", "save", str(older), "--sysdump", str(_era_1_13(tmp_path))]) == 0
    assert main(["--sysdump", str(dump), "--since", str(older)]) == 0
    _, source, snapshot, _ = opened[-1]
    assert isinstance(source, SinceSource) and "since snapshot older.json" in source.name
    assert snapshot.since == {"k8s-node-1": {"": "new"}}
