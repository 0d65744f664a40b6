"""Agent status in whatever form it arrives: text, JSON, a grep of the JSON, or YAML.

Collectors and the `explain` command hand over what `kubectl exec … cilium-dbg status [-o json]`
printed, often with kubectl's `Defaulted container …` notice, a markdown fence or a shell prompt
around it. `parse_status` finds the document inside and picks the parser; it never raises, and an
output it cannot read gives an all-unknown `AgentStatus`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from cilium_tui.facts.status_json import parse_status_json
from cilium_tui.facts.status_text import parse_status_text
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
