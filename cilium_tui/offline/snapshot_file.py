"""A scan saved as JSON, to replay, compare, or attach to a ticket: schema `cilium-tui.snapshot/1`.

The document is the Snapshot (cilium_tui/model.py) field for field::

    {
      "schema": "cilium-tui.snapshot/1",
      "tool": "cilium-tui 0.x",
      "snapshot": {
        "taken_at": "2026-12-07T21:00:00+00:00",   # ISO 8601
        "source": "lab seed", "context": ..., "kube_proxy_present": ..., "errors": [...],
        "config": {"data": {...}, "settings": {...}, ...} | null,     # cilium-config
        "nodes": [{"name": ..., "node": {NodeInfo}, "pod": {AgentPod}, "agent": {AgentStatus},
                   "agent_raw": "...", "probe": {ProbeFacts}, "ssh_host": ..., "errors": {...}}]
      }
    }

Every dataclass is an object named by its field names, tuples are lists, `None` is null (unknown),
evidence is kept so a replay explains exactly what the live report explained. A reader accepts the
same major version and ignores fields it does not know (a later minor version may add some).

No secrets: the kubeconfig, tokens and keys are never part of a Snapshot, and cilium-config keys
that name a credential (ending in `password`, `token`, `secret`, `private-key`, `api-key`,
`credentials`) are redacted.
The file is written 0600, atomically (a temp file beside it, then a rename).
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from cilium_tui import __version__
from cilium_tui.model import CiliumConfig, Evidence, Snapshot
from cilium_tui.textfile import TextFileError, read_bounded_text, write_atomic

SCHEMA = "cilium-tui.snapshot/1"
_SCHEMA_NAME, _, _MAJOR = SCHEMA.rpartition("/")
REDACTED = "(redacted)"
_SECRET_KEY = re.compile(
    r"(?:^|[-_.])(?:password|passwd|token|secret|private-key|api-key|credentials?)$", re.IGNORECASE
)
"""A key that names a credential (`etcd-password`, `clustermesh-token`), not one that merely
mentions one (`bgp-secrets-namespace`)."""
MAX_BYTES = 256 * 1024 * 1024
"""A snapshot file larger than this is refused (a 5,000-node scan is some tens of MiB)."""


class SnapshotFileError(Exception):
    """The file is not a snapshot this version can read; the message is one line."""


# -- encoding ------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Evidence):  # immutable, with a text that may be made on first read
        return {"source": value.source, "where": value.where, "text": value.text}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def redacted(config: CiliumConfig) -> CiliumConfig:
    """cilium-config without values whose key looks like a credential."""
    secret = [k for k in config.data if _SECRET_KEY.search(k)]
    if not secret:
        return config
    data = {k: REDACTED if k in secret else v for k, v in config.data.items()}
    return dataclasses.replace(config, data=data)


def snapshot_document(snapshot: Snapshot) -> dict[str, Any]:
    if snapshot.config is not None:
        snapshot = dataclasses.replace(snapshot, config=redacted(snapshot.config))
    body = _encode(snapshot)
    del body["since"]  # a comparison with another snapshot, not a fact of this one
    return {"schema": SCHEMA, "tool": f"cilium-tui {__version__}", "snapshot": body}


def save_snapshot(snapshot: Snapshot, path: Path) -> None:
    """Write the snapshot to `path` (mode 0600, replaced atomically). Raises OSError."""
    text = json.dumps(snapshot_document(snapshot), indent=1, sort_keys=False) + "\n"
    write_atomic(path, text, mode=0o600)


# -- decoding ------------------------------------------------------------------------------------


class _Bad(Exception):
    pass


def _decode(kind: Any, value: Any, where: str) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = get_args(kind)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _decode(option, value, where)
            except _Bad as e:
                errors.append(str(e))
        raise _Bad(errors[0] if errors else f"{where}: unexpected null")
    if origin is typing.Literal:
        if value not in get_args(kind):
            raise _Bad(f"{where}: {value!r} is not one of {get_args(kind)}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _Bad(f"{where}: expected a list")
        item = get_args(kind)[0]
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict) or kind is Mapping:
        if not isinstance(value, dict):
            raise _Bad(f"{where}: expected an object")
        item = get_args(kind)[1]
        return {str(k): _decode(item, v, f"{where}.{k}") for k, v in value.items()}
    if kind is Evidence:
        if not isinstance(value, dict):
            raise _Bad(f"{where}: expected an object")
        parts = [_decode(str, value.get(name), f"{where}.{name}") for name in _EVIDENCE]
        return Evidence(*parts)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind, value, where)
    if kind is datetime:
        try:
            return datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise _Bad(f"{where}: not an ISO 8601 time") from None
    if kind is Any or kind is object:
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (str, int, float, bool) and type(value) is kind:
        return value
    raise _Bad(f"{where}: expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")


_EVIDENCE = ("source", "where", "text")
_HINTS: dict[type, dict[str, Any]] = {}


def _dataclass(kind: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _Bad(f"{where}: expected an object")
    hints = _HINTS.get(kind)
    if hints is None:
        hints = _HINTS[kind] = get_type_hints(kind)
    kwargs = {}
    for f in dataclasses.fields(kind):
        if f.name in value:
            kwargs[f.name] = _decode(hints[f.name], value[f.name], f"{where}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _Bad(f"{where}: missing {f.name!r}")
    return kind(**kwargs)


def snapshot_from_document(doc: Any) -> Snapshot:
    """The Snapshot of a parsed document; raises SnapshotFileError naming what is wrong."""
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), str):
        raise SnapshotFileError('not a cilium-tui snapshot (no "schema")')
    name, _, major = doc["schema"].rpartition("/")
    if name != _SCHEMA_NAME:
        raise SnapshotFileError(f"not a cilium-tui snapshot (schema {doc['schema']!r})")
    if major.split(".")[0] != _MAJOR:
        raise SnapshotFileError(f"schema {doc['schema']!r}: this cilium-tui reads {SCHEMA}")
    try:
        snapshot = _dataclass(Snapshot, doc.get("snapshot"), "snapshot")
    except _Bad as e:
        raise SnapshotFileError(f"malformed snapshot: {e}") from None
    assert isinstance(snapshot, Snapshot)
    return snapshot


def load_snapshot(path: Path) -> Snapshot:
    try:
        text = read_bounded_text(path, MAX_BYTES)
    except TextFileError as e:
        raise SnapshotFileError(f"{path}: {e}") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise SnapshotFileError(f"{path}: not JSON: {e}") from None
    try:
        return snapshot_from_document(doc)
    except SnapshotFileError as e:
        raise SnapshotFileError(f"{path}: {e}") from None


def looks_like_snapshot(path: Path) -> bool:
    """True for a JSON file (by its first byte), as opposed to a zip or a folder."""
    try:
        with path.open("rb") as f:
            return f.read(64).lstrip()[:1] == b"{"
    except OSError:
        return False
