"""Open-file budgets: a scan of a thousand hosts holds many sockets at once.

The common default soft limit (1024) is far below what the kernel allows a user (the hard limit);
`raise_open_files_limit()` lifts it at startup, as most network tools do. `connection_budget()`
sizes a pool of long-lived connections from what is left, so a low limit slows a scan down
instead of failing its nodes with EMFILE.
"""

from __future__ import annotations

import resource
from pathlib import Path

RESERVE = 96
"""Descriptors kept free for everything else: the Kubernetes client's sockets and exec
websockets, files, the event loop, threads."""
FDS_PER_CONNECTION = 2
"""What one SSH connection may cost: its socket here, and the server's end when the embedded lab
runs in this process (a tunnelled connection costs the lab's jump host two)."""


def raise_open_files_limit() -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit (best effort); returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= want:
        return int(soft)
    for target in (want, 1 << 20, 65536):  # Linux refuses more than fs.nr_open
        if soft < target <= want:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            except (ValueError, OSError):
                continue
            return target
    return int(soft)


def open_files() -> int:
    """Descriptors this process holds now (0 when the platform does not say)."""
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            return sum(1 for _ in Path(directory).iterdir())
        except OSError:
            continue
    return 0


def connection_budget() -> int:
    """How many more long-lived connections fit in the open-files limit (at least 2)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    spare = int(soft) - open_files() - RESERVE
    return max(2, spare // FDS_PER_CONNECTION)


def exec_budget(wanted: int) -> int:
    """How many pod execs may be in flight: `wanted`, unless the open-files limit is so low that
    their websockets (two descriptors each when the lab runs in this process) must fit in half
    of RESERVE, as they did when execs were few."""
    spare = connection_budget()
    if spare >= 4 * wanted:
        return wanted
    return max(1, min(wanted, RESERVE // 2 // FDS_PER_CONNECTION))
