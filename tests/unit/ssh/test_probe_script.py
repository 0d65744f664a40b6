"""The probe script: a constant, read-only POSIX sh script whose sections the parser knows."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from cilium_tui.collect.probe import (
    AGENT_POD_SCRIPT,
    AGENT_POD_SECTIONS,
    FUNCTIONS,
    PROBE_SCRIPT,
    PROBE_SCRIPT_NO_SUDO,
    SECTIONS,
    probe_argv,
    probe_command,
)
from cilium_tui.facts.probe import WHERE, parse_probe
from tests.conftest import need_tools

SCRIPTS = [PROBE_SCRIPT, PROBE_SCRIPT_NO_SUDO, AGENT_POD_SCRIPT]


@pytest.mark.parametrize("script", SCRIPTS, ids=["sudo", "no-sudo", "agent-pod"])
def test_script_is_valid_posix_sh(script: str) -> None:
    need_tools("dash", what="checking with dash, the strictest common /bin/sh,")
    subprocess.run(["dash", "-n", "-c", script], check=True)


def test_sections_are_the_parsers_sections() -> None:
    probe = [name for name, _ in SECTIONS]
    via_pod = [name for name, _ in AGENT_POD_SECTIONS]
    assert probe == [name for name in WHERE if name not in via_pod or name in probe]
    assert sorted({*probe, *via_pod}) == sorted(WHERE)


def test_sections_run_tools_or_the_scripts_own_functions() -> None:
    for _, argv in SECTIONS:
        assert argv[0] in FUNCTIONS or shutil.which(argv[0]) or argv[0] in ("tuned-adm",)


@pytest.mark.parametrize("script", SCRIPTS, ids=["sudo", "no-sudo", "agent-pod"])
def test_script_only_reads(script: str) -> None:
    shell = re.sub(r"'[^']*'", "''", script)  # awk programs compare with ">"; they are quoted
    redirections = set(re.findall(r"\d?>+[^\s)\"]*", shell))
    assert redirections <= {"2>&1", "2>/dev/null"}
    for word in ("rm ", "tee ", "sysctl -w", "mv ", "dd ", "echo >", "systemctl disable"):
        assert word not in script


def test_the_command_line_is_the_constant_script() -> None:
    assert shlex.split(probe_command()) == probe_argv() == ["sh", "-c", PROBE_SCRIPT]
    assert probe_argv(sudo=False)[2] == PROBE_SCRIPT_NO_SUDO
    assert "sudo -n iptables -t raw -S" in PROBE_SCRIPT
    assert "sudo" not in PROBE_SCRIPT_NO_SUDO.replace("sudo disabled", "")


def test_a_machine_with_no_tools_gives_unknowns_not_wrong_facts() -> None:
    # Only the shell's builtins: every tool section fails with rc 127, the parser says so.
    out = subprocess.run(
        ["/bin/sh", "-c", PROBE_SCRIPT],
        env={"PATH": "/nonexistent"},
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    facts = parse_probe(out)
    assert facts.kernel_release is None
    assert facts.machine is None
    assert facts.tuned_installed is False
    assert "kernel release: uname not found" in facts.errors
    assert facts.notrack_rules is None
