"""The durable inbox on python-telegram-bot: an update is in the store before Telegram is told
it arrived, and is processed once even if it comes again.

Why a queue, and not a poller of our own: python-telegram-bot's ``Updater`` puts each update of a
``getUpdates`` batch into ``Application.update_queue`` (``await update_queue.put(update)``) and only
then moves the offset that acknowledges the batch; its webhook handler does the same before it
answers 200. So ``DurableQueue.put`` — which writes the update (``knowledge.inbox.record``) and
commits before it returns — makes both paths store first, and keeps PTB's own polling (network
retries, bootstrap, clean shutdown) and webhook server (secret token check) as they are, where a
poller of our own would copy them. ``ApplicationBuilder.update_queue`` is the documented way to
hand PTB a queue of one's own. (Read in PTB 22.8: ``Updater._start_polling.polling_action_cb``
and ``_utils/webhookhandler.TelegramHandler.post``.)

Concurrency uses PTB's ``BaseUpdateProcessor`` (added for per-chat sequential processing, PTB
issue #3509 / pull request #3654) rather than ``concurrent_updates=True``, which would let two
messages of one chat race.

``ChatOrderedProcessor`` is that processor: updates of different chats run concurrently, those
of one chat in the order they came, each holding the store's turn (``bot.turns``); when the
handlers are done it marks the update done — unless a handler already did, in the transaction
of its effects (``handlers.common.settle``).

On start (``replay``), updates stored but not finished are put back in the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.context import Services
from knowledge import inbox

log = logging.getLogger(__name__)
CHANNEL = "telegram"


class DurableQueue(asyncio.Queue):
    """``Application.update_queue`` whose ``put`` stores an update first; one stored before is dropped."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    async def put(self, item: Any) -> None:  # noqa: ANN401
        if isinstance(item, Update) and not self._record(item):
            log.info("update %s came again; it was stored before and is not processed twice", item.update_id)
            return
        await super().put(item)

    def _record(self, update: Update) -> bool:
        with self.services.session() as session:
            return inbox.record(session, CHANNEL, update.update_id, update.to_dict(), self.services.clock.now())

    def replay(self, app: Application) -> int:
        """Queue the updates a stopped process left unfinished (already stored: not recorded again)."""
        with self.services.session() as session:
            raws = inbox.unfinished(session, CHANNEL)
        for raw in raws:
            self.put_nowait(Update.de_json(raw, app.bot))
        if raws:
            log.warning("processing %d updates again that were stored before the bot stopped", len(raws))
        return len(raws)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat; marks each update done afterwards."""

    def __init__(self, services: Services, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.services = services
        self._chats: dict[object, tuple[asyncio.Lock, int]] = {}  # lock, updates waiting or running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_of(update)
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock, self.services.turn.held():
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users > 1:
                self._chats[key] = (lock, users - 1)
            else:
                del self._chats[key]
            if isinstance(update, Update):
                self._finish(update)

    def _finish(self, update: Update) -> None:
        try:
            with self.services.session() as session:
                inbox.done(session, CHANNEL, update.update_id, self.services.clock.now())
        except Exception:  # the store may be what failed; the update is processed again on start
            log.exception("could not mark update %s done", update.update_id)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close: updates in flight finish under PTB's own shutdown."""


def _chat_of(update: object) -> object:
    """What orders updates: the chat (a private chat is the person), else the sender, else nothing."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None
