"""Sends what the planner says is due: one repeating job, reminders claimed in the database.

A reminder is claimed by inserting its unique key before it is sent (a second process or a
restart cannot claim it again), and marked sent afterwards. Slots missed while the bot was
down are folded into one catch-up message per chat instead of a flood. A claim left behind by
a crash (or by an outage: the outbox raised ``DeliveryDeferred``) is sent again after ten
minutes — the only window in which a reminder could repeat.

Messages go out through an ``Outbox`` (``reminders.outbox``); this module never renders text.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from knowledge import chats as bindings
from knowledge import people
from knowledge.campaigns import all_campaigns
from knowledge.models import Campaign, ReminderLog
from knowledge.policy import Policy, policy_for
from knowledge.timeline import state
from reminders.calendar import WorkCalendar
from reminders.notices import (
    catch_up_message,
    indicator_titles,
    payload,
    private_message,
    reminder_message,
    units_view,
    unreachable_group,
    unreachable_message,
    unreachable_officer,
)
from reminders.outbox import DeliveryDeferred, Outbox, Services
from reminders.planner import Planned, plan_slot, slot_time

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 14
STALE_CLAIM = timedelta(minutes=10)
REMINDER_KINDS = ("phase_start", "deadline", "overdue", "escalation")


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


def mark(services: Services, log_ids: list[int], status: str = "sent") -> None:
    """Close claims: ``sent``, or ``folded`` into a catch-up summary."""
    with services.session() as session:
        for log_id in log_ids:
            row = session.get(ReminderLog, log_id)
            row.status, row.sent_at = status, services.clock.now()
            session.add(row)


async def deliver(outbox: Outbox, services: Services, campaign: Campaign, log_id: int, data: dict) -> None:
    """Send one claimed reminder to its chats, then mark it sent."""
    with services.session() as session:
        directory = services.directory(session, campaign)
        units = units_view(session, campaign, directory, data)
        groups = [c.chat_id for c in bindings.liaison_chats(session=session, campaign_id=campaign.id)]
        offices = [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign.id)]
        titles = indicator_titles(session, campaign)
    notice = reminder_message(campaign, data, units, log_id)
    unreachable: list[tuple[str, dict]] = []  # (who, entry): told to the office once a week each
    if data["chat"] == "group":
        for chat_id in groups:
            if not await outbox.send(chat_id, notice):
                unreachable.append((f"chat{chat_id}", unreachable_group(chat_id)))
    elif data["chat"] == "office":
        for chat_id in offices:
            await outbox.send(chat_id, notice)
    else:
        unreachable = await _send_private(outbox, services, data, units, titles)
    await _report_unreachable(outbox, services, campaign, unreachable, offices)
    mark(services, [log_id])


async def _send_private(outbox: Outbox, services: Services, data: dict, units: list[dict],
                        titles: dict[int, str]) -> list[tuple[str, dict]]:
    """Each owing unit's officers privately (unless muted); returns who could not be reached."""
    now = services.clock.now()
    unreachable = []
    for unit in units:
        for officer in unit["officers"]:
            if not officer.private_ok or not officer.user_id:
                unreachable.append((f"officer{officer.id}", unreachable_officer(unit["name"], officer)))
                continue
            with services.session() as session:
                muted = people.muted(session=session, officer_id=officer.id, now=now)
            if muted:
                continue
            if not await outbox.send(officer.user_id, private_message(data, unit, titles), private=True):
                unreachable.append((f"officer{officer.id}", unreachable_officer(unit["name"], officer)))
    return unreachable


async def _report_unreachable(outbox: Outbox, services: Services, campaign: Campaign,
                              unreachable: list[tuple[str, dict]], offices: list[int]) -> None:
    """Each unreachable officer or group is reported once a week, not with every reminder."""
    now = services.clock.now()
    week = "{}-W{:02d}".format(*now.isocalendar()[:2])
    names = [entry for who, entry in unreachable
             if claim(services, campaign, f"{campaign.slug}:unreachable:{who}:{week}", "note", now.date(), {},
                      done=True) is not None]
    if names:
        for chat_id in offices:
            await outbox.send(chat_id, unreachable_message(names))


async def run_due(outbox: Outbox, services: Services, calendar: WorkCalendar | None = None,
                  policy: Policy | None = None) -> int:
    """Send everything due now; returns how many reminders were claimed by this process."""
    calendar = calendar or WorkCalendar()
    now = services.clock.now()
    sent = 0
    with services.session() as session:
        campaigns = all_campaigns(session=session)
    for campaign in campaigns:
        try:  # one campaign's trouble (a bad policy, a broken row) must not silence the others
            sent += await _run_campaign(outbox, services, campaign, calendar, policy or policy_for(campaign), now)
        except Exception:
            log.exception("reminders for campaign %s failed this tick", campaign.slug)
    await _retry_stale(outbox, services, now)
    return sent


def _due_plans(services: Services, campaign: Campaign, calendar: WorkCalendar, policy: Policy,
               now: datetime, today: date) -> list[tuple[date, Planned, dict]]:
    """Every slot since the last tick (at most two weeks back) whose time has come; records the tick."""
    local_tz = slot_time(campaign, today, policy).tzinfo
    with services.session() as session:
        st = state(session, campaign)
        if st.reminders_paused:
            return []
        last = st.last_tick.astimezone(local_tz).date() if st.last_tick else today
        directory = services.directory(session, campaign)
        days = [last + timedelta(days=i) for i in range((today - last).days + 1)]
        days = [d for d in days if d >= today - timedelta(days=CATCH_UP_DAYS)]
        plans: list[tuple[date, Planned, dict]] = []
        for day in days:
            if slot_time(campaign, day, policy) > now:
                continue
            for p in plan_slot(session, campaign, directory, day, calendar, policy):
                plans.append((day, p, payload(p, day, directory)))
        st.last_tick = now
        session.add(st)
    return plans


async def _run_campaign(outbox: Outbox, services: Services, campaign: Campaign, calendar: WorkCalendar,
                        policy: Policy, now: datetime) -> int:
    today = now.astimezone(slot_time(campaign, now.date(), policy).tzinfo).date()
    plans = _due_plans(services, campaign, calendar, policy, now, today)
    claimed = [(cid, day, data) for day, p, data in plans
               if (cid := claim(services, campaign, p.key, p.kind, day, data)) is not None]
    for cid, day, data in claimed:
        if day == today:
            await _deliver_safely(outbox, services, campaign, cid, data)
    stale = [(cid, data) for cid, day, data in claimed if day < today]
    if stale:
        await _catch_up(outbox, services, campaign, stale)
    return len(claimed)


async def _catch_up(outbox: Outbox, services: Services, campaign: Campaign, rows: list[tuple[int, dict]]) -> None:
    """Missed slots: one summary per liaison group and office chat, not a flood."""
    message = catch_up_message([data for _cid, data in rows])
    with services.session() as session:
        chats = [c.chat_id for c in bindings.liaison_chats(session=session, campaign_id=campaign.id)]
        chats += [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign.id)]
    for chat_id in chats:
        await outbox.send(chat_id, message)
    mark(services, [cid for cid, _data in rows], "folded")


async def _retry_stale(outbox: Outbox, services: Services, now: datetime) -> None:
    """Claims left behind by a crash between claim and send (or by an outage)."""
    with services.session() as session:
        rows = [(r.id, r.campaign_id, r.payload) for r in session.exec(
            select(ReminderLog).where(ReminderLog.status == "claimed", ReminderLog.kind.in_(REMINDER_KINDS),
                                      ReminderLog.claimed_at < now - STALE_CLAIM))]
        campaigns = {c.id: c for c in all_campaigns(session=session)}
    for rid, cid, data in rows:
        log.warning("re-sending reminder %s claimed before a crash", rid)
        with services.session() as session:  # the next stale check starts ten minutes from now
            row = session.get(ReminderLog, rid)
            row.claimed_at = now
            session.add(row)
        await _deliver_safely(outbox, services, campaigns[cid], rid, data)


async def _deliver_safely(outbox: Outbox, services: Services, campaign: Campaign, rid: int, data: dict) -> None:
    """An outage (5xx, timeouts) leaves the claim open, so it is retried later."""
    try:
        await deliver(outbox, services, campaign, rid, data)
    except DeliveryDeferred:
        log.warning("reminder %s not delivered; it stays claimed and will be retried", rid, exc_info=True)
