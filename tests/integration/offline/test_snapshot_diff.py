"""Snapshots round-trip; `diff` around `apply native-routing` on the training lab names exactly
what changed."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest
import yaml

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.cli import main
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.model import Snapshot
from cilium_tui.offline.snapshot_file import SCHEMA, load_snapshot, save_snapshot
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.planner import build_plan
from cilium_tui.report import render_check
from tests.integration.lab.conftest import running
from tests.integration.offline.labdump import lab_sysdump
from tests.integration.remedy.conftest import Lab, apply

NODES = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3", "rock64-1", "rock64-2", "rock64-3")


def report(fmt: str, snapshot: Snapshot) -> str:
    return render_check(fmt, snapshot, evaluate(snapshot), why_legacy(snapshot))  # type: ignore[arg-type]


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = await asyncio.to_thread(main, list(args))
    return code, capsys.readouterr().out


async def test_a_saved_scan_replays_to_the_same_report(seed: ClusterSource, tmp_path: Path) -> None:
    scanned = await seed.scan()
    path = tmp_path / "seed.json"
    save_snapshot(scanned, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert json.loads(text)["schema"] == SCHEMA
    files = running(seed).files
    assert files is not None
    kubeconfig = yaml.safe_load(files.kubeconfig.read_text())
    token = kubeconfig["users"][0]["user"]["token"]
    assert token and token not in text
    replayed = load_snapshot(path)
    assert replayed == scanned
    for fmt in ("text", "json", "markdown"):
        assert report(fmt, replayed) == report(fmt, scanned)


async def test_check_snapshot_equals_check_sysdump(
    seed: ClusterSource, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = lab_sysdump(running(seed), tmp_path)
    saved = tmp_path / "from-sysdump.json"
    code, _ = await cli(capsys, "snapshot", "save", str(saved), "--sysdump", str(dump))
    assert code == 0
    code_a, direct = await cli(capsys, "check", "--sysdump", str(dump))
    code_b, replay = await cli(capsys, "check", "--snapshot", str(saved))
    assert (code_b, replay) == (code_a, direct)
    assert "sysdump cilium-sysdump-20240716-090436.zip" in direct.splitlines()[0]
    code, same = await cli(capsys, "diff", str(dump), str(saved))
    assert (code, same.splitlines()[0]) == (0, "no change")


async def test_diff_around_native_routing_on_the_training_lab(
    lab: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    training: Lab = await lab("training")  # type: ignore[operator]
    before = await training.source.scan()
    plan = build_plan("native-routing", before, options=PlanOptions(batch_size=3))
    assert plan.status == "ready", plan.summary
    result = await apply(training, plan)
    assert result.outcome == "verified", result.message
    after = await training.source.scan()
    save_snapshot(before, tmp_path / "before.json")
    save_snapshot(after, tmp_path / "after.json")

    code, out = await cli(
        capsys,
        "diff",
        str(tmp_path / "before.json"),
        str(tmp_path / "after.json"),
        "--format",
        "json",
    )
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "cilium-tui.diff/1"
    changed = {n["name"]: n for n in doc["nodes"]}
    assert set(changed) == set(NODES)
    for node in changed.values():
        facts = {f["what"]: (f["before"], f["after"]) for f in node["facts"]}
        items = {i["what"]: (i["before"], i["after"]) for i in node["items"]}
        assert facts == {"routing": ("tunnel/vxlan", "native")}
        assert items == {"native-routing": ("off", "on")}, node["name"]
        assert node["host_routing"] is None  # Legacy before and after: kube-proxy still runs
    assert doc["summary"] == "native-routing off -> on on 6 nodes"

    code, text = await cli(
        capsys, "diff", str(tmp_path / "before.json"), str(tmp_path / "after.json")
    )
    assert text.splitlines()[0] == "native-routing off -> on on 6 nodes"
    assert "  item  native-routing: off -> on" in text
    assert "  fact  routing: tunnel/vxlan -> native" in text
    code, md = await cli(
        capsys,
        "diff",
        "--format",
        "markdown",
        str(tmp_path / "before.json"),
        str(tmp_path / "after.json"),
    )
    assert "| rock64-1 | item native-routing | off | on |" in md
