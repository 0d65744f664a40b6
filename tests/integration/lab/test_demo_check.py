"""`cilium-tui check --demo` and `cilium-tui lab`, end to end through the real clients.

The lab speaks HTTPS and SSH on loopback; these tests read it with the installed command line,
the real kubectl and the real OpenSSH client, as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need

CLI = [sys.executable, "-m", "cilium_tui"]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_check_demo_json_reports_the_seed_split_with_the_kernel_as_cause() -> None:
    out = _cli("check", "--demo", "--format", "json")
    assert out.returncode == 1, out.stderr  # some items are off: exit 1, like kube-bench
    assert "scanning lab seed" in out.stderr
    doc = json.loads(out.stdout)
    nodes = {n["name"]: n for n in doc["nodes"]}
    assert len(nodes) == 6
    vms = [n for n in nodes.values() if n["architecture"] == "amd64"]
    boards = [n for n in nodes.values() if n["architecture"] == "arm64"]
    assert len(vms) == len(boards) == 3
    assert {(n["kernel"], n["host_routing"]) for n in vms} == {("6.2.0-39-generic", "BPF")}
    assert {(n["kernel"], n["host_routing"]) for n in boards} == {("4.19.0-24-arm64", "Legacy")}
    for board in boards:
        assert board["why_legacy"]["causes"][0]["id"] == "kernel"
        assert board["items"]["bypass-iptables-conntrack"]["recommended"] is True
    for vm in vms:
        assert vm["why_legacy"] is None
        assert vm["items"]["bypass-iptables-conntrack"]["state"] == "n/a"
    items = {i["id"]: i for i in doc["cluster"]["items"]}
    assert "3 blocked: kernel 4.19 < 5.10" in items["bpf-host-routing"]["headline"]
    assert not any(n["problems"] for n in nodes.values())  # every agent and probe answered


def test_check_demo_text_and_markdown_render() -> None:
    text = _cli("check", "--demo=training")
    assert text.returncode == 1
    assert "Cilium tuning check: lab training" in text.stdout
    assert "Why Legacy" in text.stdout
    md = _cli("check", "--demo", "--format", "markdown")
    assert md.returncode == 1
    assert md.stdout.lstrip().startswith("#")


def test_check_that_cannot_run_exits_2_with_one_line() -> None:
    bad = _cli("check", "--demo=nope")
    assert bad.returncode == 2
    assert "unknown scenario" in bad.stderr.lower() or "nope" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = _cli("check", "--kubeconfig", "/nonexistent/kubeconfig", "--no-ssh")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "/nonexistent/kubeconfig" in missing.stderr


@pytest.fixture
def lab_dir(tmp_path: Path) -> Iterator[Path]:
    proc = subprocess.Popen(
        [*CLI, "lab", "--scenario", "seed", "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            banner.append(line)
            if "Press Ctrl-C to stop" in line or not line:
                break
        assert any("export KUBECONFIG=" in line for line in banner), "".join(banner)
        yield tmp_path
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def _kubectl(lab: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(lab / "kubeconfig")}
    cmd = ["kubectl", "--cache-dir", str(lab / "kube-cache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_lab_serves_real_kubectl_and_real_ssh(lab_dir: Path) -> None:
    need(shutil.which("kubectl") is not None, "kubectl is not installed")
    need(shutil.which("ssh") is not None, "the OpenSSH client is not installed")
    nodes = json.loads(_kubectl(lab_dir, "get", "nodes", "-o", "json").stdout)
    kernels = {
        n["metadata"]["name"]: n["status"]["nodeInfo"]["kernelVersion"] for n in nodes["items"]
    }
    assert kernels["rock64-1"] == "4.19.0-24-arm64"
    assert kernels["k3s-vm-1"] == "6.2.0-39-generic"
    status = _kubectl(
        lab_dir, "-n", "kube-system", "exec", "ds/cilium", "-c", "cilium-agent", "--",
        "cilium", "status",
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert "Host Routing:" in status.stdout
    assert "KubeProxyReplacement:    Strict" in status.stdout
    # The board sits behind the lab's jump host: OpenSSH follows the ProxyJump, checks host keys.
    ssh = subprocess.run(
        ["ssh", "-F", str(lab_dir / "ssh" / "ssh_config"), "-o", "BatchMode=yes", "rock64-1",
         "uname", "-r"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ssh.returncode == 0, ssh.stderr
    assert ssh.stdout.strip() == "4.19.0-24-arm64"
    config = (lab_dir / "ssh" / "ssh_config").read_text()
    assert "ProxyJump lab-jump" in config
    assert oct((lab_dir / "kubeconfig").stat().st_mode & 0o777) == "0o600"


def test_lab_faults_show_as_facts_of_their_nodes_only() -> None:
    out = _cli(
        "check", "--demo", "--format", "json",
        "--fault", "unreachable:rock64-3", "--fault", "exec-fail:k3s-vm-2",
        "--fault", "unready:rock64-1",
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    problems = {n["name"]: n["problems"] for n in json.loads(out.stdout)["nodes"]}
    assert "cannot connect" in problems["rock64-3"][0]
    assert "error dialing backend" in problems["k3s-vm-2"][0]
    assert "CrashLoopBackOff" in problems["rock64-1"][0]
    assert problems["k3s-vm-1"] == problems["k3s-vm-3"] == problems["rock64-2"] == []
    bad = _cli("check", "--demo", "--fault", "melt:k3s-vm-1")
    assert bad.returncode == 2 and "not a fault" in bad.stderr
    real = _cli("check", "--kubeconfig", "/nonexistent", "--fault", "unready:x")
    assert real.returncode == 2 and "lab knobs" in real.stderr
