"""Whose turn it is with the store, when updates are processed concurrently.

Updates from different chats are handled at the same time (``bot.inbox.ChatOrderedProcessor``),
but the store is used through synchronous sessions, and a session that has written holds
SQLite's write lock until it commits: if its handler then awaited the network while another
handler tried to write, that handler would block the event loop until the busy timeout. So one
update at a time holds the turn while it reads and writes, and gives it up only where it waits
for the network with nothing written: downloading a file, sending the outbox. A 300 MB upload
then never delays another officer's question, and no two sessions interleave their writes.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class StoreTurn:
    """An asyncio lock that knows whether the current task holds it."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._mine: contextvars.ContextVar[bool] = contextvars.ContextVar("store_turn", default=False)

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Take the turn for the update being processed (the processor does)."""
        async with self._lock:
            token = self._mine.set(True)
            try:
                yield
            finally:
                self._mine.reset(token)

    @asynccontextmanager
    async def released(self) -> AsyncIterator[None]:
        """Give the turn up while waiting for the network; a task without it just runs."""
        if not self._mine.get() or not self._lock.locked():
            yield
            return
        self._lock.release()
        self._mine.set(False)
        try:
            yield
        finally:
            await self._lock.acquire()
            self._mine.set(True)
