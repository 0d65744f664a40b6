"""`?watch=true`: newline-delimited watch events, as the real server streams them.

Semantics kept from the real server:
- no resourceVersion (or "0"): ADDED for every current object, then live events;
- a resourceVersion: the events after it, from the store's history window; if the window has moved
  past it, one ERROR event carrying a 410 Expired Status, then the stream ends (clients re-list);
- selectors apply to both the old and the new object, so an object entering the selection arrives as
  ADDED and one leaving it as DELETED;
- `timeoutSeconds` ends the stream; `allowWatchBookmarks` adds BOOKMARK events carrying the current
  resourceVersion, so a quiet watch can still resume from a recent point.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cilium_tui.lab.kube.errors import ApiError, bad_request
from cilium_tui.lab.kube.notify import Notifier
from cilium_tui.lab.kube.resources import ResourceType
from cilium_tui.lab.kube.store import JSON, Store, StoreEvent

DEFAULT_TIMEOUT = 1800.0
"""The real server picks a random timeout of 30 to 60 minutes when the client gives none."""


@dataclass(frozen=True)
class WatchRequest:
    rt: ResourceType
    namespace: str | None
    matches: Callable[[Mapping[str, Any]], bool]
    resource_version: str | None
    timeout: float
    bookmarks: bool

    @classmethod
    def from_query(
        cls,
        rt: ResourceType,
        namespace: str | None,
        matches: Callable[[Mapping[str, Any]], bool],
        query: Mapping[str, str],
    ) -> WatchRequest:
        raw_timeout = query.get("timeoutSeconds")
        try:
            timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT
        except ValueError:
            raise bad_request(f"invalid timeoutSeconds: {raw_timeout!r}") from None
        if query.get("sendInitialEvents") == "true":
            raise ApiError(422, "Invalid", "lab apiserver: sendInitialEvents is not emulated")
        return cls(
            rt=rt,
            namespace=namespace,
            matches=matches,
            resource_version=query.get("resourceVersion") or None,
            timeout=timeout,
            bookmarks=query.get("allowWatchBookmarks") in ("true", "1"),
        )


def _line(kind: str, obj: JSON) -> bytes:
    return json.dumps({"type": kind, "object": obj}, separators=(",", ":")).encode() + b"\n"


def _visible(req: WatchRequest, obj: JSON | None) -> bool:
    if obj is None:
        return False
    if req.namespace is not None and obj["metadata"].get("namespace") != req.namespace:
        return False
    return req.matches(obj)


def translate(req: WatchRequest, event: StoreEvent) -> tuple[str, JSON] | None:
    """The event this watcher sees for a store event, if any."""
    now = _visible(req, event.object)
    if event.type != "MODIFIED":
        return (event.type, event.object) if now else None
    before = _visible(req, event.previous)
    if before and now:
        return "MODIFIED", event.object
    if now:
        return "ADDED", event.object
    if before:
        return "DELETED", event.object
    return None


@dataclass(frozen=True)
class WatchHub:
    """What every watch stream of a server shares."""

    store: Store
    notifier: Notifier
    stopping: asyncio.Event
    bookmark_interval: float


async def serve_watch(request: web.Request, req: WatchRequest, hub: WatchHub) -> web.StreamResponse:
    if req.resource_version in (None, "0"):
        start_rv: int | None = None
    else:
        try:
            start_rv = int(req.resource_version or "")
        except ValueError:
            raise bad_request(f"invalid resourceVersion: {req.resource_version!r}") from None

    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        await _stream(request, response, req, start_rv, hub)
        await response.write_eof()
    except ConnectionResetError:  # the client went away: nothing left to tell it
        pass
    return response


async def _stream(
    request: web.Request,
    response: web.StreamResponse,
    req: WatchRequest,
    start_rv: int | None,
    hub: WatchHub,
) -> None:
    store, notifier, bookmark_interval = hub.store, hub.notifier, hub.bookmark_interval
    waiter = notifier.waiter()
    if start_rv is None:
        items, rv = store.list(req.rt.plural, req.namespace, copy_objects=False)
        start_rv = int(rv)
        for obj in items:
            if req.matches(obj):
                await response.write(_line("ADDED", obj))

    deadline = time.monotonic() + req.timeout
    last_bookmark = time.monotonic()
    while not hub.stopping.is_set():
        if request.transport is None or request.transport.is_closing():
            return
        try:
            events, current = store.events_since(start_rv, req.rt.plural)
        except ApiError as e:
            await response.write(_line("ERROR", e.status()))
            return
        for event in events:
            seen = translate(req, event)
            if seen is not None:
                await response.write(_line(*seen))
        start_rv = current
        now = time.monotonic()
        if req.bookmarks and now - last_bookmark >= bookmark_interval:
            bookmark = {
                "kind": req.rt.kind,
                "apiVersion": req.rt.api_version,
                "metadata": {"resourceVersion": str(current)},
            }
            await response.write(_line("BOOKMARK", bookmark))
            last_bookmark = now
        if now >= deadline:
            return
        wake_in = deadline - now
        if req.bookmarks:
            wake_in = min(wake_in, bookmark_interval - (now - last_bookmark))
        await Notifier.wait(waiter, wake_in)
        waiter = notifier.waiter()
