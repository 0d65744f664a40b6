"""Every request the lab API server answered, so tests can assert the exact calls made."""

from __future__ import annotations

import threading
from dataclasses import dataclass

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REVIEWS = "/apis/authorization.k8s.io/"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    """The query string's pairs in order (repeated keys kept, e.g. exec's `command`)."""
    content_type: str
    body: bytes
    status: int
    user_agent: str

    @property
    def mutating(self) -> bool:
        """A request that could change state (access reviews change nothing: not counted)."""
        return self.method in MUTATING_METHODS and not self.path.startswith(_REVIEWS)

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        return next((v for k, v in self.query if k == name), None)


class RequestLog:
    """Thread-safe, append-only until cleared.

    A request is logged when its answer is complete: a watch or an exec stream when it ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RecordedRequest] = []

    def append(self, record: RecordedRequest) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._records)

    def mutating(self) -> list[RecordedRequest]:
        return [r for r in self.records() if r.mutating]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
