"""`cilium-tui lab` against the real kubectl and the real OpenSSH client (contract tests).

If the lab drifted from the real wire formats, kubectl (the Go reference client) and ssh would be
the first to say so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_tools


def _start(scenario: str, directory: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cilium_tui",
            "lab",
            "--scenario",
            scenario,
            "--dir",
            str(directory),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        banner.append(line)
        if "Press Ctrl-C to stop" in line or not line:
            break
    assert any("export KUBECONFIG=" in line for line in banner), "".join(banner)
    return proc


@pytest.fixture(scope="module")
def seed_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    need_tools("kubectl")
    directory = tmp_path_factory.mktemp("seed-lab")
    proc = _start("seed", directory)
    yield directory
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def kubectl(lab: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(lab / "kubeconfig")}
    cmd = ["kubectl", "--cache-dir", str(lab / "kube-cache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_kubectl_reads_nodes_agents_and_config(seed_lab: Path) -> None:
    nodes = json.loads(kubectl(seed_lab, "get", "nodes", "-o", "json").stdout)
    kernels = {
        n["metadata"]["name"]: n["status"]["nodeInfo"]["kernelVersion"] for n in nodes["items"]
    }
    assert kernels["rock64-1"] == "4.19.0-24-arm64"
    assert kernels["k3s-vm-1"] == "6.2.0-39-generic"
    pods = kubectl(seed_lab, "get", "pods", "-A", "-l", "k8s-app=cilium", "-o", "name")
    assert pods.returncode == 0, pods.stderr
    assert len(pods.stdout.split()) == 6
    cm = kubectl(seed_lab, "-n", "kube-system", "get", "cm", "cilium-config", "-o", "yaml")
    assert "kube-proxy-replacement: strict" in cm.stdout
    assert "tunnel: disabled" in cm.stdout
    assert "app.kubernetes.io/managed-by: Helm" in cm.stdout


def test_kubectl_exec_gets_the_agent_status_in_its_release_format(seed_lab: Path) -> None:
    exec_ = ["-n", "kube-system", "exec", "ds/cilium", "-c", "cilium-agent", "--"]
    status = kubectl(seed_lab, *exec_, "cilium", "status")
    assert status.returncode == 0, status.stderr
    assert "Host Routing:" in status.stdout  # 1.13 prints Host Routing, not Routing:
    assert "KubeProxyReplacement:    Strict" in status.stdout
    # cilium-dbg arrived with 1.15: a 1.13 image does not have it, and kubectl says so.
    dbg = kubectl(seed_lab, *exec_, "cilium-dbg", "status")
    assert dbg.returncode != 0
    assert 'exec: "cilium-dbg": executable file not found in $PATH' in dbg.stderr


def test_kubectl_patch_and_rollout_restart_are_seen_by_the_agents(seed_lab: Path) -> None:
    patch = kubectl(
        seed_lab, "-n", "kube-system", "patch", "cm", "cilium-config", "--type", "merge",
        "-p", '{"data":{"enable-hubble":"false"}}',
    )  # fmt: skip
    assert patch.returncode == 0, patch.stderr
    restart = kubectl(seed_lab, "-n", "kube-system", "rollout", "restart", "ds/cilium")
    assert restart.returncode == 0, restart.stderr
    rollout = kubectl(
        seed_lab, "-n", "kube-system", "rollout", "status", "ds/cilium", "--timeout", "60s"
    )
    assert rollout.returncode == 0, rollout.stderr
    status = kubectl(
        seed_lab, "-n", "kube-system", "exec", "ds/cilium", "-c", "cilium-agent", "--",
        "cilium", "status",
    )  # fmt: skip
    assert "Hubble:                  Disabled" in status.stdout


def test_real_ssh_reaches_a_board_through_the_jump_host(seed_lab: Path) -> None:
    need_tools("ssh")
    config = seed_lab / "ssh" / "ssh_config"
    assert "ProxyJump lab-jump" in config.read_text()
    ssh = subprocess.run(
        ["ssh", "-F", str(config), "-o", "BatchMode=yes", "rock64-1", "uname", "-r"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ssh.returncode == 0, ssh.stderr
    assert ssh.stdout.strip() == "4.19.0-24-arm64"
    assert oct((seed_lab / "kubeconfig").stat().st_mode & 0o777) == "0o600"


def test_a_1_18_lab_answers_cilium_dbg(tmp_path: Path) -> None:
    need_tools("kubectl")
    proc = _start("modern", tmp_path)
    try:
        status = kubectl(
            tmp_path, "-n", "kube-system", "exec", "ds/cilium", "-c", "cilium-agent", "--",
            "cilium-dbg", "status", "-o", "json",
        )  # fmt: skip
        assert status.returncode == 0, status.stderr
        doc = json.loads(status.stdout)
        assert doc["routing"]["intra-host-routing-mode"] == "BPF"
        assert "host-routing" not in doc  # replaced by "routing" in 1.16
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
