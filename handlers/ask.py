"""Questions: /my, /unit, /ind, /find, /phase, /help, free text, and the buttons they show."""

from __future__ import annotations

import re

from telegram import Chat, MessageEntity, Update

from bot.context import BotContext
from bot.render import render
from bot.replies import Reply, answer_typed, rendered
from handlers.common import Where, locate, respond
from handlers.gate import admit
from knowledge.ask import Scope
from knowledge.ask.dispatch import opened
from knowledge.messages import Action


async def _answer(update: Update, context: BotContext, build) -> None:  # noqa: ANN001
    """Locate, admit, then let ``build(session, where)`` make the reply."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if not await admit(update, where):
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
                                                             context.bot.username, cache=services.replies))


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
    """Buttons that open an indicator, a unit or a task (``Action``s of the open kinds)."""
    query = update.callback_query
    await query.answer()
    action = Action.parse(query.data or "")

    def build(session, where: Where) -> Reply:  # noqa: ANN001
        scope = Scope(session, where.campaign, where.directory, where.asker, context.services.today())
        return rendered(opened(scope, action))
    await _answer(update, context, build)
