"""Binding chats and people: /setup in a group, /bind and /revoke as replies, group migration."""

from __future__ import annotations

from sqlmodel import select
from telegram import Chat, Update

from bot.context import BotContext
from bot.render import render
from handlers.common import locate, refusal, respond
from knowledge import chats as bindings
from knowledge import people
from knowledge.models import Campaign


def _may_administer(context: BotContext, session, user_id: int, campaign_id: int | None) -> bool:  # noqa: ANN001
    """Admins from ADMIN_USER_IDS anywhere; office officers within their campaign."""
    if user_id in context.services.settings.admins:
        return True
    return campaign_id is not None and people.is_office(
        session=session, user_id=user_id, campaign_id=campaign_id, admins=context.services.settings.admins)


async def setup(update: Update, context: BotContext) -> None:
    """/setup in a group: choose the campaign and what the group is for."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == Chat.PRIVATE:
        await respond(update, render("setup_in_group"))
        return
    with context.services.session() as session:
        campaigns = list(session.exec(select(Campaign).order_by(Campaign.slug)))
        allowed = any(_may_administer(context, session, user.id, c.id) for c in campaigns)
    if not allowed:
        await respond(update, render("office_only"))
        return
    rows = [[(f"{c.city} · 联络员群", f"setup:{c.id}:l"), (f"{c.city} · 办公室群", f"setup:{c.id}:o")]
            for c in campaigns]
    await respond(update, render("setup_choose"), rows)


async def setup_button(update: Update, context: BotContext) -> None:
    """setup:<campaign>:l|o — bind this group."""
    query = update.callback_query
    _, campaign_id, kind = query.data.split(":")
    services = context.services
    with services.session() as session:
        campaign = session.get(Campaign, int(campaign_id))
        if campaign is None or not _may_administer(context, session, update.effective_user.id, campaign.id):
            await query.answer(render("office_only"), show_alert=True)
            return
        binding = bindings.bind_chat(session=session, campaign_id=campaign.id, chat_id=update.effective_chat.id,
                                   kind="office" if kind == "o" else "liaison",
                                   title=update.effective_chat.title or "",
                                   by_user_id=update.effective_user.id, now=services.clock.now())
    await query.answer()
    await query.edit_message_text(render("setup_done", chat=binding, city=campaign.city), parse_mode="HTML")


async def bind(update: Update, context: BotContext) -> None:
    """/bind 统计局 as a reply to someone's message: make them that unit's officer (office only)."""
    message = update.effective_message
    target = message.reply_to_message.from_user if message.reply_to_message else None
    name = " ".join(context.args or []).strip()
    services = context.services
    with services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None:
            await respond(update, render("group_unbound"))
            return
        if not where.office:
            await respond(update, render("office_only"))
            return
        if target is None or target.is_bot or not name:
            await respond(update, render("bind_usage"))
            return
        res = where.directory.resolve(name)
        if res.unit is None or res.unit.is_group:
            await respond(update, render("unit_not_found", query=name, suggestions=res.suggestions[:5]))
            return
        officer = people.add_officer(session=session, campaign_id=where.campaign.id, unit_id=res.unit.id,
                                     user_id=target.id, username=target.username or "",
                                     name=target.full_name, by_user_id=update.effective_user.id,
                                     now=services.clock.now())
    await respond(update, render("bind_done", officer=officer))


async def revoke(update: Update, context: BotContext) -> None:
    """/revoke as a reply to someone's message (office only)."""
    message = update.effective_message
    target = message.reply_to_message.from_user if message.reply_to_message else None
    services = context.services
    with services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            await respond(update, render("office_only"))
            return
        if target is None:
            await respond(update, render("revoke_usage"))
            return
        try:
            officer = people.revoke(session=session, campaign_id=where.campaign.id, user_id=target.id,
                                    by_user_id=update.effective_user.id, now=services.clock.now())
        except people.PeopleError as exc:
            await respond(update, refusal(exc))
            return
    await respond(update, render("revoke_done", officer=officer))


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: its binding moves to the new chat id."""
    message = update.effective_message
    services = context.services
    old, new = (message.chat.id, message.migrate_to_chat_id) if message.migrate_to_chat_id else (
        message.migrate_from_chat_id, message.chat.id)
    if not old or not new:
        return
    with services.session() as session:
        bindings.migrate_chat(session=session, old_chat_id=old, new_chat_id=new, now=services.clock.now())
