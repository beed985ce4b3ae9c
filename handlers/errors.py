"""The error handler: log with the update, tell the office chat, answer the user politely.

Modelled on python-telegram-bot's rules-bot: no exception reaches a user as silence or a
traceback; the office sees a short report and the log has the details.
"""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update

from bot.context import BotContext
from bot.delivery import send
from bot.render import render
from knowledge import chats as bindings

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log, report to the office, and apologise to the user."""
    err = context.error
    log.error("error while handling an update: %s", update if isinstance(update, Update) else update,
              exc_info=err)
    services = context.services
    chats = _office_chats(services)
    where = ""
    if isinstance(update, Update) and update.effective_chat:
        where = f"chat {update.effective_chat.id}"
        if update.effective_user:
            where += f", user {update.effective_user.id}"
    tb = "".join(traceback.format_exception(None, err, err.__traceback__ if err else None))[-1500:]
    report = render("error_report", kind=type(err).__name__, where=where, detail=html.unescape(tb))
    for chat_id in chats:
        try:
            await send(context.bot, services, chat_id, report)
        except Exception:
            log.exception("could not report to office chat %s", chat_id)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_html(render("error_user"))
        except Exception:
            log.exception("could not apologise to the user")


def _office_chats(services) -> set[int]:  # noqa: ANN001
    """Where reports go: the configured office chat and every bound office chat."""
    chats: set[int] = {services.settings.office_chat_id} if services.settings.office_chat_id else set()
    try:
        with services.session() as session:
            chats.update(c.chat_id for c in bindings.all_office_chats(session=session))
    except Exception:  # the store itself may be what failed
        log.exception("could not list office chats")
    return chats
