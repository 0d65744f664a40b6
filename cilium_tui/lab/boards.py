"""The lab's SSH boards: one asyncssh server per emulated machine, plus a jump host in front.

Each board listens on its own loopback address (127.77.0.11, .12, ...) with its own generated
host key and answers, from its `HostState`, only the commands cilium-tui sends (`lab.ssh_shell`);
it never runs anything on this machine. The jump host (127.77.0.1) forwards direct-tcpip channels
to the boards and nowhere else. `LabBoards` writes an ssh_config (ProxyJump through the jump host),
a known_hosts file and an inventory, so that cilium-tui, and a trainee with the real `ssh -F`,
connect exactly as they would to real boards, with host keys checked.

Faults: `HostState.reachable = False` makes a board drop connections; `set_latency()` delays each
command of a board. Every command a board answers is logged in `LabBoards.commands` (host, user,
argv, whether it asked for root and whether it could change the machine, time), as the lab's API
server logs its requests: what proves a read-only run sent no write over SSH either.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import tempfile
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cilium_tui.asyncssh_import import asyncssh
from cilium_tui.collect.inventory import InventoryHost, SshTarget, inventory_toml
from cilium_tui.collect.ssh import known_hosts_name
from cilium_tui.lab.addresses import ADDRESS_PATTERN, JUMP_ADDRESS, board_address
from cilium_tui.lab.host import HostState
from cilium_tui.lab.ssh_shell import BoardShell, classify, reads_stdin

JUMP_NAME = "lab-jump"
JUMP_USER = "jump"
ALIAS_LIMIT = 32


INTERACTIVE = (
    "This is a cilium-tui lab board: it is emulated and answers only the commands cilium-tui "
    "sends (try: uname -r, systemctl is-active irqbalance).\n"
)


@dataclass(frozen=True)
class CommandLogEntry:
    """One command a board answered, as sent, with what it asked of the machine."""

    host: str
    """The board's name."""
    user: str
    command: str
    rc: int
    time: float
    """When it was answered (seconds since the epoch)."""
    argv: tuple[str, ...] | None
    """Its words, as the board split them; None when the line does not parse."""
    sudo: bool
    mutating: bool
    """See `lab.ssh_shell.Classified`: judged from the command, whatever its exit code."""

    @property
    def privileged(self) -> bool:
        """Run with root rights: by the root user, or through sudo."""
        return self.sudo or self.user == "root"


class CommandLog:
    """Every command the boards answered, like the API server's `RequestLog`: thread-safe (the
    boards run on the lab's SSH thread), append-only until cleared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[CommandLogEntry] = []

    def append(self, record: CommandLogEntry) -> None:
        with self._lock:
            self._records.append(record)

    def records(self, host: str | None = None) -> list[CommandLogEntry]:
        with self._lock:
            return [r for r in self._records if host is None or r.host == host]

    def mutating(self) -> list[CommandLogEntry]:
        return [r for r in self.records() if r.mutating]

    def privileged(self) -> list[CommandLogEntry]:
        return [r for r in self.records() if r.privileged]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


@dataclass(frozen=True)
class Endpoint:
    name: str
    address: str
    port: int
    user: str
    host_key: asyncssh.SSHKey = field(repr=False)

    @property
    def known_hosts_line(self) -> str:
        key = self.host_key.export_public_key("openssh").decode().split()[:2]
        return f"{known_hosts_name(self.address, self.port)} {' '.join(key)} {self.name}\n"


@dataclass
class _Board:
    endpoint: Endpoint
    state: HostState
    shell: BoardShell
    latency: float = 0.0


class _Server(asyncssh.SSHServer):
    """Public-key auth with the lab's client key; a board drops connections while unreachable."""

    def __init__(
        self, client_key: asyncssh.SSHKey, board: _Board | None, forward_to: set[tuple[str, int]]
    ):
        self._client_key = client_key
        self._board = board
        self._forward_to = forward_to

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        if self._board is not None and not self._board.state.reachable:
            conn.abort()

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return key.public_data == self._client_key.public_data

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        """Only the jump host forwards, and only to the boards."""
        return (dest_host, dest_port) in self._forward_to


class LabBoards:
    """Running board servers; build with `await LabBoards.start(hosts)`, end with `stop()`."""

    def __init__(self, directory: Path, client_key_path: Path) -> None:
        self.directory = directory
        self.client_key_path = client_key_path
        self.boards: dict[str, _Board] = {}
        self.jump: Endpoint | None = None
        self.direct: frozenset[str] = frozenset()
        """Hosts the ssh_config reaches directly, not through the jump host."""
        self.commands = CommandLog()
        """Every command any board answered (what a read-only run must keep free of writes)."""
        self._servers: list[asyncssh.SSHAcceptor] = []
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    async def start(
        cls,
        hosts: Mapping[str, HostState],
        directory: Path | None = None,
        *,
        port: int = 0,
        direct: Collection[str] = (),
        addresses: Mapping[str, str] | None = None,
    ) -> LabBoards:
        """Start a server per host (keyed by board name) and the jump host.

        Each board listens on `addresses[name]` (the address its Node advertises), else on
        `board_address(index)`; both are loopback. `port` 0 picks a free port per address; 22
        needs root. Keys and files go to `directory`
        (a private temporary directory by default, removed by `stop()`). The ssh_config reaches
        every host through the jump host except those named in `direct` (e.g. a cluster's VMs,
        while its boards sit behind a bastion).
        """
        tempdir = None
        if directory is None:
            tempdir = tempfile.TemporaryDirectory(prefix="cilium-tui-lab-ssh-")
            directory = Path(tempdir.name)
        directory.mkdir(parents=True, exist_ok=True)
        client_key = asyncssh.generate_private_key("ssh-ed25519", comment="cilium-tui-lab")
        key_path = directory / "client_ed25519"
        client_key.write_private_key(str(key_path))
        key_path.chmod(0o600)
        client_key.write_public_key(str(key_path) + ".pub")
        lab = cls(directory, key_path)
        lab._tempdir = tempdir
        lab.direct = frozenset(direct)
        try:
            for index, (name, state) in enumerate(hosts.items()):
                address = (addresses or {}).get(name) or board_address(index)
                if not address.startswith("127."):
                    raise ValueError(f"lab board {name}: {address} is not a loopback address")
                board = _Board(
                    Endpoint(name, address, 0, _user(state), _host_key(name)),
                    state,
                    BoardShell(state),
                )
                bound = await lab._listen(board.endpoint, client_key, board, port, set())
                board.endpoint = bound
                lab.boards[name] = board
            targets = {(b.endpoint.address, b.endpoint.port) for b in lab.boards.values()}
            jump = Endpoint(JUMP_NAME, JUMP_ADDRESS, 0, JUMP_USER, _host_key(JUMP_NAME))
            lab.jump = await lab._listen(jump, client_key, None, port, targets)
        except BaseException:
            await lab.stop()
            raise
        lab.write_known_hosts()
        lab.write_ssh_config()
        return lab

    async def _listen(
        self,
        endpoint: Endpoint,
        client_key: asyncssh.SSHKey,
        board: _Board | None,
        port: int,
        forward_to: set[tuple[str, int]],
    ) -> Endpoint:
        def factory() -> _Server:
            return _Server(client_key, board, forward_to)

        async def serve(process: asyncssh.SSHServerProcess[str]) -> None:
            await self._serve(board, process)

        server = await asyncssh.create_server(
            factory,
            endpoint.address,
            port,
            server_host_keys=[endpoint.host_key],
            process_factory=serve if board is not None else None,
            session_factory=None,
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            # What a board needs no CPU for, per connection: a line editor wrapping every
            # write (it answers commands, never an interactive shell), and the hostname
            # lookup for GSS (no GSS auth here).
            line_editor=False,
            gss_host=None,
        )
        self._servers.append(server)
        return Endpoint(
            endpoint.name, endpoint.address, server.get_port(), endpoint.user, endpoint.host_key
        )

    async def _serve(self, board: _Board | None, process: asyncssh.SSHServerProcess[str]) -> None:
        assert board is not None
        command = process.command
        if not board.state.reachable:
            process.get_extra_info("connection").abort()
            return
        if command is None:
            process.stderr.write(INTERACTIVE)
            process.exit(1)
            return
        if board.latency:
            await asyncio.sleep(board.latency)
        stdin = await process.stdin.read() if reads_stdin(command) else ""
        rc, out, err = board.shell.execute(command, stdin)
        asked = classify(command)
        self.commands.append(
            CommandLogEntry(
                host=board.endpoint.name,
                user=process.get_extra_info("username") or "",
                command=command,
                rc=rc,
                time=time.time(),
                argv=asked.argv,
                sudo=asked.sudo,
                mutating=asked.mutating,
            )
        )
        process.stdout.write(out)
        process.stderr.write(err)
        process.exit(rc)

    async def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()
        for server in servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    # ---------------------------------------------------------------- knobs and logs

    def set_latency(self, name: str, seconds: float) -> None:
        self.boards[name].latency = seconds

    def log(self, name: str) -> list[CommandLogEntry]:
        """Every command board `name` answered, in order."""
        return self.commands.records(host=name)

    # ---------------------------------------------------------------- files for clients

    @property
    def known_hosts_path(self) -> Path:
        return self.directory / "known_hosts"

    @property
    def ssh_config_path(self) -> Path:
        return self.directory / "ssh_config"

    def write_known_hosts(self, path: Path | None = None) -> Path:
        path = path or self.known_hosts_path
        endpoints = [
            *(b.endpoint for b in self.boards.values()),
            *([self.jump] if self.jump else []),
        ]
        path.write_text("".join(e.known_hosts_line for e in endpoints))
        return path

    @property
    def aliases(self) -> bool:
        """Whether the ssh_config names every board (`ssh -F ssh_config rock64-1`).

        ssh clients (OpenSSH and asyncssh alike) read the whole config file for every connection,
        so a big lab gets one pattern block instead, and its inventory names boards by address.
        """
        return len(self.boards) <= ALIAS_LIMIT

    def _behind_jump(self, board: _Board) -> bool:
        return self.jump is not None and board.endpoint.name not in self.direct

    def write_ssh_config(self, path: Path | None = None) -> Path:
        """The jump host, then a block per board (or, for a big lab, one block for them all)."""
        path = path or self.ssh_config_path
        blocks = [f"# cilium-tui lab boards: ssh -F {shlex.quote(str(path))} <board>"]
        if self.jump is not None:
            blocks.append(self._host_block(f"Host {self.jump.name}", self.jump, jump=None))
        if self.aliases:
            for board in self.boards.values():
                jump = JUMP_NAME if self._behind_jump(board) else None
                blocks.append(self._host_block(f"Host {board.endpoint.name}", board.endpoint, jump))
        elif self.boards:
            blocks.append(self._common_block(f"Host {ADDRESS_PATTERN}"))
        path.write_text("\n\n".join(blocks) + "\n")
        return path

    def _common_block(self, header: str) -> str:
        return "\n".join(
            [
                header,
                f'  IdentityFile "{self.client_key_path}"',
                "  IdentitiesOnly yes",
                f'  UserKnownHostsFile "{self.known_hosts_path}"',
                "  StrictHostKeyChecking yes",
            ]
        )

    def _host_block(self, header: str, endpoint: Endpoint, jump: str | None) -> str:
        lines = [
            header,
            f"  HostName {endpoint.address}",
            f"  Port {endpoint.port}",
            f"  User {endpoint.user}",
            *self._common_block("").splitlines()[1:],
        ]
        if jump is not None:
            lines.append(f"  ProxyJump {jump}")
        return "\n".join(lines)

    def write_inventory(self, path: Path | None = None, nodes: Collection[str] = ()) -> Path:
        """An inventory of every board (by alias, or by address and port in a big lab), with
        `nodes` marked as Kubernetes nodes."""
        path = path or self.directory / "inventory.toml"
        entries = []
        for name, board in self.boards.items():
            target = SshTarget(name)
            if not self.aliases:
                jump = JUMP_NAME if self._behind_jump(board) else None
                endpoint = board.endpoint
                target = SshTarget(
                    endpoint.address, port=endpoint.port, user=endpoint.user, jump=jump
                )
            entries.append(
                InventoryHost(name=name, node=name if name in nodes else None, target=target)
            )
        path.write_text(inventory_toml(entries))
        return path


def _user(state: HostState) -> str:
    return "root" if state.sudo == "root" else "lab"


def _host_key(name: str) -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519", comment=f"cilium-tui lab {name}")
