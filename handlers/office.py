"""/digest and /export for the office."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.delivery import UPLOAD_LIMIT
from bot.outbox import TelegramOutbox
from handlers.common import locate, respond
from knowledge.messages import say
from reminders.weekly import export_files, send_digest


async def digest_command(update: Update, context: BotContext) -> None:
    """/digest: this week's status digest, now (office only)."""
    with context.services.session() as session:
        where = locate(update, context, session)
    if where.campaign is None or not where.office:
        await respond(update, say("office_only"))
        return
    outbox = TelegramOutbox(context.bot, context.services)
    await send_digest(outbox, context.services, where.campaign.id, [update.effective_chat.id],
                      context.services.today())


async def export_command(update: Update, context: BotContext) -> None:
    """/export: the 台账 spreadsheet and the evidence package (office only)."""
    with context.services.session() as session:
        where = locate(update, context, session)
    if where.campaign is None or not where.office:
        await respond(update, say("office_only"))
        return
    services = context.services
    out_dir = services.settings.data_dir / "exports"
    files = await asyncio.to_thread(export_files, services, where.campaign.id, services.today(), out_dir)
    for path in (files["xlsx"], files["zip"]):
        if path.stat().st_size <= UPLOAD_LIMIT:
            with path.open("rb") as fh:
                await update.effective_message.reply_document(fh, filename=path.name)
        else:
            await respond(update, say("export_too_big", name=path.name, path=str(path.resolve()),
                                      mb=path.stat().st_size // 1048576))
    await respond(update, say("export_done", files=files["files"]))
