"""The lab board's command table: the real tools' outputs and exit codes, and nothing else."""

from __future__ import annotations

import pytest

from cilium_tui.collect.node_commands import cpu_governor, stop_unit
from cilium_tui.collect.probe import probe_command
from cilium_tui.facts.probe import parse_probe
from cilium_tui.lab.host import HostState, Unit
from cilium_tui.lab.ssh_shell import BoardShell, reads_stdin
from tests.integration.ssh.hosts import ARM64_BOARD_FACTS, arm64_board, x86_vm


def shell(state: HostState | None = None) -> BoardShell:
    return BoardShell(state or arm64_board())


def test_the_probe_is_answered_from_the_state() -> None:
    rc, out, err = shell().execute(probe_command())
    assert (rc, err) == (0, "")
    assert parse_probe(out) == ARM64_BOARD_FACTS


def test_anything_else_is_not_found_and_changes_nothing() -> None:
    state = arm64_board()
    assert shell(state).execute("sh -c 'echo hi'") == (127, "", "sh: 1: sh: not found\n")
    assert shell(state).execute("reboot") == (127, "", "sh: 1: reboot: not found\n")
    assert shell(state).execute("echo 'unterminated")[0] == 2
    assert state == arm64_board()


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("systemctl is-active irqbalance", (0, "active\n", "")),
        ("systemctl is-enabled irqbalance", (0, "enabled\n", "")),
        ("systemctl is-active chrony", (3, "inactive\n", "")),
        (
            "systemctl is-enabled chrony",
            (
                1,
                "",
                "Failed to get unit file state for chrony.service: No such file or directory\n",
            ),
        ),
        (
            "systemctl stop chrony",
            (5, "", "Failed to stop chrony.service: Unit chrony.service not found.\n"),
        ),
        (
            "systemctl disable --now chrony",
            (1, "", "Failed to disable unit: Unit file chrony.service does not exist.\n"),
        ),
        ("tuned-adm active", (127, "", "sh: 1: tuned-adm: not found\n")),
        ("id -u", (0, "0\n", "")),
    ],
)
def test_real_exit_codes(command: str, answer: tuple[int, str, str]) -> None:
    assert shell().execute(command) == answer


def test_disable_now_stops_and_disables() -> None:
    state = arm64_board()
    rc, _, err = shell(state).execute(stop_unit("irqbalance").apply[0].command_line(root=True))
    assert (rc, err) == (
        0,
        'Removed "/etc/systemd/system/multi-user.target.wants/irqbalance.service".\n',
    )
    assert state.units["irqbalance"] == Unit(installed=True, active=False, enabled=False)


def test_sudo_is_honoured_per_state() -> None:
    command = stop_unit("irqbalance").apply[0]
    for sudo, expected in (("password", 1), ("nopasswd", 0)):
        state = arm64_board()
        state.sudo = sudo
        assert shell(state).execute(command.command_line(root=True))[0] == 1  # not root, no sudo
        rc, _, err = shell(state).execute(command.command_line(root=False))
        assert rc == expected
        assert ("a password is required" in err) is (sudo == "password")
        assert state.units["irqbalance"].active is (sudo == "password")


def test_governor_write_checks_the_value_like_the_kernel() -> None:
    state = arm64_board()
    write = cpu_governor(previous=list(state.governors or [])).apply[0]
    assert shell(state).execute(write.command_line(root=True), "turbo\n")[0] == 1
    assert shell(state).execute(write.command_line(root=True), write.input or "")[0] == 0
    assert state.governors == ["performance", "ondemand", "ondemand", "ondemand"]
    no_cpufreq = shell(x86_vm()).execute(write.command_line(root=True), "performance\n")
    assert no_cpufreq[0] == 1
    assert "No such file or directory" in no_cpufreq[2]


def test_sysctl_refuses_what_the_kernel_refuses() -> None:
    state = arm64_board()
    assert shell(state).execute("sysctl -w net.ipv4.tcp_congestion_control=vegas")[0] == 255
    assert shell(state).execute("sysctl -w net.ipv4.tcp_congestion_control=bbr") == (
        0,
        "net.ipv4.tcp_congestion_control = bbr\n",
        "",
    )
    assert shell(state).execute("sysctl -n net.ipv4.tcp_congestion_control")[1] == "bbr\n"


def test_only_tee_reads_stdin() -> None:
    assert reads_stdin("sudo -n tee /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    assert not reads_stdin("systemctl is-active irqbalance")
    assert not reads_stdin("echo 'unterminated")
