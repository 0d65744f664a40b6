"""The console served to web browsers (`cilium-tui serve`), with textual-serve.

textual-serve runs one console process per browser tab (its command goes through a shell, so the
caller quotes it) and relays the tab's keys and the console's screen over a websocket. Its page
asks a public CDN for the Roboto Mono web font; a training room is often offline, so the page we
serve is textual-serve's own with that link replaced by the Roboto Mono files textual-serve ships
in its static folder: nothing the page loads leaves the machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import tempfile
from importlib.resources import files
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

INDEX = "app_index.html"
"""textual-serve's page template (its name is fixed in textual_serve.server)."""

_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']https?://[^>]*>", re.IGNORECASE)
_SVG_NAMESPACE = ' xmlns="http://www.w3.org/2000/svg"'
"""An inline SVG's namespace: an identifier, not a request; dropped so that no URL is left."""
_REMOTE_URL = re.compile(r"\b(?:https?|wss?)://", re.IGNORECASE)


class NotOffline(ValueError):
    """textual-serve's page still names a remote URL after the CDN link was taken out."""


def offline_index(template: str, fonts: list[str]) -> str:
    """textual-serve's page template without its CDN stylesheet, with `@font-face` rules for
    `fonts` (file names in textual-serve's static/fonts) instead. Raises `NotOffline` when a
    remote URL is left (a new textual-serve that loads something else from the internet)."""
    faces = "".join(
        "\n      @font-face {\n"
        '        font-family: "Roboto Mono";\n'
        f'        src: url("{{{{ config.static.url }}}}fonts/{name}") format("truetype");\n'
        "        font-weight: 100 700;\n"
        f"        font-style: {'italic' if 'italic' in name.lower() else 'normal'};\n"
        "      }"
        for name in fonts
    )
    page = _REMOTE_LINK.sub("", template).replace(_SVG_NAMESPACE, "")
    page = page.replace("<style>", f"<style>{faces}", 1)
    if found := _REMOTE_URL.search(page):
        line = page[: found.start()].count("\n") + 1
        raise NotOffline(f"textual-serve's page still loads a remote URL (line {line})")
    return page


def _textual_serve_fonts() -> list[str]:
    folder = files("textual_serve") / "static" / "fonts"
    return sorted(f.name for f in folder.iterdir() if f.name.endswith(".ttf"))


def write_offline_templates(directory: Path) -> Path:
    """Write the offline page into `directory` (textual-serve reads templates from a folder)."""
    template = (files("textual_serve") / "templates" / INDEX).read_text(encoding="utf-8")
    (directory / INDEX).write_text(offline_index(template, _textual_serve_fonts()), "utf-8")
    return directory


def public_url(address: str, port: int) -> str:
    """The URL the page gives the browser for its websocket and static files."""
    try:
        ipv6 = ipaddress.ip_address(address).version == 6
    except ValueError:  # a host name (allowed with --i-know-it-is-unauthenticated)
        ipv6 = False
    return f"http://[{address}]:{port}" if ipv6 else f"http://{address}:{port}"


class ConsoleServer(Server):
    """textual-serve's server with the offline page, our own start-up lines, and a prompt stop:
    the tabs' sessions are ended (each console asked to quit, which stops its lab) as the server
    stops, rather than aiohttp waiting a minute for their websockets to close."""

    SESSIONS_END_TIMEOUT = 10.0

    def __init__(self, command: str, address: str, port: int, templates: Path, url: str) -> None:
        self._sessions: set[asyncio.Task[object]] = set()
        super().__init__(
            command,
            host=address,
            port=port,
            title="cilium-tui",
            public_url=url,
            templates_path=templates,  # absolute: textual-serve joins it to its own folder
        )

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(
            f"cilium-tui: serving the console on {self.public_url} (one console per tab)",
            highlight=False,
            markup=False,
        )
        self.console.print("Press Ctrl+C to stop.", highlight=False, markup=False)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        session = asyncio.current_task()
        assert session is not None
        self._sessions.add(session)
        try:
            return await super().handle_websocket(request)
        finally:
            self._sessions.discard(session)

    async def on_shutdown(self, app: web.Application) -> None:
        sessions = list(self._sessions)
        for session in sessions:
            session.cancel()  # textual-serve then asks the tab's console to quit, and waits
        if sessions:
            await asyncio.wait(sessions, timeout=self.SESSIONS_END_TIMEOUT)


def serve(command: str, address: str, port: int, url: str) -> None:
    """Serve `command` (a shell command line, quoted) on `address`:`port` until interrupted; the
    page reaches the server at `url` (the server's own, or the proxy's that publishes it)."""
    with tempfile.TemporaryDirectory(prefix="cilium-tui-serve-") as directory:
        templates = write_offline_templates(Path(directory))
        ConsoleServer(command, address, port, templates, url).serve()
