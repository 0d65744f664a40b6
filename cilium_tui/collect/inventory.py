"""Which SSH host each node (or board) is, from an inventory TOML file and the ssh_config.

```toml
[defaults]
user = "debian"          # optional: ssh_config's User otherwise
port = 22
identity = "~/.ssh/id_ed25519"
jump = "bastion"         # like `ssh -J`; ssh_config's ProxyJump otherwise
sudo = true              # may privileged reads and changes use `sudo -n` (default true)
ssh_to_internal_ip = false  # dial nodes nothing else maps at their InternalIP (default false)

[[hosts]]
node = "vm-1"            # the Kubernetes node name
ssh = "10.0.0.11"        # a Host alias of the ssh_config, or an address

[[hosts]]
name = "board-4"         # a board that is not a Kubernetes node: no `node`
ssh = "board-4"
user = "root"
```

Nodes that are not in the inventory map by their name when an ssh_config `Host` pattern names it,
else by their InternalIP when an ssh_config `Host` pattern names that address (`Host 10.0.0.*`).
Any other InternalIP is dialled only when the user says so: `ssh_to_internal_ip = true` in
`[defaults]`, or `--ssh-to-internal-ip`. A Node's addresses are written by whoever may update
Nodes, so by default they do not choose where the tool connects.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

_HOST = re.compile(r"[A-Za-z0-9_.:%\[\]-]{1,253}")
_USER = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.@-]{0,63}")
_JUMP_HOP = re.compile(
    r"(?:(?P<user>[^@\s,]+)@)?(?P<host>\[[^\]\s]+\]|[^:@\s,\[\]]+)(?::(?P<port>\d+))?"
)


class InventoryError(ValueError):
    """A malformed inventory: the message names the file, line and field."""


@dataclass(frozen=True)
class SshTarget:
    """How to reach one host. None fields fall back to the ssh_config (then OpenSSH defaults)."""

    host: str
    """A Host alias of the ssh_config, a hostname or an address."""
    port: int | None = None
    user: str | None = None
    identity: str | None = None
    jump: str | None = None
    """`[user@]host[:port]`, comma-separated for several hops, as `ssh -J` takes it."""
    sudo: bool = True

    def __str__(self) -> str:
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"{user}{self.host}{port}"

    def ssh_command(self) -> str:
        """The equivalent OpenSSH command line, for messages and previews."""
        argv = ["ssh"]
        if self.port:
            argv += ["-p", str(self.port)]
        if self.identity:
            argv += ["-i", self.identity]
        if self.jump:
            argv += ["-J", self.jump]
        argv.append(f"{self.user}@{self.host}" if self.user else self.host)
        return shlex.join(argv)


def parse_jump(spec: str) -> SshTarget:
    """The last hop of an `ssh -J` spec as a target, its earlier hops as that target's jump."""
    *before, last = [hop.strip() for hop in spec.split(",")]
    m = _JUMP_HOP.fullmatch(last)
    if m is None or any(not hop for hop in before):
        raise ValueError(f"not a jump host spec ([user@]host[:port][,...]): {spec!r}")
    port = int(m.group("port")) if m.group("port") else None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"jump host port out of range in {spec!r}")
    return SshTarget(
        host=m.group("host").strip("[]"),
        port=port,
        user=m.group("user"),
        jump=",".join(before) or None,
    )


@dataclass(frozen=True)
class InventoryHost:
    name: str
    """Display name: `name`, else `node`, else `ssh`."""
    node: str | None
    """The Kubernetes node name; None for a board that is not a node."""
    target: SshTarget


@dataclass(frozen=True)
class Inventory:
    defaults: SshTarget = SshTarget(host="")
    """Defaults for every host (its `host` is unused)."""
    hosts: tuple[InventoryHost, ...] = ()
    ssh_to_internal_ip: bool = False
    """Dial a node that nothing else maps at its InternalIP (`[defaults] ssh_to_internal_ip`,
    or `--ssh-to-internal-ip`)."""

    @property
    def boards(self) -> tuple[InventoryHost, ...]:
        """Entries that are not Kubernetes nodes."""
        return tuple(h for h in self.hosts if h.node is None)

    def target_for_node(
        self, name: str, internal_ip: str | None, ssh_hosts: Iterable[str] = ()
    ) -> SshTarget | None:
        """The node's entry, else its name if an ssh_config Host names it, else its InternalIP
        if an ssh_config Host names that address or `ssh_to_internal_ip` allows any."""
        hosts = tuple(ssh_hosts)
        for entry in self.hosts:
            if entry.node == name:
                return entry.target
        if host_matches(name, hosts):
            return replace(self.defaults, host=name)
        if internal_ip and (self.ssh_to_internal_ip or host_matches(internal_ip, hosts)):
            return replace(self.defaults, host=internal_ip)
        return None

    def no_target_reason(self, internal_ip: str | None) -> str:
        """Why `target_for_node` found no host for a node, and what would give it one."""
        if not internal_ip:
            return "no SSH target: not in the inventory and no InternalIP"
        return (
            "no SSH target: not in the inventory, and no ssh_config Host names the node or its "
            f"InternalIP {internal_ip} (--ssh-to-internal-ip dials InternalIPs)"
        )


def host_matches(name: str, patterns: Iterable[str]) -> bool:
    """Whether an ssh_config `Host` line's patterns name `name` (a bare `*` does not count)."""
    for line in patterns:
        words = line.split()
        if any(w.startswith("!") and fnmatch.fnmatchcase(name, w[1:]) for w in words):
            continue
        if any(w != "*" and not w.startswith("!") and fnmatch.fnmatchcase(name, w) for w in words):
            return True
    return False


def ssh_config_hosts(path: Path | None = None) -> list[str]:
    """The pattern lists of the `Host` lines of an ssh_config (`~/.ssh/config` by default)."""
    path = path or Path("~/.ssh/config").expanduser()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    hosts = []
    for line in text.splitlines():
        key, _, rest = line.strip().partition(" ")
        if key.lower() == "host" and rest.strip():
            hosts.append(rest.strip())
    return hosts


def _line_of(text: str, index: int | None, key: str) -> int | None:
    """The line of `key = ...` in the index-th [[hosts]] table (or [defaults] for None)."""
    lines = text.splitlines()
    header = re.compile(
        r"^\s*\[\[\s*hosts\s*\]\]" if index is not None else r"^\s*\[\s*defaults\s*\]"
    )
    seen = -1
    inside = False
    for number, line in enumerate(lines, 1):
        if re.match(r"^\s*\[", line):
            inside = bool(header.match(line)) and (index is None or (seen := seen + 1) == index)
            continue
        if inside and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return None


class _Reader:
    """Validates one table of the file, reporting errors with their line."""

    def __init__(self, path: Path, text: str, table: Mapping[str, object], index: int | None):
        self.path, self.text, self.table, self.index = path, text, table, index
        self.label = "defaults" if index is None else f"hosts[{index}]"

    def error(self, key: str, message: str) -> InventoryError:
        line = _line_of(self.text, self.index, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        return InventoryError(f"{where}: {self.label}.{key}: {message}")

    def text_field(self, key: str, pattern: re.Pattern[str] | None = None) -> str | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        if pattern is not None and pattern.fullmatch(value) is None:
            raise self.error(key, f"not a valid value: {value!r}")
        return value

    def port(self) -> int | None:
        value = self.table.get("port")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            raise self.error("port", f"expected an integer 1-65535, got {value!r}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def jump(self) -> str | None:
        value = self.text_field("jump")
        if value is not None:
            try:
                parse_jump(value)
            except ValueError as e:
                raise self.error("jump", str(e)) from None
        return value

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.error(key, f"unknown field (allowed: {', '.join(sorted(allowed))})")


_TARGET_KEYS = {"user", "port", "identity", "jump", "sudo"}
_DEFAULT_KEYS = _TARGET_KEYS | {"ssh_to_internal_ip"}
_HOST_KEYS = _TARGET_KEYS | {"node", "name", "ssh"}


def load_inventory(path: Path) -> Inventory:
    """Read and validate an inventory file; `InventoryError` says what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InventoryError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise InventoryError(f"{path}: not UTF-8 text ({e.reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InventoryError(f"{path}: not valid TOML: {e}") from None
    for key in data:
        if key not in ("defaults", "hosts"):
            raise InventoryError(f"{path}: unknown table {key!r} (expected [defaults], [[hosts]])")
    raw_defaults = data.get("defaults", {})
    if not isinstance(raw_defaults, dict):
        raise InventoryError(f"{path}: [defaults] must be a table")
    d = _Reader(path, text, raw_defaults, None)
    d.check_keys(_DEFAULT_KEYS)
    defaults = SshTarget(
        host="",
        port=d.port(),
        user=d.text_field("user", _USER),
        identity=d.text_field("identity"),
        jump=d.jump(),
        sudo=d.flag("sudo", True),
    )
    raw_hosts = data.get("hosts", [])
    if not isinstance(raw_hosts, list) or not all(isinstance(h, dict) for h in raw_hosts):
        raise InventoryError(f"{path}: hosts must be [[hosts]] tables")
    hosts: list[InventoryHost] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(raw_hosts):
        r = _Reader(path, text, table, index)
        r.check_keys(_HOST_KEYS)
        node, name = r.text_field("node"), r.text_field("name")
        ssh = r.text_field("ssh", _HOST)
        if ssh is None:
            raise r.error("ssh", "missing: the Host alias or address to reach this host")
        if node is None and name is None:
            raise r.error("node", "set `node` (a Kubernetes node) or `name` (a board)")
        label = name or node or ssh
        if label in seen:
            raise r.error("name" if name else "node", f"{label!r} repeats hosts[{seen[label]}]")
        seen[label] = index
        target = SshTarget(
            host=ssh,
            port=r.port() or defaults.port,
            user=r.text_field("user", _USER) or defaults.user,
            identity=r.text_field("identity") or defaults.identity,
            jump=r.jump() or defaults.jump,
            sudo=r.flag("sudo", defaults.sudo),
        )
        hosts.append(InventoryHost(name=label, node=node, target=target))
    return Inventory(
        defaults=defaults,
        hosts=tuple(hosts),
        ssh_to_internal_ip=d.flag("ssh_to_internal_ip", False),
    )


def inventory_toml(hosts: Iterable[InventoryHost], defaults: SshTarget | None = None) -> str:
    """An inventory file for these hosts (used by the lab to hand one out)."""

    def fields(target: SshTarget, base: SshTarget | None) -> list[str]:
        out = []
        for key, value in (
            ("user", target.user),
            ("port", target.port),
            ("identity", target.identity),
            ("jump", target.jump),
        ):
            if value is not None and (base is None or getattr(base, key) != value):
                out.append(f"{key} = {_toml_value(value)}")
        if base is None or base.sudo != target.sudo:
            out.append(f"sudo = {'true' if target.sudo else 'false'}")
        return out

    parts = []
    if defaults is not None:
        parts.append("\n".join(["[defaults]", *fields(defaults, None)]))
    for h in hosts:
        lines = ["[[hosts]]"]
        if h.node is not None:
            lines.append(f"node = {_toml_value(h.node)}")
        if h.name != h.node:
            lines.append(f"name = {_toml_value(h.name)}")
        lines.append(f"ssh = {_toml_value(h.target.host)}")
        lines += fields(h.target, defaults)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _toml_value(value: str | int) -> str:
    """A TOML value: JSON's string escapes are valid TOML basic-string escapes."""
    return json.dumps(value)
