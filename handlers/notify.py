"""What the evidence paths must tell people, written to the outbox with the fact itself.

A submission's receipt and its review cards, a review's outcome for the office and for the
submitter: each is an ``knowledge.outbox.Outgoing`` row committed in the same transaction as the
submission or the review (``settle``), then delivered at once (``deliver``) — and, if Telegram
fails now, by the outbox job later. So once a submission is committed nobody is told it failed:
the receipt is retried, never replaced by an apology.
"""

from __future__ import annotations

import logging

from sqlmodel import Session
from telegram import Update
from telegram.error import TelegramError

from bot import outbox as face
from bot.context import BotContext, Services
from bot.delivery import keyboard
from bot.inbox import CHANNEL
from bot.markup import to_telegram
from bot.render import render_message
from knowledge import chats as bindings
from knowledge import evidence as ev
from knowledge import outbox
from knowledge.messages import Action, ActionKind, Actions, Message, decode
from knowledge.outbox import Outgoing

log = logging.getLogger(__name__)


def review_actions(evidence_id: int) -> Actions:
    """The review card's three buttons."""
    return [[Action("通过(满分)", ActionKind.REVIEW, (evidence_id, "a")),
             Action("通过(部分分)", ActionKind.REVIEW, (evidence_id, "p")),
             Action("退回", ActionKind.REVIEW, (evidence_id, "r"))]]


def settle(update: Update, context: BotContext, session: Session, rows: list[Outgoing]) -> list[str]:
    """Commit the session's effects, ``rows`` and this update's inbox mark together; the row keys."""
    return outbox.settle(session, rows, context.services.clock.now(), (CHANNEL, update.update_id))


async def deliver(context: BotContext, keys: list[str]) -> None:
    """Send those rows now, giving up the store's turn while Telegram answers."""
    async with context.services.turn.released():
        await face.deliver(context.bot, context.services, keys)


def office_targets(session: Session, services: Services, campaign_id: int) -> list[int]:
    """The campaign's office chats, and the configured ``OFFICE_CHAT_ID`` if it is not one of them."""
    chats = [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign_id)]
    if services.settings.office_chat_id and services.settings.office_chat_id not in chats:
        chats.append(services.settings.office_chat_id)
    return chats


def submission_rows(session: Session, services: Services, view: ev.EvidenceView, chat_id: int,
                    reply_to: int | None, private: bool) -> list[Outgoing]:
    """The officer's receipt (quoting the file in a group) and a review card per office chat."""
    receipt = Outgoing(f"receipt:{view.id}", chat_id, Message("receipt", {"e": view}), private=private,
                       reply_to=None if private else reply_to, campaign_id=view.campaign_id)
    return [receipt, *card_rows(session, services, view)]


def card_rows(session: Session, services: Services, view: ev.EvidenceView) -> list[Outgoing]:
    card = Message("review_card", {"e": view}, actions=review_actions(view.id))
    return [Outgoing(f"card:{view.id}:{chat}", chat, card, campaign_id=view.campaign_id)
            for chat in office_targets(session, services, view.campaign_id)]


def outcome_rows(session: Session, done: ev.EvidenceView, office_chat: int, reply_to: int | None,
                 reviewer: str) -> list[Outgoing]:
    """The confirmation where it was reviewed, and the submitter's notice: privately, else in the
    liaison groups, else a note asking the office to pass it on."""
    eid, cid = done.id, done.campaign_id
    confirm = Outgoing(f"outcome:{eid}:office", office_chat, Message("review_done", {"e": done, "reviewer": reviewer}),
                       reply_to=reply_to, campaign_id=cid)
    nobody = [Outgoing(f"outcome:{eid}:undelivered", office_chat, Message("review_undelivered", {"e": done}),
                       campaign_id=cid)]
    group_notice = Message("review_notice_group", {"e": done, "user_id": done.submitter_user_id,
                                                   "officer": done.officer_name})
    groups = [Outgoing(f"outcome:{eid}:group:{c.chat_id}", c.chat_id, group_notice, campaign_id=cid, fallback=nobody)
              for c in bindings.liaison_chats(session=session, campaign_id=cid)] or nobody
    if not done.submitter_user_id:
        return [confirm, *groups]
    notice = Outgoing(f"outcome:{eid}:private", done.submitter_user_id, Message("review_notice", {"e": done}),
                      private=True, campaign_id=cid, fallback=groups)
    return [confirm, notice]


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
        await context.bot.edit_message_text(to_telegram(render_message(message)), chat_id=int(target),
                                            message_id=int(ids[-1]), reply_markup=keyboard(message.actions))
    except TelegramError as exc:
        log.info("could not update message %s in %s: %s", ids[-1], target, exc)


async def deliver_by_edit(context: BotContext, key: str, update: Update) -> None:
    """Deliver a row by editing the message whose button was pressed (the /submit prompt becomes
    the receipt); if the edit fails the row is sent as a new message instead."""
    services, query = context.services, update.callback_query
    with services.session() as session:
        row = outbox.claim(session, outbox.row(session, key).id, services.clock.now())
        text = row and to_telegram(render_message(decode(row.message)))
    if not text:
        return
    try:
        await query.edit_message_text(text)
    except TelegramError:
        with services.session() as session:
            outbox.release(session, row.id)
        await deliver(context, [key])
        return
    with services.session() as session:
        outbox.sent(session, row.id, [query.message.message_id] if query.message else [], services.clock.now())

