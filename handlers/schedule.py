"""Reminders and the timeline in chat: /reminders, /mute, /pause, /resume, /due, /phase set|shift,
/acks and the 签收 button under a reminder. Who may use each is the access table's
(``@gated``); the rules live in ``reminders.controls`` and ``reminders.acks``."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.delivery import send
from bot.inbox import CHANNEL
from bot.render import render_message, to_text
from handlers.common import respond
from handlers.gate import Request, gated
from knowledge.access import Route
from reminders import acks, controls


@gated(Route.REMINDERS)
async def reminders_command(update: Update, context: BotContext, request: Request) -> None:
    """/reminders: what is coming for my unit in the next 30 days."""
    where, officer = request.where, request.where.officer
    await respond(update, controls.upcoming(session=request.session, campaign=where.campaign,
                                            directory=where.directory, unit_id=officer.unit_id,
                                            unit_name=officer.unit_name, today=context.services.today()))


@gated(Route.MUTE)
async def mute_command(update: Update, context: BotContext, request: Request) -> None:
    """/mute 7: no private reminders for 7 days (/mute 0 resumes)."""
    reply, notices = controls.mute(session=request.session, campaign=request.where.campaign,
                                   arg="".join(context.args or []) or "7", user_id=update.effective_user.id,
                                   now=context.services.clock.now(), channel=CHANNEL)
    request.session.commit()  # stored before it is acknowledged
    await respond(update, reply)
    for chat_id, notice in notices:  # the office sees who muted
        await send(context.bot, context.services, chat_id, render_message(notice))


@gated(Route.PAUSE)
async def pause_command(update: Update, context: BotContext, request: Request) -> None:
    """/pause and /resume (office): stop or restart all reminders of the campaign."""
    paused = update.effective_message.text.lstrip("/").startswith("pause")
    reply = controls.set_paused(session=request.session, campaign=request.where.campaign, paused=paused,
                                by=update.effective_user.id, now=context.services.clock.now())
    request.session.commit()
    await respond(update, reply)


@gated(Route.ACK)
async def ack_button(update: Update, context: BotContext, request: Request) -> None:
    """签收: the presser's unit has seen this reminder."""
    reply = acks.sign(session=request.session, reminder_id=int(request.action.args[0]),
                      user_id=update.effective_user.id, now=context.services.clock.now())
    request.session.commit()
    # An alert shows plain text: the markup's escapes must not show.
    await update.callback_query.answer(to_text(render_message(reply)), show_alert=reply.intent == "refused")


@gated(Route.DUE)
async def due_command(update: Update, context: BotContext, request: Request) -> None:
    """/due 12 2027-03-31 (office): an indicator's own due date."""
    reply = controls.change_due(session=request.session, campaign=request.where.campaign, args=context.args or [],
                                by=update.effective_user.id, now=context.services.clock.now())
    request.session.commit()
    await respond(update, reply)


@gated(Route.PHASE_ADMIN)
async def phase_admin(update: Update, context: BotContext, request: Request) -> None:
    """/phase set 名称 起 止; 名称 起 止 … and /phase shift 2026-12-01 (office)."""
    args = context.args or []
    reply = controls.change_phases(session=request.session, campaign=request.where.campaign, action=args[0],
                                   text=" ".join(args[1:]), by=update.effective_user.id,
                                   now=context.services.clock.now())
    request.session.commit()
    await respond(update, reply)


@gated(Route.ACKS)
async def acks_command(update: Update, context: BotContext, request: Request) -> None:
    """/acks (office): the latest group reminders and the units that have not signed them."""
    where = request.where
    await respond(update, acks.unsigned(session=request.session, campaign=where.campaign,
                                        directory=where.directory))
