"""`cilium-tui serve` run for real, and what its consoles run, seen through /proc."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROC = Path("/proc")


def wait_connectable(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def serving(port: int, *options: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m cilium_tui serve --port PORT OPTIONS...` until the block ends (then SIGTERM)."""
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "cilium_tui", "serve", f"--port={port}", *options],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_connectable(port)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=15)


def _children(pid: int) -> list[int]:
    found = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _descendants(pid: int) -> list[int]:
    children = _children(pid)
    return children + [d for c in children for d in _descendants(c)]


def _argv(pid: int) -> list[str]:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def consoles(server: int) -> list[int]:
    """The console processes under the server `server` (one per open tab)."""
    return [
        pid
        for pid in _descendants(server)
        if _argv(pid)[1:3] == ["-m", "cilium_tui"] and "serve" not in _argv(pid)
    ]


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process `pid` and its descendants listen on (a console's lab's API server
    and SSH boards, in the lab process it starts)."""
    inodes = set()
    for process in (pid, *_descendants(pid)):
        try:
            fds = list((PROC / str(process) / "fd").iterdir())
        except OSError:  # it ended meanwhile
            continue
        for fd in fds:
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in (PROC / "net" / table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
