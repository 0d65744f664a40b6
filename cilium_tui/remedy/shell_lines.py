"""Command lines folded to a width, so that what a person copies still runs.

A terminal or a widget that soft-wraps a long command breaks it where the width ends, often in
the middle of an argument, and the copy no longer runs. `fold(line, width)` breaks it between
arguments instead, ending each continued line with ` \\` (an option stays with its value). Two
kinds of argument too long for a line are laid out over several lines without changing what the
command does:

- a JSON argument (`kubectl patch -p '{...}'`) is indented inside its quotes: whitespace between
  JSON tokens means nothing;
- the remote command of `ssh HOST 'COMMAND'` is folded itself, inside its quotes: the remote
  shell joins its ` \\` lines again.

What still does not fit (one very long argument) stays whole on its line. Pure: strings in,
strings out; the input is a line as `shlex.join` writes it (or a pipeline of such lines).
"""

from __future__ import annotations

import json
import shlex

INDENT = "    "
"""How much a continued line is indented under the command's first line."""
CONTINUE = " \\"


def fold(line: str, width: int, indent: str = INDENT) -> list[str]:
    """`line` as lines of at most `width` characters where arguments allow it; a line with a
    newline (a here-document: its body is data) is returned as it is."""
    if "\n" in line or len(line) <= width:
        return line.split("\n")
    out: list[str] = []
    current = ""
    fits = width - len(indent) - len(CONTINUE)
    units = [
        part
        for unit in _units(_words(line))
        for part in (
            [[word] for word in unit]  # an option and a value too long to share a line
            if len(unit) == 2
            and unit[0] not in (REMOTE, *JSON_OPTIONS)
            and len(" ".join(unit)) > fits
            else [unit]
        )
    ]
    for number, unit in enumerate(units):
        last = number == len(units) - 1
        room = width - (0 if last else len(CONTINUE))
        lines = _lay_out(unit, fits, indent)
        if current and len(current) + 1 + len(lines[0]) <= room:
            current = f"{current} {lines[0]}"
        elif current:
            out.append(current + CONTINUE)
            current = indent + lines[0]
        else:
            current = lines[0]
        if len(lines) > 1:  # an argument over several lines: the next unit follows its last
            out.append(current)
            out += [indent + part for part in lines[1:-1]]
            current = indent + lines[-1]
    out.append(current)
    return out


def _words(line: str) -> list[str]:
    """The shell words of `line` as written (quotes kept), split where the shell splits them."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                escaped = True
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char in " \t":
            if word:
                words.append("".join(word))
                word = []
            continue
        word.append(char)
    if word:
        words.append("".join(word))
    return words


JSON_OPTIONS = ("-p", "--patch")
"""Options whose value is JSON (kubectl patch)."""


def _units(words: list[str]) -> list[list[str]]:
    """Words that stay on one line together: an option and its value (`-n kube-system`,
    `--set a=b`), a comment with the rest of the line. The remote command of `ssh [-t] HOST` is
    a unit of its own, marked by a leading "ssh" marker word (removed when laid out)."""
    units: list[list[str]] = []
    remote = -1
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("#"):
            units.append([" ".join(words[i:])])
            break
        if word == "ssh":
            remote = i + (3 if words[i + 1 : i + 2] == ["-t"] else 2)
        value = words[i + 1] if i + 1 < len(words) else ""
        if i == remote:
            units.append([REMOTE, word])
            i += 1
        elif _option(word) and value and not value.startswith(("-", "|", "#")):
            units.append([word, value])
            i += 2
        else:
            units.append([word])
            i += 1
    return units


REMOTE = "\0remote"
"""Marks the unit that is the remote command of ssh (not a shell word: never printed)."""


def _option(word: str) -> bool:
    return word.startswith("-") and word != "-" and "=" not in word


def _lay_out(unit: list[str], width: int, indent: str) -> list[str]:
    """The unit on one line, or, when it is too long and its last word can be laid out over
    several lines (JSON, an ssh remote command), over several."""
    *head, word = unit
    remote = head == [REMOTE]
    head = [] if remote else head
    one = " ".join([*head, word])
    if len(one) <= width:
        return [one]
    if remote:
        spread = _remote_lines(word, width, indent)
    else:
        spread = _json_lines(word, width) if head and head[-1] in JSON_OPTIONS else None
    if spread is None:
        return [one]
    return [" ".join([*head, spread[0]]), *spread[1:]]


def _unquoted(word: str) -> str | None:
    try:
        parts = shlex.split(word)
    except ValueError:
        return None
    return parts[0] if len(parts) == 1 else None


def _json_lines(word: str, width: int) -> list[str] | None:
    text = _unquoted(word)
    if text is None or not text.startswith(("{", "[")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return shlex.quote(_json_text(value, width)).split("\n")


def _json_text(value: object, width: int, depth: int = 0, lead: int = 0) -> str:
    """`value` as JSON, an object or array spread one member a line (indented by two spaces a
    level) only where it does not fit on one; `lead` is what stands before it on its first line
    (an object member's key)."""
    one = json.dumps(value, separators=(", ", ": "))
    if len(one) + 2 * depth + lead <= width or not isinstance(value, dict | list) or not value:
        return one
    inner = "  " * (depth + 1)
    if isinstance(value, dict):
        members = [
            f"{key}: {_json_text(v, width, depth + 1, len(key) + 2)}"
            for key, v in ((json.dumps(k), v) for k, v in value.items())
        ]
        brackets = "{}"
    else:
        members = [_json_text(v, width, depth + 1) for v in value]
        brackets = "[]"
    body = f",\n{inner}".join(members)
    return f"{brackets[0]}\n{inner}{body}\n{'  ' * depth}{brackets[1]}"


def _remote_lines(word: str, width: int, indent: str) -> list[str] | None:
    """A quoted word that is a command line itself (what `ssh HOST` hands the remote shell),
    folded inside its quotes; None for any other word."""
    text = _unquoted(word)
    if text is None:
        return None
    best: list[str] | None = None
    room = width
    while room > len(indent):  # quoting lengthens lines ('"'"' for a '): fold narrower
        lines = fold(text, room, indent)
        if len(lines) == 1:
            break
        best = shlex.quote("\n".join(lines)).split("\n")
        over = max(map(len, best)) - width
        if over <= 0:
            break
        room -= over
    return best
