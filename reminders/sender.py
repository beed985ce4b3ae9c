"""Sends what the planner says is due: one repeating job, reminders claimed in the database.

A reminder is claimed by inserting its unique key, and in the same transaction one outbox row
per chat is written (``reminders.deliveries``): a second process or a restart cannot claim it
again, and a chat that fails is retried alone by the outbox, with its backoff, never the others.
Slots missed while the bot was down are folded into one catch-up per chat, written the same way
in the transaction that folds their claims, so a catch-up that fails stays one catch-up.

Claims written before the outbox (status ``claimed``, sent in a loop afterwards) are taken over
once: today's become rows of their own, older ones one catch-up.

Messages go out through an ``Outbox`` (``reminders.outbox.flush``); this module never renders text.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge import outbox as store
from knowledge.campaigns import all_campaigns
from knowledge.models import Campaign, ReminderLog
from knowledge.policy import Policy, policy_for
from knowledge.timeline import state
from knowledge.units import UnitDirectory
from reminders import deliveries
from reminders.calendar import WorkCalendar
from reminders.deliveries import Entry
from reminders.notices import payload
from reminders.outbox import Outbox, Services, flush
from reminders.planner import Planned, plan_slot, slot_time

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 14
STALE_CLAIM = timedelta(minutes=10)
REMINDER_KINDS = ("phase_start", "deadline", "overdue", "escalation")


def local_today(campaign: Campaign, now: datetime) -> date:
    return now.astimezone(ZoneInfo(campaign.timezone)).date()


def claim_and_write(services: Services, campaign: Campaign, p: Planned, day: date, data: dict,
                    now: datetime) -> tuple[list[str], list[Entry]] | None:
    """Claim one reminder and write its rows, in one transaction; None when it was claimed
    already. Returns the rows' keys and the officers known not to be reachable."""
    try:
        with services.session() as session:
            log_id = deliveries.take(session, campaign, p.key, p.kind, day, data, now)
            if log_id is None:
                return None
            rows, known = deliveries.reminder_rows(session, services.directory(session, campaign), campaign,
                                                   log_id, data, now)
            return store.put(session, rows, now), known
    except IntegrityError:  # the claim's savepoint lost a race the outer transaction then saw
        return None


def fold(services: Services, campaign: Campaign, missed: list[tuple[date, Planned, dict]], today: date,
         now: datetime) -> tuple[int, list[str]]:
    """Claim the missed slots as ``folded`` and write their one catch-up, in one transaction;
    (how many this process folded, the catch-up's row keys)."""
    with services.session() as session:
        folded = [(rid, data) for day, p, data in missed
                  if (rid := deliveries.take(session, campaign, p.key, p.kind, day, data, now, "folded")) is not None]
        return len(folded), deliveries.catch_up(session, campaign, folded, today, now)


async def run_due(outbox: Outbox, services: Services, calendar: WorkCalendar | None = None,
                  policy: Policy | None = None) -> int:
    """Claim and send everything due now; returns how many reminders this process claimed.

    A chat that fails is retried by the outbox's own pass (``bot.outbox.pass_over``), like every
    other row; this job tells the office who could not be reached, from how rows ended."""
    calendar = calendar or WorkCalendar()
    now = services.clock.now()
    claimed, keys, known = 0, [], {}
    with services.session() as session:
        campaigns = all_campaigns(session=session)
    for campaign in campaigns:
        try:  # one campaign's trouble (a bad policy, a broken row) must not silence the others
            count, written, unreachable = _run_campaign(services, campaign, calendar,
                                                        policy or policy_for(campaign), now)
        except Exception:
            log.exception("reminders for campaign %s failed this tick", campaign.slug)
            continue
        claimed, keys = claimed + count, keys + written
        if unreachable:
            known[campaign.id] = unreachable
    try:
        keys += _take_over_old_claims(services, {c.id: c for c in campaigns}, now, known)
    except Exception:
        log.exception("old reminder claims could not be taken over this tick")
    await flush(outbox, services, keys)
    await report_unreachable(outbox, services, known)
    return claimed


async def report_unreachable(outbox: Outbox, services: Services, known: dict[int, list[Entry]]) -> None:
    """The office's weekly note: officers known to be unreachable and rows that ended so."""
    now = services.clock.now()
    keys: list[str] = []
    with services.session() as session:
        found = deliveries.unreachable_since(session, now)
        for campaign_id in {*known, *found}:
            campaign = session.get(Campaign, campaign_id)
            entries = known.get(campaign_id, []) + found.get(campaign_id, [])
            keys += deliveries.report(session, campaign, entries, now)
    await flush(outbox, services, keys)


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


def _run_campaign(services: Services, campaign: Campaign, calendar: WorkCalendar, policy: Policy,
                  now: datetime) -> tuple[int, list[str], list[Entry]]:
    """Claim today's reminders (rows each) and fold missed slots; (claimed, row keys, unreachable)."""
    today = now.astimezone(slot_time(campaign, now.date(), policy).tzinfo).date()
    plans = _due_plans(services, campaign, calendar, policy, now, today)
    claimed, keys, known = 0, [], []
    for day, p, data in plans:
        if day == today and (done := claim_and_write(services, campaign, p, day, data, now)) is not None:
            claimed, keys, known = claimed + 1, keys + done[0], known + done[1]
    missed = [(day, p, data) for day, p, data in plans if day < today]
    if missed:
        count, written = fold(services, campaign, missed, today, now)
        claimed, keys = claimed + count, keys + written
    return claimed, keys, known


def _take_over_old_claims(services: Services, campaigns: dict[int, Campaign], now: datetime,
                          known: dict[int, list[Entry]]) -> list[str]:
    """Claims written before the outbox, left ``claimed`` by a crash or an outage: sent once,
    through rows — today's each with its own rows (its 签收 keeps its id), older ones folded
    into one catch-up per campaign."""
    with services.session() as session:
        old = [(r.id, r.campaign_id, r.slot, r.payload) for r in session.exec(
            select(ReminderLog).where(ReminderLog.status == "claimed", col(ReminderLog.kind).in_(REMINDER_KINDS),
                                      ReminderLog.claimed_at < now - STALE_CLAIM).order_by(ReminderLog.id))]
    keys: list[str] = []
    for campaign_id in dict.fromkeys(cid for _rid, cid, _slot, _data in old):
        campaign = campaigns.get(campaign_id)
        if campaign is None:
            continue
        mine = [(rid, slot, data) for rid, cid, slot, data in old if cid == campaign_id]
        with services.session() as session:
            written, unreachable = _adopt(session, services.directory(session, campaign), campaign, mine, now)
        keys += written
        if unreachable:
            known.setdefault(campaign_id, []).extend(unreachable)
    return keys


def _adopt(session: Session, directory: UnitDirectory, campaign: Campaign, old: list[tuple[int, date, dict]],
           now: datetime) -> tuple[list[str], list[Entry]]:
    """One campaign's old claims, each taken by a conditional update so two processes cannot both."""
    today = local_today(campaign, now)
    keys, known, folded = [], [], []
    for rid, slot, data in old:
        status = "sent" if slot >= today else "folded"
        taken = session.execute(update(ReminderLog).where(ReminderLog.id == rid, ReminderLog.status == "claimed")
                                .values(status=status, sent_at=now))
        if not taken.rowcount:
            continue
        log.warning("reminder %s was claimed before a crash; sending it now (%s)", rid, status)
        if status == "folded":
            folded.append((rid, data))
            continue
        rows, unreachable = deliveries.reminder_rows(session, directory, campaign, rid, data, now)
        keys += store.put(session, rows, now)
        known += unreachable
    return keys + deliveries.catch_up(session, campaign, folded, today, now), known
