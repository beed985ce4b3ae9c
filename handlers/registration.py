"""Registering as a liaison officer: /start → campaign → unit (buttons or typed name) → pending
→ the office approves or rejects on a card → the officer is told."""

from __future__ import annotations

from sqlmodel import Session, select
from telegram import Chat, Update

from bot.context import BotContext
from bot.delivery import send
from bot.render import render
from handlers.common import locate, respond
from knowledge import chats, people
from knowledge.campaigns import list_slugs
from knowledge.duties import campaign_units
from knowledge.models import Campaign

PAGE = 8
REGISTERABLE = ("department", "organisation", "county", "township")


def unit_page(session: Session, campaign: Campaign, page: int) -> tuple[str, list]:
    """One page of the unit picker: ids in callback data, names on the buttons."""
    units = [u for u in campaign_units(session=session, campaign=campaign) if u.kind in REGISTERABLE]
    pages = max(1, (len(units) + PAGE - 1) // PAGE)
    page = min(max(page, 0), pages - 1)
    chunk = units[page * PAGE:(page + 1) * PAGE]
    rows = [[(u.name, f"reg:u:{campaign.id}:{u.id}") for u in chunk[i:i + 2]] for i in range(0, len(chunk), 2)]
    nav = []
    if page > 0:
        nav.append(("‹ 上一页", f"reg:p:{campaign.id}:{page - 1}"))
    if page < pages - 1:
        nav.append(("下一页 ›", f"reg:p:{campaign.id}:{page + 1}"))
    if nav:
        rows.append(nav)
    text = render("reg_pick_unit", city=campaign.city, page=page + 1, pages=pages)
    return text, rows


async def start(update: Update, context: BotContext) -> None:
    """/start in private: say who you are, or begin registering."""
    chat, user = update.effective_chat, update.effective_user
    services = context.services
    if chat.type != Chat.PRIVATE:
        await respond(update, render("start_in_private", bot=context.bot.username))
        return
    with services.session() as session:
        people.set_private_ok(session=session, user_id=user.id, ok=True)
        people.claim_by_username(session=session, user_id=user.id, username=user.username or "",
                                 name=user.full_name, now=services.clock.now())
        where = locate(update, context, session)
        officer = where.officer
        if officer and officer.status in ("active", "pending"):
            await respond(update, render("start_known", officer=officer,
                                         city=where.campaign.city if where.campaign else ""))
            return
        slugs = list_slugs(session)
        campaigns = [session.exec(select(Campaign).where(Campaign.slug == s)).one() for s in slugs]
        if len(campaigns) == 1 or (where.campaign and len(context.args or []) == 0 and len(campaigns) == 1):
            text, rows = unit_page(session, campaigns[0], 0)
            context.user_data["reg_campaign"] = campaigns[0].id
        else:
            text = render("reg_pick_campaign")
            rows = [[(f"{c.city}", f"reg:c:{c.id}")] for c in campaigns]
    await respond(update, text, rows)


async def registration_button(update: Update, context: BotContext) -> None:
    """reg:c:<campaign>, reg:p:<campaign>:<page>, reg:u:<campaign>:<unit>."""
    query = update.callback_query
    parts = query.data.split(":")
    services = context.services
    user = update.effective_user
    with services.session() as session:
        campaign = session.get(Campaign, int(parts[2]))
        if campaign is None:
            await query.answer(render("stale_button"), show_alert=True)
            return
        if parts[1] in ("c", "p"):
            await query.answer()
            context.user_data["reg_campaign"] = campaign.id
            text, rows = unit_page(session, campaign, int(parts[3]) if parts[1] == "p" else 0)
            await query.edit_message_text(text, parse_mode="HTML", reply_markup=_markup(rows))
            return
        directory = services.directory(session, campaign)
        unit = directory.units.get(int(parts[3]))
        if unit is None or unit.kind == "group":
            await query.answer(render("stale_button"), show_alert=True)
            return
        try:
            officer = people.request_registration(
                session=session, campaign_id=campaign.id, unit_id=unit.id, user_id=user.id,
                username=user.username or "", name=user.full_name, now=services.clock.now())
        except people.PeopleError as exc:
            await query.answer(str(exc), show_alert=True)
            return
        offices = [c.chat_id for c in chats.office_chats(session=session, campaign_id=campaign.id)]
    await query.answer()
    context.user_data.pop("reg_campaign", None)
    if officer.status == "active":
        await query.edit_message_text(render("reg_active", officer=officer), parse_mode="HTML")
        return
    await query.edit_message_text(render("reg_pending", officer=officer), parse_mode="HTML")
    if services.settings.office_chat_id and services.settings.office_chat_id not in offices:
        offices.append(services.settings.office_chat_id)
    card = render("approval_card", officer=officer, user_id=user.id, username=user.username or "")
    buttons = [[("通过", f"apv:{officer.id}:1"), ("拒绝", f"apv:{officer.id}:0")]]
    for chat_id in offices:
        await send(context.bot, services, chat_id, card, buttons)


async def approval_button(update: Update, context: BotContext) -> None:
    """apv:<officer>:1|0 — only the office decides; a second press changes nothing."""
    query = update.callback_query
    _, officer_id, verdict = query.data.split(":")
    services = context.services
    with services.session() as session:
        target = people.officer_by_id(session=session, officer_id=int(officer_id))
        if target is None:
            await query.answer(render("stale_button"), show_alert=True)
            return
        if not (update.effective_user.id in services.settings.admins or people.is_office(
                session=session, user_id=update.effective_user.id, campaign_id=target.campaign_id,
                admins=services.settings.admins)):
            await query.answer(render("office_only"), show_alert=True)
            return
        try:
            officer = people.decide(session=session, officer_id=target.id, approve=verdict == "1",
                                    by_user_id=update.effective_user.id, now=services.clock.now())
        except people.PeopleError as exc:
            await query.answer(str(exc), show_alert=True)
            return
    await query.answer()
    decider = update.effective_user.full_name
    await query.edit_message_text(render("approval_done", officer=officer, decider=decider),
                                  parse_mode="HTML")
    if officer.user_id:
        await send(context.bot, services, officer.user_id, render("approval_notice", officer=officer),
                   private=True)


async def typed_unit(update: Update, context: BotContext) -> bool:
    """During registration, a typed unit name offers matching units as buttons."""
    campaign_id = context.user_data.get("reg_campaign")
    if not campaign_id:
        return False
    services = context.services
    with services.session() as session:
        campaign = session.get(Campaign, campaign_id)
        directory = services.directory(session, campaign)
        res = directory.resolve(update.effective_message.text or "")
        choices = [res.unit] if res.unit else [s.unit for s in res.suggestions]
        choices = [u for u in choices if u.kind != "group"]
    rows = [[(u.name, f"reg:u:{campaign_id}:{u.id}")] for u in choices[:6]]
    text = render("reg_typed", found=bool(rows), query=update.effective_message.text or "")
    await respond(update, text, rows)
    return True


def _markup(rows: list):  # noqa: ANN202
    from bot.delivery import keyboard

    return keyboard(rows)
