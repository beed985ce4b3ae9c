"""Telegram's side of the evidence notices: commit them, deliver them, keep them current.

Who is told what is ``knowledge.evidence_notices``; here its rows are committed in the same
transaction as the submission or the review and the update's inbox mark (``settle``), then
delivered at once (``deliver``) — and, if Telegram fails now, by the outbox's pass later. So once
a submission is committed nobody is told it failed: the receipt is retried, never replaced by an
apology. An album's next file updates the receipt and cards (``refresh``); the /submit prompt
becomes the receipt (``deliver_by_edit``).
"""

from __future__ import annotations

import logging

from sqlmodel import Session
from telegram import Update
from telegram.error import TelegramError

from bot import outbox as face
from bot.context import BotContext
from bot.delivery import keyboard
from bot.inbox import CHANNEL
from bot.markup import to_telegram
from bot.render import render_message
from knowledge import evidence_notices as notices
from knowledge import outbox
from knowledge.evidence import EvidenceView
from knowledge.messages import Message, decode
from knowledge.outbox import Outgoing

log = logging.getLogger(__name__)


def settle(update: Update, context: BotContext, session: Session, rows: list[Outgoing]) -> list[str]:
    """Commit the session's effects, ``rows`` and this update's inbox mark together; the row keys."""
    return outbox.settle(session, rows, context.services.clock.now(), (CHANNEL, update.update_id))


def submission_rows(session: Session, context: BotContext, view: EvidenceView, update: Update,
                    private: bool) -> list[Outgoing]:
    """The receipt and cards of a submission made by ``update`` (``knowledge.evidence_notices``)."""
    message = update.effective_message
    quote = message.message_id if message and not update.callback_query else None
    return notices.submission_rows(session, view, update.effective_chat.id, quote, private,
                                   context.services.settings.office_chat_id)


async def deliver(context: BotContext, keys: list[str]) -> None:
    """Send those rows now, giving up the store's turn while Telegram answers."""
    async with context.services.turn.released():
        await face.deliver(context.bot, context.services, keys)


async def refresh_submission(context: BotContext, view: EvidenceView) -> None:
    """An album's next file: its receipt and its cards list every file now."""
    with context.services.session() as session:
        cards = outbox.keys_from(session, f"card:{view.id}:")
    await refresh(context, f"receipt:{view.id}", notices.receipt(view))
    for key in cards:
        await refresh(context, key, notices.card(view))


async def refresh(context: BotContext, key: str, message: Message) -> None:
    """Show ``message`` in place of a row's: rewritten if it has not gone yet, else its sent
    message edited (a courtesy: the files are stored either way)."""
    with context.services.session() as session:
        if outbox.revise(session, key, message):
            return
        row = outbox.row(session, key)
        target, ids = (row.target, row.sent_ids) if row and row.status == "sent" else (None, [])
    if target is None or not ids:
        return
    try:
        async with context.services.turn.released():
            await context.bot.edit_message_text(to_telegram(render_message(message)), chat_id=int(target),
                                                message_id=int(ids[-1]), reply_markup=keyboard(message.actions))
    except TelegramError as exc:
        log.info("could not update message %s in %s: %s", ids[-1], target, exc)


async def deliver_by_edit(context: BotContext, key: str, update: Update) -> None:
    """Deliver a row by editing the message whose button was pressed (the /submit prompt becomes
    the receipt); if the edit fails the row is sent as a new message instead."""
    services, query = context.services, update.callback_query
    with services.session() as session:
        row = outbox.claim(session, outbox.row(session, key).id, services.clock.now(), CHANNEL)
        text = row and to_telegram(render_message(decode(row.message)))
    if not text:
        return
    try:
        async with services.turn.released():
            await query.edit_message_text(text)
    except TelegramError:
        with services.session() as session:
            outbox.release(session, row.id)
        await deliver(context, [key])
        return
    with services.session() as session:
        outbox.sent(session, row.id, [query.message.message_id] if query.message else [], services.clock.now())

