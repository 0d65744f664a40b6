"""`cilium-tui` (the console command) refuses what it cannot open with one line and exit status 2,
before the screen is taken over: no traceback, no console full of errors."""

from __future__ import annotations

from functools import partialmethod
from pathlib import Path

import pytest

from cilium_tui.cli import main
from cilium_tui.ui.app import CiliumTuiApp


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config file, no KUBECONFIG: only what each test passes."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("cilium-tui: ")]
    return line


def test_a_missing_kubeconfig(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(["--kubeconfig", str(tmp_path / "nope.yaml")], capsys)
    assert "nope.yaml" in line


def test_an_unreachable_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console paints before it dials anything, so the cluster is found unreachable on
    screen (headless here: no terminal under pytest); the screen is then given back and the
    reason is one line."""
    monkeypatch.setattr(
        CiliumTuiApp, "run_async", partialmethod(CiliumTuiApp.run_async, headless=True)
    )
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        """apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: me, user: {token: t}}]
contexts: [{name: gone, context: {cluster: gone, user: me}}]
current-context: gone
"""
    )
    line = refused(["--kubeconfig", str(kubeconfig), "--no-ssh"], capsys)
    assert line.startswith("cilium-tui: no nodes could be read from context gone: ")


def test_an_unknown_theme_is_refused_before_the_lab_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refused(["--demo", "--theme", "nope"], capsys)
    assert line.startswith("cilium-tui: unknown theme 'nope'; available: cilium,")
    assert "starting the lab" not in capsys.readouterr().err


def test_an_unknown_demo_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(["--demo=nope"], capsys)
    assert "nope" in line and "seed" in line
