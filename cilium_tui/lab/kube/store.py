"""The lab's object store: what etcd is to the real API server.

One global resourceVersion counter; every write bumps it and is recorded as a watch event in a
bounded history window, so a watch can resume from a resourceVersion until the window has moved past
it (then: 410 Expired, and the client must re-list, exactly as with the real server).

Thread-safe: the API server runs on its own event loop thread while scenario code, the controllers
and tests write from others. Writes never mutate a stored object in place (copy on write), so an
object or event handed out for serialisation never changes underneath its reader.
"""

from __future__ import annotations

import builtins
import copy
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cilium_tui.lab.kube.errors import ApiError, conflict, gone, not_found
from cilium_tui.lab.kube.resources import BY_PLURAL, ResourceType
from cilium_tui.lab.kube.selectors import object_filter

JSON = dict[str, Any]
Key = tuple[str, str]
"""(namespace, name); namespace is "" for cluster-scoped objects."""


@dataclass(frozen=True)
class StoreEvent:
    """One write, as a watch sees it."""

    resource_version: int
    type: str
    """ADDED, MODIFIED or DELETED."""
    plural: str
    object: JSON
    previous: JSON | None
    """The object before a MODIFIED (to turn selector transitions into ADDED/DELETED)."""


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(obj: JSON, rt: ResourceType) -> Key:
    meta = obj.get("metadata") or {}
    name = meta.get("name")
    if not name:
        raise ApiError(422, "Invalid", f"{rt.kind}: metadata.name: Required value")
    namespace = meta.get("namespace") or ""
    if rt.namespaced and not namespace:
        raise ApiError(422, "Invalid", f"{rt.kind} {name}: metadata.namespace: Required value")
    return (namespace if rt.namespaced else "", name)


def _resource(plural: str) -> ResourceType:
    rt = BY_PLURAL.get(plural)
    if rt is None:
        raise KeyError(f"the lab does not serve {plural!r}")
    return rt


class Store:
    """Objects by resource type, a resourceVersion counter and a watch history."""

    def __init__(self, *, history: int = 1000, first_resource_version: int = 1000) -> None:
        self._lock = threading.RLock()
        self._objects: dict[str, dict[Key, JSON]] = {plural: {} for plural in BY_PLURAL}
        self._rv = first_resource_version
        self._history: deque[StoreEvent] = deque(maxlen=max(1, history))
        self._compacted = first_resource_version
        """Events up to this resourceVersion are no longer in the history."""
        self._listeners: list[Callable[[], None]] = []

    # -- reading -------------------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        with self._lock:
            return str(self._rv)

    def find(self, plural: str, namespace: str | None, name: str) -> JSON | None:
        """A copy of the object, or None."""
        obj = self.peek(plural, namespace, name)
        return copy.deepcopy(obj) if obj is not None else None

    def get(self, plural: str, namespace: str | None, name: str) -> JSON:
        """A copy of the object; a 404 ApiError when it does not exist."""
        obj = self.find(plural, namespace, name)
        if obj is None:
            rt = _resource(plural)
            raise not_found(plural, name, rt.group)
        return obj

    def peek(self, plural: str, namespace: str | None, name: str) -> JSON | None:
        """The stored object itself, without a copy: the caller must not change it."""
        rt = _resource(plural)
        with self._lock:
            return self._objects[plural].get(((namespace or "") if rt.namespaced else "", name))

    def list(
        self,
        plural: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        copy_objects: bool = True,
    ) -> tuple[list[JSON], str]:
        """Matching objects sorted by namespace/name, and the list's resourceVersion."""
        rt = _resource(plural)
        matches = object_filter(label_selector, field_selector, rt.field_labels)
        with self._lock:
            items = [
                obj
                for (ns, _), obj in sorted(self._objects[plural].items())
                if (namespace is None or ns == namespace) and matches(obj)
            ]
            rv = str(self._rv)
        return (copy.deepcopy(items) if copy_objects else items), rv

    def compacted(self, resource_version: int) -> bool:
        """Whether `resource_version` has left the history window: a list's continue token
        from then is refused (410), as by the real server once etcd compacted it."""
        with self._lock:
            return resource_version < self._compacted

    def events_since(
        self, resource_version: int, plural: str
    ) -> tuple[builtins.list[StoreEvent], int]:
        """Events of one type after `resource_version`, and the store's resourceVersion then.

        410 Expired when those events have already left the history window.
        """
        with self._lock:
            if resource_version < self._compacted:
                raise gone(f"too old resource version: {resource_version} ({self._compacted + 1})")
            events = [
                e
                for e in self._history
                if e.resource_version > resource_version and e.plural == plural
            ]
            return events, self._rv

    # -- writing -------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener()` after every write (from the writer's thread; it must not block).

        Returns a function that unsubscribes.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def create(self, plural: str, obj: JSON) -> JSON:
        """Add a new object (409 AlreadyExists if it exists); returns a copy as stored."""
        return copy.deepcopy(self._write(plural, copy.deepcopy(obj), replace=False))

    def put(self, plural: str, obj: JSON) -> JSON:
        """Create or replace an object wholesale; returns a copy as stored."""
        return copy.deepcopy(self._write(plural, copy.deepcopy(obj), replace=True))

    def update(
        self,
        plural: str,
        namespace: str | None,
        name: str,
        change: Callable[[JSON], JSON | None],
        *,
        dry_run: bool = False,
    ) -> JSON:
        """Apply `change` to a copy of the object (it edits in place or returns a new object).

        A `metadata.resourceVersion` left in the result that differs from the stored one is a 409
        (optimistic concurrency); a change that changes nothing writes nothing, like the real
        server. With `dry_run` nothing is stored. Returns a copy of the (would-be) stored result.
        """
        rt = _resource(plural)
        with self._lock:
            current = self.peek(plural, namespace, name)
            if current is None:
                raise not_found(plural, name, rt.group)
            draft = copy.deepcopy(current)
            result = change(draft)
            new = draft if result is None else result
            wanted_rv = (new.get("metadata") or {}).get("resourceVersion")
            if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
                raise conflict(plural, name, rt.group)
            new.setdefault("metadata", {})
            for immutable in ("name", "namespace", "uid", "creationTimestamp"):
                if immutable in current["metadata"]:
                    new["metadata"][immutable] = current["metadata"][immutable]
            new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            if rt.has_generation:
                new["metadata"]["generation"] = current["metadata"].get("generation", 1)
                if new.get("spec") != current.get("spec"):
                    new["metadata"]["generation"] += 1
            if new == current:
                return copy.deepcopy(current)
            if dry_run:
                return copy.deepcopy(new)
            stored = self._commit(rt, "MODIFIED", new, current)
        self._notify()
        return copy.deepcopy(stored)

    def delete(self, plural: str, namespace: str | None, name: str) -> JSON:
        """Remove an object; returns it as it was (404 if missing)."""
        rt = _resource(plural)
        with self._lock:
            key = ((namespace or "") if rt.namespaced else "", name)
            current = self._objects[plural].pop(key, None)
            if current is None:
                raise not_found(plural, name, rt.group)
            self._rv += 1
            gone_obj = copy.deepcopy(current)
            gone_obj["metadata"]["resourceVersion"] = str(self._rv)
            self._record(StoreEvent(self._rv, "DELETED", plural, gone_obj, current))
        self._notify()
        return copy.deepcopy(gone_obj)

    def _write(self, plural: str, new: JSON, *, replace: bool) -> JSON:
        """Store `new` itself (the caller's to copy, in and out)."""
        rt = _resource(plural)
        key = _key(new, rt)
        meta = new["metadata"]
        new["apiVersion"] = rt.api_version
        new["kind"] = rt.kind
        with self._lock:
            current = self._objects[plural].get(key)
            if current is not None and not replace:
                raise ApiError(
                    409,
                    "AlreadyExists",
                    f'{plural} "{key[1]}" already exists',
                    {"name": key[1], "kind": plural},
                )
            if current is not None:
                meta["uid"] = current["metadata"]["uid"]
                meta["creationTimestamp"] = current["metadata"]["creationTimestamp"]
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_rfc3339())
            if rt.has_generation:
                meta.setdefault("generation", 1)
            stored = self._commit(rt, "ADDED" if current is None else "MODIFIED", new, current)
        self._notify()
        return stored

    def _commit(self, rt: ResourceType, kind: str, new: JSON, previous: JSON | None) -> JSON:
        """Store `new` under a fresh resourceVersion and record the event (lock held)."""
        self._rv += 1
        new["metadata"]["resourceVersion"] = str(self._rv)
        self._objects[rt.plural][_key(new, rt)] = new
        self._record(StoreEvent(self._rv, kind, rt.plural, new, previous))
        return new

    def _record(self, event: StoreEvent) -> None:
        if len(self._history) == self._history.maxlen:
            self._compacted = self._history[0].resource_version
        self._history.append(event)

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def seed(self, objects: Iterable[tuple[str, JSON]]) -> None:
        """Put many (plural, object) pairs, e.g. a scenario's nodes, pods and config, made for
        the store: it keeps them as they are (no copies: a 5000-node lab seeds 10000 objects)."""
        for plural, obj in objects:
            self._write(plural, obj, replace=True)
