"""Agent status in whatever form it arrives: text, JSON, a grep of the JSON, or YAML.

Collectors and the `explain` command hand over what `kubectl exec … cilium-dbg status [-o json]`
printed, often with kubectl's `Defaulted container …` notice, a markdown fence or a shell prompt
around it. `parse_status` finds the document inside and picks the parser; it never raises, and an
output it cannot read gives an all-unknown `AgentStatus`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from cilium_tui.facts.status_json import parse_status_json
from cilium_tui.facts.status_text import parse_status_text, status_label
from cilium_tui.model import AgentStatus

_NOISE = re.compile(r"^\s*(?:```.*|Defaulted container .*)$", re.MULTILINE)
_JSON_START = re.compile(r"^[ \t]*\{", re.MULTILINE)
_FRAGMENT_START = re.compile(r'^[ \t]*"[^"\n]+"\s*:', re.MULTILINE)
_GREP_SEPARATOR = re.compile(r"^--$", re.MULTILINE)


def _json_document(text: str) -> Any:
    """The first complete JSON object in `text` (trailing prompt lines are ignored)."""
    start = _JSON_START.search(text)
    if start is None:
        return None
    try:
        doc, _ = json.JSONDecoder().raw_decode(text, start.end() - 1)
    except (ValueError, RecursionError):
        return None
    return doc


def _json_fragments(text: str) -> dict[str, Any] | None:
    """Members cut out of a StatusResponse by `grep -A`: `"key": {…` groups split by `--`.

    Each group is closed (missing `}` appended) and wrapped in an object; groups that still do not
    parse are dropped. Braces inside strings are not counted - status values carry none.
    """
    start = _FRAGMENT_START.search(text)
    if start is None:
        return None
    merged: dict[str, Any] = {}
    for group in _GREP_SEPARATOR.split(text[start.start() :]):
        body = group.strip().rstrip(",")
        if not body.startswith('"'):
            continue
        body += "}" * max(body.count("{") - body.count("}"), 0)
        try:
            member = json.loads("{" + body + "}")
        except (ValueError, RecursionError):
            continue
        if isinstance(member, dict):
            merged.update(member)
    return merged or None


def _yaml_document(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _from_json(cleaned: str) -> AgentStatus | None:
    doc = _json_document(cleaned)
    return parse_status_json(doc) if isinstance(doc, dict) else None


def _from_json_fragments(cleaned: str) -> AgentStatus | None:
    fragments = _json_fragments(cleaned)
    return parse_status_json(fragments) if fragments is not None else None


def _from_yaml(cleaned: str) -> AgentStatus | None:
    """`cilium status -o yaml`: the same fields as JSON, spelled as lower-cased Go names."""
    doc = _yaml_document(cleaned)
    return parse_status_json(doc, source="status YAML") if isinstance(doc, dict) else None


def parse_status(text: str) -> AgentStatus:
    """Parse `cilium(-dbg) status` output of any format; all-unknown when it is none of them.

    JSON is tried first (text output never starts a line with `{`), then the text layout, then a
    grep of the JSON, then YAML - which would otherwise swallow text lines as `key: value` pairs.
    """
    cleaned = _NOISE.sub("", text.replace("\r\n", "\n"))
    for attempt in (_from_json, parse_status_text, _from_json_fragments, _from_yaml):
        status = attempt(cleaned)
        if status is not None and not status.is_empty:
            return status
    return AgentStatus(source_format="text")


def looks_like_status(text: str) -> bool:
    """Whether `text` carries any fact of an agent status (so a file can be recognised)."""
    return not parse_status(text).is_empty


# ---------------------------------------------------------------------------------------------
# Several outputs in one paste
# ---------------------------------------------------------------------------------------------

_ONCE_PER_OUTPUT = frozenset(
    {
        "KVStore",
        "Kubernetes",
        "KubeProxyReplacement",
        "Cilium",
        "NodeMonitor",
        "IPAM",
        "Host Routing",
        "Routing",
        "BandwidthManager",
        "Masquerading",
        "Controller Status",
        "Proxy Status",
        "Hubble",
        "Encryption",
        "Cluster health",
    }
)
"""Top-level labels every `cilium status` prints at most once: a second one starts a new output."""

_HINTS = (
    re.compile(r"^==> (.{1,120}?) <==$"),  # `tail`/`head` of several files
    re.compile(r"\bexec\b.*?\s(?:pod/)?(cilium-(?!dbg\b|agent\b)[a-z0-9]{4,6})\b"),
    re.compile(r"\bexec\b.*?\s(ds/[\w.-]{1,63})"),
    re.compile(r"^[\w.-]{1,32}@([\w.-]{1,63}):"),  # a shell prompt: user@host:
)
"""What names an output in the lines just before it: a file header, the pod, the host."""


@dataclass(frozen=True)
class StatusPart:
    """One status output cut out of a paste that holds several."""

    text: str
    hint: str | None
    """What the lines before it name (a pod, a host, a file); None when nothing does."""


def _hint(lines: list[str]) -> str | None:
    for line in reversed(lines):
        for pattern in _HINTS:
            m = pattern.search(line.strip())
            if m is not None:
                return m.group(1)
    return None


def _preamble_start(lines: list[str], start: int, boundary: int) -> int:
    """Walk back from `boundary` over the next output's preamble (blank lines, prompts, notices):
    unindented lines that are not status lines. Indented lines are the previous output's tables."""
    i = boundary
    while i > start:
        raw = lines[i - 1]
        if raw.strip() and (raw[:1].isspace() or status_label(raw) is not None):
            break
        i -= 1
    return i


def _text_parts(text: str) -> list[tuple[int, int]]:
    lines = text.split("\n")
    spans: list[tuple[int, int]] = []
    start, seen = 0, set[str]()
    for i, raw in enumerate(lines):
        label = status_label(raw)
        if label not in _ONCE_PER_OUTPUT:
            continue
        if label in seen:
            cut = _preamble_start(lines, start, i)
            spans.append((start, cut))
            start, seen = cut, set()
        seen.add(label)
    spans.append((start, len(lines)))
    return spans


def _json_parts(text: str) -> list[tuple[int, int]]:
    """The spans of the top-level JSON objects in `text`, with what precedes each."""
    decoder = json.JSONDecoder()
    ends: list[int] = []
    for start in _JSON_START.finditer(text):
        begin = start.end() - 1
        if ends and begin < ends[-1]:
            continue
        try:
            doc, end = decoder.raw_decode(text, begin)
        except (ValueError, RecursionError):
            continue
        if isinstance(doc, dict):
            ends.append(end)
    return list(zip([0, *ends[:-1]], [*ends[:-1], len(text)], strict=True)) if ends else []


def split_status_outputs(text: str) -> list[StatusPart]:
    """The status outputs in a paste, in order: one part when it holds one (or none).

    Text outputs are cut where a label every output prints once comes again (the lines before it
    that are not status lines go with the next output); JSON outputs are cut per top-level object.
    Each part is parsed on its own, so no output lends another its facts.
    """
    normalised = text.replace("\r\n", "\n")
    if _from_json(_NOISE.sub("", normalised)) is not None:
        bounds = _json_parts(normalised)
        parts = [normalised[a:b] for a, b in bounds]
    else:
        lines = normalised.split("\n")
        parts = ["\n".join(lines[a:b]) for a, b in _text_parts(normalised)]
    parts = [p for p in parts if looks_like_status(p)]
    if len(parts) < 2:
        return [StatusPart(text, None)]
    return [StatusPart(p, _hint(_preamble(p))) for p in parts]


def _preamble(part: str) -> list[str]:
    """The lines of a part before its first status line."""
    lines = []
    for raw in part.split("\n"):
        if status_label(raw) is not None or raw.lstrip().startswith("{"):
            break
        lines.append(raw)
    return lines
