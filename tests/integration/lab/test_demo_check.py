"""`cilium-tui check --demo`, end to end: the lab read through the real collectors."""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

from cilium_tui.lab.kube import LabApiServer
from cilium_tui.lab.runner import start_lab

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


def _low_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))  # soft and hard: cannot be raised


def _cli_low_limit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=300, check=False,
        preexec_fn=_low_limit,
    )  # fmt: skip


def test_a_low_open_files_limit_bounds_the_ssh_pool_instead_of_failing_nodes() -> None:
    """1024 is a common limit; 256 with 100 boards is the same squeeze (the lab's SSH servers
    listen in the same process): the pool must keep its connections within the limit."""
    out = _cli_low_limit("check", "--demo=scale:100", "--format", "json")
    assert out.returncode in (0, 1), out.stderr
    assert "Too many open files" not in out.stderr
    assert "Traceback" not in out.stderr
    nodes = json.loads(out.stdout)["nodes"]
    assert len(nodes) == 100
    assert [(n["name"], n["problems"]) for n in nodes if n["problems"]] == []


def test_without_any_cluster_the_one_line_suggests_the_demo(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"} | {"HOME": str(tmp_path)}
    for argv, hint in (
        (("check",), "try `cilium-tui check --demo` for the embedded lab"),
        ((), "try `cilium-tui --demo` for the embedded lab"),
    ):
        out = subprocess.run(
            [*CLI, *argv], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert out.returncode == 2
        [line] = out.stderr.splitlines()
        assert "no kubeconfig" in line and line.endswith(hint), line
    named = _cli("check", "--kubeconfig", str(tmp_path / "missing"), "--no-ssh")
    assert "--demo" not in named.stderr, "a file the user named is not a missing cluster"


def test_a_lab_too_big_for_the_open_files_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    out = _cli_low_limit("check", "--demo=scale:300")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "scenario scale:300 needs about" in out.stderr
    assert "the limit is 256" in out.stderr
    lab = _cli_low_limit("lab", "--scenario", "scale:300", "--dir", str(tmp_path))
    assert lab.returncode == 2
    assert lab.stderr.startswith("cilium-tui lab: scenario scale:300 needs about"), lab.stderr


def test_an_unreachable_cluster_is_said_once(tmp_path: Path) -> None:
    api = LabApiServer()
    api.start()
    kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig")
    api.stop()  # nothing listens there any more
    out = _cli("check", "--kubeconfig", str(kubeconfig), "--no-ssh")
    assert out.returncode == 2
    lines = out.stderr.splitlines()
    reach = [line for line in lines if "cannot reach" in line]
    assert len(reach) == 1, out.stderr
    assert len(lines) == len(set(lines)), out.stderr


def test_lab_leaves_an_existing_directory_s_mode_alone(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    mine.chmod(0o755)
    new = tmp_path / "new" / "lab"
    for directory in (mine, new):
        with start_lab("seed", directory):
            pass
    assert stat.S_IMODE(mine.stat().st_mode) == 0o755
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert stat.S_IMODE((mine / "kubeconfig").stat().st_mode) == 0o600


RUNNING_STATE = ("native-routing", "kube-proxy-replacement", "bpf-masquerading", "nodeport-dsr")


def test_an_agent_not_running_or_unreadable_shows_nothing_on() -> None:
    """ "On" means the running agent shows it: a crash-looping agent's node, or one whose status
    cannot be read, has its running-state items unknown, and the roll-ups count it unverified."""
    out = _cli(
        "check", "--demo", "--format", "json",
        "--fault", "unready:k3s-vm-2", "--fault", "exec-fail:rock64-1",
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    nodes = {n["name"]: n for n in doc["nodes"]}
    items = {i["id"]: i for i in doc["cluster"]["items"]}
    for item_id in RUNNING_STATE:
        crashed = nodes["k3s-vm-2"]["items"][item_id]
        assert crashed["state"] == "unknown", crashed
        assert crashed["reason"].startswith("configured, not verified: agent CrashLoopBackOff")
        unreadable = nodes["rock64-1"]["items"][item_id]
        assert unreadable["state"] == "unknown", unreadable
        assert unreadable["reason"].startswith("configured, not verified: agent status unreadable")
        assert nodes["k3s-vm-1"]["items"][item_id]["state"] == "on"
        headline = items[item_id]["headline"]
        assert "on 4/6 nodes" in headline, headline
        assert "2 unverified: agent CrashLoopBackOff (1), agent status unreadable (1)" in headline
