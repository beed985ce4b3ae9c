"""Sending messages the bot starts itself (cards, notifications), where failure is normal.

A private message fails with ``Forbidden`` for someone who never pressed Start or who blocked
the bot; a group upgraded to a supergroup answers ``ChatMigrated``. Both are handled here:
the store is told (unreachable / new chat id) and the caller learns whether it arrived.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.context import Services
from bot.render import split_message
from knowledge import chats, people
from knowledge.messages import Action, Actions

log = logging.getLogger(__name__)
UPLOAD_LIMIT = 50 * 1024 * 1024  # the Bot API's limit for files the bot sends

Buttons = list[list[tuple[str, str]]]


def keyboard(buttons: Actions | Buttons | None) -> InlineKeyboardMarkup | None:
    """Inline keyboard from ``Action`` rows (or (label, callback_data) rows); ids only, ≤ 64 bytes."""
    if not buttons:
        return None
    rows = [[(b.label, b.encode()) if isinstance(b, Action) else b for b in row] for row in buttons]
    for row in rows:
        for _label, data in row:
            if len(data.encode()) > 64:
                raise ValueError(f"callback_data too long: {data!r}")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows])


async def send(bot: object, services: Services, chat_id: int, text: str,
               buttons: Buttons | None = None, *, private: bool = False, reply_to: int | None = None) -> list[Message]:
    """Send ``text`` (split to Telegram's limit) to ``chat_id``; [] when it cannot arrive.

    ``reply_to`` quotes that message with the first part (and sends anyway if it was deleted).
    """
    sent: list[Message] = []
    parts = split_message(text)
    for index, part in enumerate(parts):
        markup = keyboard(buttons) if index == len(parts) - 1 else None
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and index == 0 else None
        try:
            sent.append(await bot.send_message(chat_id, part, parse_mode="HTML", reply_markup=markup,  # type: ignore[attr-defined]
                                               reply_parameters=quote))
        except Forbidden:
            log.info("chat %s unreachable (Forbidden)", chat_id)
            with services.session() as session:
                if private:
                    people.set_private_ok(session=session, user_id=chat_id, ok=False)
                else:
                    chats.mark_chat_status(session=session, chat_id=chat_id, status="unreachable",
                                            now=services.clock.now())
            return sent
        except ChatMigrated as exc:
            with services.session() as session:
                chats.migrate_chat(session=session, old_chat_id=chat_id,
                                    new_chat_id=exc.new_chat_id, now=services.clock.now())
            return sent + await send(bot, services, exc.new_chat_id, "\n".join(parts[index:]), buttons)
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                log.info("chat %s not found", chat_id)
                return sent
            raise
    return sent
