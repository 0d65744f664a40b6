"""Escapes and markup in a Node's fields (a hostile or broken cluster) never reach a terminal raw:
not from `check`, `plan`, `apply` or `journal`, not from the console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cilium_tui.cli import main
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.runner import RunningLab, start_lab
from cilium_tui.ui.rows import COLUMN_KEYS
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.integration.lab.conftest import FAST, running
from tests.ui.support import console_on_lab, settle

HOSTILE = "Ubuntu \x1b]0;pwned\x07 \x1b[2J[bold red]x[/] \x9b31m"
NODE = "k3s-vm-1"


def make_hostile(lab: RunningLab) -> None:
    def set_os(obj: dict[str, object]) -> None:
        obj["status"]["nodeInfo"]["osImage"] = HOSTILE  # type: ignore[index]

    lab.api.store.update("nodes", None, NODE, set_os)
    host = lab.cluster.hosts[NODE]  # and what the node's own /etc/os-release says over SSH
    host.os_release = host.os_release.replace('PRETTY_NAME="', f'PRETTY_NAME="{HOSTILE} ', 1)


@pytest.fixture
def training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningLab]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    lab = start_lab("training", timing=FAST)
    make_hostile(lab)
    yield lab
    lab.stop()


def test_the_command_line_prints_no_raw_escape(
    training: RunningLab, capsys: pytest.CaptureFixture[str]
) -> None:
    files = training.files
    assert files is not None
    cluster = ["--kubeconfig", str(files.kubeconfig), "--no-ssh"]
    outputs = []
    for argv in (
        ["check", *cluster],
        ["check", "--format", "markdown", *cluster],
        ["plan", "native-routing", *cluster],
        ["apply", "native-routing", "--yes", *cluster],
        ["journal"],
        ["journal", "--format", "json"],
    ):
        main(argv)
        out, err = capsys.readouterr()
        outputs.append(out + err)
    joined = "".join(outputs)
    assert "Ubuntu \\x1b]0;pwned\\x07" in outputs[0]  # shown, neutralised
    for raw in ("\x1b", "\x07", "\x9b"):
        assert raw not in joined
    assert training.api.token not in joined


async def test_the_console_renders_no_raw_escape(tmp_path: Path) -> None:
    from tests.integration.lab.conftest import lab_source

    source: ClusterSource = await lab_source("seed")
    make_hostile(running(source))
    app = console_on_lab(source, tmp_path / "journal")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(NodeTable)
        row = [str(table.get_cell(NODE, column)) for column in COLUMN_KEYS]
        assert any("\\x1b]0;pwned" in cell for cell in row)
        assert not any(raw in cell for cell in row for raw in ("\x1b", "\x07", "\x9b"))
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg
    await source.close()
