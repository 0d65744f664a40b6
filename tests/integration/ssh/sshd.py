"""Real OpenSSH sshd instances for the SSH tests: keys, config, start, wait, stop.

sshd runs in the foreground (`-D -e`) with its own config, host key, authorized_keys and log; the
tests connect with a generated client key and a known_hosts file written here, so host key checking
is real. `StrictModes no` because the files live under a world-writable temp dir.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cilium_tui.collect.ssh import known_hosts_name
from tests.conftest import need_tools

SSHD = "/usr/sbin/sshd"  # sshd refuses to start from a relative path

SSHD_CONFIG = """\
ListenAddress {address}
Port {port}
HostKey {host_key}
PidFile none
AuthorizedKeysFile {authorized_keys}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
AllowTcpForwarding {forwarding}
LogLevel VERBOSE
{extra}
"""


def need_sshd() -> None:
    """Skip (or fail in CI) unless OpenSSH's sshd and ssh-keygen are here."""
    need_tools(SSHD, "ssh-keygen", what="a real sshd")


def keygen(path: Path, comment: str = "cilium-tui-test") -> Path:
    """An ed25519 key pair at `path` (and `path`.pub); reused when it exists."""
    if not path.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
            check=True,
        )
    return path


def public_key(path: Path) -> str:
    """`<type> <base64>` of a key pair's public half."""
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


def wait_listening(proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until sshd says it listens (works for an sshd in a namespace we cannot reach, too)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "Server listening on" in text:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited with {proc.returncode}: {text[-2000:]}")
        time.sleep(0.01)
    raise RuntimeError(f"sshd did not start listening: {log.read_text()[-2000:]}")


@dataclass
class Sshd:
    name: str
    address: str
    port: int
    host_key: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def known_hosts_line(self, host: str | None = None) -> str:
        name = known_hosts_name(host or self.address, self.port)
        return f"{name} {public_key(self.host_key)}\n"

    def accepted_logins(self) -> int:
        """How many logins sshd accepted (each one is one SSH connection)."""
        return self.log.read_text(errors="replace").count("Accepted publickey")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_sshd(
    directory: Path,
    name: str,
    authorized_keys: Path,
    *,
    address: str = "127.0.0.1",
    port: int | None = None,
    forwarding: bool = False,
    extra: str = "",
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> Sshd:
    """Start sshd `name` in the foreground; `prefix` wraps it (`ip netns exec NS ...`)."""
    directory.mkdir(parents=True, exist_ok=True)
    host_key = keygen(directory / f"{name}_host_ed25519", f"host {name}")
    port = port or free_port(address)
    config = directory / f"{name}_sshd_config"
    config.write_text(
        SSHD_CONFIG.format(
            address=address,
            port=port,
            host_key=host_key,
            authorized_keys=authorized_keys,
            forwarding="yes" if forwarding else "no",
            extra=extra,
        )
    )
    log = directory / f"{name}_sshd.log"
    log.write_text("")
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [*prefix, SSHD, "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env={**os.environ, **(env or {})},
        )
    try:
        wait_listening(proc, log)
    except Exception:
        proc.kill()
        proc.wait()
        raise
    return Sshd(name, address, port, host_key, log, proc)
