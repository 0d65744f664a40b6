"""The SSH client's files, read once per change (stat mtime), not once per connection.

asyncssh reads the whole ssh_config again for every connection it configures (it evaluates the
Host blocks against that one host while it parses) and the whole known_hosts again on every
connect. When those files list every node (as a fleet's do, and the lab's), a scan of N hosts
reads O(N) lines N times. Here:

- `ConfigSlices` reads the ssh_config once per change and splits it into its top-level
  sections; each host gets a small file holding the lines before the first section and, in
  their order, every section that may apply to it: a `Match`, a `Host` with a wildcard or a
  negation, or a `Host` naming it. Sections naming only other hosts cannot apply and are left
  out, so asyncssh evaluates exactly what it would have, on a few lines. (`Include` resolves
  relative to ~/.ssh wherever the including file is, so it is kept as written.) Hosts whose
  slices are the same text share one file: a fleet matched by one pattern costs one write.
- `KnownHosts` loads the known_hosts files once per change into one `SSHKnownHosts`, which
  asyncssh matches through its index of host names.
- `ClientKeys` keeps the client keys asyncssh loaded (IdentityFile, its `.pub` and `-cert.pub`,
  CertificateFile, or the default `~/.ssh/id_*`) once per change, per way of naming them:
  asyncssh would read and decode them twice per connect (once to resolve the options, once in
  `connect`).
"""

from __future__ import annotations

import copy
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cilium_tui.asyncssh_import import asyncssh

DEFAULT_CONFIG = "~/.ssh/config"
_SECTION = re.compile(r"^\s*(host|match)(?:\s*=\s*|\s+)(.*)$", re.IGNORECASE)
_WILDCARD = frozenset("*?!")


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@dataclass
class _Sections:
    """An ssh_config split for slicing: the global lines, then (names or None, lines) per
    section, where names are the lower-cased literal hosts a `Host` names (None: it may apply to
    any host)."""

    preamble: list[str] = field(default_factory=list)
    sections: list[tuple[frozenset[str] | None, list[str]]] = field(default_factory=list)


def _split(text: str) -> _Sections:
    split = _Sections()
    lines = split.preamble
    for line in text.splitlines(keepends=True):
        m = _SECTION.match(line)
        if m is not None:
            names: frozenset[str] | None = None
            if m.group(1).lower() == "host":
                try:
                    patterns = shlex.split(m.group(2))
                except ValueError:
                    patterns = ["*"]  # let asyncssh report it
                if patterns and not any(_WILDCARD & set(p) for p in patterns):
                    names = frozenset(p.lower() for p in patterns)
            lines = []
            split.sections.append((names, lines))
        lines.append(line)
    return split


class ConfigSlices:
    """Per host, the path of an ssh_config holding only what may apply to it (see module doc).

    `parses` counts the reads of the config (one per scan, or per change of the file);
    `files_written` the slices written (one per distinct text)."""

    def __init__(self, config_path: Path | str | None) -> None:
        if config_path is not None:
            self.path: Path | None = Path(config_path).expanduser()
        else:
            default = Path(DEFAULT_CONFIG).expanduser()
            self.path = default if os.access(default, os.R_OK) else None
        self.parses = 0
        self.files_written = 0
        self._stamp: int | None = None
        self._sections = _Sections()
        self._written: dict[str, str] = {}
        self._by_text: dict[str, str] = {}
        """A slice's text -> the file holding it."""
        self._keywords: dict[str, frozenset[str]] = {}
        self._dir: str | None = None

    def for_host(self, host: str) -> list[str]:
        """asyncssh's `config=` for `host`: [] when there is no config file."""
        if self.path is None:
            return []
        stamp = _mtime(self.path)
        if stamp is None:
            return [str(self.path)]  # asyncssh says what is wrong with it
        if stamp != self._stamp:
            try:
                text = self.path.read_text()
            except (OSError, UnicodeDecodeError):
                return [str(self.path)]
            self.parses += 1
            self._stamp, self._sections = stamp, _split(text)
            self._written, self._by_text, self._keywords = {}, {}, {}
        key = host.lower()
        written = self._written.get(key)
        if written is None:
            written = self._written[key] = self._write(key)
        return [written]

    def may_set(self, host: str, keyword: str) -> bool:
        """Whether the config may set `keyword` (lower case) for `host`: a line of its slice
        names it or includes another file, or the config could not be sliced."""
        if self.path is None:
            return False
        keywords = self._keywords.get(host.lower())
        return keywords is None or keyword in keywords or "include" in keywords

    def original(self) -> list[str]:
        """The config as the user wrote it (for error messages that cite its lines)."""
        return [str(self.path)] if self.path is not None else []

    def _write(self, host: str) -> str:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="cilium-tui-ssh-")
        lines = list(self._sections.preamble)
        for names, section in self._sections.sections:
            if names is None or host in names:
                lines += section
        self._keywords[host] = frozenset(
            words[0].split("=", 1)[0].lower() for line in lines if (words := line.split())
        )
        text = "".join(lines)
        written = self._by_text.get(text)
        if written is None:
            path = Path(self._dir) / f"{self.files_written}.conf"
            path.write_text(text)
            self.files_written += 1
            written = self._by_text[text] = str(path)
        return written

    def close(self) -> None:
        """Remove the slices written (the config as read is kept: a pool may be used again)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir, self._written, self._by_text = None, {}, {}


class KnownHosts:
    """known_hosts files loaded once per change; `parses` counts the loads."""

    def __init__(self) -> None:
        self.parses = 0
        self._loaded: dict[tuple[str, ...], tuple[tuple[int | None, ...], asyncssh.SSHKnownHosts]]
        self._loaded = {}

    def load(self, files: Sequence[str]) -> asyncssh.SSHKnownHosts | None:
        """The trusted keys of `files`, or None when one cannot be read (asyncssh then reads
        them itself and reports the problem as it always does)."""
        paths = tuple(str(Path(f).expanduser()) for f in files)
        stamps = tuple(_mtime(Path(p)) for p in paths)
        if None in stamps:
            return None
        cached = self._loaded.get(paths)
        if cached is not None and cached[0] == stamps:
            return cached[1]
        try:
            known = asyncssh.read_known_hosts(list(paths))
        except (OSError, ValueError):
            return None
        self.parses += 1
        self._loaded[paths] = (stamps, known)
        return known


KeySpec = tuple[str, tuple[str, ...], tuple[str, ...], bool]
"""How a host names its client keys: the inventory's identity (or ""), the ssh_config's
IdentityFile and CertificateFile lists, and IdentitiesOnly."""


@dataclass(frozen=True)
class LoadedKeys:
    """The keys asyncssh loaded for one `KeySpec`, as `connect` takes them again."""

    client_keys: Sequence[asyncssh.SSHKeyPair] | None
    agent_identities: Sequence[bytes] | None

    @classmethod
    def of(cls, options: asyncssh.SSHClientConnectionOptions) -> LoadedKeys | None:
        """The keys of options constructed with them; None when asyncssh cannot be handed them
        back as they are (IdentitiesOnly with no usable identity: it would read no filter as
        "every agent key")."""
        if options.agent_identities == []:
            return None
        return cls(options.client_keys, options.agent_identities)

    def connect_options(self) -> dict[str, object]:
        """`connect` keyword arguments that use these keys without reading a file: each
        connection gets its own copy of each key pair, as asyncssh records the signature
        algorithm it negotiates on the key pair itself."""
        keys = self.client_keys
        return {
            "client_keys": None if keys is None else [copy.copy(k) for k in keys],
            "client_certs": [],  # paired with their keys already
            "agent_identities": self.agent_identities,
        }


def _key_files(spec: KeySpec) -> Iterable[Path]:
    """The files a load of `spec` reads: each key with its `.pub` and `-cert.pub`, and the
    certificates; without any key named, the default `~/.ssh/id_*` (and ~/.ssh itself, whose
    time changes when a key is added or removed)."""
    explicit, identities, certificates, _ = spec
    keys = [explicit] if explicit else list(identities)
    for key in keys:
        path = Path(key).expanduser()
        yield from (path, Path(f"{path}.pub"), Path(f"{path}-cert.pub"))
    yield from (Path(c).expanduser() for c in certificates)
    if not keys:
        home = Path("~", ".ssh").expanduser()
        yield home
        yield from sorted(home.glob("id_*"))  # none when there is no ~/.ssh


Stamps = tuple[int | None, ...]


class ClientKeys:
    """Client keys loaded once per change of their files; `loads` counts the loads."""

    def __init__(self) -> None:
        self.loads = 0
        self._loaded: dict[KeySpec, tuple[Stamps, LoadedKeys]] = {}

    def lookup(self, spec: KeySpec) -> tuple[Stamps, LoadedKeys | None]:
        """The files' stamps now, and the keys loaded for `spec` if they have not changed
        since (else None: load them, then `put` them with these stamps)."""
        stamps = tuple(_mtime(path) for path in _key_files(spec))
        cached = self._loaded.get(spec)
        return stamps, cached[1] if cached is not None and cached[0] == stamps else None

    def put(self, spec: KeySpec, stamps: Stamps, keys: LoadedKeys) -> None:
        self.loads += 1
        self._loaded[spec] = (stamps, keys)
