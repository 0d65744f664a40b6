"""`check --sysdump` on sysdumps of the lab's own output gives the live check's per-node facts."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path

import pytest

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.cli import main
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.report.document import check_document
from tests.integration.lab.conftest import lab_source, running
from tests.integration.offline.labdump import lab_sysdump

VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")


async def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    """`cilium-tui check --format json ARGS` (in a thread: it runs its own event loop)."""
    code = await asyncio.to_thread(main, ["check", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


NEEDS_THE_PROBE = {"jumbo-mtu", "xdp-acceleration"}
"""Cilium items whose verdict also needs the SSH probe (the NIC's MTU, its driver's XDP)."""


def doc_item(doc: dict, node: str, item: str) -> tuple[str, str]:  # type: ignore[type-arg]
    found = next(n for n in doc["nodes"] if n["name"] == node)["items"][item]
    return found["state"], found["reason"]


def cilium_items(doc: dict) -> dict[str, dict[str, str]]:  # type: ignore[type-arg]
    """Per node, the state of every item the agent and cilium-config alone decide."""
    host = {i["id"] for i in doc["cluster"]["items"] if i["scope"] == "host"} | NEEDS_THE_PROBE
    return {
        n["name"]: {k: v["state"] for k, v in n["items"].items() if k not in host}
        for n in doc["nodes"]
    }


async def test_seed_sysdump_gives_bpf_on_the_vms_and_legacy_on_the_boards(
    seed: ClusterSource, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = await seed.scan()
    path = lab_sysdump(running(seed), tmp_path)
    with zipfile.ZipFile(path) as zf:
        assert any(n.endswith("/cmd/cilium-status---verbose.md") for n in zf.namelist())
    code, doc = await check_json(capsys, "--sysdump", str(path))
    hosts = {n["name"]: n["host_routing"] for n in doc["nodes"]}
    assert hosts == {**dict.fromkeys(VMS, "BPF"), **dict.fromkeys(BOARDS, "Legacy")}
    assert {n["name"]: n["kernel"] for n in doc["nodes"]}["rock64-1"] == "4.19.0-24-arm64"
    assert code == 1
    assert doc["source"] == f"sysdump {path.name}"
    # The same judgement of every Cilium item on every node as the live scan of that lab.
    live_doc = check_document(live, evaluate(live), why_legacy(live))
    assert cilium_items(doc) == cilium_items(live_doc)
    # Host facts are unknown with the reason, never off.
    board = next(n for n in doc["nodes"] if n["name"] == "rock64-1")
    assert board["items"]["tuned-profile"]["state"] == "unknown"
    assert "a sysdump holds only the host's `uname -a`" in board["items"]["tuned-profile"]["reason"]
    assert board["items"]["jumbo-mtu"]["state"] == "unknown"
    # ... except what the bugtool's `uname -a` says, judged as the live probe's uname is: the
    # VMs' PREEMPT_DYNAMIC build; the boards' build names no PREEMPT model (the live probe reads
    # their kernel config, which is not in the sysdump).
    for node in ("rock64-1", "k3s-vm-1"):
        assert doc_item(doc, node, "kernel") == doc_item(live_doc, node, "kernel")
    assert doc_item(doc, "k3s-vm-1", "preempt-none") == doc_item(
        live_doc, "k3s-vm-1", "preempt-none"
    )
    assert doc_item(doc, "rock64-1", "preempt-none")[0] == "unknown"


async def test_modern_sysdump_reads_cilium_dbg_status_from_an_unzipped_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = await lab_source("modern")
    try:
        live = await source.scan()
        folder = lab_sysdump(running(source), tmp_path, zipped=False)
    finally:
        await source.close()
    assert any(folder.rglob("cilium-dbg-status---verbose.md"))
    assert not any(folder.rglob("cilium-status---verbose.md"))
    _, doc = await check_json(capsys, "--sysdump", str(folder))
    expected = {r.name: r.agent.host_routing if r.agent else None for r in live.nodes}
    assert {n["name"]: n["host_routing"] for n in doc["nodes"]} == expected
    assert all(n["cilium_version"] and n["cilium_version"].startswith("1.18") for n in doc["nodes"])
