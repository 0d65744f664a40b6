"""Small state files written so that a reader never sees half of one: the journal, lesson progress.

`write_private(path, text)` writes a temporary file beside `path` (mode 0600 from the start),
flushes it to disk and renames it over `path`; on any failure the temporary file is removed and
`path` is as it was. Raises OSError.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise
