"""Outside text (node names, status lines, command output, errors) made safe to print.

One sanitiser for every output path: a terminal must never receive control characters or
escape sequences (CSI, OSC: a retitled terminal, a rewritten screen) from a node's fields or
output, whatever their encoding (undecodable bytes arrive as lone surrogates and are shown as
escapes too), and Markdown must not turn a node's `|` or `*` into table cells or emphasis.
The console renders outside text as `rich.text.Text` (never markup) passed through `plain`; the
command line writes through `SafeStream`, so nothing it prints can carry a raw escape.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TextIO

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _escape(c: str) -> str:
    return c.encode("unicode_escape", "backslashreplace").decode("ascii", "replace")


def plain(text: str) -> str:
    """Control characters shown as escapes (`\\x1b`), never sent to the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else _escape(c) for c in text)


def lines(text: str) -> str:
    """`plain` for multi-line text: line breaks and tabs are kept, nothing else."""
    return "\n".join(
        "\t".join(plain(part) for part in line.split("\t")) for line in text.split("\n")
    )


def markdown(text: str) -> str:
    """Plain text for a Markdown paragraph or table cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain(text))


def width(text: str) -> int:
    """Display width in a monospace terminal (wide East Asian characters count double)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class SafeStream:
    """A text stream that writes everything through `lines`: the command line's stdout and
    stderr. A carriage return is kept only at the start of a write (a progress line that
    rewrites itself), never inside outside text."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        head = "\r" if text.startswith("\r") else ""
        self._stream.write(head + lines(text[len(head) :]))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
