"""The Done-when of offline diagnosis, at the command line: `snapshot save`, `apply native-routing
--yes`, `snapshot save`, `diff`, against the training lab read like any cluster (kubeconfig, SSH
config, inventory)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cilium_tui.cli import main
from cilium_tui.lab.runner import RunningLab
from tests.integration.remedy.test_remedy_cli import StartLabNow, labs

__all__ = ["labs"]

NODES = {"k3s-vm-1", "k3s-vm-2", "k3s-vm-3", "rock64-1", "rock64-2", "rock64-3"}


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def cluster(lab: RunningLab) -> list[str]:
    files = lab.files
    assert files is not None
    return [
        "--kubeconfig", str(files.kubeconfig),
        "--ssh-config", str(files.ssh_config),
        "--inventory", str(files.inventory),
    ]  # fmt: skip


def test_diff_around_apply_native_routing_names_exactly_what_changed(
    labs: StartLabNow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    training = labs("training")
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    assert main(["snapshot", "save", str(before), *cluster(training)]) == 0
    code = main(["apply", "native-routing", "--yes", *cluster(training)])
    assert code == 0, capsys.readouterr()
    assert main(["snapshot", "save", str(after), *cluster(training)]) == 0
    capsys.readouterr()

    assert main(["diff", str(before), str(after), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"] == "native-routing off -> on on 6 nodes"
    assert {n["name"] for n in doc["nodes"]} == NODES
    for node in doc["nodes"]:
        assert node["facts"] == [{"what": "routing", "before": "tunnel/vxlan", "after": "native"}]
        assert node["items"] == [{"what": "native-routing", "before": "off", "after": "on"}]
    # Host facts were probed over SSH both times and did not change: no noise from them.
    assert main(["diff", str(before), str(before)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "no change"
