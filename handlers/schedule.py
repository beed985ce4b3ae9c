"""Reminders and the timeline in chat: /reminders, /mute, /pause, /resume, /due, /phase set|shift,
and the 签收 button under a reminder."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select
from telegram import Update

from bot.context import BotContext
from bot.delivery import send
from bot.render import render
from handlers.common import locate, refusal, respond
from knowledge import chats, people
from knowledge.models import ReminderAck, ReminderLog
from knowledge.timeline import TimelineError, set_due, set_phases, shift, state
from reminders.calendar import WorkCalendar
from reminders.planner import plan_slot


async def reminders_command(update: Update, context: BotContext) -> None:
    """/reminders: what is coming for my unit in the next 30 days."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.officer or where.officer.status != "active":
            await respond(update, render("need_unit"))
            return
        cal, today, upcoming = WorkCalendar(), context.services.today(), []
        for i in range(31):
            day = today + timedelta(days=i)
            for p in plan_slot(session, where.campaign, where.directory, day, cal):
                if p.chat == "group" and where.officer.unit_id in p.units:
                    upcoming.append({"day": day.isoformat(), "kind": p.kind, "deadline": p.deadline,
                                     "indicators": p.units[where.officer.unit_id]})
        guessed = sorted(cal.guessed_years)
    await respond(update, render("reminders_list", unit=where.officer.unit_name, items=upcoming[:10], guessed=guessed))


async def mute_command(update: Update, context: BotContext) -> None:
    """/mute 7: no private reminders for 7 days (/mute 0 resumes)."""
    arg = "".join(context.args or []) or "7"
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not arg.isdigit():
            await respond(update, render("mute_usage"))
            return
        try:
            officer = people.mute(session=session, user_id=update.effective_user.id, campaign_id=where.campaign.id,
                                  days=int(arg), now=context.services.clock.now())
        except people.PeopleError as exc:
            await respond(update, refusal(exc))
            return
        offices = [c.chat_id for c in chats.office_chats(session=session, campaign_id=where.campaign.id)]
    await respond(update, render("muted", days=int(arg), officer=officer))
    for chat_id in offices:  # the office sees who muted
        await send(context.bot, context.services, chat_id, render("muted_office", days=int(arg), officer=officer))


async def pause_command(update: Update, context: BotContext) -> None:
    """/pause and /resume (office): stop or restart all reminders of the campaign."""
    paused = update.effective_message.text.lstrip("/").startswith("pause")
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            await respond(update, render("office_only"))
            return
        st = state(session, where.campaign)
        st.reminders_paused, st.paused_by = paused, update.effective_user.id
        session.add(st)
    await respond(update, render("paused", paused=paused))


async def ack_button(update: Update, context: BotContext) -> None:
    """签收: the presser's unit has seen this reminder."""
    query = update.callback_query
    rid = int(query.data.split(":")[1])
    with context.services.session() as session:
        reminder = session.get(ReminderLog, rid)
        officer = people.officer_of(session=session, user_id=update.effective_user.id,
                                    campaign_id=reminder.campaign_id) if reminder else None
        if reminder is None or officer is None or officer.status != "active" or not officer.unit_id:
            await query.answer(render("ack_refused"), show_alert=True)
            return
        if str(officer.unit_id) not in reminder.payload.get("units", {}):
            await query.answer("这条提醒与贵单位无关,无需签收。", show_alert=True)
            return
        exists = session.exec(select(ReminderAck).where(ReminderAck.reminder_id == rid,
                                                        ReminderAck.unit_id == officer.unit_id)).first()
        if exists is None:
            session.add(ReminderAck(reminder_id=rid, unit_id=officer.unit_id, user_id=update.effective_user.id,
                                    at=context.services.clock.now()))
    await query.answer(f"{officer.unit_name} 已签收。" if exists is None else "贵单位已经签收过了。")


async def due_command(update: Update, context: BotContext) -> None:
    """/due 12 2027-03-31 (office): an indicator's own due date."""
    args = context.args or []
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            await respond(update, render("office_only"))
            return
        try:
            no, day = int(args[0].lstrip("#")), date.fromisoformat(args[1])
            due = set_due(session, where.campaign, no, day, by=update.effective_user.id, now=context.services.clock.now())
        except (IndexError, ValueError) as exc:
            await respond(update, refusal(exc) if isinstance(exc, TimelineError) else render("due_usage"))
            return
    await respond(update, f"已设置:第{due.no}项指标 {due.due} 截止。")


async def phase_admin(update: Update, context: BotContext) -> bool:
    """/phase set 名称 起 止; 名称 起 止 … and /phase shift 2026-12-01 (office); False if not that."""
    args = context.args or []
    if not args or args[0] not in ("set", "shift"):
        return False
    text = " ".join(args[1:])
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            await respond(update, render("office_only"))
            return True
        try:
            if args[0] == "shift":
                rows = shift(session, where.campaign, date.fromisoformat(text.strip()), by=update.effective_user.id,
                             now=context.services.clock.now())
            else:
                spec = []
                for part in text.replace(";", ";").split(";"):
                    name, start, end = part.split()
                    spec.append((name, date.fromisoformat(start), date.fromisoformat(end)))
                rows = set_phases(session, where.campaign, spec, by=update.effective_user.id,
                                  now=context.services.clock.now())
        except (ValueError, TimelineError) as exc:
            await respond(update, refusal(exc) if isinstance(exc, TimelineError) else render("phase_usage"))
            return True
        lines = [f"{p.no}. {p.name}:{p.start} 至 {p.end}" for p in rows]
    await respond(update, "已更新时间表:\n" + "\n".join(lines))
    return True


async def acks_command(update: Update, context: BotContext) -> None:
    """/acks (office): the latest group reminders and the units that have not signed them."""
    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None or not where.office:
            await respond(update, render("office_only"))
            return
        rows = session.exec(select(ReminderLog).where(ReminderLog.campaign_id == where.campaign.id,
                                                      ReminderLog.key.endswith(":group"),
                                                      ReminderLog.kind != "phase_start")
                            .order_by(ReminderLog.id.desc()).limit(5)).all()
        items = []
        for r in rows:
            signed = {a.unit_id for a in session.exec(select(ReminderAck).where(ReminderAck.reminder_id == r.id))}
            missing = [where.directory.units[int(u)].name for u in r.payload.get("units", {}) if int(u) not in signed]
            items.append({"slot": r.slot.isoformat(), "kind": r.kind, "deadline": r.payload.get("deadline"),
                          "missing": missing, "total": len(r.payload.get("units", {}))})
    await respond(update, render("acks", items=items))
