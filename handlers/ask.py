"""Questions: /my, /unit, /ind, /find, /phase, /help, free text, and the buttons they show."""

from __future__ import annotations

import re
from collections.abc import Callable

from telegram import Chat, MessageEntity, Update

from bot.context import BotContext
from bot.render import render
from bot.replies import answer_typed
from handlers.common import locate, respond
from handlers.gate import Request, admit, gated
from knowledge.access import Route, commands_for
from knowledge.ask import Question, Scope, parse
from knowledge.ask.dispatch import help_message, opened
from knowledge.ask.parse import parse_command
from knowledge.messages import say
from knowledge.units import UnitDirectory


@gated(Route.HELP)
async def help_command(update: Update, context: BotContext, request: Request) -> None:
    """Explain what to ask, with examples (in an unbound group the gate says how to bind it)."""
    where = request.where
    if where.campaign is None:  # no campaign loaded (or an unbound group): what anyone may do
        await respond(update, say("help", city="", **commands_for(where.role, where.chat_kind)))
        return
    await respond(update, help_message(where.campaign, where.asker))


async def question_command(update: Update, context: BotContext) -> None:
    """/my, /unit 发改委, /ind 12, /find 跨境电商, /phase, /status: the command and its ``context.args``
    become the same ``Question`` as free text, answered as ``liaison-bot ask`` answers them."""
    text = update.effective_message.text or ""
    name = text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower()
    await _typed(update, context, text, lambda d: parse_command(name, " ".join(context.args or []), d, text))


async def _typed(update: Update, context: BotContext, text: str,
                 read: Callable[[UnitDirectory], Question] | None = None) -> None:
    """Read the question once, admit it by its route in the access table, answer (kept replies)."""
    services = context.services
    with services.session() as session:
        where = locate(update, context, session)
        question = (read or (lambda d: parse(text, d, context.bot.username)))(where.directory) \
            if where.directory else None
        if not await admit(update, where, question.route(where.asker) if question else Route.ASK):
            return
        reply = answer_typed(session, where.campaign, where.directory, text, where.asker, services.today(),
                             context.bot.username, cache=services.replies, question=question)
    await respond(update, reply)


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


@gated(Route.ASK)
async def open_button(update: Update, context: BotContext, request: Request) -> None:
    """Buttons that open an indicator, a unit or a task, or show the whole of a short reply (MORE)."""
    await update.callback_query.answer()
    where = request.where
    scope = Scope(request.session, where.campaign, where.directory, where.asker, context.services.today())
    await respond(update, opened(scope, request.action))
