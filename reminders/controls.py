"""What people change or ask about reminders and the timeline from a chat — /reminders, /mute,
/pause and /resume, /due, /phase set|shift — as core calls that return ``Message``s.

Each takes what the face has already established (the campaign, who asks, their unit; the
office check is the face's gate) and the injected time; none knows about Telegram. A wrong
argument is answered with the command's usage, a domain refusal with ``refused``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from knowledge import chats as bindings
from knowledge import people
from knowledge.audit import record
from knowledge.identity import external_id
from knowledge.messages import Message, say
from knowledge.models import Campaign
from knowledge.numbers import read_number
from knowledge.timeline import (
    DateOutOfRange,
    NoPhases,
    TimelineError,
    due_dates,
    read_day,
    set_due,
    set_phases,
    shift,
    state,
)
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar
from reminders.owing import owing
from reminders.planner import plan_slot

HORIZON_DAYS = 31  # /reminders looks this far ahead (today included)
SHOWN = 10


def upcoming(*, session: Session, campaign: Campaign, directory: UnitDirectory, unit_id: int, unit_name: str,
             today: date) -> Message:
    """/reminders: the group reminders that will name ``unit_id`` in the next 30 days."""
    calendar, items = WorkCalendar(), []
    for i in range(HORIZON_DAYS):
        day = today + timedelta(days=i)
        for p in plan_slot(session, campaign, directory, day, calendar):
            if p.chat == "group" and unit_id in p.units:
                items.append({"day": day.isoformat(), "kind": p.kind, "deadline": p.deadline,
                              "indicators": p.units[unit_id]})
    why = {} if items else why_none(session=session, campaign=campaign, directory=directory, unit_id=unit_id,
                                    today=today)
    return say("reminders_list", unit=unit_name, items=items[:SHOWN], guessed=sorted(calendar.guessed_years), **why)


def why_none(*, session: Session, campaign: Campaign, directory: UnitDirectory, unit_id: int,
             today: date) -> dict:
    """Why no reminder names the unit in the next 30 days, in the order one would look: paused,
    no timeline, nothing owed, the nearest deadline is later, or every deadline has passed."""
    if state(session, campaign).reminders_paused:
        return {"why": "paused"}
    dues = due_dates(session, campaign)
    if not dues:
        return {"why": "no_timeline"}
    owed = sorted(set(owing(session, campaign, directory, set(dues)).get(unit_id, [])))
    if not owed:
        return {"why": "nothing_owed"}
    ahead = [dues[n].due for n in owed if dues[n].due >= today]
    day = min(ahead) if ahead else max(dues[n].due for n in owed)
    return {"why": "later" if ahead else "past", "owed": len(owed), "day": day,
            "numbers": [n for n in owed if dues[n].due == day]}


def mute(*, session: Session, campaign: Campaign, user_id: int | str, arg: str, now: datetime,
         channel: str | None = None) -> tuple[Message, list[tuple[int | str, Message]]]:
    """/mute N: the officer's reply, and the notes to the office chats (the office sees who muted);
    ``channel``: only that channel's office chats — the face that answers is the one that can reach them."""
    days = read_number(arg, low=0)
    if days is None:
        return say("mute_usage"), []
    try:
        officer = people.mute(session=session, user_id=user_id, campaign_id=campaign.id, days=days, now=now,
                              channel=channel)
    except people.PeopleError as exc:
        return say("refused", reason=str(exc)), []
    notice = say("muted_office", days=days, officer=officer)
    offices = bindings.office_chats(session=session, campaign_id=campaign.id)
    return say("muted", days=days, officer=officer), [(c.chat_id, notice) for c in offices
                                                      if channel is None or c.channel == channel]


def set_paused(*, session: Session, campaign: Campaign, paused: bool, by: int | str,
               now: datetime | None = None) -> Message:
    """/pause and /resume: stop or restart every reminder of the campaign (audited when ``now`` is given)."""
    st = state(session, campaign)
    before = st.reminders_paused
    st.reminders_paused, st.paused_by = paused, external_id(by)
    session.add(st)
    if now is not None:
        record(session, action="reminders.pause" if paused else "reminders.resume", at=now,
               campaign_id=campaign.id, actor=external_id(by), subject=f"campaign:{campaign.id}",
               before={"paused": bool(before)}, after={"paused": paused})
    return say("paused", paused=paused)


def change_due(*, session: Session, campaign: Campaign, args: list[str], by: int | str, now: datetime) -> Message:
    """/due 12 2027-03-31: an indicator's own due date."""
    try:
        no, day = read_number(args[0]), read_day(" ".join(args[1:]))
        if no is None:
            return say("due_usage")
        due = set_due(session, campaign, no, day, by=by, now=now)
    except DateOutOfRange as exc:
        return out_of_range(campaign, exc)
    except TimelineError as exc:
        return say("refused", reason=str(exc))
    except (IndexError, ValueError):
        return say("due_usage")
    return say("due_set", no=due.no, due=due.due)


def out_of_range(campaign: Campaign, exc: DateOutOfRange) -> Message:
    return say("date_out_of_range", "refused", city=campaign.city, day=exc.day, first=exc.first, last=exc.last)


def parse_phases(text: str) -> list[tuple[str, date, date]]:
    """``名称 起 止; 名称 起 止`` (either semicolon) → phases; ValueError when it is not that."""
    spec = []
    for part in text.replace(";", ";").split(";"):
        name, start, end = part.split()
        spec.append((name, read_day(start), read_day(end)))
    return spec


def change_phases(*, session: Session, campaign: Campaign, action: str, text: str, by: int | str,
                  now: datetime) -> Message:
    """/phase set 名称 起 止; … replaces the timeline; /phase shift 2026-12-01 moves it whole."""
    try:
        if action == "shift":
            rows = shift(session, campaign, read_day(text), by=by, now=now)
        else:
            rows = set_phases(session, campaign, parse_phases(text), by=by, now=now)
    except DateOutOfRange as exc:
        return out_of_range(campaign, exc)
    except NoPhases:
        return say("phases_none")
    except TimelineError as exc:
        return say("refused", reason=str(exc))
    except ValueError:
        return say("phase_usage")
    return say("phases_updated", phases=[{"no": p.no, "name": p.name, "start": p.start, "end": p.end}
                                         for p in rows])
