"""Outside text (node names, status lines, command output) made safe to print.

A terminal must not receive escape sequences from a node's output, and Markdown must not turn a
node's `|` or `*` into table cells or emphasis.
"""

from __future__ import annotations

import re
import unicodedata

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def plain(text: str) -> str:
    """Control characters shown as escapes (`\\x1b`), never sent to the terminal."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def markdown(text: str) -> str:
    """Plain text for a Markdown paragraph or table cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain(text))


def width(text: str) -> int:
    """Display width in a monospace terminal (wide East Asian characters count double)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
