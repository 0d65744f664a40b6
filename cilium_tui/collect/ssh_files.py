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
  relative to ~/.ssh wherever the including file is, so it is kept as written.)
- `KnownHosts` loads the known_hosts files once per change into one `SSHKnownHosts`, which
  asyncssh matches through its index of host names.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Sequence
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

    `parses` counts the reads of the config (one per scan, or per change of the file)."""

    def __init__(self, config_path: Path | str | None) -> None:
        if config_path is not None:
            self.path: Path | None = Path(config_path).expanduser()
        else:
            default = Path(DEFAULT_CONFIG).expanduser()
            self.path = default if os.access(default, os.R_OK) else None
        self.parses = 0
        self._stamp: int | None = None
        self._sections = _Sections()
        self._written: dict[str, str] = {}
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
            self._written, self._keywords = {}, {}
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
        path = Path(self._dir) / f"{len(self._written)}.conf"
        path.write_text("".join(lines))
        return str(path)

    def close(self) -> None:
        """Remove the slices written (the config as read is kept: a pool may be used again)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir, self._written = None, {}


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
