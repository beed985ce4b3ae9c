"""Submitting evidence: the guided /submit flow, and files whose caption names the indicator.

Files are downloaded and stored first, the submission row is committed next, and only then
does the officer get a receipt — so nothing acknowledged can be lost.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update

from bot import downloads
from bot.context import BotContext
from bot.delivery import keyboard
from bot.render import render, render_message
from handlers import notify
from handlers.common import Where, refusal, respond
from handlers.gate import Request, enter, gated
from knowledge import drafts, menus
from knowledge import evidence as ev
from knowledge.access import Route
from knowledge.ask.grammar import strip_mention
from knowledge.files import FileRejected
from knowledge.people import OfficerInfo

log = logging.getLogger(__name__)


async def download(message: Message, context: BotContext, officer: OfficerInfo) -> ev.FileIn | None:
    """The message's document or photo, checked against the limits, streamed into the store; None
    if there is none (``bot.downloads``)."""
    found = downloads.attachment(message)
    if found is None:
        return None
    async with context.services.turn.released():  # a long download holds up no other chat
        return await downloads.receive(context.bot, context.services, officer, found)


@gated(Route.SUBMIT)
async def submit_command(update: Update, context: BotContext, request: Request) -> None:
    """/submit: pick one of this unit's indicators."""
    text, rows = _indicator_page(request.session, request.where, 0)
    sent = await respond(update, text, rows)
    if sent and not request.where.private:  # in a group, the picker belongs to the officer who asked for it
        context.chat_data[("picker", sent[-1].message_id)] = update.effective_user.id


def _indicator_page(session, where: Where, page: int) -> tuple[str, list]:  # noqa: ANN001
    menu = menus.submit_picker(session, where.campaign, where.directory, where.officer.unit_id,
                               where.officer.unit_name, page)
    return render_message(menu), menu.actions


@gated(Route.SUBMIT)
async def submit_button(update: Update, context: BotContext, request: Request) -> None:
    """sb:p (page), sb:i (indicator), sb:t (item), sb:ok (confirm), sb:x (cancel)."""
    query, where, (step, cid, *ids) = update.callback_query, request.where, request.action.args
    owner = context.chat_data.get(("picker", query.message.message_id)) if query.message else None
    if cid != where.campaign.id or owner is not None and owner != update.effective_user.id:
        log.warning("submit button %r pressed by user %s (picker of %s)", query.data, update.effective_user.id, owner)
        mine = owner is None or owner == update.effective_user.id
        await query.answer(render("submit_need_officer" if mine else "submit_not_yours"), show_alert=True)
        return
    await query.answer()
    if step == "p":
        text, rows = _indicator_page(request.session, where, ids[0])
        await query.edit_message_text(text, reply_markup=markup(rows))
    elif step == "x":
        drafts.end(request.session, update.effective_user.id)
        request.session.commit()
        await query.edit_message_text(render("submit_cancelled"))
    elif step == "ok":
        await _confirm(update, context, request.session, where)
    else:
        await _pick(update, context, request, ids[0], ids[1] if step == "t" else None)


async def _pick(update: Update, context: BotContext, request: Request, no: int, item: int | None) -> None:
    """An indicator picked: offer its items when it is scored by item, else start collecting."""
    query, where = update.callback_query, request.where
    try:
        view = ev.responsible_view(request.session, where.campaign, where.directory, where.officer.unit_id, no)
    except ev.EvidenceError as exc:
        await query.edit_message_text(refusal(exc))
        return
    if item is None and view.indicator.scoring == "items" and len(view.items) > 1:
        menu = menus.submit_items(view, where.campaign.id)
        await query.edit_message_text(render_message(menu), reply_markup=markup(menu.actions))
        return
    drafts.begin(request.session, update.effective_user.id, campaign_id=where.campaign.id,
                 chat_id=update.effective_chat.id, no=no, item=item, now=context.services.clock.now())
    request.session.commit()
    await query.edit_message_text(render("submit_collect", i=view.indicator, item=item))


def markup(rows: list) -> InlineKeyboardMarkup | None:
    """Inline buttons from (label, callback_data) rows."""
    return keyboard(rows)


async def collect(update: Update, context: BotContext) -> bool:
    """During /submit, files and texts are gathered until the officer confirms — only in the chat
    where the flow began, and only while the officer may still submit (judged now, by the gate).
    Each is added to the stored draft (``knowledge.drafts``) before it is acknowledged; a question
    typed meanwhile is answered instead, and the flow kept."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text and message.text.startswith("/"):
        return False
    with context.services.session() as session:
        draft = drafts.current(session, user.id)
        if draft is None or draft.chat_id != str(message.chat_id):
            return False
        if not message.effective_attachment and drafts.is_question(
                strip_mention(message.text or "", context.bot.username)):
            request = None
        elif (request := await enter(update, context, session, Route.SUBMIT)) is None:  # told why not
            drafts.end(session, user.id)
            return True
    if request is None:
        return await _answer_and_keep(update, context, draft)
    return await _keep(update, context, request)


async def _keep(update: Update, context: BotContext, request: Request) -> bool:
    """The message's file or text into the draft, then what the draft holds so far."""
    try:
        draft = await _gather(update.effective_message, context, request.where.officer)
    except FileRejected as exc:
        await respond(update, refusal(exc))
        return True
    if draft is not None:  # (None: cancelled meanwhile)
        await respond(update, render("submit_collected", files=len(draft.files), notes=len(draft.notes)),
                      menus.submit_finish(draft.campaign_id))
    return True


async def _answer_and_keep(update: Update, context: BotContext, draft: drafts.Draft) -> bool:
    """A question in the middle of the flow: answered as any question is, then the flow's state."""
    from handlers.ask import free_text

    await free_text(update, context)
    await respond(update, render("submit_kept", no=draft.no, files=len(draft.files), notes=len(draft.notes)),
                  menus.submit_finish(draft.campaign_id))
    return True


async def _gather(message: Message, context: BotContext, officer: OfficerInfo) -> drafts.Draft | None:
    """Keep the message's file, or its text as a note, in the draft (committed here)."""
    f = await download(message, context, officer)
    note = "" if f or not message.text else strip_mention(message.text, context.bot.username)
    with context.services.session() as session:
        draft = drafts.gather(session, message.from_user.id, context.services.clock.now(), file=f, note=note)
    return draft


async def _confirm(update: Update, context: BotContext, session, where: Where) -> None:  # noqa: ANN001
    draft, query = drafts.current(session, update.effective_user.id), update.callback_query
    if draft is None:
        await query.edit_message_text(render("stale_button"))
        return
    try:
        view = ev.submit(session, campaign=where.campaign, directory=where.directory, officer=where.officer,
                         no=draft.no, item_no=draft.item, files=draft.files, note="\n".join(draft.notes),
                         now=context.services.clock.now())
    except ev.EvidenceError as exc:
        await query.edit_message_text(refusal(exc))
        return
    drafts.end(session, update.effective_user.id)
    rows = notify.submission_rows(session, context, view, update, where.private)
    keys = notify.settle(update, context, session, rows)  # committed with the draft's end, before the receipt
    await notify.deliver_by_edit(context, keys[0], update)  # the prompt becomes the receipt
    await notify.deliver(context, keys[1:])
