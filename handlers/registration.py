"""Registering as a liaison officer: /start → campaign → unit (buttons or typed name) → pending
→ the office approves or rejects on a card → the officer is told."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot.context import BotContext
from bot.delivery import keyboard, send
from bot.inbox import CHANNEL
from bot.render import render, render_message
from handlers.common import locate, respond
from handlers.gate import Request, gated
from knowledge import enrolment, people
from knowledge.access import Route
from knowledge.campaigns import all_campaigns
from knowledge.messages import Action, ActionKind
from knowledge.models import Campaign


def unit_page(session: Session, campaign: Campaign, page: int) -> tuple[str, list]:
    """One page of the unit picker as text and buttons."""
    shown, pages, rows = enrolment.unit_page(session=session, campaign=campaign, page=page)
    return render("reg_pick_unit", city=campaign.city, page=shown, pages=pages), rows


@gated(Route.START)
async def start(update: Update, context: BotContext, request: Request) -> None:
    """/start in private: say who you are, or begin registering."""
    user, session, services = update.effective_user, request.session, context.services
    people.set_private_ok(session=session, user_id=user.id, ok=True)
    people.claim_by_username(session=session, user_id=user.id, username=user.username or "",
                             name=user.full_name, now=services.clock.now())
    where = locate(update, context, session)  # again: the claim may have found a row for this user
    if where.officer and where.officer.status in ("active", "pending"):
        await respond(update, render("start_known", officer=where.officer, person=_person(where.officer, user),
                                     city=where.campaign.city if where.campaign else ""))
        return
    campaigns = all_campaigns(session=session)
    if len(campaigns) == 1:
        text, rows = unit_page(session, campaigns[0], 0)
        context.user_data["reg_campaign"] = campaigns[0].id
    else:
        text = render("reg_pick_campaign")
        rows = [[Action(c.city, ActionKind.REGISTER, ("c", c.id))] for c in campaigns]
    await respond(update, text, rows)


def _person(officer: people.OfficerInfo, user: object) -> str:
    """Whom to greet: the name on the roster, else the Telegram name; never the unit."""
    names = (officer.name, getattr(user, "full_name", "") or "")
    return next((n for n in names if n and n not in (officer.unit_name, officer.username)), "")


@gated(Route.REGISTER)
async def registration_button(update: Update, context: BotContext, request: Request) -> None:
    """reg:c:<campaign>, reg:p:<campaign>:<page>, reg:u:<campaign>:<unit>."""
    query, (step, _, *rest) = update.callback_query, request.action.args
    campaign = request.where.campaign
    if step in ("c", "p"):
        await query.answer()
        context.user_data["reg_campaign"] = campaign.id
        text, rows = unit_page(request.session, campaign, rest[0] if step == "p" else 0)
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=keyboard(rows))
        return
    unit = request.where.directory.units.get(rest[0]) if rest else None
    if unit is None or unit.kind == "group":
        await query.answer(render("stale_button"), show_alert=True)
        return
    user = update.effective_user
    try:
        officer = people.request_registration(
            session=request.session, campaign_id=campaign.id, unit_id=unit.id, user_id=user.id,
            username=user.username or "", name=user.full_name, now=context.services.clock.now())
    except people.PeopleError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    context.user_data.pop("reg_campaign", None)
    await _registered(update, context, request, officer)


async def _registered(update: Update, context: BotContext, request: Request, officer: people.OfficerInfo) -> None:
    """Tell the person where they stand; a pending request goes to the office's chats as a card."""
    query, user, services = update.callback_query, update.effective_user, context.services
    if officer.status == "active":
        await query.edit_message_text(render("reg_active", officer=officer), parse_mode="HTML")
        return
    await query.edit_message_text(render("reg_pending", officer=officer), parse_mode="HTML")
    card, offices = enrolment.approval_card(request.session, officer, user.id, user.username or "", face=CHANNEL,
                                            office_chat_id=services.settings.office_chat_id, now=services.clock.now())
    request.session.commit()  # the card for office chats on another channel (DingTalk's), in the outbox
    for chat_id in offices:
        await send(context.bot, services, chat_id, render_message(card), card.actions)


@gated(Route.APPROVE)
async def approval_button(update: Update, context: BotContext, request: Request) -> None:
    """apv:<officer>:1|0 — only the office of the officer's campaign decides; a second press changes nothing."""
    query, (officer_id, verdict) = update.callback_query, request.action.args
    try:
        officer = people.decide(session=request.session, officer_id=officer_id, approve=verdict == 1,
                                by_user_id=update.effective_user.id, now=context.services.clock.now())
    except people.PeopleError as exc:
        await query.answer(str(exc), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(render("approval_done", officer=officer, decider=update.effective_user.full_name),
                                  parse_mode="HTML")
    if officer.user_id and officer.channel == CHANNEL:
        await send(context.bot, context.services, officer.user_id, render("approval_notice", officer=officer),
                   private=True)
    elif officer.user_id:  # registered on DingTalk: told there, by that face's outbox
        enrolment.notice_elsewhere(request.session, officer, now=context.services.clock.now())


async def typed_unit(update: Update, context: BotContext) -> bool:
    """During registration, a typed unit name offers matching units as buttons."""
    campaign_id = context.user_data.get("reg_campaign")
    if not campaign_id:
        return False
    text = update.effective_message.text or ""
    with context.services.session() as session:
        where = locate(update, context, session, campaign_id)
        choices = enrolment.typed_choices(where.directory, text) if where.directory else []
    rows = [[Action(u.name, ActionKind.REGISTER, ("u", campaign_id, u.id))] for u in choices]
    await respond(update, render("reg_typed", found=bool(rows), query=text), rows)
    return True
