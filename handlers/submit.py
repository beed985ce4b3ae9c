"""Submitting evidence: the guided /submit flow, and files whose caption names the indicator.

Files are downloaded and stored first, the submission row is committed next, and only then
does the officer get a receipt — so nothing acknowledged can be lost.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from telegram import Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.delivery import send
from bot.render import render
from handlers.common import Where, locate, respond
from knowledge import evidence as ev
from knowledge import people
from knowledge.files import FileRejected, check_file, store_bytes
from knowledge.models import Campaign
from knowledge.queries import unit_duties

PAGE = 8
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


def _officer_ok(where: Where) -> bool:
    o = where.officer
    return bool(o and o.status == "active" and o.unit_id and where.campaign)


async def download(message: Message, context: BotContext) -> ev.FileIn | None:
    """The message's document or photo, checked, downloaded and stored; None if there is none."""
    settings = context.services.settings
    if message.document:
        doc = message.document
        name, mime, size, file_id, uid = (doc.file_name or "文件", doc.mime_type or "", doc.file_size,
                                         doc.file_id, doc.file_unique_id)
    elif message.photo:
        photo = message.photo[-1]
        name, mime, size, file_id, uid = (f"照片-{photo.file_unique_id}.jpg", "image/jpeg", photo.file_size,
                                         photo.file_id, photo.file_unique_id)
    else:
        return None
    clean = check_file(name, mime, size, settings.download_limit)
    try:
        tg_file = await context.bot.get_file(file_id)
    except BadRequest as exc:  # no file_size in the message, and the Bot API says it is too big
        if "too big" not in str(exc).lower():
            raise
        raise FileRejected(render("file_too_big", file_name=clean, limit_mb=settings.download_limit // 1048576)) from None
    data = bytes(await tg_file.download_as_bytearray())
    stored = store_bytes(settings.evidence_path, data)
    return ev.FileIn(clean, mime, stored, file_id, uid)


async def submit_command(update: Update, context: BotContext) -> None:
    """/submit: pick one of this unit's indicators."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None and not where.private:
            await respond(update, render("group_unbound"))
            return
        if not _officer_ok(where):
            await respond(update, render("submit_need_officer"))
            return
        text, rows = _indicator_page(session, where, 0)
    sent = await respond(update, text, rows)
    if sent and not where.private:  # in a group, the picker belongs to the officer who asked for it
        context.chat_data[("picker", sent[-1].message_id)] = update.effective_user.id


def _indicator_page(session, where: Where, page: int) -> tuple[str, list]:  # noqa: ANN001
    duties = unit_duties(session=session, campaign=where.campaign, directory=where.directory,
                         unit_id=where.officer.unit_id)
    items = duties.indicators
    pages = max(1, (len(items) + PAGE - 1) // PAGE)
    page = min(max(page, 0), pages - 1)
    cid = where.campaign.id
    rows = [[(f"{d.no}. {d.title[:14]}", f"sb:i:{cid}:{d.no}")] for d in items[page * PAGE:(page + 1) * PAGE]]
    nav = ([("‹ 上一页", f"sb:p:{cid}:{page - 1}")] if page > 0 else []) + (
        [("下一页 ›", f"sb:p:{cid}:{page + 1}")] if page < pages - 1 else [])
    if nav:
        rows.append(nav)
    return render("submit_pick", unit=where.officer.unit_name, page=page + 1, pages=pages), rows


async def submit_button(update: Update, context: BotContext) -> None:
    """sb:p (page), sb:i (indicator), sb:t (item), sb:ok (confirm), sb:x (cancel)."""
    query = update.callback_query
    parts = query.data.split(":")
    with context.services.session() as session:
        where = locate(update, context, session)
        if not _officer_ok(where) or (len(parts) > 2 and int(parts[2]) != where.campaign.id):
            log.warning("refused submit button %r from user %s", query.data, update.effective_user.id)
            await query.answer(render("submit_need_officer"), show_alert=True)
            return
        owner = context.chat_data.get(("picker", query.message.message_id)) if query.message else None
        if owner is not None and owner != update.effective_user.id:
            log.warning("submit button %r of user %s pressed by user %s", query.data, owner, update.effective_user.id)
            await query.answer(render("submit_not_yours"), show_alert=True)
            return
        await query.answer()
        if parts[1] == "p":
            text, rows = _indicator_page(session, where, int(parts[3]))
            await query.edit_message_text(text, reply_markup=_kb(rows))
            return
        if parts[1] == "x":
            context.user_data.pop("submit", None)
            await query.edit_message_text(render("submit_cancelled"))
            return
        if parts[1] == "ok":
            await _confirm(update, context, session, where)
            return
        no = int(parts[3])
        try:
            view = ev.responsible_view(session, where.campaign, where.directory, where.officer.unit_id, no)
        except ev.EvidenceError as exc:
            await query.edit_message_text(str(exc))
            return
        if parts[1] == "i" and view.indicator.scoring == "items" and len(view.items) > 1:
            rows = [[(f"{it.no}. {it.text[:16]}({it.points}分)", f"sb:t:{where.campaign.id}:{no}:{it.no}")]
                    for it in view.items]
            await query.edit_message_text(render("submit_item", i=view.indicator), reply_markup=_kb(rows))
            return
        item = int(parts[4]) if parts[1] == "t" else None
        context.user_data["submit"] = {"campaign": where.campaign.id, "no": no, "item": item, "files": [], "notes": []}
        await query.edit_message_text(render("submit_collect", i=view.indicator, item=item))


def _kb(rows: list):  # noqa: ANN202
    from bot.delivery import keyboard

    return keyboard(rows)


async def collect(update: Update, context: BotContext) -> bool:
    """During /submit, files and texts are gathered until the officer confirms."""
    state = context.user_data.get("submit")
    message = update.effective_message
    if not state or message is None:
        return False
    if message.text and message.text.startswith("/"):
        return False
    try:
        f = await download(message, context)
    except FileRejected as exc:
        await respond(update, str(exc))
        return True
    if f:
        state["files"].append(f)
    elif message.text:
        note = message.text.replace(f"@{context.bot.username}", " ").strip()
        if note:
            state["notes"].append(note[:2000])
    cid = state["campaign"]
    rows = [[("提交", f"sb:ok:{cid}"), ("取消", f"sb:x:{cid}")]]
    await respond(update, render("submit_collected", files=len(state["files"]), notes=len(state["notes"])), rows)
    return True


async def _confirm(update: Update, context: BotContext, session, where: Where) -> None:  # noqa: ANN001
    state = context.user_data.get("submit")
    query = update.callback_query
    if not state:
        await query.edit_message_text(render("stale_button"))
        return
    try:
        view = ev.submit(session, campaign=where.campaign, directory=where.directory, officer=where.officer,
                         no=state["no"], item_no=state["item"], files=state["files"],
                         note="\n".join(state["notes"]), now=context.services.clock.now())
    except ev.EvidenceError as exc:
        await query.edit_message_text(str(exc))
        return
    session.commit()  # committed before the receipt
    context.user_data.pop("submit", None)
    await query.edit_message_text(render("receipt", e=view))
    await announce(context, where.campaign, view)


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
            if album and _officer_ok(where):  # the caption may come with a later item of the album
                try:
                    if f := await download(message, context):
                        context.chat_data.setdefault(("album_files", album), []).append(f)
                except FileRejected as exc:
                    await respond(update, str(exc))
                _hint_later(context, update, album)
            elif where.private:
                await respond(update, render("submit_how"))
            return
        if not _officer_ok(where):
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
    sent = context.chat_data.get(("album_sent", album, view.id)) if album else None
    if sent and view.attached:  # the album's next file: edit the receipt and the cards, no new messages
        view.attached = False
        await _edit(context, [sent[0]], render("receipt", e=view))
        await _edit(context, sent[1], render("review_card", e=view), review_buttons(view.id))
        return
    view.attached = False
    receipt = await message.reply_html(render("receipt", e=view), do_quote=not where.private)
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
                                                reply_markup=_kb(buttons) if buttons else None)
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


async def announce(context: BotContext, campaign: Campaign, view: ev.EvidenceView) -> list[Message]:
    """Put a review card in the campaign's office chats; the messages sent, for later edits."""
    services = context.services
    with services.session() as session:
        chats = [c.chat_id for c in people.office_chats(session=session, campaign_id=campaign.id)]
    if services.settings.office_chat_id and services.settings.office_chat_id not in chats:
        chats.append(services.settings.office_chat_id)
    rows = review_buttons(view.id)
    sent: list[Message] = []
    for chat_id in chats:
        sent += await send(context.bot, services, chat_id, render("review_card", e=view), rows)
    return sent


def review_buttons(evidence_id: int) -> list:
    return [[("通过(满分)", f"rv:{evidence_id}:a"), ("通过(部分分)", f"rv:{evidence_id}:p"),
             ("退回", f"rv:{evidence_id}:r")]]
