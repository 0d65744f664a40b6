"""Read the few files cilium-tui needs out of a `cilium sysdump` zip or unzipped folder, safely.

A sysdump comes from someone else's machine, so it is untrusted input. Nothing is extracted to
disk: the wanted members are read into memory, each through a byte counter, so that

- a name with `..`, an absolute path, a drive letter or a backslash is refused (never opened);
- a symlink (a zip entry with the S_IFLNK mode, or a symlink in a folder) is ignored;
- a member bigger than `Limits.member` once decompressed, or members adding up to more than
  `Limits.total`, is refused however small its header says it is (a zip bomb);
- a corrupt or truncated member is reported and skipped; the rest of the archive is still read.

Every refusal or skip is one line in `Archive.problems`. A file that is not a zip at all, or a
folder that cannot be listed, raises `ArchiveError` with a one-line message.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    member: int = 64 * MIB
    """Largest decompressed member read (a 5,000-node `k8s-pods-*.yaml` is tens of MiB)."""
    total: int = 512 * MIB
    """Most decompressed bytes read from one archive in all."""
    members: int = 200_000
    """Most entries listed (a sysdump of a large cluster has tens of thousands)."""


class ArchiveError(Exception):
    """The archive cannot be read at all; the message is one line."""


@dataclass
class Archive:
    """The wanted members by their path inside the archive ("/"-separated, no leading "/")."""

    label: str
    """The file or folder name, for messages and the title bar."""
    members: dict[str, bytes] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    """Every safe member name (read or not), to tell what the archive lacks."""
    problems: list[str] = field(default_factory=list)


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> str | None:
    """Why a member name must not be used, or None when it is a plain relative path."""
    if not name or "\x00" in name:
        return "empty or NUL in the name"
    if "\\" in name:
        return "backslash in the name"
    if name.startswith("/") or _DRIVE.match(name):
        return "absolute path"
    if ".." in PurePosixPath(name).parts:
        return "path traversal (..)"
    return None


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used = 0

    def read(self, stream: IO[bytes], name: str) -> bytes:
        """At most `limits.member` bytes, and within the archive's total; else `_TooBig`."""
        cap = min(self.limits.member, self.limits.total - self.used)
        data = stream.read(cap + 1)
        if len(data) > cap:
            if cap < self.limits.member:
                raise _TooBig(
                    f"{name}: skipped, the archive's total cap of "
                    f"{self.limits.total // MIB} MiB is reached"
                )
            raise _TooBig(
                f"{name}: skipped, larger than {self.limits.member // MIB} MiB once decompressed"
            )
        self.used += len(data)
        return data


class _TooBig(Exception):
    pass


def read_archive(
    path: Path, wanted: Callable[[str], bool], limits: Limits | None = None
) -> Archive:
    """The members whose name `wanted` accepts, from a zip file or an unzipped folder."""
    limits = limits or Limits()
    if path.is_dir():
        return _read_folder(path, wanted, limits)
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_zip(zf, path.name, wanted, limits)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file") from None
    except IsADirectoryError:  # pragma: no cover - is_dir() above
        raise ArchiveError(f"{path}: is a folder") from None
    except PermissionError:
        raise ArchiveError(f"{path}: permission denied") from None
    except (zipfile.BadZipFile, EOFError):
        raise ArchiveError(
            f"{path}: not a zip archive, or truncated (its table of contents is unreadable)"
        ) from None
    except OSError as e:
        raise ArchiveError(f"{path}: cannot read: {e.strerror or e}") from None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _read_zip(
    zf: zipfile.ZipFile, label: str, wanted: Callable[[str], bool], limits: Limits
) -> Archive:
    archive = Archive(label)
    infos = zf.infolist()
    if len(infos) > limits.members:
        raise ArchiveError(f"{label}: {len(infos)} entries, more than the {limits.members} read")
    budget = _Budget(limits)
    names: list[str] = []
    for info in infos:
        name = info.filename
        why = unsafe_name(name)
        if why is not None:
            archive.problems.append(f"{_shown(name)}: refused, {why}")
            continue
        if info.is_dir():
            continue
        if _is_symlink(info):
            archive.problems.append(f"{_shown(name)}: ignored, a symlink")
            continue
        if name in archive.members or name in names:
            archive.problems.append(f"{_shown(name)}: ignored, a second member of that name")
            continue
        names.append(name)
        if not wanted(name):
            continue
        try:
            with zf.open(info) as stream:
                archive.members[name] = budget.read(stream, _shown(name))
        except _TooBig as e:
            archive.problems.append(str(e))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
            archive.problems.append(f"{_shown(name)}: skipped, corrupt or truncated ({_why(e)})")
    archive.names = tuple(names)
    return archive


def _read_folder(root: Path, wanted: Callable[[str], bool], limits: Limits) -> Archive:
    archive = Archive(root.name)
    budget = _Budget(limits)
    names: list[str] = []
    for rel, full in _walk(root, archive.problems, limits):
        names.append(rel)
        if not wanted(rel):
            continue
        try:
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as stream:
                archive.members[rel] = budget.read(stream, _shown(rel))
        except _TooBig as e:
            archive.problems.append(str(e))
        except OSError as e:
            archive.problems.append(f"{_shown(rel)}: skipped, cannot read ({_why(e)})")
    archive.names = tuple(names)
    return archive


def _walk(root: Path, problems: list[str], limits: Limits) -> Iterator[tuple[str, Path]]:
    """(relative name, path) of the regular files under root, depth first; symlinks are reported
    and never followed, so nothing outside root is read."""
    try:
        pending = [sorted(root.iterdir())]
    except OSError as e:
        raise ArchiveError(f"{root}: cannot list: {e.strerror or e}") from None
    count = 0
    while pending:
        entries = pending.pop()
        for entry in entries:
            rel = entry.relative_to(root).as_posix()
            try:
                mode = entry.lstat().st_mode
                if stat.S_ISLNK(mode):
                    problems.append(f"{_shown(rel)}: ignored, a symlink")
                elif stat.S_ISDIR(mode):
                    pending.append(sorted(entry.iterdir()))
                elif stat.S_ISREG(mode):
                    count += 1
                    if count > limits.members:
                        raise ArchiveError(f"{root}: more than the {limits.members} files read")
                    yield rel, entry
            except OSError as e:
                problems.append(f"{_shown(rel)}: skipped, cannot read ({_why(e)})")


def _shown(name: str) -> str:
    """A member name fit for a one-line message: control characters escaped, length bounded."""
    text = name.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 120 else text[:117] + "..."


def _why(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text[:100]
