"""Questions: /my, /unit, /ind, /find, /phase, /help, free text, and the buttons they show."""

from __future__ import annotations

import re

from telegram import Chat, MessageEntity, Update

from bot.answers import Reply, indicator_reply, task_reply, unit_reply
from bot.context import BotContext
from bot.render import render
from bot.typed import answer_typed
from handlers.common import Where, locate, respond
from handlers.gate import admit


async def _answer(update: Update, context: BotContext, build, text: str = "") -> None:  # noqa: ANN001
    """Locate, admit, then let ``build(session, where)`` make the reply."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if not await admit(update, where, text):
            return
        reply: Reply = build(session, where)
    await respond(update, reply)


async def help_command(update: Update, context: BotContext) -> None:
    """Explain what to ask, with examples."""
    with context.services.session() as session:
        where = locate(update, context, session)
    if where.campaign is None and update.effective_chat.type != Chat.PRIVATE:
        await respond(update, render("group_unbound"))
        return
    await respond(update, render("help", city=where.campaign.city if where.campaign else ""))


async def question_command(update: Update, context: BotContext) -> None:
    """/my, /unit 发改委, /ind 12, /find 跨境电商, /phase: answered as ``liaison-bot ask`` answers them."""
    await _typed(update, context, update.effective_message.text or "")


async def _typed(update: Update, context: BotContext, text: str) -> None:
    """Commands and free text take one path, and share the replies kept from the documents."""
    today, services = context.services.today(), context.services
    await _answer(update, context, lambda s, w: answer_typed(s, w.campaign, w.directory, text, w.asker, today,
                                                             context.bot.username, cache=services.replies), text)


def addressed_to_bot(update: Update, username: str) -> bool:
    """In groups the bot answers only when mentioned or replied to (privacy mode's rule too)."""
    message = update.effective_message
    if message is None or message.chat.type == Chat.PRIVATE:
        return True
    reply = message.reply_to_message
    if reply and reply.from_user and (reply.from_user.username == username or reply.from_user.id == message.get_bot().id):
        return True
    mentions = message.parse_entities([MessageEntity.MENTION])
    if any(text.lstrip("@").lower() == username.lower() for text in mentions.values()):
        return True
    # Clients that send "@bot …" without a mention entity (some bridges and emulators) still mean us.
    return bool(username) and re.search(rf"@{re.escape(username)}(?![A-Za-z0-9_])", message.text or "", re.I) is not None


async def free_text(update: Update, context: BotContext) -> None:
    """Any text in private; mentions and replies in groups."""
    username = context.bot.username
    if not addressed_to_bot(update, username):
        return
    text = update.effective_message.text or ""
    if len(text) > 500:
        await respond(update, render("too_long"))
        return
    await _typed(update, context, text)


async def open_button(update: Update, context: BotContext) -> None:
    """Buttons i:<campaign>:<no>, u:<campaign>:<unit>, t:<campaign>:<seq> open what they name."""
    query = update.callback_query
    await query.answer()
    kind, campaign_id, ident = query.data.split(":")

    def build(session, where: Where) -> Reply:  # noqa: ANN001
        if where.campaign.id != int(campaign_id):
            return Reply(text=render("stale_button"), intent="stale")
        if kind == "i":
            return indicator_reply(session, where.campaign, where.directory, int(ident), where.asker, context.services.today())
        if kind == "t":
            return task_reply(session, where.campaign, where.directory, int(ident))
        unit = where.directory.units.get(int(ident))
        if unit is None:
            return Reply(text=render("stale_button"), intent="stale")
        return unit_reply(session, where.campaign, where.directory, unit)
    await _answer(update, context, build)
