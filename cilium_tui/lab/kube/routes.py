"""The REST surface: URL parsing, authentication, authorization, and one handler per verb.

Paths are parsed by hand (not an aiohttp route table) so that anything the lab does not serve gets
the real server's 404 `Status`, and so that authorization sees the same (verb, resource, namespace)
that a SelfSubjectAccessReview asks about.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from cilium_tui.lab.kube import discovery, tables
from cilium_tui.lab.kube.access import AccessRules
from cilium_tui.lab.kube.errors import (
    ApiError,
    bad_request,
    forbidden,
    invalid,
    method_not_allowed,
    not_found,
    status_body,
    too_many_requests,
    unauthorized,
)
from cilium_tui.lab.kube.exec import (
    ExecHandler,
    ReadyAnswer,
    choose_container,
    parse_exec_query,
    require_running,
    serve_exec,
)
from cilium_tui.lab.kube.notify import Notifier
from cilium_tui.lab.kube.patch import apply_patch
from cilium_tui.lab.kube.protobuf import decode_access_review
from cilium_tui.lab.kube.requestlog import RecordedRequest, RequestLog
from cilium_tui.lab.kube.resources import ResourceType, lookup
from cilium_tui.lab.kube.selectors import object_filter
from cilium_tui.lab.kube.store import JSON, Store
from cilium_tui.lab.kube.watch import WatchHub, WatchRequest, serve_watch

log = logging.getLogger(__name__)

USER = "lab-admin"
PROTOBUF = "application/vnd.kubernetes.protobuf"


@dataclass
class Knobs:
    """Fault and timing knobs, changed by tests and the demo while the server runs."""

    latency: float = 0.0
    """Seconds added to every request."""
    exec_fail: set[str] = field(default_factory=set)
    """Pod names whose exec fails before it starts (the kubelet cannot be reached)."""
    exec_hang: set[str] = field(default_factory=set)
    """Pod names whose exec starts and then never answers."""
    exec_stall: set[str] = field(default_factory=set)
    """Pod names whose exec upgrade request is never answered (a kubelet that hangs)."""
    unready_nodes: set[str] = field(default_factory=set)
    """Nodes whose agent container never becomes Ready (it crash-loops)."""
    answer_late_after: dict[str, int] = field(default_factory=dict)
    """How many more such requests are answered on time before `answer_late` applies."""
    answer_late: dict[str, float] = field(default_factory=dict)
    """"patch configmaps", "delete pods"...: such requests are carried out at once and answered
    this many seconds later (a server that applied a change but whose answer is lost or slow)."""


@dataclass(frozen=True)
class Target:
    """What a resource URL names."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None


def _not_served() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def parse_target(segments: list[str]) -> Target:
    """`/api/v1/...` or `/apis/{group}/{version}/...` into a Target (404 when not served)."""
    if segments[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", segments[2:]
    elif len(segments) >= 3 and segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        raise _not_served()
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        raise _not_served()
    rt = lookup(group, version, rest[0])
    if rt is None or (namespace is not None and not rt.namespaced):
        raise _not_served()
    name = rest[1] if len(rest) > 1 else None
    if name is not None and rt.namespaced and namespace is None:
        raise _not_served()
    return Target(rt, namespace, name, rest[2] if len(rest) > 2 else None)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


def _truthy(value: str | None) -> bool:
    return value in ("true", "1")


def _table(request: web.Request, t: Target, objects: list[JSON], meta: JSON) -> web.Response | None:
    """The objects as a server-side Table, when the client asked for one and the type has one."""
    version = tables.table_version(request.headers.get("Accept", ""))
    if version is None or not tables.has_table(t.rt):
        return None
    include = request.query.get("includeObject")
    return _json(tables.to_table(t.rt, objects, meta, version, include_object=include))


def _list_key(obj: JSON) -> str:
    return f"{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"


def _list_kind(rt: ResourceType) -> str:
    return f"{rt.kind}List"


def _encode_continue(rv: str, after: str) -> str:
    return base64.urlsafe_b64encode(_dumps({"rv": rv, "start": after}).encode()).decode()


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad_request("continue key is not valid: not a lab continue token") from None


class KubeApi:
    """The aiohttp application of the lab API server (it runs on the server's loop)."""

    def __init__(
        self,
        *,
        store: Store,
        token: str,
        version: str,
        requests: RequestLog,
        access: AccessRules,
        knobs: Knobs,
        exec_handler: Callable[[], ExecHandler],
        exec_ready: Callable[[], ReadyAnswer],
        bookmark_interval: float,
    ) -> None:
        self.store = store
        self.token = token
        self.version = version
        self.requests = requests
        self.access = access
        self.knobs = knobs
        self._exec_handler = exec_handler
        self._exec_ready = exec_ready
        self.bookmark_interval = bookmark_interval
        self.server_address = "127.0.0.1:6443"
        self.notifier: Notifier | None = None
        self.stopping = asyncio.Event()

    def application(self, notifier: Notifier) -> web.Application:
        self.notifier = notifier
        app = web.Application(middlewares=[self._middleware], client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        return app

    # -- middleware: latency, auth, errors, the request log --------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        body = await request.read()
        status = 500
        try:
            if self.knobs.latency > 0:
                await asyncio.sleep(self.knobs.latency)
            self._authenticate(request)
            response = await handler(request)
            status = response.status
            return response
        except ApiError as e:
            status = e.code
            return _json(e.status(), e.code)
        except web.HTTPException as e:
            status = e.status
            raise
        except Exception as e:
            log.exception("lab apiserver: %s %s failed", request.method, request.path_qs)
            status = 500
            return _json(status_body(500, "InternalError", f"Internal error occurred: {e}"), 500)
        finally:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    query=tuple(request.query.items()),
                    content_type=request.headers.get("Content-Type", ""),
                    body=body,
                    status=status,
                    user_agent=request.headers.get("User-Agent", ""),
                )
            )

    def _authenticate(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), self.token):
            raise unauthorized()

    def _authorize(self, verb: str, t: Target, name: str | None = None) -> None:
        resource = f"{t.rt.plural}/{t.subresource}" if t.subresource else t.rt.plural
        if self.access.throttled(verb, resource):
            raise too_many_requests()
        allowed, _ = self.access.decide(verb, resource, t.rt.group, t.namespace)
        if not allowed:
            raise forbidden(
                USER, verb, resource, group=t.rt.group, namespace=t.namespace, name=name
            )

    # -- dispatch ------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        segments = [s for s in request.path.split("/") if s]
        doc = self._discovery(segments) if request.method == "GET" else None
        if doc is not None:
            return _json(doc)
        if segments == ["apis", discovery.AUTHORIZATION_GROUP, "v1", "selfsubjectaccessreviews"]:
            if request.method != "POST":
                raise method_not_allowed(request.method)
            return await self._access_review(request)
        t = parse_target(segments)
        method = request.method
        if t.subresource == "exec" and t.rt.plural == "pods":
            return await self._exec(request, t)
        if t.subresource is not None:
            raise _not_served()
        if method == "GET":
            if t.name is not None:
                return self._get(request, t)
            if _truthy(request.query.get("watch")):
                return await self._watch(request, t)
            return self._list(request, t)
        if method == "POST" and t.name is None:
            return await self._create(request, t)
        if method == "PATCH" and t.name is not None:
            return await self._patch(request, t)
        if method == "DELETE" and t.name is not None:
            return await self._delete(request, t)
        raise method_not_allowed(method)

    def _discovery(self, segments: list[str]) -> JSON | None:
        if segments == ["version"]:
            return discovery.version_info(self.version)
        if segments == ["api"]:
            return discovery.api_versions(self.server_address)
        if segments == ["apis"]:
            return discovery.api_group_list()
        if segments == ["api", "v1"]:
            return discovery.resource_list("v1")
        if len(segments) in (2, 3) and segments[0] == "apis":
            if len(segments) == 2:
                doc = discovery.api_group(segments[1])
            else:
                doc = discovery.resource_list(f"{segments[1]}/{segments[2]}")
            if doc is None:
                raise _not_served()
            return doc
        return None

    def _require_verb(self, t: Target, verb: str) -> None:
        if verb not in t.rt.verbs:
            raise method_not_allowed(verb.upper())

    # -- verbs ---------------------------------------------------------------------------------

    def _get(self, request: web.Request, t: Target) -> web.Response:
        self._authorize("get", t, t.name)
        assert t.name is not None
        obj = self.store.peek(t.rt.plural, t.namespace, t.name)
        if obj is None:
            raise not_found(t.rt.plural, t.name, t.rt.group)
        table = _table(request, t, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]})
        return table or _json(obj)

    def _list(self, request: web.Request, t: Target) -> web.Response:
        self._authorize("list", t)
        q = request.query
        items, rv = self.store.list(
            t.rt.plural,
            t.namespace,
            label_selector=q.get("labelSelector"),
            field_selector=q.get("fieldSelector"),
            copy_objects=False,
        )
        start = ""
        if q.get("continue"):
            rv, start = _decode_continue(q["continue"])
        keyed = [(k, o) for k, o in ((_list_key(o), o) for o in items) if k > start]
        meta: JSON = {"resourceVersion": rv}
        limit = int(q["limit"]) if q.get("limit", "").isdigit() and int(q["limit"]) > 0 else 0
        if limit and len(keyed) > limit:
            meta["continue"] = _encode_continue(rv, keyed[limit - 1][0])
            meta["remainingItemCount"] = len(keyed) - limit
            keyed = keyed[:limit]
        table = _table(request, t, [o for _, o in keyed], meta)
        if table is not None:
            return table
        # Typed lists carry kind/apiVersion once, on the list, not on each item.
        body_items = [
            {k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for _, o in keyed
        ]
        return _json(
            {
                "kind": _list_kind(t.rt),
                "apiVersion": t.rt.api_version,
                "metadata": meta,
                "items": body_items,
            }
        )

    async def _watch(self, request: web.Request, t: Target) -> web.StreamResponse:
        self._authorize("watch", t)
        q = request.query
        matches = object_filter(q.get("labelSelector"), q.get("fieldSelector"), t.rt.field_labels)
        req = WatchRequest.from_query(t.rt, t.namespace, matches, q)
        assert self.notifier is not None
        hub = WatchHub(self.store, self.notifier, self.stopping, self.bookmark_interval)
        return await serve_watch(request, req, hub)

    async def _patch(self, request: web.Request, t: Target) -> web.Response:
        self._require_verb(t, "patch")
        self._authorize("patch", t, t.name)
        assert t.name is not None
        raw = await request.read()
        content_type = request.headers.get("Content-Type", "")
        dry_run = request.query.get("dryRun") == "All"

        def change(current: JSON) -> JSON:
            patched = apply_patch(content_type, current, raw)
            for fixed in ("kind", "apiVersion"):
                patched[fixed] = current[fixed]
            if "status" in current:  # status belongs to the status subresource
                patched["status"] = current["status"]
            name = (patched.get("metadata") or {}).get("name")
            if name != current["metadata"]["name"]:
                raise bad_request(
                    f"the name of the object ({name}) does not match the name on the URL "
                    f"({current['metadata']['name']})"
                )
            _validate(t.rt, patched)
            return patched

        result = self.store.update(t.rt.plural, t.namespace, t.name, change, dry_run=dry_run)
        await self._answer_late("patch", t)
        return _json(result)

    async def _create(self, request: web.Request, t: Target) -> web.Response:
        self._require_verb(t, "create")
        self._authorize("create", t)
        try:
            obj = json.loads(await request.read())
        except ValueError as e:
            raise bad_request(f"the body of the request is not JSON: {e}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise bad_request(f"the body is not a {t.rt.kind} object")
        if obj.get("kind") != t.rt.kind or obj.get("apiVersion") != t.rt.api_version:
            raise bad_request(
                f"the body is a {obj.get('apiVersion')} {obj.get('kind')}, not a "
                f"{t.rt.api_version} {t.rt.kind}"
            )
        meta = obj["metadata"]
        if not isinstance(meta.get("name"), str) or not meta["name"]:
            raise ApiError(422, "Invalid", "metadata.name: Required value", {"kind": t.rt.kind})
        if meta.setdefault("namespace", t.namespace) != t.namespace:
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent on "
                "the request"
            )
        _validate(t.rt, obj)
        if request.query.get("dryRun") == "All":
            return _json(obj, 201)
        return _json(self.store.create(t.rt.plural, obj), 201)

    async def _answer_late(self, verb: str, t: Target) -> None:
        key = f"{verb} {t.rt.plural}"
        delay = self.knobs.answer_late.get(key, 0.0)
        if self.knobs.answer_late_after.get(key, 0) > 0:
            self.knobs.answer_late_after[key] -= 1
            return
        if delay > 0:
            await asyncio.sleep(delay)

    async def _delete(self, request: web.Request, t: Target) -> web.Response:
        self._require_verb(t, "delete")
        self._authorize("delete", t, t.name)
        assert t.name is not None
        raw = await request.read()
        options = json.loads(raw) if raw.strip() else {}
        current = self.store.peek(t.rt.plural, t.namespace, t.name)
        if current is None:
            raise not_found(t.rt.plural, t.name, t.rt.group)
        preconditions = (options or {}).get("preconditions") or {}
        for field_name, key in (("UID", "uid"), ("ResourceVersion", "resourceVersion")):
            wanted = preconditions.get(key)
            if wanted and wanted != current["metadata"][key]:
                raise ApiError(
                    409,
                    "Conflict",
                    f"Precondition failed: {field_name} in precondition: {wanted}, "
                    f"{field_name} in object meta: {current['metadata'][key]}",
                    {"name": t.name, "kind": t.rt.plural},
                )
        if request.query.get("dryRun") == "All":
            return _json(current)
        deleted = self.store.delete(t.rt.plural, t.namespace, t.name)
        await self._answer_late("delete", t)
        return _json(deleted)

    async def _exec(self, request: web.Request, t: Target) -> web.StreamResponse:
        self._authorize("create", t, t.name)
        assert t.name is not None and t.namespace is not None
        if request.method not in ("GET", "POST"):
            raise method_not_allowed(request.method)
        argv, flags = parse_exec_query(request.query)
        pod = self.store.peek("pods", t.namespace, t.name)
        if pod is None:
            raise not_found("pods", t.name)
        container = choose_container(pod, request.query.get("container"))
        upgrade = request.headers.get("Upgrade", "").lower()
        if upgrade.startswith("spdy"):
            raise invalid(
                "SPDY is not emulated by the cilium-tui lab: use kubectl >= 1.30 (websocket exec)"
            )
        if upgrade != "websocket":
            raise bad_request("Upgrade request required")
        if t.name in self.knobs.exec_fail:
            host = pod.get("status", {}).get("hostIP", "127.0.0.1")
            raise ApiError(
                500,
                "InternalError",
                f"error dialing backend: dial tcp {host}:10250: connect: connection refused",
            )
        require_running(pod, container)
        if t.name in self.knobs.exec_stall:
            await self.stopping.wait()  # no handshake answer until the lab stops
            raise ApiError(503, "ServiceUnavailable", "the lab is stopping")
        return await serve_exec(
            request,
            namespace=t.namespace,
            pod=t.name,
            container=container,
            argv=argv,
            flags=flags,
            handler=self._exec_handler(),
            answered=self._exec_ready(),
            hang=t.name in self.knobs.exec_hang,
            stopping=self.stopping,
        )

    async def _access_review(self, request: web.Request) -> web.Response:
        media = request.headers.get("Content-Type", "").split(";", 1)[0].strip()
        raw = await request.read()
        if media == PROTOBUF:
            review = decode_access_review(raw)
        elif media in ("application/json", ""):  # the real server defaults to JSON
            try:
                review = json.loads(raw)
            except ValueError:
                raise bad_request("a SelfSubjectAccessReview must be a JSON object") from None
        else:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types "
                f"include: application/json, {PROTOBUF} (got {media or 'none'})",
            )
        spec = review.get("spec") if isinstance(review, dict) else None
        if not isinstance(spec, dict):
            raise bad_request("a SelfSubjectAccessReview needs a spec")
        attrs = spec.get("resourceAttributes")
        if attrs is None:
            allowed, reason = True, ""  # non-resource URLs: the lab serves them to everyone
        else:
            resource = attrs.get("resource", "")
            if attrs.get("subresource"):
                resource = f"{resource}/{attrs['subresource']}"
            allowed, reason = self.access.decide(
                attrs.get("verb", ""), resource, attrs.get("group", ""), attrs.get("namespace")
            )
        status: JSON = {"allowed": allowed}
        if reason:
            status["reason"] = reason
        answer = {
            "kind": "SelfSubjectAccessReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None},
            "spec": spec,
            "status": status,
        }
        return _json(answer, 201)


def _validate(rt: ResourceType, obj: JSON) -> None:
    """The checks the real server makes on what the lab lets clients write."""
    if rt.plural == "ciliumnodeconfigs":
        spec = obj.get("spec")
        defaults = spec.get("defaults") if isinstance(spec, dict) else None
        if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
            raise ApiError(
                422,
                "Invalid",
                "CiliumNodeConfig.cilium.io is invalid: spec.defaults: Invalid value: must be a "
                "map of strings",
                {"kind": rt.kind},
            )
    if rt.plural == "configmaps":
        for section in ("data", "binaryData"):
            values = obj.get(section)
            if values is None:
                continue
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                raise bad_request(
                    f'ConfigMap in version "v1" cannot be handled as a ConfigMap: {section} '
                    "values must be strings"
                )
