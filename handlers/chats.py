"""Binding chats and people: /setup in a group, /bind and /revoke as replies, group migration.

Who may do it is the gate's (``Route.SETUP``, ``SETUP_BUTTON``, ``BIND``, ``REVOKE``); the
handlers only read the command and say what happened.
"""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.render import render
from handlers.common import refusal, respond
from handlers.gate import Request, gated
from knowledge import chats as bindings
from knowledge import menus, people
from knowledge.access import Route
from knowledge.ask.cards import unit_not_found


@gated(Route.SETUP)
async def setup(update: Update, context: BotContext, request: Request) -> None:
    """/setup in a group: choose the campaign and what the group is for."""
    await respond(update, menus.setup_choices(request.session))


@gated(Route.SETUP_BUTTON)
async def setup_button(update: Update, context: BotContext, request: Request) -> None:
    """setup:<campaign>:l|o — bind this group."""
    query, campaign, chat = update.callback_query, request.where.campaign, update.effective_chat
    binding = bindings.bind_chat(session=request.session, campaign_id=campaign.id, chat_id=chat.id,
                               kind="office" if request.action.args[1] == "o" else "liaison",
                               title=chat.title or "", by_user_id=update.effective_user.id,
                               now=context.services.clock.now())
    await query.answer()
    await query.edit_message_text(render("setup_done", chat=binding, city=campaign.city), parse_mode="HTML")


@gated(Route.BIND)
async def bind(update: Update, context: BotContext, request: Request) -> None:
    """/bind 统计局 as a reply to someone's message: make them that unit's officer (office only)."""
    message, where = update.effective_message, request.where
    target = message.reply_to_message.from_user if message.reply_to_message else None
    name = " ".join(context.args or []).strip()
    if target is None or target.is_bot or not name:
        await respond(update, render("bind_usage"))
        return
    res = where.directory.resolve(name)
    if res.unit is None or res.unit.is_group:
        await respond(update, unit_not_found(where.campaign, name, res.suggestions, request.session))
        return
    officer = people.add_officer(session=request.session, campaign_id=where.campaign.id, unit_id=res.unit.id,
                                 user_id=target.id, username=target.username or "", name=target.full_name,
                                 by_user_id=update.effective_user.id, now=context.services.clock.now())
    await respond(update, render("bind_done", officer=officer))


@gated(Route.REVOKE)
async def revoke(update: Update, context: BotContext, request: Request) -> None:
    """/revoke as a reply to someone's message (office only)."""
    message = update.effective_message
    target = message.reply_to_message.from_user if message.reply_to_message else None
    if target is None:
        await respond(update, render("revoke_usage"))
        return
    try:
        officer = people.revoke(session=request.session, campaign_id=request.where.campaign.id,
                                user_id=target.id, by_user_id=update.effective_user.id,
                                now=context.services.clock.now())
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
