"""A learner's progress, remembered per cluster: the active lesson, the steps visited, the steps
seen done.

Whether a "do" step is done is always judged on the live scan; progress only remembers what a
scan cannot show: which "look" steps were opened (done on visit) and which steps were seen done
before (so that "undo it all" needs the walk to have happened). One small JSON file per cluster,
named by a hash of the `ClusterIdentity` the journal uses (API server, context, cilium-config's
UID), in `$XDG_STATE_HOME/cilium-tui/lessons/`, or with the embedded lab in the lab's own
directory (it goes with the lab, like its journal). Written atomically (temporary file, rename),
mode 0600; read back bounded (size, lessons, ids) and validated: a broken file is an empty
progress and a problem to report, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cilium_tui.remedy.journal import ClusterIdentity
from cilium_tui.textfile import TextFileError, read_bounded_text, write_atomic

if TYPE_CHECKING:
    from cilium_tui.collect.scan import ClusterSource

FORMAT = 1
MAX_BYTES = 64 * 1024
MAX_LESSONS = 16
MAX_STEPS = 128
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def default_directory(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/cilium-tui/lessons``, by default ``~/.local/state/cilium-tui/lessons``."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "cilium-tui" / "lessons"


@dataclass(frozen=True)
class LessonProgress:
    visited: frozenset[str] = frozenset()
    reached: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Progress:
    """Progress on one cluster; every change returns a new value (save it with the store)."""

    active: str | None = None
    """The lesson the learner is on."""
    lessons: Mapping[str, LessonProgress] = field(default_factory=dict)

    def of(self, lesson: str) -> LessonProgress:
        return self.lessons.get(lesson, LessonProgress())

    def _with(self, lesson: str, entry: LessonProgress) -> Progress:
        return replace(self, active=lesson, lessons={**self.lessons, lesson: entry})

    def visit(self, lesson: str, step: str) -> Progress:
        """`step` of `lesson` was opened (a look step is done on visit)."""
        entry = self.of(lesson)
        return self._with(lesson, replace(entry, visited=entry.visited | {step}))

    def reach(self, lesson: str, steps: Iterable[str]) -> Progress:
        """`steps` of `lesson` were seen done on the live scan."""
        entry = self.of(lesson)
        return self._with(lesson, replace(entry, reached=entry.reached | frozenset(steps)))

    def forget(self, lesson: str) -> Progress:
        """Start `lesson` again."""
        return replace(self, lessons={k: v for k, v in self.lessons.items() if k != lesson})

    def to_dict(self, cluster: ClusterIdentity) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "cluster": cluster.to_dict(),
            "active": self.active,
            "lessons": {
                name: {"visited": sorted(entry.visited), "reached": sorted(entry.reached)}
                for name, entry in sorted(self.lessons.items())
            },
        }


class ProgressError(Exception):
    """Progress that cannot be written; the message names the file."""


def _ids(value: object) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value[:MAX_STEPS] if isinstance(v, str) and _ID.match(v))


def progress_from_dict(obj: object) -> Progress:
    """What a progress file says, keeping only well-formed names and ids, within bounds."""
    if not isinstance(obj, Mapping) or obj.get("format") != FORMAT:
        raise ValueError("not a cilium-tui progress file")
    raw = obj.get("lessons")
    lessons: dict[str, LessonProgress] = {}
    if isinstance(raw, Mapping):
        for name, entry in list(raw.items())[:MAX_LESSONS]:
            if isinstance(name, str) and _ID.match(name) and isinstance(entry, Mapping):
                lessons[name] = LessonProgress(
                    _ids(entry.get("visited")), _ids(entry.get("reached"))
                )
    active = obj.get("active")
    return Progress(active if isinstance(active, str) and _ID.match(active) else None, lessons)


class ProgressStore:
    """The progress files of a directory, one per cluster."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_directory()
        self.problems: list[str] = []
        """Why the last `load` fell back to empty progress, one line naming the file."""

    def path(self, cluster: ClusterIdentity) -> Path:
        blob = json.dumps(cluster.to_dict(), sort_keys=True).encode()
        return self.directory / f"{hashlib.sha256(blob).hexdigest()[:24]}.json"

    def load(self, cluster: ClusterIdentity) -> Progress:
        """The progress on `cluster`; empty when there is none or the file is unusable."""
        self.problems = []
        path = self.path(cluster)
        try:
            text = read_bounded_text(path, MAX_BYTES)
        except TextFileError as e:
            if not e.missing:
                self.problems.append(f"{path}: ignored: {e}")
            return Progress()
        try:
            obj = json.loads(text)
            progress = progress_from_dict(obj)
            named = obj.get("cluster")
            if not isinstance(named, Mapping) or ClusterIdentity.from_dict(named) != cluster:
                raise ValueError("it names another cluster")
            return progress
        except ValueError as e:  # JSONDecodeError is one
            self.problems.append(f"{path}: ignored: {e}")
            return Progress()

    def save(self, cluster: ClusterIdentity, progress: Progress) -> None:
        """Write atomically, mode 0600 (the directory 0700). Raises ProgressError."""
        path = self.path(cluster)
        text = json.dumps(progress.to_dict(cluster), indent=2) + "\n"
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(path, text, mode=0o600, durable=True)
        except OSError as e:
            raise ProgressError(f"cannot write lesson progress {path}: {e.strerror or e}") from None


def store_for(source: ClusterSource) -> ProgressStore:
    """Where progress on `source` is kept: the user's state directory, or with the embedded lab
    (`--demo`) beside its journal, so that it goes with the lab."""
    if source.journal_dir is None:
        return ProgressStore()
    return ProgressStore(source.journal_dir.parent / "lessons")
