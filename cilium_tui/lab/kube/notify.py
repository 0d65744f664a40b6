"""Wake-ups on the server's event loop when the store changes (for watches and controllers)."""

from __future__ import annotations

import asyncio
import contextlib


class Notifier:
    """A broadcast "something changed" signal living on one event loop.

    Take a `waiter()` *before* reading the store and wait on it after: a change that lands between
    the read and the wait then still wakes you (no lost wake-up).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def waiter(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        """Wake everyone waiting; call on the loop."""
        self._event.set()
        self._event = asyncio.Event()

    def notify_threadsafe(self) -> None:
        """Wake everyone waiting, from any thread (a no-op once the loop is closed)."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self.notify)

    @staticmethod
    async def wait(waiter: asyncio.Event, timeout: float) -> None:
        """Wait for `waiter` or `timeout` seconds, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), max(0.0, timeout))
