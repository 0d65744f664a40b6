"""Pod exec over websocket (`v5.channel.k8s.io` / `v4.channel.k8s.io`), as kubelet answers it.

Frames are binary, the first byte the channel: 1 stdout, 2 stderr, 3 the final Status as JSON. Like
the real server, the stream opens with an empty message on stdout. What a command prints is decided
by the pluggable `ExecHandler`; the lab's agent model plugs in there.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from cilium_tui.lab.kube.errors import bad_request
from cilium_tui.lab.kube.store import JSON

log = logging.getLogger(__name__)

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDOUT, STDERR, STATUS = 1, 2, 3
_CHUNK = 32 * 1024


@dataclass(frozen=True)
class ExecResult:
    """What a command did in the container."""

    rc: int
    stdout: str = ""
    stderr: str = ""
    error: str | None = None
    """Set when the command could not start at all (unknown binary): the server then answers
    InternalError with this text, as the container runtime does, and `rc` is not sent."""


ExecHandler = Callable[[str, str, str, Sequence[str]], ExecResult]
"""(namespace, pod, container, argv) -> ExecResult; called in a worker thread."""


ReadyAnswer = Callable[[str, str, str, Sequence[str]], ExecResult | None]
"""(namespace, pod, container, argv) -> the answer when it is known without work (a cached
output), else None; called on the server's loop first, so an exec answered from a cache costs no
thread hop (the handler then runs in a worker thread)."""


def no_ready_answer(namespace: str, pod: str, container: str, argv: Sequence[str]) -> None:
    """No answer is ever ready: every exec goes to the handler."""
    return None


def command_not_found(argv0: str) -> ExecResult:
    """What the container runtime reports for a binary that is not in the image."""
    return ExecResult(126, error=f'exec: "{argv0}": executable file not found in $PATH: unknown')


def default_exec_handler(
    namespace: str, pod: str, container: str, argv: Sequence[str]
) -> ExecResult:
    """No agent model plugged in: no command exists."""
    return command_not_found(argv[0] if argv else "")


def status_frame(result: ExecResult, argv: Sequence[str]) -> bytes:
    """The channel-3 Status that ends an exec stream."""
    status: JSON
    if result.error is not None:
        cause = f"error executing command in container: {result.error}"
        status = {
            "metadata": {},
            "status": "Failure",
            "message": f"Internal error occurred: {cause}",
            "reason": "InternalError",
            "details": {"causes": [{"message": cause}]},
            "code": 500,
        }
    elif result.rc == 0:
        status = {"metadata": {}, "status": "Success"}
    else:
        status = {
            "metadata": {},
            "status": "Failure",
            "message": "command terminated with non-zero exit code: error executing command "
            f"[{' '.join(argv)}], exit code {result.rc}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(result.rc)}]},
        }
    return bytes([STATUS]) + json.dumps(status, separators=(",", ":")).encode()


def choose_container(pod: JSON, requested: str | None) -> str:
    """The container to exec in, with the real server's errors for a missing or unknown one."""
    name = pod["metadata"]["name"]
    containers: list[str] = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
    if requested:
        if requested not in containers:
            raise bad_request(f"container {requested} is not valid for pod {name}")
        return requested
    if len(containers) == 1:
        return containers[0]
    raise bad_request(
        f"a container name must be specified for pod {name}, choose one of: "
        f"[{' '.join(containers)}]"
    )


def require_running(pod: JSON, container: str) -> None:
    """Exec needs the container running (a crash-looping agent has none to exec into)."""
    for status in pod.get("status", {}).get("containerStatuses", []):
        if status.get("name") == container and "running" in (status.get("state") or {}):
            return
    raise bad_request(f'container not found ("{container}")')


def parse_exec_query(query: Any) -> tuple[list[str], Mapping[str, bool]]:
    """argv (one `command` per element) and the stream flags from the exec query."""
    argv = list(query.getall("command", []))
    if not argv:
        raise bad_request("you must specify at least one command for the container")
    flags = {k: query.get(k, "false").lower() in ("true", "1") for k in ("stdout", "stderr")}
    return argv, flags


async def _send(ws: web.WebSocketResponse, channel: int, text: str) -> None:
    data = text.encode()
    for start in range(0, len(data), _CHUNK):
        await ws.send_bytes(bytes([channel]) + data[start : start + _CHUNK])


async def serve_exec(
    request: web.Request,
    *,
    namespace: str,
    pod: str,
    container: str,
    argv: list[str],
    flags: Mapping[str, bool],
    handler: ExecHandler,
    answered: ReadyAnswer = no_ready_answer,
    hang: bool,
    stopping: asyncio.Event,
) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True, timeout=2.0)
    ready = ws.can_prepare(request)
    if not ready.ok:
        raise bad_request("Upgrade request required")
    if ready.protocol is None:
        raise bad_request(f"websocket exec needs one of the subprotocols {', '.join(PROTOCOLS)}")
    await ws.prepare(request)
    await ws.send_bytes(bytes([STDOUT]))  # the empty first message, as kubelet sends it
    if hang:
        await _until_closed(ws, stopping)
        return ws
    try:
        result = answered(namespace, pod, container, argv)
        if result is None:
            result = await asyncio.to_thread(handler, namespace, pod, container, argv)
    except Exception as e:  # a broken handler must look like a broken runtime, not a lab crash
        log.exception("exec handler failed for %s/%s %s", namespace, pod, argv)
        result = ExecResult(126, error=f"lab exec handler failed: {e}")
    if flags.get("stdout") and result.stdout:
        await _send(ws, STDOUT, result.stdout)
    if flags.get("stderr") and result.stderr:
        await _send(ws, STDERR, result.stderr)
    await ws.send_bytes(status_frame(result, argv))
    await ws.close()
    return ws


async def _until_closed(ws: web.WebSocketResponse, stopping: asyncio.Event) -> None:
    """Keep a hung exec open until the client gives up or the server stops."""
    reader = asyncio.ensure_future(_drain(ws))
    stopper = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        reader.cancel()
        stopper.cancel()
        await ws.close()


async def _drain(ws: web.WebSocketResponse) -> None:
    async for msg in ws:
        if msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            return
