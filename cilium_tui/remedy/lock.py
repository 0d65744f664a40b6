"""One mutating run per cluster at a time: a lock held as an annotation on cilium-config.

    lock = ClusterLock(kube, "kube-system", "cilium-config", ttl=600)
    rv = await lock.acquire(expected_rv)   # Locked when another live run holds it
    ...                                    # patch with `rv`: the lock's own patch moved it
    await lock.release()

The annotation (`LOCK_ANNOTATION`) holds JSON: who holds it (user@host, pid) and until when. It
is written by a merge patch carrying the resourceVersion the caller previewed, so taking the
lock is also the check that nobody changed cilium-config since (409 Conflict otherwise). A run
that dies leaves the lock until it expires (or, on the same machine, until its process is seen
gone): then the next run takes it over. Two laptops on one
cluster thus never overlap their rollouts, and the only right needed is the `patch configmaps`
that a change needs anyway.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from cilium_tui.collect.kube import KubeClient
from cilium_tui.remedy.journal import who

LOCK_ANNOTATION = "cilium-tui.io/change-in-progress"


class Locked(Exception):
    """Another cilium-tui run is changing this cluster; the message names it and until when."""


def _holder(obj: dict[str, Any]) -> tuple[str, datetime, int | None] | None:
    """(owner, expiry, pid when the owner is a process of this machine) of the lock held."""
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(LOCK_ANNOTATION)
    if not isinstance(raw, str):
        return None
    try:
        held = json.loads(raw)
        here = held.get("host") == socket.gethostname() and isinstance(held.get("pid"), int)
        pid = held["pid"] if here else None
        return str(held["owner"]), datetime.fromisoformat(str(held["expires"])), pid
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable: nobody's lock


def _alive(pid: int | None) -> bool:
    """Whether the lock's holder may still run: a process of this machine that is gone does
    not (killed with -9, say); one of another machine is trusted until its lock expires."""
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ClusterLock:
    def __init__(self, kube: KubeClient, namespace: str, name: str, *, ttl: float) -> None:
        self.kube = kube
        self.namespace = namespace
        self.name = name
        self.ttl = ttl
        self.owner = f"{who()} pid {os.getpid()} run {secrets.token_hex(3)}"
        self.held = False

    async def acquire(self, resource_version: str | None) -> str:
        """Take the lock; the resourceVersion cilium-config is at afterwards. Raises Locked, or
        Conflict when cilium-config is no longer at `resource_version`."""
        current = await self.kube.get_configmap(self.namespace, self.name)
        holder = _holder(current)
        now = datetime.now(UTC)
        if holder is not None and holder[0] != self.owner and holder[1] > now and _alive(holder[2]):
            owner, until, _ = holder
            raise Locked(
                f"another cilium-tui run ({owner}) is changing this cluster until "
                f"{until.isoformat(timespec='seconds')} (annotation {LOCK_ANNOTATION} on "
                f"{self.namespace}/{self.name}): wait for it to end; if that run died, its "
                "lock expires then"
            )
        expires = (now + timedelta(seconds=self.ttl)).isoformat(timespec="seconds")
        value = json.dumps(
            {
                "owner": self.owner,
                "expires": expires,
                "host": socket.gethostname(),
                "pid": os.getpid(),
            }
        )
        rv = resource_version or str(current["metadata"]["resourceVersion"])
        after = await self.kube.patch_configmap_data(
            self.namespace, self.name, {}, rv, annotations={LOCK_ANNOTATION: value}
        )
        self.held = True
        return str(after["metadata"]["resourceVersion"])

    async def release(self) -> None:
        """Remove the lock if it is still ours (a failure leaves it to expire)."""
        if not self.held:
            return
        self.held = False
        current = await self.kube.get_configmap(self.namespace, self.name)
        holder = _holder(current)
        if holder is not None and holder[0] == self.owner:
            rv = str(current["metadata"]["resourceVersion"])
            await self.kube.patch_configmap_data(
                self.namespace, self.name, {}, rv, annotations={LOCK_ANNOTATION: None}
            )
