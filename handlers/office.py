"""/digest and /export for the office."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.digests import UPLOAD_LIMIT, export_files, send_digest
from bot.render import render
from handlers.common import locate, respond


async def digest_command(update: Update, context: BotContext) -> None:
    """/digest: this week's status digest, now (office only)."""
    with context.services.session() as session:
        where = locate(update, context, session)
    if where.campaign is None or not where.office:
        await respond(update, render("office_only"))
        return
    today = context.services.today()
    await send_digest(context.bot, context.services, where.campaign.id, [update.effective_chat.id], today)


async def export_command(update: Update, context: BotContext) -> None:
    """/export: the 台账 spreadsheet and the evidence package (office only)."""
    with context.services.session() as session:
        where = locate(update, context, session)
    if where.campaign is None or not where.office:
        await respond(update, render("office_only"))
        return
    services = context.services
    today = services.today()
    out_dir = services.settings.data_dir / "exports"
    files = await asyncio.to_thread(export_files, services, where.campaign.id, today, out_dir)
    for path in (files["xlsx"], files["zip"]):
        if path.stat().st_size <= UPLOAD_LIMIT:
            with path.open("rb") as fh:
                await update.effective_message.reply_document(fh, filename=path.name)
        else:
            await respond(update, render("export_too_big", name=path.name, path=str(path.resolve()),
                                         mb=path.stat().st_size // 1048576))
    await respond(update, render("export_done", files=files["files"]))
