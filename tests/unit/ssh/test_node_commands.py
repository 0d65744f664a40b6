"""Node changes are fixed argv lists; values are validated and never reach a shell as code."""

from __future__ import annotations

import shlex
from collections.abc import Callable

import pytest

from cilium_tui.collect.node_commands import (
    NodeCommand,
    cpu_governor,
    governor_path,
    stop_unit,
    sysctl,
    tuned_profile,
)


def test_stop_irqbalance() -> None:
    change = stop_unit("irqbalance")
    assert [c.argv for c in change.apply] == [("systemctl", "disable", "--now", "irqbalance")]
    assert [c.argv for c in change.undo] == [("systemctl", "enable", "--now", "irqbalance")]
    assert change.check == NodeCommand(("systemctl", "is-active", "irqbalance"), privileged=False)
    assert change.verified("inactive\n")
    assert not change.verified("active\n")


def test_tuned_profile_undo_restores_the_previous_profile_or_turns_tuned_off() -> None:
    change = tuned_profile("network-latency", previous="virtual-guest")
    assert change.apply[0].argv == ("tuned-adm", "profile", "network-latency")
    assert change.undo[0].argv == ("tuned-adm", "profile", "virtual-guest")
    assert change.verified("Current active profile: network-latency\n")
    assert tuned_profile("network-throughput", previous="").undo[0].argv == ("tuned-adm", "off")
    assert tuned_profile("network-throughput", previous=None).undo[0].argv == ("tuned-adm", "off")


def test_governor_goes_to_tee_on_stdin_per_cpu_and_undo_restores_each() -> None:
    change = cpu_governor(previous=["ondemand", "schedutil"])
    assert [(c.argv, c.input) for c in change.apply] == [
        (("tee", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"), "performance\n"),
        (("tee", "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor"), "performance\n"),
    ]
    assert [c.input for c in change.undo] == ["ondemand\n", "schedutil\n"]
    assert change.check.argv[0] == "cat"
    assert change.verified("performance\nperformance\n")
    assert not change.verified("performance\nschedutil\n")


def test_sysctl_is_allow_listed() -> None:
    change = sysctl("net.core.default_qdisc", "fq", previous="fq_codel")
    assert change.apply[0].argv == ("sysctl", "-w", "net.core.default_qdisc=fq")
    assert change.undo[0].argv == ("sysctl", "-w", "net.core.default_qdisc=fq_codel")
    assert change.check.argv == ("sysctl", "-n", "net.core.default_qdisc")
    with pytest.raises(ValueError, match="not one of"):
        sysctl("kernel.pid_max", "4194304", previous="32768")


@pytest.mark.parametrize(
    "make",
    [
        lambda: stop_unit("irqbalance; reboot"),
        lambda: stop_unit("--now"),
        lambda: stop_unit(""),
        lambda: tuned_profile("balanced", previous=None),
        lambda: tuned_profile("network-latency", previous="x $(reboot)"),
        lambda: cpu_governor(previous=["ondemand"], governor="performance\nreboot"),
        lambda: cpu_governor(previous=["ondemand; reboot"]),
        lambda: cpu_governor(previous=[]),
        lambda: governor_path(-1),
        lambda: sysctl("net.ipv4.tcp_congestion_control", "bbr -w kernel.x=1", previous="cubic"),
        lambda: sysctl("net.core.default_qdisc", "fq", previous="x=y"),
    ],
)
def test_bad_values_are_refused_before_anything_is_sent(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"refusing|no CPU governors"):
        make()


def test_sudo_prefix_only_for_privileged_commands_of_non_root_users() -> None:
    change = stop_unit("irqbalance")
    apply, check = change.apply[0], change.check
    assert apply.command_line(root=True) == "systemctl disable --now irqbalance"
    assert apply.command_line(root=False) == "sudo -n systemctl disable --now irqbalance"
    assert check.command_line(root=False) == "systemctl is-active irqbalance"


def test_command_lines_quote_every_element() -> None:
    command = NodeCommand(("printf", "%s", "a b;c"))
    assert shlex.split(command.command_line(root=True)) == ["printf", "%s", "a b;c"]
