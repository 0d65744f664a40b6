"""Access to the real outputs in tests/data/samples (copied from /work/shared/samples).

Every sample starts with `# ` header lines (source, command, context); the published output follows
verbatim. Tests parse the output only, exactly as a collector would receive it.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DATA

SAMPLES = DATA / "samples"


def sample_path(name: str) -> Path:
    """`name` is relative to tests/data/samples, e.g. "A/v1.13.4-eks-...txt"."""
    return SAMPLES / name


def strip_header(text: str) -> str:
    """Drop the leading `# ` header lines; keep everything after them byte for byte."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith("# "):
        start += 1
    return "".join(lines[start:])


def sample_text(name: str) -> str:
    return strip_header(sample_path(name).read_text(encoding="utf-8"))


def sample_names(letter: str) -> list[str]:
    return sorted(f"{letter}/{p.name}" for p in (SAMPLES / letter).iterdir() if p.is_file())
