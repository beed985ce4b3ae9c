"""/digest and /export for the office."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.delivery import UPLOAD_LIMIT
from bot.outbox import TelegramOutbox
from handlers.common import respond
from handlers.gate import Request, gated
from knowledge.access import Route
from knowledge.messages import say
from reminders.weekly import export_files, send_digest


@gated(Route.DIGEST)
async def digest_command(update: Update, context: BotContext, request: Request) -> None:
    """/digest: this week's status digest, now (office only)."""
    where = request.where
    request.session.commit()  # the digest reads in sessions of its own; hold no transaction meanwhile
    outbox = TelegramOutbox(context.bot, context.services)
    await send_digest(outbox, context.services, where.campaign.id, [update.effective_chat.id],
                      context.services.today())


@gated(Route.EXPORT)
async def export_command(update: Update, context: BotContext, request: Request) -> None:
    """/export: the 台账 spreadsheet and the evidence package (office only)."""
    where = request.where
    request.session.commit()  # the export reads in a thread of its own; hold no transaction meanwhile
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
