"""Sends what the planner says is due: one repeating job, reminders claimed in the database.

A reminder is claimed by inserting its unique key before it is sent (a second process or a
restart cannot claim it again), and marked sent afterwards. Slots missed while the bot was
down are folded into one catch-up message per chat instead of a flood. A claim left behind by
a crash is sent again after ten minutes — the only window in which a reminder could repeat.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.context import Services
from bot.delivery import send
from bot.render import render
from knowledge import chats as bindings
from knowledge import people
from knowledge.models import Campaign, ReminderLog
from knowledge.timeline import state
from reminders.calendar import WorkCalendar
from reminders.planner import Planned, Policy, plan_slot, policy_for, slot_time

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 14
STALE_CLAIM = timedelta(minutes=10)


def payload(p: Planned, slot: date, session: Session, directory) -> dict:  # noqa: ANN001
    """Everything needed to render and send ``p`` again, stored with the claim."""
    return {"kind": p.kind, "chat": p.chat, "slot": slot.isoformat(), "phase": p.phase,
            "start": p.start.isoformat() if p.start else None,
            "deadline": p.deadline.isoformat() if p.deadline else None, "workdays_left": p.workdays_left,
            "week": p.week, "units": {str(u): nos for u, nos in p.units.items()},
            "unit_names": [directory.units[u].name for u in p.units if u in directory.units]}


def units_view(session: Session, campaign: Campaign, directory, data: dict) -> list[dict]:  # noqa: ANN001
    out = []
    for uid, nos in sorted(data["units"].items(), key=lambda kv: directory.units[int(kv[0])].name):
        officers = people.active_officers_of_unit(session=session, campaign_id=campaign.id, unit_id=int(uid))
        out.append({"id": int(uid), "name": directory.units[int(uid)].name, "indicators": nos,
                    "officers": [o for o in officers if o.user_id or o.username]})
    return out


def indicator_titles(session: Session, campaign: Campaign) -> dict[int, str]:
    """Indicator number → title, so a private note names what is owed, not just numbers."""
    from knowledge.models import Indicator

    return {i.no: i.title for i in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id))}


def render_text(session: Session, campaign: Campaign, directory, data: dict) -> str:  # noqa: ANN001
    """The group/office text of a reminder (also used by the dry run)."""
    return render("reminder", p=data, city=campaign.city, chat=data["chat"],
                  units=units_view(session, campaign, directory, data))


def claim(services: Services, campaign: Campaign, key: str, kind: str, slot: date, data: dict,
          *, done: bool = False) -> int | None:
    """Insert the reminder's unique row; None when someone already has it.

    ``done`` records it as sent at once: a note that is only ever told once (nothing retries it).
    """
    now = services.clock.now()
    try:
        with services.session() as session:
            row = ReminderLog(campaign_id=campaign.id, key=key, kind=kind, slot=slot, payload=data, claimed_at=now,
                              status="sent" if done else "claimed", sent_at=now if done else None)
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


async def deliver(bot: object, services: Services, campaign: Campaign, log_id: int, data: dict) -> None:
    """Send one claimed reminder to its chats, then mark it sent."""
    unreachable: list[tuple[str, str]] = []  # (who, label): told to the office once a week each
    with services.session() as session:
        directory = services.directory(session, campaign)
        units = units_view(session, campaign, directory, data)
        groups = [c.chat_id for c in bindings.liaison_chats(session=session, campaign_id=campaign.id)]
        offices = [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign.id)]
        text = render("reminder", p=data, city=campaign.city, chat=data["chat"], units=units)
        titles = indicator_titles(session, campaign)
    now = services.clock.now()
    if data["chat"] == "group":
        buttons = [[("签收", f"ack:{log_id}")]] if data["kind"] != "phase_start" else None
        for chat_id in groups:
            if not await send(bot, services, chat_id, text, buttons):
                unreachable.append((f"chat{chat_id}", f"联络员群 {chat_id}(机器人可能已被移出)"))
    elif data["chat"] == "office":
        for chat_id in offices:
            await send(bot, services, chat_id, text)
    else:
        for unit in units:
            for officer in unit["officers"]:
                if not officer.private_ok or not officer.user_id:
                    unreachable.append((f"officer{officer.id}", _officer_label(unit["name"], officer)))
                    continue
                with services.session() as session:
                    muted = people.muted(session=session, officer_id=officer.id, now=now)
                if muted:
                    continue
                note = render("reminder_private", p=data, unit=unit["name"], indicators=unit["indicators"],
                              titles=titles)
                if not await send(bot, services, officer.user_id, note, private=True):
                    unreachable.append((f"officer{officer.id}", _officer_label(unit["name"], officer)))
    week = "{}-W{:02d}".format(*now.isocalendar()[:2])
    # Each unreachable officer or group is reported once a week, not with every reminder.
    names = [label for who, label in unreachable
             if claim(services, campaign, f"{campaign.slug}:unreachable:{who}:{week}", "note", now.date(), {},
                      done=True) is not None]
    if names:
        for chat_id in offices:
            await send(bot, services, chat_id, render("unreachable", names=names))
    with services.session() as session:
        row = session.get(ReminderLog, log_id)
        row.status, row.sent_at = "sent", services.clock.now()
        session.add(row)


def _officer_label(unit: str, officer: people.OfficerInfo) -> str:
    return f"{unit} {officer.name or (f'@{officer.username}' if officer.username else officer.user_id)}"


async def run_due(bot: object, services: Services, calendar: WorkCalendar | None = None,
                  policy: Policy | None = None) -> int:
    """Send everything due now; returns how many reminders were claimed by this process."""
    calendar = calendar or WorkCalendar()
    now = services.clock.now()
    sent = 0
    with services.session() as session:
        campaigns = list(session.exec(select(Campaign)))
    for campaign in campaigns:
        try:  # one campaign's trouble (a bad policy, a broken row) must not silence the others
            sent += await _run_campaign(bot, services, campaign, calendar, policy or policy_for(campaign), now)
        except Exception:
            log.exception("reminders for campaign %s failed this tick", campaign.slug)
    await _retry_stale(bot, services, now)
    return sent


async def _run_campaign(bot: object, services: Services, campaign: Campaign, calendar: WorkCalendar,
                        policy: Policy, now: datetime) -> int:
    local = now.astimezone(slot_time(campaign, now.date(), policy).tzinfo)
    today = local.date()
    with services.session() as session:
        st = state(session, campaign)
        if st.reminders_paused:
            return 0
        last = st.last_tick.astimezone(local.tzinfo).date() if st.last_tick else today
        directory = services.directory(session, campaign)
        days = [last + timedelta(days=i) for i in range((today - last).days + 1)]
        days = [d for d in days if d >= today - timedelta(days=CATCH_UP_DAYS)]
        plans: list[tuple[date, Planned, dict]] = []
        for day in days:
            if slot_time(campaign, day, policy) > now:
                continue
            for p in plan_slot(session, campaign, directory, day, calendar, policy):
                plans.append((day, p, payload(p, day, session, directory)))
        st.last_tick = now
        session.add(st)
    claimed = [(cid, day, data) for day, p, data in plans
               if (cid := claim(services, campaign, p.key, p.kind, day, data)) is not None]
    current = [(cid, data) for cid, day, data in claimed if day == today]
    stale = [data for cid, day, data in claimed if day < today]
    for cid, data in current:
        await _deliver_safely(bot, services, campaign, cid, data)
    if stale:
        await _catch_up(bot, services, campaign, [c for c in claimed if c[1] < today], stale)
    return len(claimed)


async def _catch_up(bot: object, services: Services, campaign: Campaign, rows: list, stale: list[dict]) -> None:
    """Missed slots: one summary per liaison group and office chat, not a flood."""
    text = render("reminder_catchup", count=len(stale), plans=stale)
    with services.session() as session:
        chats = [c.chat_id for c in bindings.liaison_chats(session=session, campaign_id=campaign.id)]
        chats += [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign.id)]
    for chat_id in chats:
        await send(bot, services, chat_id, text)
    with services.session() as session:
        for cid, _day, _data in rows:
            row = session.get(ReminderLog, cid)
            row.status, row.sent_at = "folded", services.clock.now()
            session.add(row)


async def _retry_stale(bot: object, services: Services, now: datetime) -> None:
    """Claims left behind by a crash between claim and send."""
    with services.session() as session:
        rows = [(r.id, r.campaign_id, r.payload) for r in session.exec(
            select(ReminderLog).where(ReminderLog.status == "claimed", ReminderLog.claimed_at < now - STALE_CLAIM))]
        campaigns = {c.id: c for c in session.exec(select(Campaign))}
    for rid, cid, data in rows:
        log.warning("re-sending reminder %s claimed before a crash", rid)
        with services.session() as session:  # the next stale check starts ten minutes from now
            row = session.get(ReminderLog, rid)
            row.claimed_at = now
            session.add(row)
        await _deliver_safely(bot, services, campaigns[cid], rid, data)


async def _deliver_safely(bot: object, services: Services, campaign: Campaign, rid: int, data: dict) -> None:
    """A Telegram outage (5xx, timeouts) leaves the claim open, so it is retried later."""
    from telegram.error import TelegramError

    try:
        await deliver(bot, services, campaign, rid, data)
    except TelegramError:
        log.warning("reminder %s not delivered; it stays claimed and will be retried", rid, exc_info=True)


async def tick(context: object) -> None:
    """The repeating job: python-telegram-bot calls it every minute."""
    from bot.digests import weekly

    services: Services = context.bot_data["services"]  # type: ignore[attr-defined]
    await run_due(context.bot, services)  # type: ignore[attr-defined]
    await weekly(context.bot, services)  # type: ignore[attr-defined]
