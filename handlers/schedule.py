"""Reminders and the timeline in chat: /reminders, /mute, /pause, /resume, /due, /phase set|shift,
/acks and the 签收 button under a reminder. The rules live in ``reminders.controls`` and
``reminders.acks``; these adapters locate the asker, call them and reply."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.delivery import send
from bot.render import render_message, to_text
from handlers.common import locate, respond
from knowledge.messages import Action, say
from reminders import acks, controls


async def reminders_command(update: Update, context: BotContext) -> None:
    """/reminders: what is coming for my unit in the next 30 days."""
    with context.services.session() as session:
        where = locate(update, context, session)
        officer = where.officer
        if where.campaign is None or not officer or officer.status != "active":
            reply = say("need_unit")
        else:
            reply = controls.upcoming(session=session, campaign=where.campaign, directory=where.directory,
                                      unit_id=officer.unit_id, unit_name=officer.unit_name,
                                      today=context.services.today())
    await respond(update, reply)


async def mute_command(update: Update, context: BotContext) -> None:
    """/mute 7: no private reminders for 7 days (/mute 0 resumes)."""
    arg = "".join(context.args or []) or "7"
    notices = []
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None:
            reply = say("mute_usage")
        else:
            reply, notices = controls.mute(session=session, campaign=where.campaign, arg=arg,
                                           user_id=update.effective_user.id, now=context.services.clock.now())
    await respond(update, reply)
    for chat_id, notice in notices:  # the office sees who muted
        await send(context.bot, context.services, chat_id, render_message(notice))


async def pause_command(update: Update, context: BotContext) -> None:
    """/pause and /resume (office): stop or restart all reminders of the campaign."""
    paused = update.effective_message.text.lstrip("/").startswith("pause")
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            reply = say("office_only")
        else:
            reply = controls.set_paused(session=session, campaign=where.campaign, paused=paused,
                                        by=update.effective_user.id)
    await respond(update, reply)


async def ack_button(update: Update, context: BotContext) -> None:
    """签收: the presser's unit has seen this reminder."""
    query = update.callback_query
    action = Action.parse(query.data)
    with context.services.session() as session:
        reply = acks.sign(session=session, reminder_id=int(action.args[0]), user_id=update.effective_user.id,
                          now=context.services.clock.now())
    # An alert shows plain text: the markup's escapes must not show.
    await query.answer(to_text(render_message(reply)), show_alert=reply.intent == "refused")


async def due_command(update: Update, context: BotContext) -> None:
    """/due 12 2027-03-31 (office): an indicator's own due date."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            reply = say("office_only")
        else:
            reply = controls.change_due(session=session, campaign=where.campaign, args=context.args or [],
                                        by=update.effective_user.id, now=context.services.clock.now())
    await respond(update, reply)


async def phase_admin(update: Update, context: BotContext) -> bool:
    """/phase set 名称 起 止; 名称 起 止 … and /phase shift 2026-12-01 (office); False if not that."""
    args = context.args or []
    if not args or args[0] not in ("set", "shift"):
        return False
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            reply = say("office_only")
        else:
            reply = controls.change_phases(session=session, campaign=where.campaign, action=args[0],
                                           text=" ".join(args[1:]), by=update.effective_user.id,
                                           now=context.services.clock.now())
    await respond(update, reply)
    return True


async def acks_command(update: Update, context: BotContext) -> None:
    """/acks (office): the latest group reminders and the units that have not signed them."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            reply = say("office_only")
        else:
            reply = acks.unsigned(session=session, campaign=where.campaign, directory=where.directory)
    await respond(update, reply)
