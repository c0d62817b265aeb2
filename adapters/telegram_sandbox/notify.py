"""Wake-ups for waiters (long polls, test helpers) when sandbox state changes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Changed:
    """A broadcast 'something changed' flag; every fire wakes every current waiter."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        """Wake everyone waiting now; later waiters wait for the next fire."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the next fire; True if it came."""
        if timeout <= 0:
            return False
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel that races a wake-up.
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


async def wait_until(changed: Changed, probe: Callable[[], T | None], timeout: float) -> T | None:
    """Return probe()'s first non-None result, re-probing after each change, or None at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        await changed.wait(remaining)
