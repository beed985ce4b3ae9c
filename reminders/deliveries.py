"""What a claimed reminder becomes in the outbox: one row per chat, written in the claim's
transaction, and the office's weekly "cannot be reached" note built from how those rows ended.

Why rows: a reminder used to be claimed and then sent to every chat in a loop, so one chat's
outage left the claim open and the retry sent it to *every* chat again. Now the claim and its
rows (``reminder:<log id>:<chat>``, ``catchup:<log id>:<chat>``) are one transaction and the
claim is ``sent`` at once — the rows carry delivery, and the outbox retries a failed chat alone.

Who cannot be reached is told to the office once a week per officer or group (a ``note`` claim
``<slug>:unreachable:<who>:<week>``), in one message naming everyone found together. An officer
known to be unreachable when the rows are written (never started the bot) gets no row and is
named at once; a row that *ends* ``unreachable`` — now or on a retry minutes later — is found by
``unreachable_since`` from its final status. The week is the one in which it was found, so the
scan can look back a little further than a week without naming anyone twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge import chats as bindings
from knowledge import outbox as store
from knowledge import people
from knowledge.identity import caller_id
from knowledge.messages import Message
from knowledge.models import Campaign, OutboxMessage, ReminderLog
from knowledge.outbox import Address, Outgoing, where
from knowledge.units import UnitDirectory
from reminders.notices import (
    catch_up_message,
    indicator_titles,
    private_message,
    reminder_message,
    units_view,
    unreachable_group,
    unreachable_message,
    unreachable_officer,
)

LOOK_BACK = timedelta(days=8)  # how far back rows that ended unreachable are looked for
Entry = tuple[str, dict, str]  # (who, what the note says of them, ISO week found)


def week_of(campaign: Campaign, at: datetime) -> str:
    """``2026-W50``: the campaign's week of ``at``."""
    return "{}-W{:02d}".format(*at.astimezone(ZoneInfo(campaign.timezone)).isocalendar()[:2])


def take(session: Session, campaign: Campaign, key: str, kind: str, slot: date, data: dict, now: datetime,
         status: str = "sent") -> int | None:
    """Insert a claim in the caller's transaction (its own savepoint); None when the key is taken.

    ``status`` is what it is at once: ``sent`` (its rows are written beside it), ``folded``
    (into a catch-up) or a ``note`` told once."""
    if session.exec(select(ReminderLog.id).where(ReminderLog.key == key)).first() is not None:
        return None
    row = ReminderLog(campaign_id=campaign.id, key=key, kind=kind, slot=slot, payload=data, claimed_at=now,
                      status=status, sent_at=now)
    try:
        with session.begin_nested():  # another process may insert it at the same moment
            session.add(row)
    except IntegrityError:
        return None
    return row.id


def chats_of(session: Session, campaign: Campaign) -> tuple[list[Address], list[Address]]:
    """The campaign's liaison groups and office chats, each with its channel."""
    groups = [(c.channel, c.chat_id) for c in bindings.liaison_chats(session=session, campaign_id=campaign.id)]
    offices = [(c.channel, c.chat_id) for c in bindings.office_chats(session=session, campaign_id=campaign.id)]
    return groups, offices


def rows_to(prefix: str, chats: list[Address], message: Message, campaign: Campaign) -> list[Outgoing]:
    """One row of ``message`` per chat, on the chat's channel (``<prefix>:<chat>``)."""
    return [Outgoing(f"{prefix}:{where(channel, chat)}", chat, message, campaign_id=campaign.id, channel=channel)
            for channel, chat in chats]


def reminder_rows(session: Session, directory: UnitDirectory, campaign: Campaign, log_id: int, data: dict,
                  now: datetime) -> tuple[list[Outgoing], list[Entry]]:
    """The rows of one claimed reminder, and the officers known already not to be reachable.

    Group and office notices go to each such chat (a group's carries 签收 with ``log_id``);
    a private reminder to each owing unit's officer who started the bot and is not muted *now*.
    """
    units = units_view(session, campaign, directory, data)
    if data["chat"] != "private":
        groups, offices = chats_of(session, campaign)
        notice = reminder_message(campaign, data, units, log_id)
        return rows_to(f"reminder:{log_id}", groups if data["chat"] == "group" else offices, notice, campaign), []
    titles = indicator_titles(session, campaign)
    rows: list[Outgoing] = []
    known: list[Entry] = []
    for unit in units:
        for officer in unit["addresses"]:
            if not officer.private_ok or not officer.user_id:
                known.append((f"officer{officer.id}", unreachable_officer(unit["name"], officer),
                              week_of(campaign, now)))
            elif not people.muted(session=session, officer_id=officer.id, now=now):
                rows.append(Outgoing(f"reminder:{log_id}:{where(officer.channel, officer.user_id)}", officer.user_id,
                                     private_message(data, unit, titles), private=True, campaign_id=campaign.id,
                                     channel=officer.channel))
    return rows, known


def catch_up(session: Session, campaign: Campaign, folded: list[tuple[int, dict]], today: date,
             now: datetime) -> list[str]:
    """One catch-up per liaison group and office chat for claims folded in this transaction;
    the keys of its rows. It is a claim of its own (kind ``catchup``) holding what it folds."""
    if not folded:
        return []
    plans = [data for _rid, data in folded]
    log_id = take(session, campaign, f"{campaign.slug}:catchup:{folded[0][0]}", "catchup", today,
                  {"folded": [rid for rid, _data in folded], "plans": plans}, now)
    if log_id is None:  # cannot happen: the folded claims were ours
        return []
    groups, offices = chats_of(session, campaign)
    message = catch_up_message(plans)
    return store.put(session, rows_to(f"catchup:{log_id}", groups + offices, message, campaign), now)


def unreachable_since(session: Session, now: datetime) -> dict[int, list[Entry]]:
    """Officers and liaison groups whose reminder rows ended ``unreachable`` lately, by campaign."""
    rows = session.exec(select(OutboxMessage).where(
        col(OutboxMessage.key).startswith("reminder:"), OutboxMessage.status == "unreachable",
        OutboxMessage.sent_at >= now - LOOK_BACK).order_by(OutboxMessage.id)).all()
    found: dict[int, list[Entry]] = {}
    for row in rows:
        campaign = session.get(Campaign, row.campaign_id) if row.campaign_id else None
        entry = _who(session, row) if campaign else None
        if entry is not None:
            found.setdefault(campaign.id, []).append((*entry, week_of(campaign, row.sent_at or now)))
    return found


def _who(session: Session, row: OutboxMessage) -> tuple[str, dict] | None:
    """Whom an unreachable row was for: an officer, a liaison group, or nobody to report (an office chat)."""
    if row.private:
        officer = people.officer_of(session=session, user_id=row.target, campaign_id=row.campaign_id,
                                    channel=row.channel)
        return (f"officer{officer.id}", unreachable_officer(officer.unit_name, officer)) if officer else None
    reminder = session.get(ReminderLog, int(row.key.split(":")[1]))
    if reminder is None or reminder.payload.get("chat") != "group":
        return None
    return f"chat{row.target}", unreachable_group(caller_id(row.channel, row.target))


def report(session: Session, campaign: Campaign, entries: list[Entry], now: datetime) -> list[str]:
    """Name to the office, in one message per office chat, each of ``entries`` not yet named
    that week; the keys of the rows written."""
    named, first = [], None
    for who, entry, week in entries:
        note = take(session, campaign, f"{campaign.slug}:unreachable:{who}:{week}", "note", now.date(), {}, now)
        if note is not None:
            named.append(entry)
            first = first or note
    if not named:
        return []
    _groups, offices = chats_of(session, campaign)
    message = unreachable_message(named)
    return store.put(session, rows_to(f"unreachable:{first}", offices, message, campaign), now)
