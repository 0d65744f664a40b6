"""Pod exec on the event loop: the websocket channel protocol over one shared aiohttp session.

The official client's `kubernetes.stream` runs each exec in a thread of its own, with a new
ApiClient, a new SSLContext (the CA file read again) and a new TLS connection: at a thousand
agents that was an eighth of a scan's CPU and a thread per node. Here every exec of a client shares
one session and one SSLContext, built once from the kubeconfig's `Configuration` exactly as the
official client loaded it (server, CA, client certificate, TLS server name, proxy). Credentials
stay the library's: the Authorization header comes from `Configuration.auth_settings()`, which
runs the kubeconfig's refresh hook (exec plugins, expiring tokens) as the official client does.

The protocol is kubelet's: subprotocol `v5.channel.k8s.io` (or `v4`), binary frames whose first
byte is the channel: 1 stdout, 2 stderr, 3 the final Status (JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast
from urllib.parse import quote

import aiohttp
from aiohttp.connector import Connection
from kubernetes import client

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
_WS_TIMEOUT = aiohttp.ClientWSTimeout(ws_close=1.0)
"""An exec given up on (its timeout) is closed without waiting long for the server's reply."""
STDOUT, STDERR, STATUS = 1, 2, 3
HEADERS_FOR = 1.0
"""Seconds an exec's request headers are reused before the library is asked again. Its refresh
hook renews a kubeconfig token five minutes before it expires (a mounted service-account token
each minute), so a header this young is as fresh as asking; asking costs ~0.1 ms (it re-applies
the whole kubeconfig, proxy environment included), a tenth of a warm exec's client CPU."""


@dataclass(frozen=True)
class ExecStreams:
    """What an exec stream carried: its stdout, stderr and channel-3 Status text."""

    stdout: str
    stderr: str
    status: str


class HandshakeFailed(Exception):
    """The server refused the upgrade: its HTTP status and the Status body it sent."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status}: {body[:300]}")
        self.status = status
        self.body = body


class ResumingContext(ssl.SSLContext):
    """A client SSLContext that offers the server's latest TLS session on every new connection.

    A websocket exec cannot share a connection (the upgrade takes it over), so each exec is a TLS
    handshake. Resumed from a session ticket, it skips the certificate chain's verification and
    the server's signature, while still doing a fresh (EC)DHE key exchange as TLS 1.3 does by
    default: about half a full handshake's client CPU (measured with P-256 certificates and
    OpenSSL 3.0, counting the copy of the session CPython makes to offer it). The session comes
    from this context's own earlier, fully verified handshake with the same server (a context
    serves one cluster)."""

    session: ssl.SSLSession | None = None
    handshakes = 0
    """Connections wrapped (counted by the tests)."""
    offered = 0
    """Of those, how many offered a session to resume."""
    resumed = 0
    """Of the connections finished, how many the server resumed."""

    def wrap_bio(  # the base signature: a session is offered unless one is given
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        offer = session or (None if server_side else self.session)
        self.handshakes += 1
        self.offered += offer is not None
        return super().wrap_bio(incoming, outgoing, server_side, server_hostname, session=offer)

    def keep_session(self, ssl_object: object) -> None:
        """Keep the session of a finished connection made with a full handshake (its ticket
        arrives after the handshake, so ask once the exchange is over). A resumed one leaves
        the kept session as it is: reading a session copies it (certificates included), and
        when its ticket expires the next full handshake brings a new one."""
        if not isinstance(ssl_object, ssl.SSLObject):
            return
        if ssl_object.session_reused:
            self.resumed += 1
        elif (session := ssl_object.session) is not None:
            self.session = session


def tls_context(configuration: client.Configuration) -> ResumingContext:
    """The TLS settings the official client uses, as one SSLContext (made once per client)."""
    context = ResumingContext(ssl.PROTOCOL_TLS_CLIENT)  # what create_default_context makes
    if configuration.ssl_ca_cert:
        context.load_verify_locations(cafile=configuration.ssl_ca_cert)
    else:
        context.load_default_certs()
    if not configuration.verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif configuration.assert_hostname is False:
        context.check_hostname = False
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file or None)
    return context


_REFUSALS: contextvars.ContextVar[str] = contextvars.ContextVar("refusal", default="")
"""The body of the latest refused upgrade in this task (see `_RefusalReading`)."""


class _RefusalReading(aiohttp.ClientResponse):
    """Reads the body of a refused websocket upgrade (the API server's Status: "pods ... not
    found", "forbidden: ...", "error dialing backend ..."), which `ws_connect` discards."""

    async def start(self, connection: Connection) -> aiohttp.ClientResponse:
        response = await super().start(connection)
        if self.status != 101 and self.request_info.headers.get("Upgrade") == "websocket":
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                _REFUSALS.set((await self.read()).decode("utf-8", "replace"))
        return response


@functools.lru_cache(maxsize=32)
def _exec_query(argv: tuple[str, ...], container: str) -> str:
    """An exec's command and container as a query, quoted once per command: a scan sends the
    same status command (its jsonpath template is kilobytes) to every agent."""
    commands = (f"command={quote(arg, safe='')}" for arg in argv)
    return "&".join([*commands, f"container={quote(container)}"])


class WebsocketExec:
    """Execs of one cluster over one aiohttp session (made on first use, on the running loop)."""

    def __init__(self, configuration: client.Configuration, user_agent: str) -> None:
        self._configuration = configuration
        self._user_agent = user_agent
        self._tls: ResumingContext | None = None
        self.contexts_made = 0
        """TLS contexts made (one per client: counted by the tests)."""
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._headers_made: tuple[float, dict[str, str]] | None = None
        self.headers_asked = 0
        """How often the library was asked for credentials (counted by the tests)."""

    def _url(self, namespace: str, pod: str, container: str, argv: Sequence[str]) -> str:
        query = _exec_query(tuple(argv), container)
        host = str(self._configuration.host).rstrip("/")
        path = f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/exec"
        return f"{host}{path}?{query}&stdout=true&stderr=true"

    def _headers(self) -> dict[str, str]:
        """The request headers, credentials from the library's `auth_settings()` (see
        HEADERS_FOR). aiohttp copies the mapping it is given: one is shared by the execs."""
        now = time.monotonic()
        if self._headers_made is not None and now - self._headers_made[0] < HEADERS_FOR:
            return self._headers_made[1]
        headers = {"User-Agent": self._user_agent}
        settings = cast(dict[str, dict[str, str]], self._configuration.auth_settings())
        self.headers_asked += 1
        for setting in settings.values():
            if setting["in"] == "header" and setting["value"]:
                headers[setting["key"]] = setting["value"]
        self._headers_made = (now, headers)
        return headers

    def _open_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            if self._tls is None:
                self._tls = tls_context(self._configuration)
                self.contexts_made += 1
            connector = aiohttp.TCPConnector(ssl=self._tls, limit=0)
            self._session = aiohttp.ClientSession(
                connector=connector, response_class=_RefusalReading
            )
            self._loop = loop
        return self._session

    async def start(
        self, namespace: str, pod: str, container: str, argv: Sequence[str]
    ) -> aiohttp.ClientWebSocketResponse:
        """Open an exec's stream (the caller bounds it with a timeout). Raises HandshakeFailed
        when the server refuses it, aiohttp/OS errors when it cannot be reached."""
        session = self._open_session()
        url = self._url(namespace, pod, container, argv)
        headers = self._headers()
        _REFUSALS.set("")
        proxy = self._configuration.proxy or None
        server_name = self._configuration.tls_server_name or None
        try:
            return await session.ws_connect(
                url,
                protocols=PROTOCOLS,
                headers=headers,
                proxy=proxy,
                server_hostname=server_name,
                max_msg_size=0,
                autoping=True,
                timeout=_WS_TIMEOUT,
            )
        except aiohttp.WSServerHandshakeError as e:
            raise HandshakeFailed(e.status, _REFUSALS.get()) from None

    @property
    def tls(self) -> ResumingContext | None:
        """The one TLS context of this client's execs (None before the first)."""
        return self._tls

    async def finish(self, ws: aiohttp.ClientWebSocketResponse) -> ExecStreams:
        """Read an exec's stream to its end, and close it."""
        out: list[bytes] = []
        err: list[bytes] = []
        status: list[bytes] = []
        channels = {STDOUT: out, STDERR: err, STATUS: status}
        ssl_object = ws.get_extra_info("ssl_object")  # gone from `ws` once it has closed
        async with ws:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY and message.data:
                    data: bytes = message.data
                    target = channels.get(data[0])
                    if target is not None:
                        target.append(data[1:])
                elif message.type == aiohttp.WSMsgType.ERROR:
                    raise ws.exception() or ConnectionError("websocket error")
        if self._tls is not None:
            self._tls.keep_session(ssl_object)
        return ExecStreams(
            b"".join(out).decode("utf-8", "replace"),
            b"".join(err).decode("utf-8", "replace"),
            b"".join(status).decode("utf-8", "replace"),
        )

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            with contextlib.suppress(RuntimeError):  # its loop is gone
                await self._session.close()
        self._session = None
