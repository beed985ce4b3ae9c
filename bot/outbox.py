"""The Telegram outbox: how the bot's own messages (receipts, review cards, outcomes, reminders,
digests) reach Telegram chats.

``reminders`` and the handlers write ``Message``s into the store (``knowledge.outbox``);
``reminders.outbox.flush`` hands each row to ``TelegramOutbox``, which renders it
(``bot.render.render_message``) and sends it split to Telegram's limit with its keyboard through
``bot.delivery.send`` (which knows what ``Forbidden``, ``ChatMigrated`` and "chat not found" mean
for the store). What a failure means for the row is decided here, once:

- ``RetryAfter`` (a 429 the rate limiter did not wait out) → try again after the pause Telegram named;
- a timeout before the request left (connecting, waiting for a free connection, writing the body),
  5xx and dropped connections → try again later;
- a timeout *waiting for the answer*: Telegram has the request and almost always delivers it, so
  the row is marked sent with a note — sending it again would say it twice;
- another ``BadRequest``: the message cannot be delivered as it is; the chat counts as unreachable
  (its fallback, if any, is written) and the error is logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.context import Services
from bot.delivery import send
from bot.render import render_message
from knowledge import outbox as store
from knowledge.messages import Message
from reminders import sender
from reminders import weekly as digests
from reminders.calendar import WorkCalendar
from reminders.outbox import DeliveryDeferred, Sent, flush

log = logging.getLogger(__name__)
NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)
FLUSH_EVERY = 5  # seconds between passes over the outbox


class TelegramOutbox:
    """``reminders.outbox.Outbox`` over a python-telegram-bot ``Bot``."""

    channel = "telegram"

    def __init__(self, bot: object, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def send(self, target: int | str, message: Message, *, private: bool = False,
                   reply_to: int | None = None) -> Sent | None:
        """``Sent`` when the message arrived; None when the chat cannot be reached (noted in the store)."""
        try:
            sent = await send(self.bot, self.services, int(target), render_message(message),
                              message.actions or None, private=private, reply_to=reply_to)
        except TelegramError as exc:
            return _judge(exc, target)
        return Sent([m.message_id for m in sent]) if sent else None

    async def send_image(self, target: int | str, image: bytes, caption: Message) -> Sent | None:
        """The digest's chart, as a photo with a caption."""
        try:
            m = await self.bot.send_photo(int(target), image, caption=render_message(caption))  # type: ignore[attr-defined]
        except TelegramError as exc:
            return _judge(exc, target)
        return Sent([m.message_id])


def _judge(exc: TelegramError, target: int | str) -> Sent | None:
    """What a Telegram error means for the row (see the module's docstring); raises to retry."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        raise DeliveryDeferred(str(exc), wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from exc
    if isinstance(exc, TimedOut) and not isinstance(exc.__cause__, NOT_SENT):
        log.warning("no answer from Telegram for a message to %s; taken as delivered, not sent again", target)
        return Sent([], "timed out waiting for Telegram's answer; assumed delivered")
    if isinstance(exc, BadRequest):
        log.error("Telegram refused a message to %s: %s", target, exc)
        return None
    if isinstance(exc, NetworkError):
        raise DeliveryDeferred(str(exc)) from exc
    raise DeliveryDeferred(f"{type(exc).__name__}: {exc}") from exc


async def deliver(bot: object, services: Services, keys: list[str] | None = None) -> int:
    """Send what the outbox holds (only ``keys`` and their fallbacks, when given)."""
    return await flush(TelegramOutbox(bot, services), services, keys)


def reclaim(services: Services, channel: str = TelegramOutbox.channel) -> None:
    """At start-up: ``channel``'s messages a stopped process was sending go out again."""
    with services.session() as session:
        if count := store.reclaim(session, services.clock.now(), channel):
            log.warning("%d messages were being sent when the bot stopped; they will be sent again", count)


async def run_due(bot: object, services: Services, calendar: WorkCalendar | None = None) -> int:
    """``reminders.sender.run_due`` through the Telegram outbox: the reminders due now."""
    return await sender.run_due(TelegramOutbox(bot, services), services, calendar)


async def weekly(bot: object, services: Services, calendar: WorkCalendar | None = None) -> int:
    """``reminders.weekly.weekly`` through the Telegram outbox: this week's digest, once."""
    return await digests.weekly(TelegramOutbox(bot, services), services, calendar)


async def tick(context: object) -> None:
    """The minute job: python-telegram-bot calls it every minute."""
    services: Services = context.bot_data["services"]  # type: ignore[attr-defined]
    await run_due(context.bot, services)  # type: ignore[attr-defined]
    await weekly(context.bot, services)  # type: ignore[attr-defined]


async def pass_over(context: object) -> None:
    """The outbox job: retries whatever is due (every ``FLUSH_EVERY`` seconds)."""
    await deliver(context.bot, context.bot_data["services"])  # type: ignore[attr-defined]
