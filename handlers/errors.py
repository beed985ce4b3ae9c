"""The error handler: log with the update, tell the office chat, answer the user politely.

Modelled on python-telegram-bot's rules-bot: no exception reaches a user as silence or a
traceback. The office sees an error id and a one-line cause (the exception's class and message,
paths and URLs cut out: they tell the server's layout, and a URL may carry the bot token); the
log has the full traceback under the same id.
"""

from __future__ import annotations

import logging
import re
import secrets

from telegram import Update

from bot.context import BotContext
from bot.delivery import send
from bot.inbox import CHANNEL
from bot.render import render
from knowledge import chats as bindings

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log, report to the office, and apologise to the user."""
    err = context.error
    error_id = secrets.token_hex(4)
    log.error("error %s while handling an update: %s", error_id, update if isinstance(update, Update) else update,
              exc_info=err)
    services = context.services
    chats = _office_chats(services)
    where = ""
    if isinstance(update, Update) and update.effective_chat:
        where = f"chat {update.effective_chat.id}"
        if update.effective_user:
            where += f", user {update.effective_user.id}"
    report = render("error_report", id=error_id, kind=type(err).__name__, cause=cause(err), where=where)
    for chat_id in chats:
        try:
            await send(context.bot, services, chat_id, report)
        except Exception:
            log.exception("could not report to office chat %s", chat_id)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_html(render("error_user", id=error_id))
        except Exception:
            log.exception("could not apologise to the user")


_PATHLIKE = re.compile(r"""[^\s'"()<>\[\]]*[/\\][^\s'"()<>\[\]]*""")


def cause(err: BaseException | None) -> str:
    """The exception's message on one line, at most 200 characters, without paths or URLs."""
    first = next((line for line in str(err or "").splitlines() if line.strip()), "")
    return _PATHLIKE.sub("…", first).strip()[:200]


def _office_chats(services) -> set[int]:  # noqa: ANN001
    """Where reports go: the configured office chat and every bound office chat."""
    chats: set[int] = {services.settings.office_chat_id} if services.settings.office_chat_id else set()
    try:
        with services.session() as session:
            chats.update(c.chat_id for c in bindings.all_office_chats(session=session) if c.channel == CHANNEL)
    except Exception:  # the store itself may be what failed
        log.exception("could not list office chats")
    return chats
