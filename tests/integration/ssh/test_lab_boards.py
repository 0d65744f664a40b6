"""The lab's asyncssh boards, reached by SshPool through the lab's jump host and ssh_config."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncssh
import pytest

from cilium_tui.collect.inventory import SshTarget, load_inventory
from cilium_tui.collect.node_commands import cpu_governor, stop_unit, sysctl, tuned_profile
from cilium_tui.collect.ssh import NeedsSudo, SshPool, Timeout, Unreachable
from cilium_tui.lab.boards import LabBoards
from tests.conftest import need_tools
from tests.integration.ssh.changes import apply_and_undo
from tests.integration.ssh.hosts import ARM64_BOARD_FACTS, X86_VM_FACTS, arm64_board, x86_vm

BOARD = SshTarget("board-1")
VM = SshTarget("vm-1")


@pytest.fixture
async def lab() -> AsyncIterator[LabBoards]:
    boards = await LabBoards.start({"board-1": arm64_board(), "vm-1": x86_vm()})
    yield boards
    await boards.stop()


@pytest.fixture
async def pool(lab: LabBoards) -> AsyncIterator[SshPool]:
    p = SshPool(config_path=lab.ssh_config_path)
    yield p
    await p.close()


async def test_probes_give_the_exact_facts_of_each_machine(pool: SshPool) -> None:
    board = await pool.probe(BOARD)
    vm = await pool.probe(VM)
    assert board.facts == ARM64_BOARD_FACTS
    assert vm.facts == X86_VM_FACTS
    assert pool.connections_opened == 3  # the jump host once, then each board through it


async def test_a_capped_pool_closes_idle_hosts_but_keeps_the_shared_jump_host() -> None:
    names = [f"board-{i}" for i in range(1, 6)]
    boards = await LabBoards.start({name: arm64_board() for name in names})
    pool = SshPool(config_path=boards.ssh_config_path, max_connections=3)
    try:
        for name in [*names, names[0]]:
            assert (await pool.run(SshTarget(name), ["uname", "-m"])).stdout == "aarch64\n"
            assert pool.open_connections <= 3
        # the jump host once; five boards, each of board-2..4 closed (the most recently used
        # idle one) to make room for the next; board-1, kept, used again without a reconnect
        assert pool.connections_opened == 6
        assert pool.connections_closed_for_room == 3
        probes = await asyncio.gather(*(pool.probe(SshTarget(n)) for n in names))
        assert {p.facts for p in probes} == {ARM64_BOARD_FACTS}
        assert pool.open_connections <= 3
    finally:
        await pool.close()
        await boards.stop()
    assert pool.open_connections == 0


async def test_a_fleet_one_larger_than_the_cap_reconnects_one_host_per_scan() -> None:
    """Scans use every host in turn: the cap keeps the same hosts from scan to scan (closing the
    least recently used would reconnect every host on every scan)."""
    names = [f"board-{i}" for i in range(1, 6)]
    boards = await LabBoards.start({name: arm64_board() for name in names})
    pool = SshPool(config_path=boards.ssh_config_path, max_connections=5)  # 5 boards + the jump
    try:
        for _ in range(2):
            for name in names:
                await pool.probe(SshTarget(name))
        assert pool.connections_opened == 6 + 1
        assert pool.connections_closed_for_room == 2
    finally:
        await pool.close()
        await boards.stop()


async def test_each_board_logs_the_commands_it_answered(lab: LabBoards, pool: SshPool) -> None:
    await pool.probe(BOARD)
    await pool.run(BOARD, ["uname", "-r"])
    assert [(e.user, e.rc) for e in lab.log("board-1")] == [("root", 0), ("root", 0)]
    assert lab.log("board-1")[1].command == "uname -r"
    assert lab.log("vm-1") == []


async def test_the_command_log_tells_reads_from_writes() -> None:
    state = arm64_board()
    state.sudo = "nopasswd"  # a user with sudo, not root: privileges show as `sudo -n`
    boards = await LabBoards.start({"board-1": state})
    pool = SshPool(config_path=boards.ssh_config_path)
    governors = cpu_governor(previous=list(state.governors or []))
    try:
        await pool.probe(BOARD)
        reads = boards.commands.records()
        await pool.run_command(BOARD, governors.check)
        await pool.run_command(BOARD, governors.apply[0])
        await pool.run(BOARD, ["rm", "-rf", "/"])
    finally:
        await pool.close()
        await boards.stop()
    assert reads and all(e.host == "board-1" and e.user == "lab" for e in reads)
    assert not any(e.mutating for e in reads), "the probe only reads"
    assert reads[-1].argv is not None and reads[-1].argv[:2] == ("sh", "-c")
    assert reads[-1].sudo, "the probe reads iptables through sudo"
    *_, check, tee, rm = boards.commands.records()
    assert (check.mutating, check.sudo, check.privileged) == (False, False, False)
    assert check.argv == governors.check.argv
    assert (tee.mutating, tee.privileged, tee.rc) == (True, True, 0)
    assert tee.argv == ("sudo", "-n", *governors.apply[0].argv)
    assert (rm.mutating, rm.privileged, rm.rc) == (True, False, 127), "unknown counts as a write"
    assert boards.commands.mutating() == [tee, rm]
    assert boards.commands.privileged() == [reads[-1], tee]
    assert check.time <= tee.time <= rm.time
    boards.commands.clear()
    assert boards.log("board-1") == []


async def test_anything_else_is_not_found(pool: SshPool) -> None:
    result = await pool.run(BOARD, ["rm", "-rf", "/"])
    assert (result.rc, result.stdout, result.stderr) == (127, "", "sh: 1: rm: not found\n")


async def test_systemctl_exit_codes_are_systemds(lab: LabBoards, pool: SshPool) -> None:
    lab.boards["board-1"].state.units["irqbalance"].active = False
    inactive = await pool.run(BOARD, ["systemctl", "is-active", "irqbalance"])
    missing = await pool.run(BOARD, ["systemctl", "stop", "chronyd"])
    assert (inactive.rc, inactive.stdout) == (3, "inactive\n")
    assert (missing.rc, missing.stderr) == (
        5,
        "Failed to stop chronyd.service: Unit chronyd.service not found.\n",
    )


async def test_remediation_changes_the_board_state_and_undo_restores_it(
    lab: LabBoards, pool: SshPool
) -> None:
    board = lab.boards["board-1"].state
    vm = lab.boards["vm-1"].state
    irqbalance = stop_unit("irqbalance")
    await apply_and_undo(
        pool,
        BOARD,
        irqbalance,
        lambda: (board.units["irqbalance"].active, board.units["irqbalance"].enabled),
    )
    governors = cpu_governor(previous=list(board.governors or []))
    await apply_and_undo(pool, BOARD, governors, lambda: list(board.governors or []))
    tuned = tuned_profile("network-latency", previous="virtual-guest")
    await apply_and_undo(pool, VM, tuned, lambda: vm.tuned_profile)
    qdisc = sysctl("net.core.default_qdisc", "fq", previous="fq_codel")
    await apply_and_undo(pool, VM, qdisc, lambda: vm.sysctls["net.core.default_qdisc"])


async def test_password_sudo_is_a_fact_not_a_hang(lab: LabBoards) -> None:
    state = arm64_board()
    state.sudo = "password"
    boards = await LabBoards.start({"board-1": state})
    pool = SshPool(config_path=boards.ssh_config_path)
    try:
        facts = (await pool.probe(BOARD)).facts
        with pytest.raises(NeedsSudo, match="needs passwordless sudo for: systemctl disable"):
            await pool.run_command(BOARD, stop_unit("irqbalance").apply[0])
    finally:
        await pool.close()
        await boards.stop()
    assert facts.privilege == "no-sudo"
    assert facts.notrack_rules is None
    assert facts.errors == (
        "needs passwordless sudo for: iptables -t raw -S (sudo: a password is required)",
    )
    assert state.units["irqbalance"].active is True


async def test_an_unreachable_board_fails_alone(lab: LabBoards, pool: SshPool) -> None:
    lab.boards["vm-1"].state.reachable = False
    with pytest.raises(Unreachable):
        await pool.run(VM, ["uname", "-r"])
    assert (await pool.run(BOARD, ["uname", "-m"])).stdout == "aarch64\n"


async def test_latency_knob_makes_commands_time_out(lab: LabBoards, pool: SshPool) -> None:
    lab.set_latency("vm-1", 30)
    with pytest.raises(Timeout):
        await pool.run(VM, ["uname", "-r"], timeout=0.2)
    assert (await pool.run(BOARD, ["uname", "-r"])).stdout == "4.19.0-24-arm64\n"


async def test_jump_host_forwards_only_to_boards(lab: LabBoards) -> None:
    assert lab.jump is not None
    async with asyncssh.connect(
        lab.jump.address,
        lab.jump.port,
        username="jump",
        client_keys=[str(lab.client_key_path)],
        known_hosts=str(lab.known_hosts_path),
    ) as jump:
        with pytest.raises(asyncssh.ChannelOpenError):
            await jump.open_connection("127.0.0.1", 22)
        board = lab.boards["board-1"].endpoint
        reader, writer = await jump.open_connection(board.address, board.port)
        assert (await reader.readline()).startswith(b"SSH-2.0-")
        writer.close()


async def test_inventory_written_by_the_lab_loads(lab: LabBoards) -> None:
    inventory = load_inventory(lab.write_inventory(nodes={"vm-1"}))
    assert [(h.name, h.node, h.target.host) for h in inventory.hosts] == [
        ("board-1", None, "board-1"),
        ("vm-1", "vm-1", "vm-1"),
    ]


async def test_real_openssh_client_uses_the_lab_files(lab: LabBoards) -> None:
    need_tools("ssh")
    # The boards serve on this event loop: the client must run without blocking it.
    ssh = await asyncio.create_subprocess_exec(
        *["ssh", "-F", str(lab.ssh_config_path), "-o", "BatchMode=yes", "board-1", "uname", "-r"],
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(ssh.communicate(), 30)
    assert (ssh.returncode, stdout) == (0, b"4.19.0-24-arm64\n"), stderr


def _cipher(pool: SshPool, host: str) -> str:
    for (target, _), task in pool._connections.items():
        if target.host == host:
            return str(task.result().get_extra_info("send_cipher"))
    raise AssertionError(f"no connection to {host}")


async def test_connections_prefer_aes_gcm_unless_the_config_names_ciphers(
    lab: LabBoards, pool: SshPool
) -> None:
    await pool.probe(BOARD)
    assert _cipher(pool, "board-1") == "aes128-gcm@openssh.com"
    config = lab.ssh_config_path
    config.write_text(config.read_text() + "\nHost vm-1\n  Ciphers chacha20-poly1305@openssh.com\n")
    chosen = SshPool(config_path=config)
    try:
        await chosen.probe(VM)
        assert _cipher(chosen, "vm-1") == "chacha20-poly1305@openssh.com"
    finally:
        await chosen.close()
