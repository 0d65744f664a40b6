"""SshPool against real OpenSSH sshds in network namespaces (root): probe, jump host, keys, sudo,
remediation, timeouts, reuse, and the same facts from the lab's emulated boards."""

from __future__ import annotations

import asyncio
import copy
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cilium_tui.collect.inventory import SshTarget
from cilium_tui.collect.node_commands import cpu_governor, stop_unit, sysctl, tuned_profile
from cilium_tui.collect.ssh import (
    AuthFailed,
    HostKeyChanged,
    HostKeyUnknown,
    NeedsSudo,
    SshPool,
    Timeout,
    Unreachable,
)
from cilium_tui.lab.boards import LabBoards
from tests.integration.ssh.changes import apply_and_undo
from tests.integration.ssh.conftest import BED_STATES, failure
from tests.integration.ssh.hosts import ARM64_BOARD_FACTS, X86_VM_FACTS
from tests.integration.ssh.netns_bed import NetnsBed
from tests.integration.ssh.sshd import keygen, public_key

pytestmark = pytest.mark.root

B1, B2, B3, B4, B5 = (SshTarget(f"b{n}") for n in range(1, 6))
PASSWORD_SUDO_ERROR = (
    "needs passwordless sudo for: iptables -t raw -S (sudo: a password is required)"
)


@pytest.fixture
async def pool(bed: NetnsBed) -> AsyncIterator[SshPool]:
    p = SshPool(config_path=bed.ssh_config)
    yield p
    await p.close()


def netns_sysctl(bed: NetnsBed, board: str, key: str) -> str:
    ns = bed.board(board).namespace
    path = "/proc/sys/" + key.replace(".", "/")
    return subprocess.run(
        ["ip", "netns", "exec", ns, "cat", path], capture_output=True, text=True, check=True
    ).stdout.strip()


async def test_probe_reads_a_4_19_aarch64_board_exactly(pool: SshPool) -> None:
    result = await pool.probe(B1)
    assert result.facts == ARM64_BOARD_FACTS
    assert result.facts.evidence["nic_driver"].where == "ethtool -i eth0"


async def test_probe_reads_a_6_2_x86_64_vm_exactly(pool: SshPool) -> None:
    result = await pool.probe(B2)
    assert result.facts == X86_VM_FACTS
    notrack = result.facts.evidence["notrack_rules"]
    assert "CILIUM_OUTPUT_raw" in notrack.text
    assert notrack.text.endswith("-j CT --notrack")


async def test_board_behind_the_jump_host(bed: NetnsBed, pool: SshPool) -> None:
    address = bed.board("b3").address
    direct = await failure(SshTarget(address, user="root"), bed.ssh_config)
    assert isinstance(direct, Unreachable)
    assert "No route to host" in str(direct)
    via_config = await pool.run(B3, ["hostname"])  # ProxyJump j in the ssh_config
    assert via_config.stdout == "board-3\n"
    key = str(bed.client_key)  # an address, not an ssh_config alias: no IdentityFile from there
    option = SshPool(config_path=bed.ssh_config, jump="j", known_hosts=bed.known_hosts)
    try:
        via_option = await option.run(
            SshTarget(address, user="root", identity=key), ["uname", "-r"]
        )
    finally:
        await option.close()
    assert via_option.stdout == "4.19.0-24-arm64\n"
    assert option.connections_opened == 2


async def test_unknown_board_key_is_refused(bed: NetnsBed, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(bed.jump.known_hosts_line() if bed.jump else "")
    error = await failure(B3, bed.ssh_config, known_hosts=known)
    assert isinstance(error, HostKeyUnknown)
    assert f"ssh-keyscan {bed.board('b3').address} >> {known}" in str(error)


async def test_changed_board_key_is_refused_with_the_fixing_line(
    bed: NetnsBed, tmp_path: Path
) -> None:
    address = bed.board("b1").address
    known = tmp_path / "known_hosts"
    known.write_text(f"{address} {public_key(keygen(tmp_path / 'old_board_key'))}\n")
    error = await failure(B1, bed.ssh_config, known_hosts=known)
    assert isinstance(error, HostKeyChanged)
    assert f"ssh-keygen -R {address} -f {known}" in str(error)


async def test_auth_failure_names_user_and_keys(bed: NetnsBed, tmp_path: Path) -> None:
    stranger = keygen(tmp_path / "stranger")
    error = await failure(SshTarget("b1", identity=str(stranger)), bed.ssh_config)
    assert isinstance(error, AuthFailed)
    assert "authentication failed for user 'root'" in str(error)


async def test_sudo_that_wants_a_password_is_a_fact(bed: NetnsBed, pool: SshPool) -> None:
    facts = (await pool.probe(B4)).facts
    assert (facts.privilege, facts.notrack_rules, facts.errors) == (
        "no-sudo",
        None,
        (PASSWORD_SUDO_ERROR,),
    )
    with pytest.raises(NeedsSudo, match="needs passwordless sudo for: systemctl disable"):
        await pool.run_command(B4, stop_unit("irqbalance").apply[0])
    assert bed.board("b4").unit("irqbalance") == (True, True)


async def test_passwordless_sudo_runs_privileged_reads_and_changes(
    bed: NetnsBed, pool: SshPool
) -> None:
    facts = (await pool.probe(B5)).facts
    assert (facts.privilege, facts.notrack_rules, facts.errors) == ("sudo", False, ())
    board = bed.board("b5")
    await apply_and_undo(pool, B5, stop_unit("irqbalance"), lambda: board.unit("irqbalance"))


async def test_remediation_changes_only_the_board(bed: NetnsBed, pool: SshPool) -> None:
    host_cc = Path("/proc/sys/net/ipv4/tcp_congestion_control").read_text()
    host_qdisc = Path("/proc/sys/net/core/default_qdisc").read_text()
    b1, b2 = bed.board("b1"), bed.board("b2")
    await apply_and_undo(pool, B1, stop_unit("irqbalance"), lambda: b1.unit("irqbalance"))
    governors = cpu_governor(previous=b1.governors())
    await apply_and_undo(pool, B1, governors, b1.governors)
    tuned = tuned_profile("network-throughput", previous=b2.tuned_profile())
    await apply_and_undo(pool, B2, tuned, b2.tuned_profile)
    qdisc = sysctl("net.core.default_qdisc", "fq", previous="fq_codel")
    await apply_and_undo(pool, B2, qdisc, lambda: b2.file("net-core/default_qdisc"))
    cc = sysctl("net.ipv4.tcp_congestion_control", "reno", previous="bbr")
    key = "net.ipv4.tcp_congestion_control"
    await apply_and_undo(pool, B2, cc, lambda: netns_sysctl(bed, "b2", key))
    assert Path("/proc/sys/net/ipv4/tcp_congestion_control").read_text() == host_cc
    assert Path("/proc/sys/net/core/default_qdisc").read_text() == host_qdisc
    assert bed.board("b3").unit("irqbalance") == (True, True)


async def test_a_stray_write_fails_on_the_read_only_root(pool: SshPool) -> None:
    result = await pool.run(B1, ["touch", "/etc/cilium-tui-stray-write"])
    assert result.rc == 1
    assert "Read-only file system" in result.stderr
    assert not Path("/etc/cilium-tui-stray-write").exists()


async def test_black_holed_host_times_out_and_stalls_nobody(bed: NetnsBed) -> None:
    hole = SshTarget(bed.black_hole, user="root")
    pool = SshPool(config_path=bed.ssh_config, connect_timeout=30)
    try:
        dead = asyncio.ensure_future(pool.run(hole, ["true"]))
        alive = await asyncio.gather(pool.run(B1, ["hostname"]), pool.run(B2, ["hostname"]))
        assert [r.stdout for r in alive] == ["board-1\n", "vm-1\n"]
        assert not dead.done()
        dead.cancel()
    finally:
        await pool.close()
    error = await failure(hole, bed.ssh_config, connect_timeout=0.5)
    assert isinstance(error, Timeout)
    assert f"{bed.black_hole}:22: no SSH answer within 0.5 s" in str(error)


async def test_one_connection_per_board_for_many_commands(bed: NetnsBed, pool: SshPool) -> None:
    sshd = bed.board("b2").sshd
    assert sshd is not None
    before = sshd.accepted_logins()
    await asyncio.gather(*(pool.run(B2, ["uname", "-m"]) for _ in range(4)))
    await pool.probe(B2)
    assert sshd.accepted_logins() - before == 1


async def test_concurrency_is_bounded_across_boards(bed: NetnsBed) -> None:
    slots = bed.directory / "slots"
    slots.mkdir(exist_ok=True)
    slots.chmod(0o777)  # b5 logs in as a non-root user
    script = f'd=$(mktemp -d {slots}/s.XXXXXX); ls {slots} | wc -l; sleep 0.2; rmdir "$d"'
    pool = SshPool(config_path=bed.ssh_config, concurrency=2)
    try:
        results = await asyncio.gather(
            *(pool.run(t, ["sh", "-c", script]) for t in (B1, B2, B3, B5) for _ in range(2))
        )
    finally:
        await pool.close()
    assert [r.rc for r in results] == [0] * 8
    assert max(int(r.stdout) for r in results) <= 2


async def test_lab_boards_give_the_same_facts_as_real_sshd_boards(
    bed: NetnsBed, pool: SshPool
) -> None:
    names = ("b1", "b2", "b4", "b5")
    lab = await LabBoards.start({name: copy.deepcopy(BED_STATES[name]) for name in names})
    lab_pool = SshPool(config_path=lab.ssh_config_path)
    try:
        for name in names:
            real = (await pool.probe(SshTarget(name))).facts
            emulated = (await lab_pool.probe(SshTarget(name))).facts
            assert emulated == real, name
    finally:
        await lab_pool.close()
        await lab.stop()
