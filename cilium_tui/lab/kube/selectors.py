"""Label and field selectors, parsed and matched as the real API server does.

Label selectors: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (does not
exist), comma-separated (AND). `!=` and `notin` also match objects that lack the key, like the real
server. Field selectors: `path=v`, `path==v`, `path!=v` on the labels a type supports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cilium_tui.lab.kube.errors import ApiError, bad_request

_TOKEN = re.compile(r"\s*(?:(==|!=|=|\(|\)|,|!)|([A-Za-z0-9._/-]+))")


@dataclass(frozen=True)
class _Requirement:
    key: str
    op: str
    """One of "=", "!=", "in", "notin", "exists", "!"."""
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        return not present or value not in self.values  # "!=" and "notin"


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise _parse_error(f"unexpected character {text[pos:].strip()[:1]!r}")
        out.append(m.group(1) or m.group(2))
        pos = m.end()
    return out


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"unable to parse requirement: {detail}")


def _is_word(token: str | None) -> bool:
    return token is not None and _TOKEN.fullmatch(token) is not None and token[0] not in "=!(),"


def parse_label_selector(text: str) -> Callable[[Mapping[str, str]], bool]:
    """Parse a label selector; raises a 400 ApiError like the real server for bad syntax."""
    tokens = _tokens(text)
    reqs: list[_Requirement] = []
    i = 0

    def peek(offset: int = 0) -> str | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    while i < len(tokens):
        if peek() == "!":
            key = peek(1)
            if not _is_word(key):
                raise _parse_error("expected a label key after '!'")
            assert key is not None
            reqs.append(_Requirement(key, "!"))
            i += 2
        else:
            key = peek()
            if not _is_word(key):
                raise _parse_error(f"found {key!r}, expected: identifier")
            assert key is not None
            op = peek(1)
            if op in (None, ","):
                reqs.append(_Requirement(key, "exists"))
                i += 1
            elif op in ("=", "==", "!="):
                value = peek(2)
                if value in (None, ","):
                    value, used = "", 2  # `k=` selects an empty value
                elif _is_word(value):
                    used = 3
                else:
                    raise _parse_error(f"found {value!r}, expected: identifier")
                assert value is not None
                reqs.append(_Requirement(key, "!=" if op == "!=" else "=", frozenset({value})))
                i += used
            elif op in ("in", "notin"):
                if peek(2) != "(":
                    raise _parse_error(f"found {peek(2)!r}, expected: '('")
                i += 3
                values: set[str] = set()
                while peek() != ")":
                    value = peek()
                    if value is None:
                        raise _parse_error("found end of selector, expected: ')'")
                    if value != ",":
                        if not _is_word(value):
                            raise _parse_error(f"found {value!r}, expected: identifier")
                        values.add(value)
                    i += 1
                i += 1
                reqs.append(_Requirement(key, op, frozenset(values)))
            else:
                raise _parse_error(
                    f"found {op!r}, expected: in, notin, =, ==, !=, or end of selector"
                )
        if i < len(tokens):
            if tokens[i] != ",":
                raise _parse_error(f"found {tokens[i]!r}, expected: ','")
            i += 1
    return lambda labels: all(r.matches(labels) for r in reqs)


_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


def selects(selector: object, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector object (matchLabels, matchExpressions) selects these labels;
    an empty one selects everything, one it cannot read nothing."""
    if not isinstance(selector, Mapping):
        return False
    terms = [
        _Requirement(key, "=", frozenset({value}))
        for key, value in (selector.get("matchLabels") or {}).items()
    ]
    for term in selector.get("matchExpressions") or []:
        op = _OPERATORS.get(str(term.get("operator"))) if isinstance(term, Mapping) else None
        if op is None:
            return False
        terms.append(_Requirement(term.get("key", ""), op, frozenset(term.get("values") or ())))
    return all(term.matches(labels) for term in terms)


def parse_field_selector(
    text: str, supported: tuple[str, ...]
) -> Callable[[Mapping[str, Any]], bool]:
    """Parse a field selector over the `supported` field labels (others are a 400)."""
    terms: list[tuple[str, bool, str]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = re.fullmatch(r"([^=!]+?)\s*(==|!=|=)\s*(.*)", part)
        if m is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        path, op, value = m.groups()
        if path not in supported:
            raise bad_request(f"field label not supported: {path}")
        terms.append((path, op == "!=", value))

    def matches(obj: Mapping[str, Any]) -> bool:
        return all((field_value(obj, path) == value) != negate for path, negate, value in terms)

    return matches


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """A dotted path's value as a field selector sees it ("" when missing)."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(part)
    return "" if cur is None else str(cur)


def object_filter(
    label_selector: str | None, field_selector: str | None, field_labels: tuple[str, ...]
) -> Callable[[Mapping[str, Any]], bool]:
    """One predicate for both selectors of a list or watch request."""
    by_label = parse_label_selector(label_selector) if label_selector else None
    by_field = parse_field_selector(field_selector, field_labels) if field_selector else None

    def matches(obj: Mapping[str, Any]) -> bool:
        if by_label is not None and not by_label(obj.get("metadata", {}).get("labels") or {}):
            return False
        return by_field is None or by_field(obj)

    return matches
