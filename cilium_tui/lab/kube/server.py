"""The lab's Kubernetes API server: HTTPS on 127.0.0.1, in its own thread with its own event loop.

The official client is synchronous and Textual / pytest-asyncio own the caller's loop, so the server
never shares one: `start()` returns once it listens, `stop()` ends its streams and joins the thread.

    with LabApiServer() as api:
        api.store.put("nodes", node)
        api.write_kubeconfig(tmp / "kubeconfig")
        ...  # kubectl / the kubernetes client against it
        assert not api.requests.mutating()
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml
from aiohttp import web

from cilium_tui.lab.kube.access import AccessRules
from cilium_tui.lab.kube.certs import TlsMaterial, generate_tls
from cilium_tui.lab.kube.controllers import (
    AgentStarter,
    DaemonSetController,
    Timing,
    default_agent_starter,
)
from cilium_tui.lab.kube.exec import (
    ExecHandler,
    ReadyAnswer,
    default_exec_handler,
    no_ready_answer,
)
from cilium_tui.lab.kube.notify import Notifier
from cilium_tui.lab.kube.requestlog import RequestLog
from cilium_tui.lab.kube.routes import Knobs, KubeApi
from cilium_tui.lab.kube.store import Store

_START_TIMEOUT = 15.0


class LabApiServer:
    """A Kubernetes API server for the lab and the tests (see the module docstring)."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        version: str = "v1.26.6+k3s1",
        exec_handler: ExecHandler = default_exec_handler,
        agent_starter: AgentStarter = default_agent_starter,
        timing: Timing | None = None,
        bookmark_interval: float = 60.0,
        tls: TlsMaterial | None = None,
    ) -> None:
        self.store = store if store is not None else Store()
        self.token = secrets.token_urlsafe(32)
        self.requests = RequestLog()
        self.access = AccessRules()
        self.knobs = Knobs()
        self.exec_handler = exec_handler
        """Decides what exec'd commands print; replace it any time."""
        self.exec_ready: ReadyAnswer = no_ready_answer
        """Answers the execs it can without work, on the server's loop (see `ReadyAnswer`)."""
        self.agent_starter = agent_starter
        """Decides whether a new agent pod becomes Ready; replace it any time."""
        self._timing = timing or Timing()
        self._tls = tls or generate_tls()
        self._api = KubeApi(
            store=self.store,
            token=self.token,
            version=version,
            requests=self.requests,
            access=self.access,
            knobs=self.knobs,
            exec_handler=lambda: self.exec_handler,
            exec_ready=lambda: self.exec_ready,
            bookmark_interval=bookmark_interval,
        )
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._controller: DaemonSetController | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop_requested: asyncio.Event | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LabApiServer:
        """Start serving; returns once the port is open (raises if it could not start)."""
        if self._thread is not None:
            raise RuntimeError("the lab API server is already running")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="lab-kube-apiserver", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT):
            raise RuntimeError("the lab API server did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the lab API server could not start: {self._error}")
        return self

    def stop(self) -> None:
        """End every watch and exec stream, close the port, join the thread. Idempotent."""
        thread, loop, stop = self._thread, self._loop, self._stop_requested
        if thread is None:
            return
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        self._thread = None
        self.port = 0

    def __enter__(self) -> LabApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as e:  # reported to start(); the thread must not die silently
            self._error = e
            self._ready.set()
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        self._api.stopping = asyncio.Event()  # fresh for every start: the server can restart
        notifier = Notifier(loop)
        unsubscribe = self.store.subscribe(notifier.notify_threadsafe)
        app = self._api.application(notifier)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self._tls.server_context())
        await site.start()
        self.port = int(runner.addresses[0][1])
        self._api.server_address = f"127.0.0.1:{self.port}"
        self._controller = DaemonSetController(
            self.store,
            notifier,
            starter=lambda: self.agent_starter,
            unready_nodes=lambda: set(self.knobs.unready_nodes),
            timing=self._timing,
        )
        controller = asyncio.ensure_future(self._controller.run(self._api.stopping))
        self._ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            self._api.stopping.set()
            notifier.notify()
            unsubscribe()
            await controller
            await runner.cleanup()

    # -- what clients need -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("the lab API server is not running")
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_pem(self) -> bytes:
        return self._tls.ca_pem

    def kubeconfig(self, *, context: str = "lab", namespace: str = "kube-system") -> dict[str, Any]:
        """A kubeconfig document for this server (CA data, URL, bearer token)."""
        user = f"{context}-admin"
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [
                {
                    "name": context,
                    "cluster": {
                        "server": self.url,
                        "certificate-authority-data": base64.b64encode(self.ca_pem).decode(),
                    },
                }
            ],
            "users": [{"name": user, "user": {"token": self.token}}],
            "contexts": [
                {
                    "name": context,
                    "context": {"cluster": context, "user": user, "namespace": namespace},
                }
            ],
            "current-context": context,
        }

    def write_kubeconfig(
        self, path: str | os.PathLike[str], *, context: str = "lab", namespace: str = "kube-system"
    ) -> Path:
        """Write `kubeconfig()` to `path` with mode 0600 (it holds a credential)."""
        target = Path(path)
        text = yaml.safe_dump(
            self.kubeconfig(context=context, namespace=namespace), sort_keys=False
        )
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
        return target

    # -- knobs that need the server's loop -------------------------------------------------------

    def set_agent_unready(self, node: str, unready: bool = True) -> None:
        """Make a node's agent crash-loop (or recover); its pod restarts now."""
        if unready:
            self.knobs.unready_nodes.add(node)
        else:
            self.knobs.unready_nodes.discard(node)
        controller = self._controller
        if controller is not None:
            self._call_in_loop(lambda: controller.restart_node_pods(node))

    def set_exec_faults(
        self, *, fail: Iterable[str] = (), hang: Iterable[str] = (), stall: Iterable[str] = ()
    ) -> None:
        """Pods (by name) whose exec fails before starting, starts and never answers, or whose
        upgrade request is never answered at all."""
        self.knobs.exec_fail = set(fail)
        self.knobs.exec_hang = set(hang)
        self.knobs.exec_stall = set(stall)

    def _call_in_loop(self, fn: Any) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn)
