"""The office reviews evidence (通过 / 部分分 / 退回 with a reason); officers see what they owe.

Points and reasons are asked for with ForceReply; the prompt names the submission (材料 #N),
so the answer is understood even after a restart.
"""

from __future__ import annotations

import logging
import re

from telegram import ForceReply, Update

from bot.context import BotContext
from bot.delivery import send
from bot.render import render
from handlers.common import locate, refusal, respond
from handlers.submit import review_buttons
from knowledge import chats, people
from knowledge import evidence as ev
from knowledge.status import unit_status

log = logging.getLogger(__name__)
PROMPT = re.compile(r"材料 #(\d+) 的(分数|退回原因)")


def _office(context: BotContext, session, user_id: int, campaign_id: int) -> bool:  # noqa: ANN001
    return user_id in context.services.settings.admins or people.is_office(
        session=session, user_id=user_id, campaign_id=campaign_id, admins=context.services.settings.admins)


async def review_button(update: Update, context: BotContext) -> None:
    """rv:<id>:a accept with full points; rv:<id>:p ask points; rv:<id>:r ask the reason."""
    query = update.callback_query
    _, eid, action = query.data.split(":")
    services = context.services
    with services.session() as session:
        current = ev.view(session, int(eid))
        if current is None:
            log.warning("review button %r for a submission that does not exist, from user %s", query.data,
                        update.effective_user.id)
            await query.answer(render("review_missing", eid=eid), show_alert=True)
            return
        if not _office(context, session, update.effective_user.id, current.campaign_id):
            log.warning("refused review button %r from user %s", query.data, update.effective_user.id)
            await query.answer(render("office_only"), show_alert=True)
            return
        if current.status != "submitted":
            await query.answer(render("review_already", e=current), show_alert=True)
            return
        if action == "a":
            done = ev.review(session, evidence_id=int(eid), reviewer_id=update.effective_user.id, accept=True,
                             now=services.clock.now())
            session.commit()
    await query.answer()
    if action == "a":
        await finish(update, context, done)
        return
    # The prompt mentions the reviewer: in a group, a selective ForceReply opens the reply box for
    # the users mentioned in the message, and the card it quotes was sent by the bot, not by them.
    user = update.effective_user
    await update.effective_message.reply_html(
        render("review_prompt", eid=eid, points=action == "p", max_points=current.max_points,
               user_id=user.id, reviewer=user.full_name),
        reply_markup=ForceReply(selective=True, input_field_placeholder="分数" if action == "p" else "退回原因"))


async def review_reply(update: Update, context: BotContext) -> bool:
    """A reply to a points or reason prompt; False when the message is something else."""
    message = update.effective_message
    original = message.reply_to_message
    m = PROMPT.search(original.text or "") if original and original.from_user and original.from_user.is_bot else None
    if not m:
        return False
    eid, what = int(m.group(1)), m.group(2)
    services = context.services
    with services.session() as session:
        current = ev.view(session, eid)
        if current is None or not _office(context, session, update.effective_user.id, current.campaign_id):
            await respond(update, render("office_only"))
            return True
        try:
            if what == "分数":
                done = ev.review(session, evidence_id=eid, reviewer_id=update.effective_user.id, accept=True,
                                 points=ev.parse_points(message.text or ""), now=services.clock.now())
            else:
                done = ev.review(session, evidence_id=eid, reviewer_id=update.effective_user.id, accept=False,
                                 reason=message.text or "", now=services.clock.now())
        except ev.EvidenceError as exc:
            await respond(update, refusal(exc))
            return True
        session.commit()
    await finish(update, context, done)
    return True


async def finish(update: Update, context: BotContext, done: ev.EvidenceView) -> None:
    """Confirm in the office chat and tell the submitter (privately, else in the liaison group)."""
    services = context.services
    await update.effective_message.reply_html(render("review_done", e=done, reviewer=update.effective_user.full_name))
    notice = render("review_notice", e=done)
    delivered = bool(done.submitter_user_id) and bool(
        await send(context.bot, services, done.submitter_user_id, notice, private=True))
    if not delivered:
        with services.session() as session:
            groups = [c.chat_id for c in chats.liaison_chats(session=session, campaign_id=done.campaign_id)]
        in_group = render("review_notice_group", e=done, user_id=done.submitter_user_id, officer=done.officer_name)
        for chat_id in groups:
            delivered = bool(await send(context.bot, services, chat_id, in_group)) or delivered
    if not delivered:  # neither privately nor in a group: the office must pass it on itself
        await update.effective_message.reply_html(render("review_undelivered", e=done))


async def review_command(update: Update, context: BotContext) -> None:
    """/review: what waits for review, oldest first (office only)."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None and not where.private:
            await respond(update, render("group_unbound"))
            return
        if where.campaign is None or not where.office:
            await respond(update, render("office_only"))
            return
        waiting = ev.pending(session, campaign_id=where.campaign.id, limit=10)
        total = ev.pending_count(session, campaign_id=where.campaign.id)
    if not waiting:
        await respond(update, render("review_empty"))
        return
    for view in waiting:
        await respond(update, render("review_card", e=view), review_buttons(view.id))
    if total > len(waiting):
        await respond(update, render("review_more", shown=len(waiting), more=total - len(waiting)))


async def status_command(update: Update, context: BotContext) -> None:
    """/status (my unit) or /status 发改委 (office): what is owed, per indicator and item."""
    name = " ".join(context.args or []).strip()
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None:
            await respond(update, render("group_unbound"))
            return
        if name:
            if not where.office:
                await respond(update, render("office_only"))
                return
            res = where.directory.resolve(name)
            if res.unit is None:
                await respond(update, render("unit_not_found", query=name, suggestions=res.suggestions[:5]))
                return
            unit = res.unit
        elif where.officer and where.officer.status == "active" and where.officer.unit_id:
            unit = where.directory.units[where.officer.unit_id]
        else:
            await respond(update, render("need_unit"))
            return
        rows = unit_status(session=session, campaign=where.campaign, directory=where.directory, unit_id=unit.id)
    await respond(update, render("status", unit=unit, rows=rows))


async def withdraw_command(update: Update, context: BotContext) -> None:
    """/withdraw 15: take back one's own submission before review."""
    arg = "".join(context.args or []).lstrip("#")
    if not arg.isdigit():
        await respond(update, render("withdraw_usage"))
        return
    with context.services.session() as session:
        try:
            done = ev.withdraw(session, evidence_id=int(arg), user_id=update.effective_user.id,
                               now=context.services.clock.now())
        except ev.EvidenceError as exc:
            await respond(update, refusal(exc))
            return
        session.commit()
    await respond(update, render("withdrawn", e=done))
