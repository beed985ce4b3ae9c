"""Files whose caption names the indicator ("#12 …"), and albums: the shortcut beside /submit.

An album is one submission: its files are stored as they arrive, the receipt and the office
card are sent once and then edited to list every file, and a caption on any item takes the items
before it. As with /submit, files are stored and the row committed before any receipt.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.render import render
from handlers import notify
from handlers.common import Where, locate, refusal, respond
from handlers.gate import Request, enter
from handlers.submit import collect, download
from knowledge import evidence as ev
from knowledge.access import Route
from knowledge.ask.grammar import parse_caption, strip_mention
from knowledge.files import FileRejected

log = logging.getLogger(__name__)

async def captioned_file(update: Update, context: BotContext) -> None:
    """A document or photo whose caption names the indicator ("#12 …"), or an album's next item."""
    message = update.effective_message
    if await collect(update, context):
        return
    parsed = parse_caption(strip_mention(message.caption or "", context.bot.username))  # "@bot #12 …" in groups
    album = _album(context, message.media_group_id)
    with context.services.session() as session:
        if parsed is None and not album.get("target") and message.media_group_id:  # memory lost in a restart
            album["target"] = ev.album_target(session, message.media_group_id, update.effective_user.id)
        if parsed is None and not album.get("target"):
            await _uncaptioned(update, context, locate(update, context, session), album)
            return
        request = await enter(update, context, session, Route.FILE)
        view = request and await _store(update, context, request, parsed or (*album["target"], ""), album)
    if view:
        await _acknowledge(context, view, album)


async def _store(update: Update, context: BotContext, request: Request, target: tuple, album: dict
                 ) -> ev.EvidenceView | None:
    """Download and record the file (with the album's earlier ones) and commit it with its receipt
    and cards; None when refused (and said why)."""
    (no, item, note), where, session, message = target, request.where, request.session, update.effective_message
    try:
        ev.responsible_view(session, where.campaign, where.directory, where.officer.unit_id, no)
        f = await download(message, context, where.officer)
        view = ev.submit(session, campaign=where.campaign, directory=where.directory, officer=where.officer,
                         no=no, item_no=item, files=album.pop("files", []) + ([f] if f else []), note=note,
                         now=context.services.clock.now(), media_group_id=message.media_group_id or "")
    except (FileRejected, ev.EvidenceError) as exc:
        await respond(update, refusal(exc))
        return None
    rows = [] if view.attached else notify.submission_rows(session, context, view, update, where.private)
    album["keys"] = notify.settle(update, context, session, rows)  # committed before any receipt
    album["target"] = (no, item)
    return view


def _album(context: BotContext, media_group_id: str | None) -> dict:
    """This album's state in chat_data (a throwaway dict for a single file); the last 50 are kept."""
    if not media_group_id:
        return {}
    albums = context.chat_data.setdefault("albums", {})
    if media_group_id not in albums:
        albums[media_group_id] = {}
        for old in list(albums)[:-50]:  # albums are finished within seconds
            albums.pop(old)
    return albums[media_group_id]


async def _uncaptioned(update: Update, context: BotContext, where: Where, album: dict) -> None:
    """A file without an indicator: an album item waits for the caption of a later item; else help."""
    message = update.effective_message
    if message.media_group_id and where.has_unit:
        try:
            if f := await download(message, context, where.officer):
                album.setdefault("files", []).append(f)
        except FileRejected as exc:
            await respond(update, refusal(exc))
        _hint_later(context, update, album)
    elif where.private:
        await respond(update, render("submit_how"))


async def _acknowledge(context: BotContext, view: ev.EvidenceView, album: dict) -> None:
    """The receipt and the office cards, once per submission; an album's next file updates both."""
    if not view.attached:
        await notify.deliver(context, album.pop("keys", []))
        return
    await notify.refresh_submission(context, view)


def _hint_later(context: BotContext, update: Update, album: dict) -> None:
    """If no item of the album names an indicator within a few seconds, say how to caption it."""
    if context.job_queue is None or album.get("hinted"):
        return
    album["hinted"] = True
    chat_id, reply_to = update.effective_chat.id, update.effective_message.message_id

    async def hint(ctx: BotContext) -> None:
        if not album.get("target"):
            album.pop("files", None)
            await ctx.bot.send_message(chat_id, render("submit_how"), reply_to_message_id=reply_to)

    context.job_queue.run_once(hint, 5, name=f"album-hint:{update.effective_message.media_group_id}")
