"""The Kubernetes side of collection: an async facade over the official (synchronous) client.

Every call runs in a worker thread, bounded by a semaphore, with a per-call timeout, and returns
plain dicts exactly as the API serves them (`_preload_content=False` + `json.loads`): the facts
parsers take dicts, and no model (de)serialisation can drop a field they need. Failures are one
`KubeError` subclass each, worded for the person at the keyboard.

    async with await KubeClient.connect(kubeconfig=None, context=None) as kube:
        nodes = await kube.list_nodes()
        agents = await kube.find_agent_pods()
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import json
import re
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple, TypeVar, cast

import aiohttp
import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.watch import watch as _watch

from cilium_tui import __version__
from cilium_tui.collect.fdlimit import exec_budget
from cilium_tui.collect.kube_exec import HandshakeFailed, ResumingContext, WebsocketExec
from cilium_tui.collect.kubeconfig import (
    KubeconfigChoice,
    KubeconfigError,
    NoKubeconfigError,
    choose,
)
from cilium_tui.facts import node_config
from cilium_tui.facts.pod import (
    AGENT_LABEL,
    KUBE_PROXY_LABELS,
    agent_namespace,
    image_version,
    kube_proxy_hidden,
)
from cilium_tui.facts.status import parse_status
from cilium_tui.facts.status_json import STATUS_JSONPATH, parse_status_json, status_from_jsonpath
from cilium_tui.facts.version import cilium_at_least
from cilium_tui.model import AgentStatus

JSON = dict[str, Any]
T = TypeVar("T")

AGENT_SELECTOR = "=".join(AGENT_LABEL)
AGENT_CONTAINER = "cilium-agent"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
BEARER = "BearerToken"
"""Where the kubernetes client keeps the `Authorization` header's value ("Bearer <token>")."""
MERGE_PATCH = "application/merge-patch+json"

# The client's untyped helpers, typed as we use them.
_iter_resp_lines = cast(Callable[[Any], Iterator[str]], _watch.iter_resp_lines)
_load_kube_config = cast(Callable[..., None], config.load_kube_config)
STRATEGIC_PATCH = "application/strategic-merge-patch+json"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class KubeError(Exception):
    """Anything that went wrong talking to the cluster; `str()` is a one-line human message."""


class ConfigError(KubeError):
    """The kubeconfig cannot be used (missing file, unknown context, bad credentials config)."""


class NoKubeconfig(ConfigError):
    """There is no kubeconfig at all (see `NoKubeconfigError`)."""


class Unauthorized(KubeError):
    """401: the server does not accept the credentials."""


class Forbidden(KubeError):
    """403: authenticated, but RBAC does not allow it."""


class NotFound(KubeError):
    """404: no such object."""


class Conflict(KubeError):
    """409: the object changed since it was read; `current` is the object as it is now."""

    def __init__(self, message: str, current: JSON | None = None) -> None:
        super().__init__(message)
        self.current = current


class Unreachable(KubeError):
    """No connection to the API server (refused, DNS, TLS, network)."""


class Busy(KubeError):
    """429 (API Priority and Fairness) or 500: the server cannot answer now; try again later."""


class Timeout(KubeError):
    """The server or the command did not answer in time."""


class NotReady(Timeout):
    """A pod the API server lists did not become Ready in time (the server itself answered)."""


class ExecFailed(KubeError):
    """The command could not be started in the container (e.g. the binary is not in the image)."""


class _Expired(KubeError):
    """A watch's resourceVersion left the server's history (410): re-list."""


class NodeList(NamedTuple):
    """Every Node of one list call, and the resourceVersion of that list: where a watch can
    start without listing again."""

    items: list[JSON]
    resource_version: str


def node_stub(node: Mapping[str, Any]) -> JSON:
    """What a watch remembers of a Node: its name and resourceVersion (to tell what changed,
    and which went away, when it lists again). A whole Node (labels, images, conditions) is
    kilobytes, and a client kept one per node for as long as it watched."""
    meta = node.get("metadata") or {}
    return {"metadata": {"name": meta.get("name"), "resourceVersion": meta.get("resourceVersion")}}


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecResult:
    rc: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class AgentPods:
    namespace: str | None
    """Where the agents run, i.e. where `cilium-config` lives; None when no agent was found."""
    pods: list[JSON]


class AgentStatusOutput(NamedTuple):
    raw: str
    fmt: Literal["jsonpath", "json", "text"]
    command: list[str]
    doc: JSON | None = None
    """The status as JSON, decoded once (None for the text forms); from a jsonpath command,
    only the fields the checks read (`facts.status_json.READ_FIELDS`)."""

    def status(self) -> AgentStatus:
        """The facts: from the decoded JSON where there is one, else from the text."""
        return parse_status_json(self.doc) if self.doc is not None else parse_status(self.raw)


StatusFormat = Literal["jsonpath", "json", "text"]
_JSONPATH = f"jsonpath={STATUS_JSONPATH}"
STATUS_COMMANDS: tuple[tuple[list[str], StatusFormat], ...] = (
    # What the checks read, O(1) bytes; the CLI's -o jsonpath is as old as its -o json.
    (["cilium-dbg", "status", "-o", _JSONPATH], "jsonpath"),
    (["cilium", "status", "-o", _JSONPATH], "jsonpath"),  # agents <= 1.14 have no cilium-dbg
    # The full report (every peer listed: O(N) bytes), for the detail view and as a fallback.
    (["cilium-dbg", "status", "-o", "json"], "json"),
    (["cilium", "status", "-o", "json"], "json"),
    (["cilium-dbg", "status"], "text"),
    (["cilium", "status"], "text"),  # agents too old for -o json
)
DBG_CLI_SINCE = "1.15"
"""The first release whose agent image has `cilium-dbg` (older ones have only `cilium`)."""


def _status_commands(
    pod: Mapping[str, Any], container: str, prefer: Sequence[str]
) -> list[tuple[list[str], StatusFormat]]:
    """STATUS_COMMANDS in the order to try them: `prefer` first, then those of the CLI the
    container's image tag says it has (an agent older than DBG_CLI_SINCE is not asked for
    `cilium-dbg`: a cold scan of such a fleet would cost two execs a node)."""
    image = next(
        (
            c.get("image")
            for c in pod.get("spec", {}).get("containers") or []
            if c.get("name") == container
        ),
        None,
    )
    has_dbg = cilium_at_least(
        image_version(image if isinstance(image, str) else None), DBG_CLI_SINCE
    )
    unlikely = "cilium-dbg" if has_dbg is False else None
    return sorted(STATUS_COMMANDS, key=lambda c: (c[0] != list(prefer), c[0][0] == unlikely))


def agent_container(pod: Mapping[str, Any]) -> str:
    """The container of an agent pod to exec in: `cilium-agent`, else the pod's first one."""
    names = [c["name"] for c in pod.get("spec", {}).get("containers") or []]
    return AGENT_CONTAINER if AGENT_CONTAINER in names or not names else names[0]


def shown_command(argv: Sequence[str]) -> str:
    """A command as messages show it: a long argument (the status jsonpath template) cut, to
    `jsonpath=...`."""

    def brief(arg: str) -> str:
        if len(arg) <= 60:
            return arg
        name, equals, _ = arg.partition("=")
        return f"{name}=..." if equals and len(name) < 20 else arg[:57] + "..."

    return " ".join(brief(a) for a in argv)


def go_rfc3339(moment: datetime | None = None) -> str:
    """Go's time.RFC3339 of local time (what kubectl writes): "Z" for UTC, else "+hh:mm"."""
    local = (moment or datetime.now(UTC)).astimezone()
    text = local.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def pod_is_ready(pod: Mapping[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in pod.get("status", {}).get("conditions") or []
    )


def _pod_problem(pod: Mapping[str, Any]) -> str:
    """Why a pod is not Ready, in a few words (e.g. "CrashLoopBackOff: <fatal log line>")."""
    for status in pod.get("status", {}).get("containerStatuses") or []:
        waiting = (status.get("state") or {}).get("waiting")
        if waiting:
            last = ((status.get("lastState") or {}).get("terminated") or {}).get("message")
            return ": ".join(p for p in (waiting.get("reason"), last) if p)
    return str(pod.get("status", {}).get("phase") or "not Ready")


# --------------------------------------------------------------------------------------------
# Translating the client's exceptions
# --------------------------------------------------------------------------------------------


def _status_message(body: Any) -> str | None:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not body:
        return None
    try:
        status = json.loads(body)
    except ValueError:
        return str(body).strip()[:300] or None
    return str(status.get("message")) if isinstance(status, dict) else None


_HANDSHAKE = re.compile(r"Handshake status (\d{3})")


def _handshake_body(reason: str) -> str:
    """The response body in a failed websocket handshake's reason ("status -+-+- headers -+-+-
    body"): the body as served, or, from websocket-client versions that print bytes, the
    `b'...'` repr turned back into the bytes it stands for."""
    body = reason.rsplit("-+-+-", 1)[-1].strip()
    if body.startswith(("b'", 'b"')):  # never JSON
        with contextlib.suppress(ValueError, SyntaxError):
            raw = ast.literal_eval(body)
            if isinstance(raw, bytes):
                return raw.decode("utf-8", "replace")
    return body


class _Translator:
    """Turns client/urllib3/websocket exceptions into KubeErrors that name the cluster."""

    def __init__(self, server: str, context: str) -> None:
        self.server = server
        self.context = context

    def __call__(self, e: BaseException, what: str) -> KubeError:
        if isinstance(e, KubeError):
            return e
        if isinstance(e, ApiException):
            return self._api(e, what)
        if isinstance(e, urllib3.exceptions.MaxRetryError) and e.reason is not None:
            return self(e.reason, what)
        if isinstance(
            e,
            urllib3.exceptions.SSLError
            | ssl.SSLError
            | ssl.CertificateError
            | aiohttp.ClientSSLError,
        ):
            return Unreachable(
                f"TLS with {self.server} failed ({_short(e)}); check the kubeconfig's "
                f"certificate-authority for context {self.context}"
            )
        if isinstance(e, urllib3.exceptions.NewConnectionError):  # (a ConnectTimeoutError too)
            return Unreachable(f"cannot reach {self.server} (context {self.context}): {_short(e)}")
        if isinstance(e, urllib3.exceptions.TimeoutError | TimeoutError):
            return Timeout(f"{what}: {self.server} did not answer in time")
        if isinstance(e, urllib3.exceptions.HTTPError | OSError | aiohttp.ClientError):
            return Unreachable(f"cannot reach {self.server} (context {self.context}): {_short(e)}")
        return KubeError(f"{what}: {type(e).__name__}: {_short(e)}")

    def _api(self, e: ApiException, what: str) -> KubeError:
        code = e.status or 0
        message = _status_message(e.body)
        if code == 0:  # websocket: the reason holds the handshake status and body
            m = _HANDSHAKE.search(str(e.reason))
            if m is None:
                return Unreachable(f"{what}: cannot reach {self.server}: {_short(e.reason)}")
            code = int(m.group(1))
            message = _status_message(_handshake_body(str(e.reason)))
        text = message or f"{code} {e.reason}"
        if code == 401:
            return Unauthorized(
                f"{self.server} rejected the credentials of context {self.context} "
                "(401 Unauthorized): the token or certificate may have expired; refresh the "
                "kubeconfig"
            )
        if code == 403:
            return Forbidden(f"{what}: forbidden: {text}")
        if code == 404:
            return NotFound(f"{what}: {text}")
        if code == 409:
            return Conflict(f"{what}: {text}")
        if code == 410:
            return _Expired(f"{what}: expired: {text}")
        if code in (502, 503, 504):
            return Unreachable(f"{what}: {self.server} answered {code}: {text}")
        if code in (429, 500):
            return Busy(f"{what}: {self.server} answered {code}: {text}")
        return KubeError(f"{what}: {code}: {text}")


_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)(\s+|%20)[^\s'\"]+")


def _short(e: Any) -> str:
    """The first line of an error, credentials removed: an error names the call and the cause,
    never a header's value."""
    text = _CREDENTIAL.sub(r"\1 <redacted>", str(e)).strip()
    return (text.splitlines()[0] if text else type(e).__name__)[:300]


def _checked_token(configuration: client.Configuration, context: str) -> None:
    """Strip the whitespace around a bearer token (a tokenFile ending in a newline, as client-go
    does) on every use, and refuse one with a control character inside. Never prints it."""
    hook = configuration.refresh_api_key_hook

    def clean(config: client.Configuration) -> None:
        if hook is not None:
            hook(config)
        token = config.api_key.get(BEARER)
        if isinstance(token, str):
            config.api_key[BEARER] = token.strip()

    clean(configuration)
    token = configuration.api_key.get(BEARER)
    if isinstance(token, str) and any(not c.isprintable() for c in token):
        raise ConfigError(
            f"context {context}: the user's token contains a control character (a line break "
            "inside it?): fix the kubeconfig or its tokenFile"
        )
    configuration.refresh_api_key_hook = clean  # type: ignore[assignment]


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


DEFAULT_EXEC_CONCURRENCY = 64
"""Execs in flight at once by default (`--concurrency`): each is mostly waiting on the network."""


class KubeClient:
    """One cluster (one kubeconfig context): its ApiClient and worker threads for API calls,
    and one websocket session for execs, which run on the event loop (see `kube_exec`).

    `concurrency` bounds the API calls in flight, `exec_concurrency` the execs (what a scan
    sends one per node: lower it to be gentle with a busy API server)."""

    def __init__(
        self,
        api_client: client.ApiClient,
        choice: KubeconfigChoice,
        *,
        timeout: float = 10.0,
        concurrency: int = 8,
        exec_concurrency: int = DEFAULT_EXEC_CONCURRENCY,
        watch_timeout: int = 30,
    ) -> None:
        self._api = api_client
        self._choice = choice
        self._timeout = timeout
        self._watch_timeout = watch_timeout
        self._limit = asyncio.Semaphore(concurrency)
        self._exec_concurrency = max(1, exec_concurrency)
        self._exec_slots: asyncio.Semaphore | None = None
        self._websocket = WebsocketExec(api_client.configuration, str(api_client.user_agent))
        self._calls = ThreadPoolExecutor(concurrency, thread_name_prefix="kube-call")
        self._streams = ThreadPoolExecutor(4, thread_name_prefix="kube-watch")
        self._translate = _Translator(self.server, choice.context)
        self.last_node_list: NodeList | None = None
        """The latest list of Nodes (a scan's): `watch_nodes(since=...)` starts from it."""

    @classmethod
    async def connect(
        cls,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        timeout: float = 10.0,
        concurrency: int = 8,
        exec_concurrency: int = DEFAULT_EXEC_CONCURRENCY,
        watch_timeout: int = 30,
        env: Mapping[str, str] | None = None,
    ) -> KubeClient:
        """Load the kubeconfig like kubectl (file, $KUBECONFIG, ~/.kube/config; --context).

        Raises ConfigError with a one-line message when it cannot be used.
        """
        choice, api = await asyncio.to_thread(_load_client, kubeconfig, context, env)
        await asyncio.to_thread(_import_api_classes)
        return cls(
            api,
            choice,
            timeout=timeout,
            concurrency=concurrency,
            exec_concurrency=exec_concurrency,
            watch_timeout=watch_timeout,
        )

    # The generated API classes are made on first use; `connect` imports them in a thread first
    # (the client loads them lazily, over a second of imports that must not block the loop).
    @functools.cached_property
    def _core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self._api)

    @functools.cached_property
    def _apps(self) -> client.AppsV1Api:
        return client.AppsV1Api(self._api)

    @functools.cached_property
    def _authz(self) -> client.AuthorizationV1Api:
        return client.AuthorizationV1Api(self._api)

    @functools.cached_property
    def _custom(self) -> client.CustomObjectsApi:
        return client.CustomObjectsApi(self._api)

    @property
    def context(self) -> str:
        return self._choice.context

    @property
    def namespace(self) -> str:
        """The context's default namespace."""
        return self._choice.namespace

    @property
    def server(self) -> str:
        return str(self._api.configuration.host)

    @property
    def exec_tls(self) -> ResumingContext | None:
        """The TLS context every exec shares (None before the first exec)."""
        return self._websocket.tls

    async def close(self) -> None:
        await self._websocket.close()
        self._calls.shutdown(wait=False, cancel_futures=True)
        self._streams.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self._api.close)

    async def __aenter__(self) -> KubeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- plumbing --------------------------------------------------------------------------------

    async def _run(
        self,
        what: str,
        fn: Callable[[], T],
        timeout: float | None = None,
    ) -> T:
        """Run a blocking call in a worker thread, bounded and timed; errors become KubeErrors."""
        limit = self._timeout if timeout is None else timeout

        def guarded() -> T:
            try:
                return fn()
            except BaseException as e:
                raise self._translate(e, what) from e

        loop = asyncio.get_running_loop()
        async with self._limit:
            try:
                # The socket timeouts end the thread; this bound only keeps a stuck one from
                # stalling us.
                return await asyncio.wait_for(
                    loop.run_in_executor(self._calls, guarded), limit + 5.0
                )
            except TimeoutError:
                raise Timeout(f"{what}: no answer from {self.server} in {limit:g} s") from None

    def _request_timeout(self, read: float | None = None) -> tuple[float, float]:
        return (min(self._timeout, 5.0), self._timeout if read is None else read)

    async def _get_json(self, what: str, method: Callable[..., Any], *args: Any, **kw: Any) -> JSON:
        """Call a generated API method and return the raw JSON body as a dict."""

        def call() -> JSON:
            response = method(
                *args, _preload_content=False, _request_timeout=self._request_timeout(), **kw
            )
            try:
                data: JSON = json.loads(response.data)
                return data
            finally:
                response.release_conn()

        return await self._run(what, call)

    # -- reads -----------------------------------------------------------------------------------

    async def list_nodes(self) -> list[JSON]:
        """Every Node, as the API serves it."""
        items, _ = await self._list_nodes()
        return items

    async def _list_nodes(self) -> NodeList:
        body = await self._get_json("list nodes", self._core.list_node)
        listed = NodeList(
            list(body.get("items") or []), str(body["metadata"].get("resourceVersion", ""))
        )
        if listed.resource_version:
            stubs = [node_stub(node) for node in listed.items]
            self.last_node_list = NodeList(stubs, listed.resource_version)
        return listed

    async def list_pods(
        self,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[JSON]:
        kw = {
            k: v
            for k, v in (("label_selector", label_selector), ("field_selector", field_selector))
            if v
        }
        if namespace is None:
            body = await self._get_json("list pods", self._core.list_pod_for_all_namespaces, **kw)
        else:
            body = await self._get_json(
                f"list pods in {namespace}", self._core.list_namespaced_pod, namespace, **kw
            )
        return list(body.get("items") or [])

    async def find_agent_pods(self) -> AgentPods:
        """The Cilium agent pods (label k8s-app=cilium) in whatever namespace they run."""
        pods = await self.list_pods(label_selector=AGENT_SELECTOR)
        namespace = agent_namespace(pods)
        return AgentPods(namespace, [p for p in pods if p["metadata"]["namespace"] == namespace])

    async def get_pod(self, namespace: str, name: str) -> JSON:
        return await self._get_json(
            f"get pod {namespace}/{name}", self._core.read_namespaced_pod, name, namespace
        )

    async def get_configmap(self, namespace: str, name: str) -> JSON:
        return await self._get_json(
            f"get configmap {namespace}/{name}",
            self._core.read_namespaced_config_map,
            name,
            namespace,
        )

    async def get_daemonset(self, namespace: str, name: str) -> JSON:
        return await self._get_json(
            f"get daemonset {namespace}/{name}",
            self._apps.read_namespaced_daemon_set,
            name,
            namespace,
        )

    async def list_node_configs(self, namespace: str) -> list[JSON]:
        """The CiliumNodeConfigs in the agents' namespace, in the newest version served; none
        when the CRD is not installed (Cilium < 1.13). Raises Forbidden and the like."""
        for version in node_config.VERSIONS:
            try:
                body = await self._get_json(
                    f"list {node_config.PLURAL}.{version}.{node_config.GROUP} in {namespace}",
                    self._custom.list_namespaced_custom_object,
                    node_config.GROUP,
                    version,
                    namespace,
                    node_config.PLURAL,
                )
            except NotFound:
                continue
            return list(body.get("items") or [])
        return []

    async def kube_proxy_present(self) -> bool | None:
        """Whether kube-proxy runs: True/False when the API shows it, None when it cannot.

        kube-proxy shows as the `kube-proxy` DaemonSet (kubeadm and most distributions) or as
        static pods (RKE2). K3s runs it inside the k3s process, invisible to the API: unknown.
        """
        try:
            await self.get_daemonset("kube-system", "kube-proxy")
            return True
        except NotFound:
            pass
        except Forbidden:
            return None
        try:
            for key, value in KUBE_PROXY_LABELS:
                if await self.list_pods("kube-system", label_selector=f"{key}={value}"):
                    return True
            body = await self._get_json("list nodes", self._core.list_node, limit=1)
        except Forbidden:
            return None
        for node in body.get("items") or []:
            kubelet = node.get("status", {}).get("nodeInfo", {}).get("kubeletVersion", "")
            if kube_proxy_hidden(kubelet):
                return None
        return False

    # -- watch -----------------------------------------------------------------------------------

    async def _stream(
        self, what: str, method: Callable[..., Any], **kw: Any
    ) -> AsyncIterator[JSON]:
        """Raw watch events of one request; the blocking read runs in a thread.

        The request carries timeoutSeconds, so the server ends it and the thread returns; when
        the consumer stops early, the response socket is shut down to unblock the read at once.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()
        holder: dict[str, Any] = {}

        def put(kind: str, item: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
                loop.call_soon_threadsafe(queue.put_nowait, (kind, item))

        def read() -> None:
            try:
                response = method(
                    watch=True,
                    _preload_content=False,
                    _request_timeout=self._request_timeout(self._watch_timeout + self._timeout),
                    timeout_seconds=self._watch_timeout,
                    **kw,
                )
                holder["response"] = response
                if stop.is_set():
                    return
                for line in _iter_resp_lines(response):
                    if stop.is_set():
                        return
                    put("event", json.loads(line))
                put("end", None)
            except BaseException as e:
                if not stop.is_set():
                    put("error", self._translate(e, what))
            finally:
                response = holder.get("response")
                if response is not None:
                    response.release_conn()

        worker = loop.run_in_executor(self._streams, read)
        try:
            while True:
                kind, item = await queue.get()
                if kind == "event":
                    yield item
                elif kind == "end":
                    return
                else:
                    raise item
        finally:
            stop.set()
            response = holder.get("response")
            if response is not None:
                with contextlib.suppress(Exception):
                    response.shutdown()
            worker.cancel()

    async def watch_nodes(self, since: NodeList | None = None) -> AsyncIterator[tuple[str, JSON]]:
        """(type, node) events until cancelled: ADDED, MODIFIED, DELETED.

        `since` is a list the caller already has (a scan's `last_node_list`): the watch starts
        from its resourceVersion, so only what changed after it arrives. Without one it lists
        first (ADDED for each node). It resumes from the last resourceVersion after a disconnect
        or a server-side timeout, backs off and retries when the server is busy (429, 500) or a
        stream ends at once, and re-lists when the server says the version expired (410),
        emitting what changed in between.
        """
        known: dict[str, JSON] = {}
        if since is not None:
            rv = since.resource_version
            known = {node["metadata"]["name"]: node for node in since.items}
        else:
            items, rv = await self._list_nodes()
            for node in items:
                known[node["metadata"]["name"]] = node_stub(node)
                yield "ADDED", node
        delay = 0.5
        while True:
            events = 0
            try:
                async for event in self._stream(
                    "watch nodes",
                    self._core.list_node,
                    resource_version=rv,
                    allow_watch_bookmarks=True,
                ):
                    events += 1
                    kind, obj = event.get("type"), event.get("object") or {}
                    if kind == "ERROR":
                        if obj.get("code") == 410:
                            raise _Expired(str(obj.get("message")))
                        error = Busy if obj.get("code") in (429, 500) else KubeError
                        raise error(f"watch nodes: {obj.get('message', obj)}")
                    rv = obj.get("metadata", {}).get("resourceVersion", rv)
                    if kind not in ("ADDED", "MODIFIED", "DELETED"):
                        continue  # BOOKMARK: only moves the resourceVersion on
                    name = obj["metadata"]["name"]
                    if kind == "DELETED":
                        known.pop(name, None)
                    else:
                        known[name] = node_stub(obj)
                    yield kind, obj
                if events:
                    delay = 0.5
                else:  # a stream that ends at once (a proxy, an overloaded server): back off
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 10.0)
            except _Expired:
                items, rv = await self._list_nodes()
                fresh = {n["metadata"]["name"]: n for n in items}
                for name in sorted(set(known) - set(fresh)):
                    yield "DELETED", known[name]
                for name, node in fresh.items():
                    before = known.get(name)
                    if before is None:
                        yield "ADDED", node
                    elif before["metadata"].get("resourceVersion") != node["metadata"].get(
                        "resourceVersion"
                    ):
                        yield "MODIFIED", node
                known = {name: node_stub(node) for name, node in fresh.items()}
            except (Unreachable, Timeout, Busy):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    # -- exec ------------------------------------------------------------------------------------

    async def exec(
        self,
        namespace: str,
        pod: str,
        container: str,
        argv: Sequence[str],
        timeout: float = 10.0,
    ) -> ExecResult:
        """Run argv in a container (like `kubectl exec`); stdout and stderr kept apart.

        Raises ExecFailed when the command cannot start, Timeout when it does not finish.
        """
        command = list(argv)
        what = f"exec {shown_command(command)} in {namespace}/{pod}"
        if self._exec_slots is None:  # sized when the scan starts: its sockets are open then
            self._exec_slots = asyncio.Semaphore(exec_budget(self._exec_concurrency))
        async with self._exec_slots:
            ws = None
            try:
                async with asyncio.timeout(timeout):
                    ws = await self._websocket.start(namespace, pod, container, command)
                    streams = await self._websocket.finish(ws)
            except TimeoutError:
                if ws is None:  # the upgrade was never answered
                    late = f"no answer from {self.server} in {timeout:g} s"
                    raise Timeout(f"{what}: {late}") from None
                raise Timeout(f"{what}: no result after {timeout:g} s") from None
            except HandshakeFailed as e:
                refused = ApiException(status=e.status, reason="Handshake refused")
                refused.body = e.body
                raise self._translate(refused, what) from None
            except (aiohttp.ClientError, OSError, ssl.SSLError) as e:
                raise self._translate(e, what) from None
        return _exec_result(what, streams.stdout, streams.stderr, streams.status)

    async def agent_status(
        self,
        pod: Mapping[str, Any],
        *,
        timeout: float = 10.0,
        prefer: Sequence[str] | None = None,
        full: bool = False,
    ) -> AgentStatusOutput:
        """The agent's own status report, trying the commands of every Cilium generation.

        `cilium-dbg status -o jsonpath=...` (only the fields the checks read; `full`: skipped, for
        the whole report), then `-o json`, each also as `cilium status` (agents <= 1.14), then the
        text forms (agents without -o json); the first that answers wins. `prefer` (a command that
        answered before, e.g. for the same image) is tried first, and an agent whose image tag is
        older than DBG_CLI_SINCE is asked as `cilium` first, so a fleet of old agents costs one
        exec each, not two, even on a cold scan (where every node starts before any answered).
        Raises KubeError listing every attempt when none does; a
        timeout or an unreachable pod stops at once.
        """
        meta = pod["metadata"]
        container = agent_container(pod)
        failures: list[str] = []
        for command, fmt in _status_commands(pod, container, prefer or ()):
            if full and fmt == "jsonpath":
                continue
            try:
                result = await self.exec(
                    meta["namespace"], meta["name"], container, command, timeout
                )
            except ExecFailed as e:
                failures.append(f"{shown_command(command)}: {e}")
                continue
            output = result.stdout.strip()
            doc: JSON | None = None
            if fmt == "jsonpath":
                doc = status_from_jsonpath(result.stdout) if result.rc == 0 else None
                if not doc:
                    failures.append(
                        f"{shown_command(command)}: rc {result.rc}, no fields"
                        + (f" ({_short(result.stderr)})" if result.stderr else "")
                    )
                    continue
            elif fmt == "json":
                try:
                    doc = json.loads(output)
                except ValueError:
                    doc = None
                if not isinstance(doc, dict):
                    failures.append(
                        f"{shown_command(command)}: rc {result.rc}, no JSON output"
                        + (f" ({_short(result.stderr)})" if result.stderr else "")
                    )
                    continue
            elif not output:
                failures.append(f"{shown_command(command)}: rc {result.rc}, no output")
                continue
            return AgentStatusOutput(result.stdout, fmt, command, doc)
        raise KubeError(
            f"agent status of {meta['namespace']}/{meta['name']}: " + "; ".join(failures)
        )

    # -- writes ----------------------------------------------------------------------------------

    async def patch_configmap_data(
        self,
        namespace: str,
        name: str,
        changes: Mapping[str, str | None],
        resource_version: str | None,
        *,
        annotations: Mapping[str, str | None] | None = None,
    ) -> JSON:
        """Set (or, with None, remove) keys of a ConfigMap's data (and `annotations`), only if it
        is unchanged (with no `resource_version`: whatever it is now).

        A merge patch carrying `metadata.resourceVersion`: if someone changed the object since
        it was read, the server refuses (409) and this raises Conflict with the current object.
        """
        meta: dict[str, Any] = {"resourceVersion": resource_version} if resource_version else {}
        if annotations:
            meta["annotations"] = dict(annotations)
        body = {"metadata": meta, "data": dict(changes)}
        try:
            return await self._get_json(
                f"patch configmap {namespace}/{name}",
                self._core.patch_namespaced_config_map,
                name,
                namespace,
                body,
                _content_type=MERGE_PATCH,
            )
        except Conflict as e:
            current = await self.get_configmap(namespace, name)
            raise Conflict(
                f"configmap {namespace}/{name} changed since it was read (resourceVersion "
                f"{resource_version}, now {current['metadata'].get('resourceVersion')}); "
                "re-read it and review the change again",
                current,
            ) from e

    async def delete_pod(self, namespace: str, name: str, *, uid: str | None = None) -> JSON:
        """Delete a pod; with `uid`, only that very pod (Conflict when it was replaced)."""
        body = {"preconditions": {"uid": uid}} if uid is not None else None
        return await self._get_json(
            f"delete pod {namespace}/{name}",
            self._core.delete_namespaced_pod,
            name,
            namespace,
            body=body,
        )

    async def rollout_restart_daemonset(self, namespace: str, name: str) -> JSON:
        """What `kubectl rollout restart ds/NAME` sends: a strategic merge patch of the
        template's `kubectl.kubernetes.io/restartedAt` annotation (the pods roll respecting
        maxUnavailable)."""
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: go_rfc3339()}}}}}
        return await self._get_json(
            f"restart daemonset {namespace}/{name}",
            self._apps.patch_namespaced_daemon_set,
            name,
            namespace,
            body,
            _content_type=STRATEGIC_PATCH,
        )

    async def wait_pod_ready(
        self,
        namespace: str,
        node: str,
        timeout: float,
        *,
        replacing: Mapping[str, Any] | None = None,
        poll: float = 0.5,
    ) -> JSON:
        """The agent pod on `node` once it is Ready (and, with `replacing`, is not that pod).

        Raises Timeout naming what the pod is stuck on (e.g. CrashLoopBackOff and its error).
        """
        old_uid = replacing["metadata"]["uid"] if replacing is not None else None
        deadline = time.monotonic() + timeout
        last: JSON | None = None
        while True:
            pods = await self.list_pods(
                namespace, label_selector=AGENT_SELECTOR, field_selector=f"spec.nodeName={node}"
            )
            candidates = [p for p in pods if p["metadata"]["uid"] != old_uid]
            for pod in candidates:
                if pod_is_ready(pod):
                    return pod
            last = candidates[0] if candidates else last
            left = deadline - time.monotonic()
            if left <= 0:
                state = (
                    f"{last['metadata']['name']} is {_pod_problem(last)}"
                    if last is not None
                    else "no new agent pod"
                )
                raise NotReady(f"agent on node {node} not Ready after {timeout:g} s: {state}")
            await asyncio.sleep(min(poll, left))

    async def can_i(
        self, verb: str, resource: str, namespace: str | None, group: str = ""
    ) -> tuple[bool, str]:
        """Ask the server (SelfSubjectAccessReview) whether we may; resource may be "pods/exec"."""
        name, _, sub = resource.partition("/")
        attrs = {"verb": verb, "resource": name, "group": group}
        if sub:
            attrs["subresource"] = sub
        if namespace:
            attrs["namespace"] = namespace
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attrs},
        }
        answer = await self._get_json(
            f"can-i {verb} {resource}", self._authz.create_self_subject_access_review, body
        )
        status = answer.get("status") or {}
        return bool(status.get("allowed")), str(status.get("reason") or "")


def _exec_result(what: str, stdout: str, stderr: str, status_text: str) -> ExecResult:
    """Read the channel-3 Status ourselves: the client's `returncode` raises ValueError when the
    status is an InternalError (no numeric cause), which is exactly the case we must report."""
    if not status_text:
        raise KubeError(f"{what}: the stream closed without an exit status")
    try:
        status = json.loads(status_text)
    except ValueError:
        raise KubeError(f"{what}: unreadable exit status {status_text[:200]!r}") from None
    if status.get("status") == "Success":
        return ExecResult(0, stdout, stderr)
    if status.get("reason") == "NonZeroExitCode":
        for cause in (status.get("details") or {}).get("causes") or []:
            if cause.get("reason") == "ExitCode":
                with contextlib.suppress(TypeError, ValueError):
                    return ExecResult(int(cause.get("message")), stdout, stderr)
    raise ExecFailed(str(status.get("message") or status_text))


def _load_client(
    kubeconfig: str | None, context: str | None, env: Mapping[str, str] | None
) -> tuple[KubeconfigChoice, client.ApiClient]:
    try:
        choice = choose(kubeconfig, context, env=env)
    except NoKubeconfigError as e:
        raise NoKubeconfig(str(e)) from None
    except KubeconfigError as e:
        raise ConfigError(str(e)) from None
    configuration = client.Configuration()  # our own: the global default is never touched
    try:
        _load_kube_config(
            config_file=":".join(str(p) for p in choice.paths),
            context=choice.context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, OSError, ValueError, TypeError) as e:
        raise ConfigError(f"context {choice.context}: {_short(e)}") from None
    _checked_token(configuration, choice.context)
    # Connection refused is retried twice at once, not thrice with back-off; requests that may
    # not be repeated (PATCH, POST) are never retried after they were sent.
    configuration.retries = urllib3.Retry(
        total=2, connect=2, read=0, status=0, redirect=0, backoff_factor=0
    )
    return choice, _api_client(configuration)


def _import_api_classes() -> None:
    """Load the API classes a KubeClient uses (the client imports each on first access)."""
    for name in ("CoreV1Api", "AppsV1Api", "AuthorizationV1Api", "CustomObjectsApi"):
        getattr(client, name)


def _api_client(configuration: client.Configuration) -> client.ApiClient:
    api = client.ApiClient(configuration)
    api.user_agent = f"cilium-tui/{__version__}"
    return api
