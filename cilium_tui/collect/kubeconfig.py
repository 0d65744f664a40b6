"""Which kubeconfig and context to use, decided the way kubectl decides it.

- `--kubeconfig FILE`: only that file, which must exist;
- else `$KUBECONFIG`: a list of files (`:`-separated), missing ones ignored, merged: the first file
  that defines a cluster/user/context name wins, and the first `current-context` set wins;
- else `~/.kube/config`.
Then `--context`, else the merged current-context. Problems are one-line `KubeconfigError`s a user
can act on, never tracebacks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = "~/.kube/config"


class KubeconfigError(Exception):
    """The kubeconfig cannot be used as asked (missing file, bad YAML, unknown context…)."""


class NoKubeconfigError(KubeconfigError):
    """No kubeconfig at all where one is looked for by default ($KUBECONFIG, ~/.kube/config):
    nothing names a cluster, so the embedded lab may be what the user is after."""


@dataclass(frozen=True)
class KubeconfigChoice:
    paths: tuple[Path, ...]
    """The files that exist and were merged, in order."""
    context: str
    cluster: str
    namespace: str
    """The context's namespace, "default" when it names none (as kubectl)."""
    server: str | None


def _candidate_paths(kubeconfig: str | None, env: Mapping[str, str]) -> tuple[Path, ...]:
    if kubeconfig:
        path = Path(kubeconfig).expanduser()
        if not path.is_file():
            raise KubeconfigError(f"kubeconfig file not found: {path}")
        return (path,)
    listed = env.get("KUBECONFIG", "")
    if listed:
        names = [p for p in listed.split(os.pathsep) if p]
        found = tuple(Path(p).expanduser() for p in names if Path(p).expanduser().is_file())
        if not found:
            raise NoKubeconfigError(
                f"none of the files in $KUBECONFIG exist: {', '.join(names) or '(empty)'}"
            )
        return found
    default = Path(DEFAULT_PATH).expanduser()
    if not default.is_file():
        raise NoKubeconfigError(
            f"no kubeconfig: {default} does not exist (set $KUBECONFIG or pass --kubeconfig)"
        )
    return (default,)


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text())
    except OSError as e:
        raise KubeconfigError(f"cannot read kubeconfig {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise KubeconfigError(f"kubeconfig {path} is not valid YAML{at}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KubeconfigError(f"kubeconfig {path} is not a kubeconfig (not a mapping)")
    return doc


def _named(doc: Mapping[str, Any], section: str, path: Path) -> list[dict[str, Any]]:
    entries = doc.get(section) or []
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries
    ):
        raise KubeconfigError(f"kubeconfig {path}: {section} must be a list of named entries")
    return entries


def choose(
    kubeconfig: str | None = None,
    context: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> KubeconfigChoice:
    """Resolve files and context like kubectl; raises KubeconfigError with a usable message."""
    paths = _candidate_paths(kubeconfig, os.environ if env is None else env)
    contexts: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for path in paths:
        doc = _load(path)
        for entry in _named(doc, "contexts", path):
            contexts.setdefault(entry["name"], entry.get("context") or {})
        for entry in _named(doc, "clusters", path):
            clusters.setdefault(entry["name"], entry.get("cluster") or {})
        if not current and doc.get("current-context"):
            current = str(doc["current-context"])
    where = ", ".join(str(p) for p in paths)
    available = ", ".join(sorted(contexts)) or "none"
    name = context or current
    if not name:
        raise KubeconfigError(
            f"no current context in {where}; pass --context (available: {available})"
        )
    if name not in contexts:
        raise KubeconfigError(f'context "{name}" not found in {where} (available: {available})')
    ctx = contexts[name]
    cluster_name = str(ctx.get("cluster") or "")
    if cluster_name not in clusters:
        raise KubeconfigError(f'context "{name}" names cluster "{cluster_name}", not in {where}')
    return KubeconfigChoice(
        paths=paths,
        context=name,
        cluster=cluster_name,
        namespace=str(ctx.get("namespace") or "default"),
        server=clusters[cluster_name].get("server"),
    )
