"""Sysdumps of both naming eras built from real outputs (tests/data/samples, tests/data/nodes):
`cilium-status---verbose.md` (agents <= 1.14) and `cilium-dbg-status---verbose.md` (1.15+)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.checks.view import NodeView
from cilium_tui.model import Snapshot
from cilium_tui.offline.snapshot_file import load_snapshot, save_snapshot
from cilium_tui.offline.source import read_offline
from tests.conftest import DATA
from tests.unit.facts.sampledata import sample_text
from tests.unit.offline.builders import TS, agent_pod, sysdump_files, write_folder, write_zip

VM = json.loads((DATA / "nodes" / "lab-vm-k3s-server.json").read_text())
BOARD = json.loads((DATA / "nodes" / "lab-board-k3s-agent.json").read_text())
KUBEADM = json.loads((DATA / "nodes" / "kubeadm-control-plane.json").read_text())
STRICT_1_13 = "A/v1.13.4-eks-eni-strict-legacy-iptables-before.txt"
DISABLED_1_13 = "A/v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt"
BPF_1_17 = "A/v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt"
CONFIG_1_17 = "E/v1.17.6-cee-kubeadm-native-kpr-true.yaml.txt"


def _era_1_13(tmp_path: Path, *, quick: bool = False) -> Path:
    vm, board = VM["metadata"]["name"], BOARD["metadata"]["name"]
    pods = [
        agent_pod("cilium-abcde", vm, "quay.io/cilium/cilium:v1.13.4"),
        agent_pod("cilium-fghij", board, "quay.io/cilium/cilium:v1.13.4"),
    ]
    statuses = {
        "cilium-abcde": sample_text(STRICT_1_13),
        "cilium-fghij": sample_text(DISABLED_1_13),
    }
    files = sysdump_files([VM, BOARD], pods, None, statuses, binary="cilium", quick=quick)
    return write_zip(tmp_path / f"cilium-sysdump-{TS}.zip", files)


def _era_1_17(tmp_path: Path) -> Path:
    node = KUBEADM["metadata"]["name"]
    pods = [agent_pod("cilium-x7k2p", node, "quay.io/isovalent/cilium:v1.17.6-cee.1")]
    config = yaml.safe_load(sample_text(CONFIG_1_17))
    files = sysdump_files(
        [KUBEADM], pods, config, {"cilium-x7k2p": sample_text(BPF_1_17)}, binary="cilium-dbg"
    )
    return write_folder(tmp_path, files)


def _view(snapshot: Snapshot, name: str) -> NodeView:
    record = snapshot.node(name)
    assert record is not None
    return NodeView(snapshot, record)


def test_cilium_status_era_gives_each_node_its_own_agent_facts(tmp_path: Path) -> None:
    kind, snapshot = read_offline(_era_1_13(tmp_path))
    assert kind == "sysdump"
    vm, board = _view(snapshot, VM["metadata"]["name"]), _view(snapshot, BOARD["metadata"]["name"])
    assert vm.kpr.text == "Strict" and board.kpr.text == "Disabled"
    assert vm.host_routing.value == board.host_routing.value == "Legacy"
    assert vm.host_routing.origin == "agent"
    assert vm.kernel.text == "6.2.0-39-generic" and board.kernel.text == "4.19.0-24-arm64"
    assert snapshot.taken_at.strftime("%Y%m%d-%H%M%S") == TS
    assert snapshot.source == f"sysdump cilium-sysdump-{TS}.zip"


def test_cilium_dbg_status_era_and_the_configmap(tmp_path: Path) -> None:
    _, snapshot = read_offline(_era_1_17(tmp_path))
    view = _view(snapshot, "k8s-node-1")
    assert view.host_routing.value == "BPF"
    assert view.routing.value == "native"
    assert view.cilium.text is not None and view.cilium.text.startswith("1.17.6")
    assert snapshot.config is not None and snapshot.config.value("routing_mode") == "native"
    findings = {r.item.id: r.findings[0].state.value for r in evaluate(snapshot)}
    assert findings["bpf-host-routing"] == "on"


def test_node_configs_in_the_sysdump_give_each_node_its_configuration(tmp_path: Path) -> None:
    """A CiliumNodeConfig in `ciliumnodeconfigs-<ts>.yaml` (cilium-cli collects them) overrides
    cilium-config on the node it selects, with its name in the evidence; a broken one is named."""
    node = KUBEADM["metadata"]["name"]
    pods = [agent_pod("cilium-x7k2p", node, "quay.io/isovalent/cilium:v1.17.6-cee.1")]
    config = yaml.safe_load(sample_text(CONFIG_1_17))
    override = {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNodeConfig",
        "metadata": {"name": "no-bbr-here", "namespace": "kube-system"},
        "spec": {"nodeSelector": {}, "defaults": {"enable-bbr": "false"}},
    }
    broken = {
        "kind": "CiliumNodeConfig",
        "metadata": {"name": "broken"},
        "spec": {"nodeSelector": {}, "defaults": {"mtu": 9000}},
    }
    statuses = {"cilium-x7k2p": sample_text(BPF_1_17)}
    files = sysdump_files(
        [KUBEADM], pods, config, statuses, binary="cilium-dbg", node_configs=[override, broken]
    )
    _, snapshot = read_offline(write_folder(tmp_path, files))
    assert [c.name for c in snapshot.node_configs] == ["no-bbr-here"]
    view = _view(snapshot, node)
    bbr = view.config.setting("bbr") if view.config else None
    assert bbr is not None and bbr.value is False
    assert str(bbr.evidence) == 'CiliumNodeConfig no-bbr-here enable-bbr: "false"'
    assert snapshot.config is not None and snapshot.config is not view.config
    assert any(e.startswith("CiliumNodeConfig broken: spec.defaults") for e in snapshot.errors)


def test_quick_sysdump_leaves_agent_facts_unknown_with_the_reason(tmp_path: Path) -> None:
    _, snapshot = read_offline(_era_1_13(tmp_path, quick=True))
    view = _view(snapshot, VM["metadata"]["name"])
    assert view.agent is None
    assert view.agent_problem is not None and "--quick" in view.agent_problem
    by_item = {r.item.id: r for r in evaluate(snapshot)}
    kpr = by_item["kube-proxy-replacement"].findings[0]
    assert kpr.state.value == "unknown", kpr  # never "off" for what the archive lacks
    host = by_item["tuned-profile"].findings[0]
    assert host.state.value == "unknown" and "sysdump holds no SSH probe" in host.reason


def test_a_node_without_its_bugtool_folder_says_so(tmp_path: Path) -> None:
    path = _era_1_13(tmp_path)
    files = sysdump_files(
        [VM, BOARD],
        [
            agent_pod("cilium-abcde", VM["metadata"]["name"], "x:v1.13.4"),
            agent_pod("cilium-fghij", BOARD["metadata"]["name"], "x:v1.13.4"),
        ],
        None,
        {"cilium-abcde": sample_text(STRICT_1_13)},
    )
    write_zip(path, files)
    _, snapshot = read_offline(path)
    board = _view(snapshot, BOARD["metadata"]["name"])
    assert board.agent_problem is not None and "no cilium-bugtool folder" in board.agent_problem
    assert "cilium-fghij" in board.agent_problem
    assert _view(snapshot, VM["metadata"]["name"]).agent is not None


@pytest.mark.parametrize("zipped", [True, False])
def test_zip_and_unzipped_folder_read_the_same(tmp_path: Path, zipped: bool) -> None:
    files = sysdump_files(
        [KUBEADM],
        [agent_pod("cilium-x7k2p", "k8s-node-1", "quay.io/isovalent/cilium:v1.17.6-cee.1")],
        yaml.safe_load(sample_text(CONFIG_1_17)),
        {"cilium-x7k2p": sample_text(BPF_1_17)},
        binary="cilium-dbg",
    )
    path = write_zip(tmp_path / "s.zip", files) if zipped else write_folder(tmp_path, files)
    _, snapshot = read_offline(path)
    record = snapshot.node("k8s-node-1")
    assert record is not None and record.agent is not None
    assert record.agent.host_routing == "BPF"


def test_a_re_zipped_sysdump_under_another_folder_reads_the_same(tmp_path: Path) -> None:
    files = sysdump_files(
        [KUBEADM],
        [agent_pod("cilium-x7k2p", "k8s-node-1", "quay.io/isovalent/cilium:v1.17.6-cee.1")],
        None,
        {"cilium-x7k2p": sample_text(BPF_1_17)},
        binary="cilium-dbg",
    )
    nested = {f"ticket-1234/{name}": data for name, data in files.items()}
    _, snapshot = read_offline(write_zip(tmp_path / "ticket.zip", nested))
    record = snapshot.node("k8s-node-1")
    assert record is not None and record.agent is not None
    assert record.agent.host_routing == "BPF"


def test_node_configs_survive_a_saved_snapshot(tmp_path: Path) -> None:
    node = KUBEADM["metadata"]["name"]
    pods = [agent_pod("cilium-x7k2p", node, "quay.io/isovalent/cilium:v1.17.6-cee.1")]
    override = {
        "kind": "CiliumNodeConfig",
        "metadata": {"name": "xdp"},
        "spec": {
            "nodeSelector": {
                "matchExpressions": [{"key": "nic", "operator": "In", "values": ["mlx"]}]
            },
            "defaults": {"bpf-lb-acceleration": "native"},
        },
    }
    files = sysdump_files([KUBEADM], pods, None, {}, node_configs=[override])
    _, snapshot = read_offline(write_folder(tmp_path, files))
    save_snapshot(snapshot, tmp_path / "saved.json")
    loaded = load_snapshot(tmp_path / "saved.json")
    assert loaded.node_configs == snapshot.node_configs
    assert loaded.node_configs[0].defaults == {"bpf-lb-acceleration": "native"}
