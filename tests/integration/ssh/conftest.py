"""Fixtures: a plain sshd on 127.0.0.1 (any user), and the root-only network-namespace board bed."""

from __future__ import annotations

import copy
import getpass
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from cilium_tui.collect.inventory import SshTarget
from cilium_tui.collect.ssh import SshError, SshPool
from tests.conftest import need
from tests.integration.ssh.hosts import arm64_board, x86_vm
from tests.integration.ssh.netns_bed import NetnsBed, need_root_tools
from tests.integration.ssh.sshd import Sshd, keygen, need_sshd, public_key, start_sshd


@dataclass
class PlainSshd:
    """A real sshd on 127.0.0.1:<free port> that lets the current user in with `client_key`."""

    sshd: Sshd
    client_key: Path
    known_hosts: Path
    user: str
    directory: Path

    def ssh_config(self, name: str = "plain", **extra: str) -> Path:
        lines = [
            f"Host {name}",
            f"  HostName {self.sshd.address}",
            f"  Port {self.sshd.port}",
            f"  User {self.user}",
            f"  IdentityFile {self.client_key}",
            f"  UserKnownHostsFile {self.known_hosts}",
            *(f"  {key} {value}" for key, value in extra.items()),
        ]
        path = self.directory / f"ssh_config.{name}"
        path.write_text("\n".join(lines) + "\n")
        return path


async def failure(target: SshTarget, config: Path, **options: Any) -> SshError:
    """The SshError that running `true` on `target` raises with a fresh pool (fails if none)."""
    pool = SshPool(config_path=config, **options)
    try:
        await pool.run(target, ["true"])
    except SshError as e:
        return e
    finally:
        await pool.close()
    raise AssertionError(f"{target}: expected an SshError, the command ran")


@pytest.fixture(scope="session")
def plain_sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlainSshd]:
    need_sshd()
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
    directory = tmp_path_factory.mktemp("plain-sshd")
    client_key = keygen(directory / "client_ed25519")
    authorized = directory / "authorized_keys"
    authorized.write_text(public_key(client_key) + "\n")
    sshd = start_sshd(directory, "plain", authorized, forwarding=True)
    known_hosts = directory / "known_hosts"
    known_hosts.write_text(sshd.known_hosts_line())
    try:
        yield PlainSshd(sshd, client_key, known_hosts, getpass.getuser(), directory)
    finally:
        sshd.stop()


BED_STATES = {
    "b1": arm64_board("board-1"),
    "b2": x86_vm("vm-1"),
    "b3": arm64_board("board-3"),
    "b4": replace(arm64_board("board-4"), sudo="password"),
    "b5": replace(arm64_board("board-5"), sudo="nopasswd"),
}
"""The bed's boards: b3 sits behind the jump host; b4 and b5 log in as a non-root user."""


@pytest.fixture(scope="session")
def bed() -> Iterator[NetnsBed]:
    why = need_root_tools()
    need(why is None, why or "")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    netns_bed = NetnsBed.build(copy.deepcopy(BED_STATES), behind_jump={"b3"})
    try:
        yield netns_bed
    finally:
        netns_bed.destroy()
