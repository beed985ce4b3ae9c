"""The office reviews evidence (通过 / 部分分 / 退回 with a reason); officers withdraw their own.

Points and reasons are asked for with ForceReply; the prompt names the submission (材料 #N),
so the answer is understood even after a restart. Who may review is the gate's business
(``Route.REVIEW``, ``Route.REVIEW_BUTTON``), judged in the submission's own campaign.
"""

from __future__ import annotations

import logging
import re

from telegram import ForceReply, Update

from bot.context import BotContext
from bot.render import render
from handlers import notify
from handlers.common import refusal, respond
from handlers.gate import Request, enter, gated
from knowledge import evidence as ev
from knowledge import evidence_notices as notices
from knowledge.access import Route
from knowledge.messages import Action, ActionKind
from knowledge.numbers import read_number

log = logging.getLogger(__name__)
PROMPT = re.compile(r"材料 #(\d+) 的(分数|退回原因)")


@gated(Route.REVIEW_BUTTON)
async def review_button(update: Update, context: BotContext, request: Request) -> None:
    """rv:<id>:a accept with full points; rv:<id>:p ask points; rv:<id>:r ask the reason."""
    query, (eid, step) = update.callback_query, request.action.args
    current = ev.view(request.session, eid)
    if current.status != "submitted":
        await query.answer(render("review_already", e=current), show_alert=True)
        return
    await query.answer()
    if step == "a":
        done = ev.review(request.session, evidence_id=eid, reviewer_id=update.effective_user.id, accept=True,
                         now=context.services.clock.now())
        await notify.deliver(context, _settle(update, context, request, done))
        return
    await _prompt(update, eid, step == "p", current.max_points)


async def _prompt(update: Update, eid: int, points: bool, max_points: object) -> None:
    """Ask for points or a reason. The prompt mentions the reviewer: in a group, a selective
    ForceReply opens the reply box for the users mentioned, and the card it quotes is the bot's."""
    user = update.effective_user
    await update.effective_message.reply_html(
        render("review_prompt", eid=eid, points=points, max_points=max_points, user_id=user.id,
               reviewer=user.full_name),
        reply_markup=ForceReply(selective=True, input_field_placeholder="分数" if points else "退回原因"))


async def review_reply(update: Update, context: BotContext) -> bool:
    """A reply to a points or reason prompt; False when the message is something else."""
    original = update.effective_message.reply_to_message
    m = PROMPT.search(original.text or "") if original and original.from_user and original.from_user.is_bot else None
    if not m:
        return False
    eid, points = int(m.group(1)), m.group(2) == "分数"
    action = Action("", ActionKind.REVIEW, (eid, "p" if points else "r"))
    with context.services.session() as session:
        request = await enter(update, context, session, Route.REVIEW_BUTTON, action)
        keys = request and await _decide(update, context, request, eid, points)
    if keys:
        await notify.deliver(context, keys)
    return True


async def _decide(update: Update, context: BotContext, request: Request, eid: int,
                  points: bool) -> list[str] | None:
    """Record the points or the reason typed in reply (the outcome's rows with it); None (and
    the reason why) if refused."""
    text, now = update.effective_message.text or "", context.services.clock.now()
    try:
        done = ev.review(request.session, evidence_id=eid, reviewer_id=update.effective_user.id,
                         accept=points, points=ev.parse_points(text) if points else None,
                         reason="" if points else text, now=now)
    except ev.EvidenceError as exc:
        await respond(update, refusal(exc))
        return None
    return _settle(update, context, request, done)


def _settle(update: Update, context: BotContext, request: Request, done: ev.EvidenceView) -> list[str]:
    """Commit the review with its outcome's rows: the confirmation here, the submitter's notice."""
    message = update.effective_message
    rows = notices.outcome_rows(request.session, done, message.chat_id, message.message_id,
                                update.effective_user.full_name)
    return notify.settle(update, context, request.session, rows)


@gated(Route.REVIEW)
async def review_command(update: Update, context: BotContext, request: Request) -> None:
    """/review: what waits for review, oldest first (office only)."""
    campaign_id = request.where.campaign.id
    waiting = ev.pending(request.session, campaign_id=campaign_id, limit=10)
    total = ev.pending_count(request.session, campaign_id=campaign_id)
    if not waiting:
        await respond(update, render("review_empty"))
        return
    for view in waiting:
        await respond(update, notices.card(view))
    if total > len(waiting):
        await respond(update, render("review_more", shown=len(waiting), more=total - len(waiting)))


@gated(Route.WITHDRAW)
async def withdraw_command(update: Update, context: BotContext, request: Request) -> None:
    """/withdraw 15: take back one's own submission before review (the domain checks it is one's own)."""
    number = read_number("".join(context.args or []))
    if number is None:
        await respond(update, render("withdraw_usage"))
        return
    try:
        done = ev.withdraw(request.session, evidence_id=number, user_id=update.effective_user.id,
                           now=context.services.clock.now())
    except ev.EvidenceError as exc:
        await respond(update, refusal(exc))
        return
    request.session.commit()
    await respond(update, render("withdrawn", e=done))
