"""What each node answered the scan before, by digest, with the facts read from it.

A warm scan mostly hears what it heard last time: the same agent status, the same probe output.
An answer read again word for word keeps the facts read from it then: neither parsed again nor
compared field by field with them (`model.unchanged`), which was a sixth of a warm scan's CPU.
Only a 16-byte digest of each answer is kept, never its text (a scan keeps no raw output:
`ScanLimits.keep_raw`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from hashlib import blake2b
from typing import Generic, TypeVar

T = TypeVar("T")


class Answers(Generic[T]):
    """One kind of answer (agent statuses, host probes), per node."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[bytes, T]] = {}
        self.parsed = 0
        """Answers parsed: those not read word for word before (counted by the tests)."""

    def read(self, node: str, answer: Sequence[str], parse: Callable[[], T]) -> tuple[bytes, T]:
        """The digest of `answer` (everything the facts depend on: the command, its output) and
        its facts: those `keep` was given for the same answer from `node`, else `parse()`."""
        digest = _digest(answer)
        kept = self._read.get(node)
        if kept is not None and kept[0] == digest:
            return digest, kept[1]
        self.parsed += 1
        return digest, parse()

    def keep(self, node: str, digest: bytes, facts: T) -> None:
        """The facts the scan kept for the answer of `digest` (the object its record holds)."""
        self._read[node] = (digest, facts)

    def only(self, nodes: Iterable[str]) -> None:
        """Forget the nodes that are gone."""
        wanted = set(nodes)
        for node in [n for n in self._read if n not in wanted]:
            del self._read[node]


def _digest(parts: Sequence[str]) -> bytes:
    """Each part with its length first: no two different sequences of parts hash alike."""
    h = blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()
