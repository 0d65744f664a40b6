"""`cilium status -o jsonpath=TEMPLATE`, as the agent's CLI prints it (the subset agents are asked).

The CLI runs client-go's jsonpath over its Go structs (cilium pkg/command/output.go): text outside
`{...}` is printed as is; `{.a.b}` walks fields, `[*]` every element of a list, a missing field
prints nothing (AllowMissingKeys); several results are joined by spaces; `{"..."}` prints the
quoted text; `{range EXPR}...{end}` prints its body for each result, relative to it. A scalar
prints as Go's fmt does, an object as Go's struct syntax (here a brace-wrapped rendering:
nobody parses it).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\{([^{}]*)\}")
_STEP = re.compile(r"\.([^.\[\]]+)|\[\*\]")


def _go_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "{" + " ".join(_go_text(v) for v in value.values()) + "}"
    if isinstance(value, list):
        return "[" + " ".join(_go_text(v) for v in value) + "]"
    return str(value)


Steps = tuple[str | None, ...]
"""A parsed expression: field names, None for `[*]`."""


@dataclass(frozen=True)
class _Range:
    steps: Steps
    body: tuple[Part, ...]


Part = str | Steps | _Range
"""Text printed as is, an expression to print, or a range."""


def _evaluate(doc: Any, steps: Steps) -> list[Any]:
    values = [doc]
    for field in steps:
        if field is None:  # [*]
            values = [item for v in values if isinstance(v, list) for item in v]
        else:
            values = [v[field] for v in values if isinstance(v, dict) and field in v]
    return [v for v in values if v is not None]


def _steps(expression: str) -> Steps:
    return tuple(step.group(1) for step in _STEP.finditer(expression.strip()))


def _tokens(template: str) -> list[tuple[bool, str]]:
    """(is an action, text) in order."""
    out: list[tuple[bool, str]] = []
    at = 0
    for m in _TOKEN.finditer(template):
        if m.start() > at:
            out.append((False, template[at : m.start()]))
        out.append((True, m.group(1).strip()))
        at = m.end()
    if at < len(template):
        out.append((False, template[at:]))
    return out


def _parse(tokens: list[tuple[bool, str]]) -> tuple[Part, ...]:
    parts: list[Part] = []
    i = 0
    while i < len(tokens):
        action, text = tokens[i]
        i += 1
        if not action:
            parts.append(text)
        elif text.startswith('"'):
            parts.append(json.loads(text))
        elif text.startswith("range "):
            depth, body_start = 1, i
            while depth:
                depth += {"end": -1}.get(tokens[i][1], 0) if tokens[i][0] else 0
                depth += 1 if tokens[i][0] and tokens[i][1].startswith("range ") else 0
                i += 1
            body = _parse(tokens[body_start : i - 1])
            parts.append(_Range(_steps(text.removeprefix("range ")), body))
        else:
            parts.append(_steps(text))
    return tuple(parts)


@functools.lru_cache(maxsize=64)
def _template(template: str) -> tuple[Part, ...]:
    """A template parsed once: every agent of a scan is asked the same one."""
    return _parse(_tokens(template))


def _render(doc: Any, parts: tuple[Part, ...]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, _Range):
            out += [_render(item, part.body) for item in _evaluate(doc, part.steps)]
        else:
            out.append(" ".join(_go_text(v) for v in _evaluate(doc, part)))
    return "".join(out)


def render_jsonpath(doc: Any, template: str) -> str:
    """The template evaluated over `doc` (the status as JSON), with the CLI's final newline."""
    return _render(doc, _template(template)) + "\n"
