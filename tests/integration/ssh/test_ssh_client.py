"""SshPool against a real OpenSSH sshd on 127.0.0.1 (runs without root)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cilium_tui.collect.inventory import SshTarget
from cilium_tui.collect.ssh import (
    AuthFailed,
    HostKeyChanged,
    HostKeyUnknown,
    SshPool,
    Timeout,
    Unreachable,
)
from tests.conftest import need_tools
from tests.integration.ssh.conftest import PlainSshd, failure
from tests.integration.ssh.sshd import free_port, keygen, public_key

ALIAS = SshTarget("plain")


@pytest.fixture
async def pool(plain_sshd: PlainSshd) -> AsyncIterator[SshPool]:
    p = SshPool(config_path=plain_sshd.ssh_config())
    yield p
    await p.close()


async def test_runs_a_command_through_an_ssh_config_alias(pool: SshPool) -> None:
    result = await pool.run(ALIAS, ["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (result.rc, result.stdout, result.stderr) == (3, "out\n", "err\n")


async def test_arguments_arrive_as_separate_words(pool: SshPool) -> None:
    tricky = "a b; echo injected $(id) 'q'"
    result = await pool.run(ALIAS, ["printf", "%s\\n", tricky, "--"])
    assert result.stdout == f"{tricky}\n--\n"


async def test_input_goes_to_stdin(pool: SshPool) -> None:
    result = await pool.run(ALIAS, ["cat"], input="performance\n")
    assert result.stdout == "performance\n"


async def test_one_connection_serves_several_commands(plain_sshd: PlainSshd, pool: SshPool) -> None:
    before = plain_sshd.sshd.accepted_logins()
    results = await asyncio.gather(*(pool.run(ALIAS, ["echo", str(i)]) for i in range(5)))
    results.append(await pool.run(ALIAS, ["true"]))
    assert [r.rc for r in results] == [0] * 6
    assert pool.connections_opened == 1
    assert plain_sshd.sshd.accepted_logins() - before == 1


async def test_concurrency_is_bounded(plain_sshd: PlainSshd, tmp_path: Path) -> None:
    slots = tmp_path / "slots"
    slots.mkdir()
    # Each command takes a slot, reports how many are taken, holds it a moment, frees it.
    script = f'd=$(mktemp -d {slots}/s.XXXXXX); ls {slots} | wc -l; sleep 0.2; rmdir "$d"'
    pool = SshPool(config_path=plain_sshd.ssh_config(), concurrency=2)
    try:
        results = await asyncio.gather(*(pool.run(ALIAS, ["sh", "-c", script]) for _ in range(6)))
    finally:
        await pool.close()
    busy = [int(r.stdout) for r in results]
    assert all(r.rc == 0 for r in results)
    assert max(busy) <= 2


async def test_command_timeout_is_an_error_not_a_hang(pool: SshPool) -> None:
    with pytest.raises(Timeout, match=r"did not finish within 0\.3 s"):
        await pool.run(ALIAS, ["sleep", "30"], timeout=0.3)
    assert (await pool.run(ALIAS, ["echo", "still", "usable"])).stdout == "still usable\n"


async def test_probe_reads_this_machine(pool: SshPool) -> None:
    result = await pool.probe(ALIAS)
    facts = result.facts
    assert facts.kernel_release == os.uname().release
    assert facts.machine == os.uname().machine
    assert facts.hostname == socket.gethostname()
    assert result.raw.startswith("### ctui-probe uid\n")
    assert facts.evidence["kernel_release"].where == "uname -r"


async def test_unknown_host_key_is_refused_with_the_line_to_fix_it(
    plain_sshd: PlainSshd, tmp_path: Path
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    before = plain_sshd.sshd.accepted_logins()
    error = await failure(ALIAS, plain_sshd.ssh_config(), known_hosts=empty)
    assert isinstance(error, HostKeyUnknown)
    port = plain_sshd.sshd.port
    assert f"ssh-keyscan -p {port} 127.0.0.1 >> {empty}" in str(error)
    assert "host key unknown" in str(error)
    assert plain_sshd.sshd.accepted_logins() == before


async def test_changed_host_key_is_refused_with_the_line_to_fix_it(
    plain_sshd: PlainSshd, tmp_path: Path
) -> None:
    other = keygen(tmp_path / "other_host_key")
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{plain_sshd.sshd.port} {public_key(other)}\n")
    before = plain_sshd.sshd.accepted_logins()
    error = await failure(ALIAS, plain_sshd.ssh_config(), known_hosts=known)
    assert isinstance(error, HostKeyChanged)
    assert "HOST KEY CHANGED" in str(error)
    assert f"ssh-keygen -R '[127.0.0.1]:{plain_sshd.sshd.port}' -f {known}" in str(error)
    assert plain_sshd.sshd.accepted_logins() == before


async def test_ssh_config_that_disables_host_key_checking_is_refused(
    plain_sshd: PlainSshd,
) -> None:
    config = plain_sshd.ssh_config("nocheck")
    config.write_text(config.read_text().replace(str(plain_sshd.known_hosts), "none"))
    error = await failure(SshTarget("nocheck"), config)
    assert isinstance(error, HostKeyUnknown)
    assert "always verifies host keys" in str(error)


async def test_wrong_key_is_an_auth_failure(plain_sshd: PlainSshd, tmp_path: Path) -> None:
    stranger = keygen(tmp_path / "stranger")
    error = await failure(SshTarget("plain", identity=str(stranger)), plain_sshd.ssh_config())
    assert isinstance(error, AuthFailed)
    assert f"authentication failed for user {plain_sshd.user!r}" in str(error)
    assert "IdentityFile" in str(error)


async def test_an_encrypted_identity_is_named_as_bad_configuration(
    plain_sshd: PlainSshd, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", str(locked)], check=True
    )
    error = await failure(SshTarget("plain", identity=str(locked)), plain_sshd.ssh_config())
    assert isinstance(error, Unreachable)
    assert str(error).startswith("plain: bad SSH configuration:")
    assert "assphrase" in str(error)


async def test_a_key_file_changed_between_scans_is_read_again(
    plain_sshd: PlainSshd, tmp_path: Path
) -> None:
    """Keys are loaded once for every connection, but a key replaced on disk is used."""
    key = tmp_path / "id_changing"
    stranger = keygen(tmp_path / "stranger")
    key.write_bytes(stranger.read_bytes())
    key.chmod(0o600)
    config = plain_sshd.ssh_config("changing")
    config.write_text(config.read_text().replace(str(plain_sshd.client_key), str(key)))
    pool = SshPool(config_path=config)
    try:
        with pytest.raises(AuthFailed):
            await pool.run(SshTarget("changing"), ["true"])
        key.write_bytes(plain_sshd.client_key.read_bytes())
        os.utime(key, ns=(1, 1))  # a different time, however fast the test runs
        assert (await pool.run(SshTarget("changing"), ["true"])).rc == 0
        assert pool.key_loads == 2
    finally:
        await pool.close()


async def test_refused_port_is_unreachable(plain_sshd: PlainSshd) -> None:
    error = await failure(SshTarget("127.0.0.1", port=free_port()), plain_sshd.ssh_config())
    assert isinstance(error, Unreachable)
    assert "Connection refused" in str(error)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a black hole for SSH)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


async def test_silent_host_times_out_without_stalling_the_others(
    plain_sshd: PlainSshd, silent_server: int
) -> None:
    pool = SshPool(config_path=plain_sshd.ssh_config(), connect_timeout=30)
    try:
        dead = asyncio.ensure_future(pool.run(SshTarget("127.0.0.1", port=silent_server), ["true"]))
        alive = await asyncio.gather(*(pool.run(ALIAS, ["echo", str(i)]) for i in range(3)))
        assert [r.stdout for r in alive] == ["0\n", "1\n", "2\n"]
        assert not dead.done()
        dead.cancel()
    finally:
        await pool.close()
    silent = SshTarget("127.0.0.1", port=silent_server)
    error = await failure(silent, plain_sshd.ssh_config(), connect_timeout=0.3)
    assert isinstance(error, Timeout)
    assert "no SSH answer within 0.3 s" in str(error)


async def test_jump_option_goes_through_the_jump_host(plain_sshd: PlainSshd) -> None:
    # The jump host forwards to the same sshd: the target is reached through a direct-tcpip channel.
    pool = SshPool(config_path=plain_sshd.ssh_config(), jump="plain")
    try:
        result = await pool.run(SshTarget("plain"), ["echo", "via", "jump"])
        again = await pool.run(SshTarget("plain"), ["true"])
    finally:
        await pool.close()
    assert result.stdout == "via jump\n"
    assert again.rc == 0
    assert pool.connections_opened == 2  # the jump host's connection and the target's


async def test_a_jump_host_loop_is_an_error_not_a_hang(plain_sshd: PlainSshd) -> None:
    error = await failure(SshTarget("loop"), plain_sshd.ssh_config("loop", ProxyJump="loop"))
    assert isinstance(error, Unreachable)
    assert "its jump host is itself" in str(error)


@pytest.fixture
def agent(plain_sshd: PlainSshd, tmp_path: Path) -> Iterator[str]:
    """A real ssh-agent holding the client key; yields its socket."""
    need_tools("ssh-agent")
    sock = tmp_path / "agent.sock"
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(500):
            if sock.exists():
                break
            time.sleep(0.01)
        env = {**os.environ, "SSH_AUTH_SOCK": str(sock)}
        subprocess.run(["ssh-add", "-q", str(plain_sshd.client_key)], env=env, check=True)
        yield str(sock)
    finally:
        proc.terminate()
        proc.wait()


async def test_keys_from_the_ssh_agent(
    plain_sshd: PlainSshd, agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = plain_sshd.ssh_config("agent")
    lines = config.read_text().splitlines()
    config.write_text("\n".join(line for line in lines if "IdentityFile" not in line) + "\n")
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    assert isinstance(await failure(SshTarget("agent"), config), AuthFailed)
    monkeypatch.setenv("SSH_AUTH_SOCK", agent)
    pool = SshPool(config_path=config)
    try:
        result = await pool.run(SshTarget("agent"), ["echo", "agent"])
    finally:
        await pool.close()
    assert result.stdout == "agent\n"


async def test_a_bad_proxyjump_is_a_clear_error(plain_sshd: PlainSshd) -> None:
    config = plain_sshd.ssh_config("badjump", ProxyJump="a@@b")
    error = await failure(SshTarget("badjump"), config)
    assert isinstance(error, Unreachable)
    assert "not a jump host spec" in str(error)
