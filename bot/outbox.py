"""The Telegram outbox: how reminders and digests from ``reminders/`` reach Telegram chats.

``reminders`` hands over ``Message``s; this renders them (``bot.render.render_message``), sends
them split to Telegram's limit with their keyboard through ``bot.delivery.send`` (which knows
what ``Forbidden``, ``ChatMigrated`` and "chat not found" mean for the store), and turns any
other Telegram failure (5xx, timeouts) into ``DeliveryDeferred`` so the claim is retried later.
"""

from __future__ import annotations

from telegram.error import TelegramError

from bot.context import Services
from bot.delivery import send
from bot.render import render_message
from knowledge.messages import Message
from reminders import sender
from reminders import weekly as digests
from reminders.calendar import WorkCalendar
from reminders.outbox import DeliveryDeferred


class TelegramOutbox:
    """``reminders.outbox.Outbox`` over a python-telegram-bot ``Bot``."""

    def __init__(self, bot: object, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def send(self, target: int, message: Message, *, private: bool = False) -> bool:
        """True when the message arrived; False when the chat cannot be reached (noted in the store)."""
        try:
            return bool(await send(self.bot, self.services, target, render_message(message),
                                   message.actions or None, private=private))
        except TelegramError as exc:
            raise DeliveryDeferred(str(exc)) from exc

    async def send_image(self, target: int, image: bytes, caption: Message) -> bool:
        """The digest's chart, as a photo with a caption."""
        try:
            await self.bot.send_photo(target, image, caption=render_message(caption))  # type: ignore[attr-defined]
        except TelegramError as exc:
            raise DeliveryDeferred(str(exc)) from exc
        return True


async def run_due(bot: object, services: Services, calendar: WorkCalendar | None = None) -> int:
    """``reminders.sender.run_due`` through the Telegram outbox: the reminders due now."""
    return await sender.run_due(TelegramOutbox(bot, services), services, calendar)


async def weekly(bot: object, services: Services, calendar: WorkCalendar | None = None) -> int:
    """``reminders.weekly.weekly`` through the Telegram outbox: this week's digest, once."""
    return await digests.weekly(TelegramOutbox(bot, services), services, calendar)


async def tick(context: object) -> None:
    """The repeating job: python-telegram-bot calls it every minute."""
    services: Services = context.bot_data["services"]  # type: ignore[attr-defined]
    await run_due(context.bot, services)  # type: ignore[attr-defined]
    await weekly(context.bot, services)  # type: ignore[attr-defined]
