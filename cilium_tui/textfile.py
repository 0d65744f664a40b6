"""The small text files cilium-tui keeps (config, journal entries, snapshots, lesson progress):
read with a size cap, written whole or not at all.

A cap keeps a hostile or mistaken file (a log, /dev/zero) from filling memory; the write goes to a
temporary file beside the target and is renamed over it, so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class TextFileError(Exception):
    """Why a file could not be read, in a few words, without the path (callers add it)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing


def _size(cap: int) -> str:
    return f"{cap // 2**20} MiB" if cap % 2**20 == 0 else f"{cap} bytes"


def read_bounded_text(path: Path, cap: int) -> str:
    """The file's UTF-8 text. Raises `TextFileError` when it is missing, unreadable, larger than
    `cap` bytes (checked on what is read, not on a size that may change under us) or not UTF-8."""
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except OSError as e:
        missing = isinstance(e, FileNotFoundError)
        raise TextFileError(f"cannot read: {e.strerror or e}", missing=missing) from None
    if len(data) > cap:
        raise TextFileError(f"larger than {_size(cap)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TextFileError("not UTF-8 text") from None


def write_atomic(path: Path, text: str, *, mode: int = 0o600, durable: bool = False) -> None:
    """Replace `path` with `text`, the new file having `mode`. `durable` also syncs it to disk
    before the rename (for journal entries, which must survive a power cut). Raises OSError."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
