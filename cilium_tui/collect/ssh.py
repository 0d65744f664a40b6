"""SSH to nodes and boards: one verified, reused connection per host, bounded and time-limited.

`SshPool` honours an OpenSSH client config (`~/.ssh/config` by default): Host aliases, HostName,
User, Port, IdentityFile, ProxyJump, UserKnownHostsFile; keys from IdentityFile and the ssh-agent.
Host keys are always verified against known_hosts: an unknown or changed key is refused with the
command that fixes it. Jump hosts (an inventory `jump`, the pool's global `jump` like `ssh -J`, or
ssh_config's ProxyJump) are connected once and shared by every host behind them.

Open connections are capped (the `ssh_keep` setting, and at most what the open-files limit
allows): past the cap, the most recently used idle connection is closed to make room, so a
thousand hosts under a 1024-file limit cost reconnects, not failures, and a fleet larger than the
cap costs reconnects, not memory (each kept connection is ~60 KiB here).

Every failure is an `SshError` with a message for humans; one dead host only fails its own calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shlex
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cilium_tui.asyncssh_import import asyncssh
from cilium_tui.collect.fdlimit import connection_budget
from cilium_tui.collect.inventory import SshTarget, parse_jump
from cilium_tui.collect.node_commands import SUDO, NodeCommand
from cilium_tui.collect.probe import probe_argv
from cilium_tui.collect.ssh_files import (
    ClientKeys,
    ConfigSlices,
    KeySpec,
    KnownHosts,
    LoadedKeys,
    Stamps,
)
from cilium_tui.facts.probe import MARKER, parse_probe, sudo_wants_password
from cilium_tui.model import ProbeFacts
from cilium_tui.settings import DEFAULT_SSH_KEEP

DEFAULT_PORT = 22
DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"


class SshError(Exception):
    """A host could not be used; ``str()`` is the message to show."""

    kind = "error"

    def __init__(self, target: SshTarget | str, message: str) -> None:
        super().__init__(message)
        self.target = str(target)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Unreachable(SshError):
    kind = "unreachable"


class AuthFailed(SshError):
    kind = "auth failed"


class HostKeyUnknown(SshError):
    kind = "host key unknown"


class HostKeyChanged(SshError):
    kind = "host key changed"


class Timeout(SshError):
    kind = "timeout"


class NeedsSudo(SshError):
    kind = "needs sudo"


@dataclass(frozen=True)
class CommandResult:
    rc: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ProbeResult:
    facts: ProbeFacts
    raw: str
    """The probe's output as read, for the detail view and for bug reports."""


PREFERRED_CIPHERS = "^aes128-gcm@openssh.com,aes256-gcm@openssh.com"
"""AES-GCM ahead of asyncssh's default first choice, ChaCha20-Poly1305 (the rest of its list
follows; a server without AES-GCM gets what it offers): both are AEADs OpenSSH offers first,
but asyncssh makes ChaCha20-Poly1305 of several Python calls per packet where AES-GCM is one
(with AES-NI). A `Ciphers` line in the ssh_config for the host is used as written instead."""

_Route = tuple[SshTarget, str | None]
"""A host and the jump spec in front of it (None: direct, or the ssh_config's ProxyJump)."""


def _reason(e: Exception) -> str:
    """The short human reason: "Connection refused", "No route to host", asyncssh's reason."""
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    if isinstance(e, OSError | asyncssh.Error):
        return str(getattr(e, "reason", "") or e)
    return f"{type(e).__name__}: {e}"  # unexpected: say what it was


def _unusable(task: asyncio.Task[asyncssh.SSHClientConnection]) -> bool:
    """A finished connect that failed, or whose connection has closed since."""
    return task.cancelled() or task.exception() is not None or task.result().is_closed()


def _holds(task: asyncio.Task[asyncssh.SSHClientConnection], conn: object) -> bool:
    """The connect finished with this very connection (not a newer one for the same host)."""
    return (
        task.done() and not task.cancelled() and task.exception() is None and task.result() is conn
    )


def known_hosts_name(host: str, port: int) -> str:
    """known_hosts spelling: `host` on port 22, `[host]:port` otherwise."""
    return host if port == DEFAULT_PORT else f"[{host}]:{port}"


class SshPool:
    """SSH connections to many hosts, one per host, reused until `close()` or until the cap
    (`max_connections`, by default sized from the open-files limit at first use) needs room."""

    def __init__(
        self,
        config_path: Path | str | None = None,
        *,
        jump: str | None = None,
        known_hosts: Path | str | None = None,
        concurrency: int = 32,
        connect_timeout: float = 10,
        command_timeout: float = 20,
        max_connections: int | None = None,
    ) -> None:
        if jump is not None:
            parse_jump(jump)  # a bad spec fails here, not on every host
        self._config = ConfigSlices(config_path)
        self._known = KnownHosts()
        self._keys = ClientKeys()
        self._keys_loading: dict[KeySpec, asyncio.Future[LoadedKeys | None]] = {}
        self._jump = jump
        self._known_hosts: str | tuple[()] = str(known_hosts) if known_hosts else ()
        self._concurrency = concurrency
        self._limit: asyncio.Semaphore | None = None
        self._keep = max_connections or DEFAULT_SSH_KEEP
        self._cap: int | None = None
        self._connect_timeout = connect_timeout
        self._command_timeout = command_timeout
        self._connections: OrderedDict[_Route, asyncio.Task[asyncssh.SSHClientConnection]]
        self._connections = OrderedDict()
        """Connections (or connects in progress), least recently used first."""
        self._hops: set[_Route] = set()
        self._busy: Counter[_Route] = Counter()
        """Per route, the commands running on it and the open connections tunnelled through it:
        a busy connection is never closed to make room."""
        self._via: dict[_Route, _Route] = {}
        """The jump host route each open connection goes through."""
        self.connections_opened = 0
        """How many SSH connections were established (jump hosts included)."""
        self.connections_closed_for_room = 0
        """How many idle connections were closed because the cap was reached."""

    @property
    def file_reads(self) -> tuple[int, int]:
        """How many times the ssh_config and the known_hosts files were read and parsed."""
        return self._config.parses, self._known.parses

    @property
    def key_loads(self) -> int:
        """How many times client keys were loaded (once per way hosts name them, per change)."""
        return self._keys.loads

    @property
    def open_connections(self) -> int:
        """Connections open or being opened now (jump hosts included)."""
        return sum(not (task.done() and _unusable(task)) for task in self._connections.values())

    @property
    def max_connections(self) -> int:
        """The cap on open connections: `max_connections` (the `ssh_keep` setting; by default
        DEFAULT_SSH_KEEP), lowered on first use to what the open-files limit leaves room for."""
        if self._cap is None:
            self._cap = min(self._keep, connection_budget())
        return max(2, self._cap)

    async def run(
        self,
        target: SshTarget,
        argv: Sequence[str],
        *,
        sudo: bool = False,
        input: str | None = None,
        timeout: float | None = None,
    ) -> CommandResult:
        """Run one command (argv, sent as `shlex.join(argv)`); `sudo` adds `sudo -n` unless root.

        A non-zero exit code is a result, not an error; `NeedsSudo` is raised when sudo wants a
        password (or the inventory forbids sudo) instead of running the command.
        """
        if self._limit is None:
            # Each command may need its host and its jump host open: half the cap in flight
            # always leaves an idle connection to close when the cap is reached.
            self._limit = asyncio.Semaphore(
                max(1, min(self._concurrency, self.max_connections // 2))
            )
        async with self._limit:
            route = (target, target.jump or self._jump)
            self._busy[route] += 1
            try:
                conn = await self._connection(route)
                root = conn.get_extra_info("username") == "root"
                wanted = shlex.join(argv)
                if sudo and not root and not target.sudo:
                    raise NeedsSudo(
                        target,
                        f"{target}: sudo is disabled for this host; needs root for: {wanted}",
                    )
                full = (*SUDO, *argv) if sudo and not root else tuple(argv)
                result = await self._execute(route, conn, shlex.join(full), input, timeout)
            finally:
                self._release(route)
                if route in self._connections:  # most recently used: the first to be closed
                    self._connections.move_to_end(route)
        if sudo and not root and result.rc != 0 and sudo_wants_password(result.stderr):
            raise NeedsSudo(target, f"{target}: needs passwordless sudo for: {wanted}")
        return result

    async def run_command(self, target: SshTarget, command: NodeCommand) -> CommandResult:
        """Run one step of a `NodeChange` (its argv, its stdin, sudo when it is privileged)."""
        return await self.run(target, command.argv, sudo=command.privileged, input=command.input)

    async def probe(self, target: SshTarget) -> ProbeResult:
        """Run the node probe (one command) and parse it."""
        result = await self.run_probe(target)
        return ProbeResult(facts=probe_facts(result), raw=result.stdout)

    async def run_probe(self, target: SshTarget) -> CommandResult:
        """Run the node probe (one command); `probe_facts` reads its output."""
        return await self.run(target, probe_argv(sudo=target.sudo))

    async def close(self) -> None:
        """Close every connection, hosts before the jump hosts they go through. Never raises."""
        routes = sorted(self._connections, key=lambda route: route in self._hops)
        tasks = [self._connections[route] for route in routes]
        self._connections.clear()
        self._hops.clear()
        self._busy.clear()
        self._via.clear()
        for task in tasks:
            task.cancel()  # only connects still in progress
        # Failed connects were reported to their callers already: only live ones are closed.
        for conn in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(conn, asyncssh.SSHClientConnection):
                await _closed(conn)
        self._config.close()

    # ----------------------------------------------------------------------------------------

    async def _connection(self, route: _Route) -> asyncssh.SSHClientConnection:
        """The shared connection for `route`, connecting once for all concurrent callers."""
        task = self._connections.get(route)
        if task is not None and task.done() and _unusable(task):
            self._forget(route)
            task = None
        if task is None:
            task = asyncio.ensure_future(self._connect(route))
            self._connections[route] = task
        try:
            return await asyncio.shield(task)
        except SshError:
            if self._connections.get(route) is task:
                del self._connections[route]
            raise

    def _release(self, route: _Route) -> None:
        self._busy[route] -= 1
        if self._busy[route] <= 0:
            del self._busy[route]

    def _forget(self, route: _Route) -> None:
        """`route` has no connection any more: its jump host is one dependent lighter."""
        self._connections.pop(route, None)
        hop = self._via.pop(route, None)
        if hop is not None:
            self._release(hop)

    def _make_room(self, route: _Route) -> None:
        """Close idle connections until one more fits under the cap, the most recently used
        first.

        A scan uses every host once, in turn: closing the least recently used would close, in a
        fleet even one host larger than the cap, the very connections the next scan needs first,
        and so on down the fleet (409 of 1000 hosts reconnected on each scan of the 1000-board
        lab, whose jump host makes 1001). Closing the most recently used keeps the same hosts
        connected from scan to scan: only about as many as the fleet exceeds the cap reconnect.

        O(1) per connect in the number of hosts: the walk from the most recently used end passes
        over only connections that are busy or still connecting (at most the commands in flight,
        and the jump hosts), and drops the dead ones it meets (any other is dropped when its host
        is next used).

        When every open connection is busy the cap is exceeded rather than waited for (waiting
        could deadlock on jump hosts); `run`'s concurrency makes that not happen in practice.
        """
        over = len(self._connections) - self.max_connections  # `route` itself is counted
        if over <= 0:
            return
        victims: list[_Route] = []
        for r in reversed(self._connections):
            if len(victims) == over:
                break
            task = self._connections[r]
            if r != route and task.done() and (_unusable(task) or not self._busy[r]):
                victims.append(r)
        for r in victims:
            task = self._connections[r]
            self._forget(r)
            if not _unusable(task):
                self.connections_closed_for_room += 1
                task.result().close()  # frees the socket on the loop's next turn

    async def _connect(self, route: _Route) -> asyncssh.SSHClientConnection:
        """Connect `route`; anything unexpected (e.g. EMFILE surfacing from a library as another
        exception) is this host's failure, an SshError, never the caller's crash."""
        try:
            return await self._open(route)
        except BaseException as e:
            hop = self._via.pop(route, None)
            if hop is not None:
                self._release(hop)
            if isinstance(e, Exception) and not isinstance(e, SshError):
                target = route[0]
                raise Unreachable(target, f"{target}: cannot connect: {_reason(e)}") from None
            raise

    async def _open(self, route: _Route) -> asyncssh.SSHClientConnection:
        target, jump = route
        options = await self._options(target)
        if jump is None and isinstance(options.tunnel, str) and options.tunnel != "none":
            jump = options.tunnel  # ssh_config's ProxyJump: connect it ourselves to share it
        tunnel: asyncssh.SSHClientConnection | tuple[()] = ()
        if jump is not None:
            try:
                hop = parse_jump(jump)
            except ValueError as e:
                raise Unreachable(target, f"{target}: {e}") from None
            hop_route = (hop, hop.jump)  # a jump host never takes the pool's global jump
            if hop_route == route:
                raise Unreachable(target, f"{target}: its jump host is itself ({jump})")
            self._hops.add(hop_route)
            self._busy[hop_route] += 1  # while this connection is open, the hop stays open
            self._via[route] = hop_route
            try:
                tunnel = await self._connection(hop_route)
            except SshError as e:
                raise type(e)(target, f"{target} via jump host {hop}: {e}") from None
        host, port = options.host, options.port
        where = f"{target.host} ({host}:{port})" if host != target.host else f"{host}:{port}"
        if options.known_hosts is None:
            raise HostKeyUnknown(
                target,
                f"{where}: the ssh_config turns host key checking off (UserKnownHostsFile none); "
                "cilium-tui always verifies host keys: point UserKnownHostsFile at a file",
            )
        known = self._known.load(_known_hosts_files(options))
        keys = await self._client_keys(target, options)
        self._make_room(route)
        try:
            async with asyncio.timeout(self._connect_timeout):
                # `config=[]`: the options hold the config already read; `known_hosts`, the
                # keys and the X.509 trust: as loaded already (asyncssh would read them again).
                conn = await asyncssh.connect(
                    target.host,
                    port=target.port or (),
                    tunnel=tunnel,
                    config=[],
                    options=options,
                    known_hosts=known if known is not None else (),
                    x509_trusted_certs=options.x509_trusted_certs,
                    x509_trusted_cert_paths=list(options.x509_trusted_cert_paths),
                    **keys,
                )
        except asyncssh.HostKeyNotVerifiable:
            raise self._host_key_error(target, options, where) from None
        except asyncssh.PermissionDenied as e:
            raise AuthFailed(
                target,
                f"{where}: authentication failed for user {options.username!r} ({e.reason}); "
                "check User and IdentityFile (ssh_config or inventory) and the ssh-agent",
            ) from None
        except TimeoutError:
            raise Timeout(
                target, f"{where}: no SSH answer within {self._connect_timeout:g} s"
            ) from None
        except asyncssh.ChannelOpenError as e:
            raise Unreachable(
                target, f"{where}: the jump host could not open a connection: {e.reason}"
            ) from None
        except (OSError, asyncssh.Error) as e:
            raise Unreachable(target, f"{where}: cannot connect: {_reason(e)}") from None
        self.connections_opened += 1
        return conn

    async def _options(
        self, target: SshTarget, *, keys: bool = False
    ) -> asyncssh.SSHClientConnectionOptions:
        """The target's options resolved through the ssh_config, as `asyncssh.connect` uses them
        (from the config's slice for this host; a config error is reported from the file the
        user wrote, with its line numbers). Without `keys`, no key file is read (see
        `_client_keys`)."""
        try:
            config = self._config.for_host(target.host)
            ciphers = () if self._config.may_set(target.host, "ciphers") else PREFERRED_CIPHERS
            return await self._construct(target, config, ciphers, keys)
        except (OSError, ValueError, asyncssh.Error):
            pass  # read the file as written, for the message
        try:
            return await self._construct(target, self._config.original(), (), keys)
        except (OSError, ValueError, asyncssh.Error) as e:
            raise Unreachable(target, f"{target}: bad SSH configuration: {e}") from None

    async def _construct(
        self, target: SshTarget, config: list[str], ciphers: str | tuple[()], keys: bool
    ) -> asyncssh.SSHClientConnectionOptions:
        options: asyncssh.SSHClientConnectionOptions
        options = await asyncssh.SSHClientConnectionOptions.construct(
            config=config,
            encryption_algs=ciphers,
            host=target.host,
            port=target.port or (),
            username=target.user or (),
            client_keys=_client_keys_arg(target) if keys else None,
            known_hosts=self._known_hosts,
        )
        return options

    async def _client_keys(
        self, target: SshTarget, options: asyncssh.SSHClientConnectionOptions
    ) -> dict[str, object]:
        """`connect`'s key arguments for `target`: the keys asyncssh loads for it (with the
        options resolved with them), loaded once per way of naming them and change of their
        files."""
        config = options.config
        spec: KeySpec = (
            target.identity or "",
            tuple(str(p) for p in _strings(config.get("IdentityFile"))),
            tuple(str(p) for p in _strings(config.get("CertificateFile"))),
            bool(config.get("IdentitiesOnly")),
        )
        stamps, loaded = self._keys.lookup(spec)
        if loaded is None:
            loading = self._keys_loading.get(spec)
            if loading is None:  # one load for all the hosts connecting meanwhile
                loading = asyncio.ensure_future(self._load_keys(target, spec, stamps))
                self._keys_loading[spec] = loading
                loading.add_done_callback(lambda _: self._keys_loading.pop(spec, None))
            loaded = await asyncio.shield(loading)
            if loaded is None:
                # This host's own load says what is wrong with its keys (an SshError naming
                # it); if nothing is, asyncssh cannot take them back as loaded: it loads them.
                await self._options(target, keys=True)
                return {"client_keys": _client_keys_arg(target)}
        return loaded.connect_options()

    async def _load_keys(
        self, target: SshTarget, spec: KeySpec, stamps: Stamps
    ) -> LoadedKeys | None:
        try:
            loaded = LoadedKeys.of(await self._options(target, keys=True))
        except SshError:
            return None  # each host's connect reports it, naming that host
        if loaded is not None:
            self._keys.put(spec, stamps, loaded)
        return loaded

    def _host_key_error(
        self, target: SshTarget, options: asyncssh.SSHClientConnectionOptions, where: str
    ) -> SshError:
        """Unknown or changed: changed when known_hosts trusts another key for this host."""
        host = options.host_key_alias or options.host
        port: int = options.port
        files = options.known_hosts
        if isinstance(files, str):
            paths = [files]
        elif isinstance(files, list) and files:
            paths = [str(f) for f in files]
        else:
            paths = [DEFAULT_KNOWN_HOSTS]
        trusted: list[asyncssh.SSHKey] = []
        for path in paths:
            try:
                found = asyncssh.match_known_hosts(
                    str(Path(path).expanduser()), host, host, None if port == DEFAULT_PORT else port
                )
            except (OSError, ValueError):
                continue
            trusted += found[0]
        file_arg = [] if paths[0] == DEFAULT_KNOWN_HOSTS else ["-f", paths[0]]
        file = str(Path(paths[0]).expanduser())
        if trusted:
            fix = shlex.join(["ssh-keygen", "-R", known_hosts_name(host, port), *file_arg])
            return HostKeyChanged(
                target,
                f"{where}: HOST KEY CHANGED: it does not match {file}. If the host was "
                f"reinstalled, remove the old key with `{fix}` and add the new one; otherwise "
                "someone may be intercepting the connection",
            )
        scan = ["ssh-keyscan", *(["-p", str(port)] if port != DEFAULT_PORT else []), host]
        return HostKeyUnknown(
            target,
            f"{where}: host key unknown (not in {file}); after checking its fingerprint, add it: "
            f"`{shlex.join(scan)} >> {shlex.quote(file)}`",
        )

    async def _execute(
        self,
        route: _Route,
        conn: asyncssh.SSHClientConnection,
        command: str,
        input: str | None,
        timeout: float | None,
    ) -> CommandResult:
        target = route[0]
        limit = self._command_timeout if timeout is None else timeout
        process: asyncssh.SSHClientProcess[str] | None = None
        try:
            async with asyncio.timeout(limit):
                process = await conn.create_process(command, encoding="utf-8", errors="replace")
                if input is not None:
                    process.stdin.write(input)
                process.stdin.write_eof()
                done = await process.wait()
        except TimeoutError:
            if process is not None:
                process.close()
            raise Timeout(target, f"{target}: command did not finish within {limit:g} s") from None
        except Exception as e:  # OSError, asyncssh.Error, or anything unexpected
            task = self._connections.get(route)
            if task is not None and _holds(task, conn):
                self._forget(route)
            conn.close()
            raise Unreachable(target, f"{target}: connection lost: {_reason(e)}") from None
        rc = done.exit_status if done.exit_status is not None else 255
        return CommandResult(rc, str(done.stdout or ""), str(done.stderr or ""))


def probe_facts(result: CommandResult) -> ProbeFacts:
    """The host facts of the probe's output; a probe that did not run to its end says why."""
    facts = parse_probe(result.stdout)
    if MARKER not in result.stdout:
        why = (result.stderr.strip().splitlines() or [f"exit code {result.rc}"])[0]
        facts = dataclasses.replace(facts, errors=(*facts.errors, f"probe failed: {why}"))
    return facts


def _client_keys_arg(target: SshTarget) -> list[str] | tuple[()]:
    """asyncssh's `client_keys`: the inventory's identity, else () for the ssh_config's."""
    return [target.identity] if target.identity else ()


def _strings(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _known_hosts_files(options: asyncssh.SSHClientConnectionOptions) -> list[str]:
    """The known_hosts files the options name (asyncssh's default when they name none)."""
    files = options.known_hosts
    if isinstance(files, str | Path):
        return [str(files)]
    if isinstance(files, list) and files:
        return [str(f) for f in files]
    default = Path(DEFAULT_KNOWN_HOSTS).expanduser()
    return [str(default)] if default.is_file() else []


async def _closed(conn: asyncssh.SSHClientConnection, timeout: float = 5.0) -> None:
    """Close a connection and wait (bounded) for it to be gone; never raises."""
    with contextlib.suppress(Exception):
        conn.close()
        async with asyncio.timeout(timeout):
            await conn.wait_closed()
