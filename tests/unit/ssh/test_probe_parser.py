"""parse_probe on real probe outputs (tests/data/probe) and on the variants real machines print."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cilium_tui.facts.probe import MARKER, parse_probe, split_sections
from cilium_tui.model import Evidence, IrqAffinity, ProbeFacts
from tests.conftest import DATA
from tests.integration.ssh.hosts import ARM64_BOARD_FACTS, X86_VM_FACTS

PROBES = DATA / "probe"
PASSWORD_ERROR = "needs passwordless sudo for: iptables -t raw -S (sudo: a password is required)"


def sample(name: str) -> str:
    return (PROBES / name).read_text()


def section(name: str, output: str, rc: int) -> str:
    body = f"{output}\n" if output else ""
    return f"{MARKER} {name}\n{body}{MARKER} {name} rc={rc}\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("netns-board-4.19-aarch64-root.txt", ARM64_BOARD_FACTS),
        ("netns-vm-6.2-x86_64-root.txt", X86_VM_FACTS),
        (
            "netns-board-4.19-user-sudo-password.txt",
            dataclasses.replace(
                ARM64_BOARD_FACTS,
                hostname="board-4",
                privilege="no-sudo",
                notrack_rules=None,
                errors=(PASSWORD_ERROR,),
            ),
        ),
        (
            "netns-board-4.19-user-sudo-nopasswd.txt",
            dataclasses.replace(ARM64_BOARD_FACTS, hostname="board-5", privilege="sudo"),
        ),
    ],
)
def test_real_outputs_of_the_namespace_boards(name: str, expected: ProbeFacts) -> None:
    assert parse_probe(sample(name)) == expected


def test_real_output_of_a_debian_12_vm_without_systemd() -> None:
    facts = parse_probe(sample("debian12-firecracker-root.txt"))
    assert facts == ProbeFacts(
        kernel_release="6.18.44-fc-v657",
        machine="x86_64",
        kernel_build="#1 SMP PREEMPT_DYNAMIC @0",
        hostname="vm",
        os_id="debian",
        os_version_id="12",
        os_pretty_name="Debian GNU/Linux 12 (bookworm)",
        cpufreq=False,
        irqbalance_active="not-found",
        irqbalance_enabled="not-found",
        tuned_installed=False,
        preempt="dynamic",
        preempt_source=(
            "/proc/config.gz (build default none; the preempt= boot parameter may select "
            "another mode)"
        ),
        tcp_congestion_control="bbr",
        default_nic="eth0",
        nic_driver="virtio_net",
        mtu=1400,
        xdp_attached=False,
        nic_irqs=(
            IrqAffinity(37, "virtio2-config", "0-1"),
            IrqAffinity(38, "virtio2-input.0", "0-1"),
            IrqAffinity(39, "virtio2-output.0", "0-1"),
        ),
        notrack_rules=False,
        privilege="root",
        errors=(
            "irqbalance: System has not been booted with systemd as init system (PID 1). "
            "Can't operate. (`systemctl is-active irqbalance` rc 1)",
        ),
    )


def test_every_fact_has_its_evidence() -> None:
    facts = parse_probe(sample("netns-board-4.19-aarch64-root.txt"))
    ev = facts.evidence
    assert ev["kernel_release"] == Evidence("ssh probe", "uname -r", "4.19.0-24-arm64")
    assert ev["preempt"] == Evidence(
        "ssh probe", "/boot/config-4.19.0-24-arm64", "CONFIG_PREEMPT_VOLUNTARY=y"
    )
    assert ev["os_pretty_name"].text == 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"'
    assert ev["mtu"].where == "/sys/class/net/eth0/mtu"
    assert ev["irqbalance_active"] == Evidence(
        "ssh probe", "systemctl is-active irqbalance", "active"
    )
    set_fields = {
        f.name
        for f in dataclasses.fields(facts)
        if getattr(facts, f.name) not in (None, ())
        and f.name not in ("evidence", "errors", "source")
    }
    assert set_fields <= set(ev)


@pytest.mark.parametrize(
    ("config", "preempt", "source_has"),
    [
        (["CONFIG_PREEMPT_NONE=y"], "none", "/boot/config-x"),
        (["CONFIG_PREEMPT_VOLUNTARY=y"], "voluntary", "/boot/config-x"),
        (["CONFIG_PREEMPT=y", "CONFIG_PREEMPT_COUNT=y"], "full", "/boot/config-x"),
        (["CONFIG_PREEMPT_NONE=y", "CONFIG_PREEMPT_DYNAMIC=y"], "dynamic", "build default none"),
        (["CONFIG_PREEMPT=y", "CONFIG_PREEMPT_RT=y"], "rt", "/boot/config-x"),
    ],
)
def test_preemption_model_from_the_kernel_config(
    config: list[str], preempt: str, source_has: str
) -> None:
    facts = parse_probe(section("kernel_config", "\n".join(["/boot/config-x", *config]), 0))
    assert facts.preempt == preempt
    assert facts.preempt_source is not None
    assert source_has in facts.preempt_source


@pytest.mark.parametrize(
    ("build", "preempt"),
    [
        ("#1 SMP PREEMPT_RT Debian 6.1.69-1", "rt"),
        ("#40-Ubuntu SMP PREEMPT_DYNAMIC Tue Nov 14 14:18:00 UTC 2023", "dynamic"),
        ("#1 SMP PREEMPT Wed Jan 1 00:00:00 UTC 2020", "full"),
        ("#1 SMP Debian 4.19.289-2 (2023-08-08)", None),
    ],
)
def test_preemption_falls_back_to_uname_v(build: str, preempt: str | None) -> None:
    text = section("kernel_config", "no kernel config", 2) + section("uname_v", build, 0)
    facts = parse_probe(text)
    assert facts.preempt == preempt
    if preempt is None:
        assert "preemption model: no kernel config and no PREEMPT token in uname -v" in facts.errors
    else:
        assert facts.preempt_source == "uname -v (no kernel config readable)"


@pytest.mark.parametrize(
    ("active", "enabled", "expected"),
    [
        (("active", 0), ("enabled", 0), ("active", "enabled")),
        (("inactive", 3), ("disabled", 1), ("inactive", "disabled")),
        (("failed", 3), ("enabled", 0), ("failed", "enabled")),
        # systemd 252: a unit that does not exist is "inactive" to is-active
        (
            ("inactive", 3),
            ("Failed to get unit file state for irqbalance.service: No such file or directory", 1),
            ("not-found", "not-found"),
        ),
        # newer systemd: rc 4 and "not-found"
        (("inactive", 4), ("not-found", 4), ("not-found", "not-found")),
    ],
)
def test_irqbalance_states(
    active: tuple[str, int], enabled: tuple[str, int], expected: tuple[str, str]
) -> None:
    text = section("irqbalance_active", *active) + section("irqbalance_enabled", *enabled)
    facts = parse_probe(text)
    assert (facts.irqbalance_active, facts.irqbalance_enabled) == expected


@pytest.mark.parametrize(
    ("output", "rc", "installed", "profile"),
    [
        ("Current active profile: network-latency", 0, True, "network-latency"),
        ("No current active profile.", 1, True, ""),
        ("sh: 1: tuned-adm: not found", 127, False, None),
    ],
)
def test_tuned(output: str, rc: int, installed: bool, profile: str | None) -> None:
    facts = parse_probe(section("tuned", output, rc))
    assert (facts.tuned_installed, facts.tuned_profile) == (installed, profile)


def test_governors_are_in_cpu_order() -> None:
    lines = "\n".join(f"cpu{n} {'performance' if n == 10 else 'schedutil'}" for n in (0, 1, 10, 2))
    facts = parse_probe(section("governors", lines, 0))
    assert facts.cpufreq is True
    assert facts.cpu_governors == ("schedutil", "schedutil", "schedutil", "performance")


@pytest.mark.parametrize(
    ("rule", "notrack"),
    [
        (
            '-A CILIUM_PRE_raw -s 10.0.0.0/8 -m comment --comment "cilium: NOTRACK for pod '
            'traffic" -j CT --notrack',
            True,
        ),
        ("-A CILIUM_OUTPUT_raw -d 10.0.0.0/8 -j NOTRACK", True),  # older iptables target
        ("-A PREROUTING -s 10.0.0.0/8 -j CT --notrack", False),  # not Cilium's chain
        ("-N CILIUM_PRE_raw", False),
    ],
)
def test_notrack_rules(rule: str, notrack: bool) -> None:
    text = section("uid", "0", 0) + section("iptables_raw", f"-P OUTPUT ACCEPT\n{rule}", 0)
    assert parse_probe(text).notrack_rules is notrack


@pytest.mark.parametrize(
    ("output", "rc", "error"),
    [
        ("sh: 1: sudo: not found", 127, "sudo is not installed"),
        ("not root; sudo disabled", 2, "sudo is disabled for this host"),
        ("sudo: a terminal is required to read the password", 1, "needs passwordless sudo"),
    ],
)
def test_privileged_read_refused(output: str, rc: int, error: str) -> None:
    facts = parse_probe(section("uid", "1000", 0) + section("iptables_raw", output, rc))
    assert (facts.privilege, facts.notrack_rules) == ("no-sudo", None)
    assert any(error in e for e in facts.errors)


def test_sudo_works_but_iptables_is_missing() -> None:
    text = section("uid", "1000", 0) + section(
        "iptables_raw", "sudo: iptables: command not found", 1
    )
    facts = parse_probe(text)
    assert (facts.privilege, facts.notrack_rules) == ("sudo", None)
    assert "iptables raw rules: iptables not found" in facts.errors


def test_privileged_output_from_a_separate_command_is_merged() -> None:
    main = section("uid", "1000", 0) + section("iptables_raw", "sudo: a password is required", 1)
    privileged = section("iptables_raw", "-A CILIUM_PRE_raw -j CT --notrack", 0)
    facts = parse_probe(main, privileged)
    assert (facts.privilege, facts.notrack_rules) == ("sudo", True)


def test_a_cut_output_keeps_what_was_read() -> None:
    text = sample("netns-board-4.19-aarch64-root.txt")
    cut = text[: text.index(f"{MARKER} tcp_cc rc=")]
    facts = parse_probe(cut)
    assert facts.kernel_release == "4.19.0-24-arm64"
    assert facts.tcp_congestion_control is None
    assert "TCP congestion control: probe output cut short" in facts.errors
    assert "default route: not in the probe output" in facts.errors


@pytest.mark.parametrize(
    "message", ["sh: 14: ethtool: not found", "bash: line 1: ethtool: command not found"]
)
def test_a_missing_tool_is_named(message: str) -> None:
    route = "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0"
    facts = parse_probe(section("default_route", route, 0) + section("nic_driver", message, 127))
    assert facts.nic_driver is None
    assert "NIC driver: ethtool not found" in facts.errors


def test_nothing_recognisable() -> None:
    facts = parse_probe("bash: sh: command not found\n")
    assert facts == ProbeFacts(errors=("the probe printed nothing recognisable",))


def test_no_default_route_leaves_nic_facts_unknown() -> None:
    route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
    text = section("default_route", route, 0) + section("mtu", "no default route", 2)
    facts = parse_probe(text)
    assert (facts.default_nic, facts.mtu) == (None, None)
    assert "default route: none (NIC facts unknown)" in facts.errors


def test_sections_split_exactly() -> None:
    text = "noise\n" + section("a_b", "x\ny", 0) + section("c", "", 3)
    sections = split_sections(text)
    assert {k: (v.output, v.rc) for k, v in sections.items()} == {"a_b": ("x\ny", 0), "c": ("", 3)}


NAMES = st.sampled_from(["uid", "uname_r", "governors", "irqs", "iptables_raw", "mtu", "tuned"])
LINES = st.one_of(
    st.text(max_size=40),
    st.builds(lambda n: f"{MARKER} {n}", NAMES),
    st.builds(lambda n, rc: f"{MARKER} {n} rc={rc}", NAMES, st.integers(0, 999)),
    st.sampled_from(["cpu0 performance", "38 0-3 eth0", "Current active profile:", "1500", "0"]),
)


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    assert isinstance(parse_probe(text, text), ProbeFacts)


@given(st.lists(LINES, max_size=60))
def test_never_raises_on_section_shaped_garbage(lines: list[str]) -> None:
    assert isinstance(parse_probe("\n".join(lines)), ProbeFacts)
