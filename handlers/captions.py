"""Files whose caption names the indicator ("#12 …"), and albums: the shortcut beside /submit.

An album is one submission: its files are stored as they arrive, the receipt and the office
card are sent once and then edited to list every file, and a caption on any item takes the items
before it. As with /submit, files are stored and the row committed before any receipt.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from telegram import Update

from bot.context import BotContext
from bot.render import render
from handlers.common import Where, locate, respond
from handlers.submit import announce, collect, download, markup, officer_ok, review_buttons
from knowledge import evidence as ev
from knowledge.files import FileRejected

log = logging.getLogger(__name__)

_N = r"(\d{1,3}(?!\d)|[一二两三四五六七八九十]{1,3})"
_ITEM = r"(?:\s*[-—.]\s*(\d)(?!\d))?"
# "#12 …", "指标12 …" name an indicator outright; "第12项 …", "十二号指标 …" only with 项/号, so
# "第4季度统计报表" is a file name, not indicator 4.
CAPTIONS = [
    re.compile(rf"^\s*(?:#|指标)\s*{_N}{_ITEM}\s*(?:项|号)?(?:指标)?\s*(.*)$", re.S),
    re.compile(rf"^\s*第\s*{_N}\s*(?:项|号){_ITEM}\s*(?:指标)?\s*(.*)$", re.S),
    re.compile(rf"^\s*{_N}\s*(?:项|号)\s*指标{_ITEM}\s*(.*)$", re.S),
]


def parse_caption(caption: str) -> tuple[int, int | None, str] | None:
    """'#12 电商培训通知' → (12, None, '电商培训通知'); '#12-2 …' names scoring item 2."""
    from knowledge.questions import to_int

    text = unicodedata.normalize("NFKC", caption or "")
    for pattern in CAPTIONS:
        m = pattern.match(text)
        if m and (no := to_int(m.group(1))) is not None:
            return no, int(m.group(2)) if m.group(2) else None, m.group(3).strip()
    return None


async def captioned_file(update: Update, context: BotContext) -> None:
    """A document or photo whose caption names the indicator ("#12 …"), or an album's next item.

    An album is one submission: its files are stored as they arrive, the receipt and the office
    card are sent once and then edited to list every file, and a caption on a later item still
    takes the items before it.
    """
    message = update.effective_message
    if await collect(update, context):
        return
    caption = (message.caption or "").replace(f"@{context.bot.username}", " ")  # "@bot #12 …" in groups
    parsed = parse_caption(caption)
    album = message.media_group_id or ""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None:
            if not where.private and parsed:
                await respond(update, render("group_unbound"))
            return
        if parsed is None and not (album and context.chat_data.get(("album", album))):
            await _uncaptioned(update, context, where, album)
            return
        if not officer_ok(where):
            await respond(update, render("submit_need_officer"))
            return
        no, item, note = parsed if parsed else context.chat_data[("album", album)]
        try:
            ev.responsible_view(session, where.campaign, where.directory, where.officer.unit_id, no)
            f = await download(message, context)
            files = context.chat_data.pop(("album_files", album), []) if album else []
            view = ev.submit(session, campaign=where.campaign, directory=where.directory, officer=where.officer,
                             no=no, item_no=item, files=files + ([f] if f else []), note=note,
                             now=context.services.clock.now(), media_group_id=album)
        except (FileRejected, ev.EvidenceError) as exc:
            await respond(update, str(exc))
            return
        session.commit()  # committed before the receipt
        if album:
            context.chat_data[("album", album)] = (no, item, "")
    await _acknowledge(update, context, where, view, album)


async def _uncaptioned(update: Update, context: BotContext, where: Where, album: str) -> None:
    """A file without an indicator: an album item waits for the caption of a later item; else help."""
    if album and officer_ok(where):
        try:
            if f := await download(update.effective_message, context):
                context.chat_data.setdefault(("album_files", album), []).append(f)
        except FileRejected as exc:
            await respond(update, str(exc))
        _hint_later(context, update, album)
    elif where.private:
        await respond(update, render("submit_how"))


async def _acknowledge(update: Update, context: BotContext, where: Where, view: ev.EvidenceView,
                       album: str) -> None:
    """The receipt and the office card, once per submission; an album's next file edits both."""
    sent = context.chat_data.get(("album_sent", album, view.id)) if album else None
    attached, view.attached = view.attached, False
    if sent and attached:
        await _edit(context, [sent[0]], render("receipt", e=view))
        await _edit(context, sent[1], render("review_card", e=view), review_buttons(view.id))
        return
    receipt = await update.effective_message.reply_html(render("receipt", e=view), do_quote=not where.private)
    cards = await announce(context, where.campaign, view)
    if album:
        _remember(context.chat_data, ("album_sent", album, view.id),
                  ((receipt.chat_id, receipt.message_id), [(m.chat_id, m.message_id) for m in cards]))


def _remember(store: dict, key: tuple, value: object, keep: int = 50) -> None:
    """Album bookkeeping in chat_data, bounded: albums are finished within seconds."""
    store[key] = value
    old = [k for k in store if isinstance(k, tuple) and k and k[0] == "album_sent"]
    for k in old[:-keep]:
        store.pop(k, None)


async def _edit(context: BotContext, targets: list, text: str, buttons: list | None = None) -> None:
    from telegram.error import TelegramError

    for chat_id, message_id in targets:
        try:
            await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                                reply_markup=markup(buttons) if buttons else None)
        except TelegramError as exc:  # an edit is a courtesy; the files are stored either way
            log.info("could not update message %s in %s: %s", message_id, chat_id, exc)


def _hint_later(context: BotContext, update: Update, album: str) -> None:
    """If no item of the album names an indicator within a few seconds, say how to caption it."""
    if context.job_queue is None or context.chat_data.get(("album_hint", album)):
        return
    context.chat_data[("album_hint", album)] = True
    chat_id, reply_to = update.effective_chat.id, update.effective_message.message_id

    async def hint(ctx: BotContext) -> None:
        if not ctx.application.chat_data.get(chat_id, {}).get(("album", album)):
            ctx.application.chat_data.get(chat_id, {}).pop(("album_files", album), None)
            await ctx.bot.send_message(chat_id, render("submit_how"), reply_to_message_id=reply_to)

    context.job_queue.run_once(hint, 5, name=f"album-hint:{album}")
