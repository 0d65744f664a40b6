"""The `ssh` command lines plans print for a person: pasted into a local shell, each argument must
reach the remote command exactly as planned, although the remote shell parses the line again."""

from __future__ import annotations

import dataclasses
import shlex
import subprocess
from collections.abc import Sequence

from cilium_tui.model import Snapshot
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.preview import equivalent_commands, ssh_line
from tests.unit.remedy.lab_snapshot import lab_snapshot

GRUB = 's/^GRUB_CMDLINE_LINUX_DEFAULT="/&preempt=none /'
HOSTILE_NIC = "eth0'; reboot #$(id)"


def remote_argv(line: str, host: str) -> list[str]:
    """The argv the remote host runs for `line`: split once by the local shell (ssh joins its
    arguments with spaces), then again by the remote shell. Both shells must accept it."""
    assert parses(line), line
    local = shlex.split(line)
    ssh = local[local.index("ssh") :]
    assert ssh[1:-1] in ([host], ["-t", host]), line
    remote = ssh[-1]
    assert parses(remote), remote
    return shlex.split(remote)


def parses(script: str) -> bool:
    """Whether sh accepts `script` (`sh -n`: read, not run)."""
    return subprocess.run(["sh", "-n", "-c", script], check=False).returncode == 0


def guidance_commands(snapshot: Snapshot, item_id: str) -> list[str]:
    plan = build_plan(item_id, snapshot)
    assert plan.status == "guidance"
    return [c for g in plan.guidance for c in g.commands if c.startswith("ssh ")]


def test_the_preemption_sed_reaches_the_host_intact() -> None:
    lines = guidance_commands(lab_snapshot("modern"), "preempt-none")
    sed = [line for line in lines if " sed " in line]
    assert len(sed) == 3
    for line, host in zip(sed, ("cp-1", "worker-1", "worker-2"), strict=True):
        assert remote_argv(line, host) == ["sudo", "sed", "-i", GRUB, "/etc/default/grub"]


def test_a_probed_nic_name_stays_one_argument() -> None:
    seed = lab_snapshot("seed")
    nodes = tuple(
        dataclasses.replace(r, probe=dataclasses.replace(r.probe, default_nic=HOSTILE_NIC))
        if r.name == "rock64-2" and r.probe is not None
        else r
        for r in seed.nodes
    )
    lines = guidance_commands(dataclasses.replace(seed, nodes=nodes), "jumbo-mtu")
    [line] = [line for line in lines if "rock64-2" in line]
    assert remote_argv(line, "rock64-2") == [
        "sudo", "ip", "link", "set", "dev", HOSTILE_NIC, "mtu", "9000",
    ]  # fmt: skip


def test_every_guidance_line_is_one_ssh_command() -> None:
    seed = lab_snapshot("seed")
    for item_id in ("kernel", "preempt-none", "jumbo-mtu"):
        for line in guidance_commands(seed, item_id):
            host = shlex.split(line)[2]
            assert remote_argv(line, host)[0] == "sudo", line


def test_node_commands_pipe_their_input_to_the_remote_command() -> None:
    plan = build_plan("cpu-governor", lab_snapshot("seed"))
    lines = equivalent_commands(plan).node_commands
    step = plan.node_steps[0]
    command = step.change.apply[0]
    assert remote_argv(lines[0], step.node) == list(command.argv_for(root=False))
    printed = subprocess.run(
        ["sh", "-c", lines[0].split(" | ")[0]], capture_output=True, text=True, check=True
    )
    assert printed.stdout == command.input


def check(argv: Sequence[str]) -> None:
    line = ssh_line("board-1", argv)
    assert remote_argv(line, "board-1") == list(argv)


def test_the_helper_round_trips_awkward_arguments() -> None:
    for argv in (
        ["sudo", "echo", "it's", '"quoted"', "$HOME", "`id`", "a;b", "a b", "*", "~", ""],
        ["sudo", "-n", "tee", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"],
    ):
        check(argv)
