"""The host reads through the agent pod: one fixed script, parsed into fewer ProbeFacts."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cilium_tui.collect.probe import AGENT_POD_SCRIPT, AGENT_POD_SECTIONS, agent_pod_argv
from cilium_tui.facts.probe import AGENT_POD_FIELDS, AGENT_POD_SOURCE, MARKER, parse_agent_pod
from cilium_tui.lab.scenarios import debian_10_board, ubuntu_2304_vm
from cilium_tui.lab.ssh_shell import BoardShell
from cilium_tui.model import ProbeFacts
from tests.conftest import DATA

DEBIAN_10 = (
    "Linux version 4.19.0-24-arm64 (debian-kernel@lists.debian.org) (gcc version 8.3.0 "
    "(Debian 8.3.0-6)) #1 SMP Debian 4.19.289-2 (2023-08-08)"
)
"""Debian 10's /proc/version format (release, builder, compiler, then the build string)."""


def _section(name: str, output: str, rc: int = 0) -> str:
    return f"{MARKER} {name}\n{output}\n{MARKER} {name} rc={rc}\n"


def test_a_real_output_of_the_script() -> None:
    facts = parse_agent_pod((DATA / "probe" / "agent-pod-debian12-firecracker.txt").read_text())
    assert facts.source == "agent pod"
    assert facts.errors == ()
    assert (facts.kernel_release, facts.machine) == ("6.18.44-fc-v1300", "x86_64")
    assert facts.kernel_build == "#1 SMP PREEMPT_DYNAMIC @0"
    assert (facts.default_nic, facts.nic_driver, facts.mtu) == ("eth0", "virtio_net", 1400)
    assert (facts.cpufreq, facts.preempt, facts.xdp_attached) == (False, "dynamic", False)
    assert {e.source for e in facts.evidence.values()} == {AGENT_POD_SOURCE}
    assert set(facts.evidence) <= AGENT_POD_FIELDS
    for field in ProbeFacts.__dataclass_fields__:
        if field not in AGENT_POD_FIELDS | {"errors", "source", "evidence", "nic_irqs"}:
            assert getattr(facts, field) is None, field


@pytest.mark.skipif(shutil.which("sh") is None, reason="no /bin/sh")
def test_the_script_read_here_agrees_with_uname() -> None:
    out = subprocess.run(agent_pod_argv(), capture_output=True, text=True, timeout=30, check=True)
    facts = parse_agent_pod(out.stdout)
    uname = os.uname()
    assert (facts.kernel_release, facts.kernel_build) == (uname.release, uname.version)
    assert facts.machine == uname.machine


def test_proc_version_gives_the_debian_build_string_and_its_patch_level() -> None:
    facts = parse_agent_pod(_section("proc_version", DEBIAN_10))
    assert facts.kernel_release == "4.19.0-24-arm64"
    assert facts.kernel_build == "#1 SMP Debian 4.19.289-2 (2023-08-08)"
    assert str(facts.evidence["kernel_build"]).startswith(f"{AGENT_POD_SOURCE} /proc/version: ")
    assert facts.preempt is None
    assert "no PREEMPT token in /proc/version" in " ".join(facts.errors)


def test_the_argv_is_fixed_and_names_no_systemd_or_privileged_read() -> None:
    assert agent_pod_argv() == ["sh", "-c", AGENT_POD_SCRIPT]
    names = [name for name, _ in AGENT_POD_SECTIONS]
    assert "proc_version" in names
    assert not {"irqbalance_active", "tuned", "iptables_raw", "os_release"} & set(names)


@pytest.mark.parametrize(
    ("host", "preempt"), [(debian_10_board("b"), None), (ubuntu_2304_vm("v"), "dynamic")]
)
def test_the_lab_answers_as_an_agent_container_sees_its_machine(
    host: object, preempt: str | None
) -> None:
    assert isinstance(host, type(debian_10_board("x")))
    rc, out, err = BoardShell(host).in_agent_pod()
    assert (rc, err) == (0, "")
    facts = parse_agent_pod(out)
    assert facts.kernel_release == host.kernel_release
    assert facts.kernel_build == host.kernel_build
    assert (facts.mtu, facts.nic_driver) == (host.mtu, host.nic_driver)
    assert facts.cpu_governors == tuple(host.governors or ())
    assert facts.preempt == preempt  # no /boot in the container: the version string or nothing
