"""The diff's summary and the snapshot file's schema checks, on sysdumps of real outputs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from cilium_tui.model import Snapshot
from cilium_tui.offline.diff import diff_snapshots, since_marks
from cilium_tui.offline.snapshot_file import (
    REDACTED,
    SnapshotFileError,
    load_snapshot,
    save_snapshot,
    snapshot_document,
)
from cilium_tui.offline.source import read_offline
from cilium_tui.report.diff import render_diff
from tests.unit.offline.test_sysdump_samples import _era_1_17


@pytest.fixture
def bpf(tmp_path: Path) -> Snapshot:
    return read_offline(_era_1_17(tmp_path))[1]


def _kpr_off(snapshot: Snapshot) -> Snapshot:
    """The same node after an upgrade that turned kube-proxy replacement off."""
    record = snapshot.nodes[0]
    assert record.agent is not None
    agent = dataclasses.replace(record.agent, kube_proxy_replacement="False", host_routing="Legacy")
    return dataclasses.replace(snapshot, nodes=(dataclasses.replace(record, agent=agent),))


def test_summary_names_the_host_routing_move_and_its_cause(bpf: Snapshot) -> None:
    diff = diff_snapshots(bpf, _kpr_off(bpf))
    assert diff.summary.startswith("1 node moved BPF -> Legacy: ")
    assert "kube-proxy replacement" in diff.summary
    (node,) = diff.nodes
    facts = {c.what: (c.before, c.after) for c in node.facts}
    assert facts["host routing"] == ("BPF", "Legacy")
    assert since_marks(diff) == {
        "k8s-node-1": {"host routing": "BPF", "kube-proxy replacement": "True"}
    }
    assert render_diff("text", diff).splitlines()[0] == diff.summary


def test_no_change_and_added_nodes(bpf: Snapshot) -> None:
    assert diff_snapshots(bpf, bpf).summary == "no change"
    empty = dataclasses.replace(bpf, nodes=())
    diff = diff_snapshots(empty, bpf)
    assert diff.summary == "1 node added"
    assert since_marks(diff) == {"k8s-node-1": {"": "new"}}


def test_credentials_in_cilium_config_are_redacted(bpf: Snapshot, tmp_path: Path) -> None:
    assert bpf.config is not None
    config = dataclasses.replace(bpf.config, data={**bpf.config.data, "etcd-password": "hunter2"})
    doc = json.dumps(snapshot_document(dataclasses.replace(bpf, config=config)))
    assert "hunter2" not in doc and REDACTED in doc
    assert "since" not in json.loads(doc)["snapshot"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"schema": "cilium-tui.check/1"}', "not a cilium-tui snapshot"),
        ('{"schema": "cilium-tui.snapshot/2", "snapshot": {}}', "this cilium-tui reads"),
        ('{"schema": "cilium-tui.snapshot/1", "snapshot": {"source": 1}}', "malformed snapshot"),
    ],
)
def test_bad_snapshot_files_are_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(SnapshotFileError, match=message) as e:
        load_snapshot(path)
    assert "\n" not in str(e.value)


def test_unknown_fields_of_a_later_minor_version_are_ignored(bpf: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    save_snapshot(bpf, path)
    doc = json.loads(path.read_text())
    doc["snapshot"]["added_later"] = True
    path.write_text(json.dumps(doc))
    assert load_snapshot(path) == bpf
