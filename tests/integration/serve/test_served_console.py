"""The console a browser tab gets: textual-serve's command line, run as textual-serve runs it
(`sh -c`, Textual's web driver). Its stdout is the driver's protocol and nothing else, and no
option given to `serve` can turn into shell syntax."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cilium_tui.cli import build_parser
from cilium_tui.commands.serve import console_command
from cilium_tui.lab.scenarios import scenario
from tests.integration.serve.served import serving
from tests.integration.ssh.sshd import free_port

PRELUDE = b"__GANGLION__\n"
"""What Textual's web driver writes first: textual-serve waits for it (skipping other lines)."""
FRAMES = (b"D", b"M", b"P")
"""The driver's packets: 1 type byte, a 4-byte big-endian length, the payload."""


def web_environment() -> dict[str, str]:
    """As textual_serve.app_service.AppService builds it for each tab."""
    return os.environ | {
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "TEXTUAL_COLOR_SYSTEM": "truecolor",
        "COLUMNS": "140",
        "ROWS": "40",
    }


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


async def read_frame(stdout: asyncio.StreamReader) -> tuple[bytes, bytes] | None:
    """The next packet, None at the end; anything else on stdout fails here."""
    kind = await stdout.read(1)
    if not kind:
        return None
    assert kind in FRAMES, f"not a web driver packet on stdout: {kind + await stdout.read(80)!r}"
    size = int.from_bytes(await stdout.readexactly(4), "big")
    return kind, await stdout.readexactly(size)


async def test_the_served_console_writes_only_the_web_drivers_packets_on_stdout() -> None:
    args = build_parser().parse_args(["serve", "--demo=training"])
    process = await asyncio.create_subprocess_shell(
        console_command(args),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=web_environment(),
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        assert await asyncio.wait_for(process.stdout.readline(), 30) == PRELUDE
        screen, metas = "", []
        names = [node.name for node in scenario("training").nodes]
        async with asyncio.timeout(60):
            while not all(name in screen for name in names):  # the scan has painted the nodes
                frame = await read_frame(process.stdout)
                assert frame is not None, "the console ended before it showed the nodes"
                if frame[0] == b"D":
                    screen += frame[1].decode()
            process.stdin.write(packet(b"M", json.dumps({"type": "quit"}).encode()))
            while (frame := await read_frame(process.stdout)) is not None:
                if frame[0] == b"M":
                    metas.append(json.loads(frame[1]))
            assert await process.wait() == 0
        assert metas[-1] == {"type": "exit"}
    finally:
        if process.returncode is None:
            process.kill()  # the console itself: the command `exec`s it
            await asyncio.wait_for(process.wait(), 10)


@pytest.mark.parametrize(
    "option",
    [
        "--kubeconfig={dir}/$(touch {dir}/pwned); `touch {dir}/pwned`; ' \" \\ > {dir}/pwned",
        "--demo=training; touch {dir}/pwned #",
        "--theme=-$(touch {dir}/pwned)",
    ],
)
def test_no_option_becomes_shell_syntax(tmp_path: Path, option: str) -> None:
    given = option.format(dir=tmp_path)
    args = build_parser().parse_args(["serve", given])
    command = console_command(args)
    done = subprocess.run(
        command,
        shell=True,  # as textual-serve runs it (asyncio.create_subprocess_shell)
        env=web_environment() | {"KUBECONFIG": str(tmp_path / "none")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert list(tmp_path.iterdir()) == []
    assert done.returncode == 2, done.stderr
    assert given.split("=", 1)[1] in done.stderr  # the console got the value whole, as given
    assert done.stdout == ""  # refused before the web driver started


def test_the_command_is_this_python_running_the_package() -> None:
    args = build_parser().parse_args(["--read-only", "serve", "--demo=training", "--theme=x y"])
    command = console_command(args)
    assert command.startswith(f"exec {shlex.quote(sys.executable)} -m cilium_tui ")
    assert "'--theme=x y'" in command


def test_the_server_warns_it_is_unauthenticated_and_serves_a_page_that_stays_local(
    tmp_path: Path,
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with (
        serving(port, "--demo=training", "--read-only", log=log),
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response,
    ):
        page = response.read().decode()
    said = log.read_text()
    assert "NO authentication" in said and f"http://127.0.0.1:{port}" in said
    assert "that can change the cluster" not in said  # --read-only reached the warning
    urls = set(re.findall(r"(?i)\b(?:https?|wss?)://[^\s\"'<>)]+", page))
    assert urls and {urlsplit(u).netloc for u in urls} == {f"127.0.0.1:{port}"}, urls
    assert "textual-terminal" in page  # textual-serve's page, the terminal's element in it


def test_a_taken_port_is_one_line_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "cilium_tui", "serve", f"--port={port}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"cilium-tui serve: cannot listen on http://127.0.0.1:{port}: " in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_behind_a_proxy_the_page_points_browsers_at_the_proxy(tmp_path: Path) -> None:
    port = free_port()
    public = "--public-url=https://training.example.org/room/"
    with (
        serving(port, public, log=tmp_path / "serve.log"),
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response,
    ):
        page = response.read().decode()
    assert 'data-session-websocket-url="wss://training.example.org/room/ws"' in page
    assert "https://training.example.org/room/static/js/textual.js" in page
    assert f"127.0.0.1:{port}" not in page
