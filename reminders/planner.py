"""Which reminders belong to one sending slot (09:00 campaign time on a working day).

Reminders are computed from the timeline and the state of evidence, each with a unique key,
so the sender can claim them in the database and nothing is sent twice. The planner sends
nothing itself: the bot (or the dry-run CLI) decides what to do with the plan.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from knowledge.models import Campaign
from knowledge.policy import Policy, policy_for
from knowledge.timeline import date_bounds, due_dates, phases
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar
from reminders.owing import owing

log = logging.getLogger(__name__)
_warned: set[tuple[str, str]] = set()  # what was already warned about, once per process


@dataclass
class Planned:
    key: str
    kind: str  # phase_start | deadline | overdue | escalation
    chat: str  # group | private | office
    due_at: datetime
    deadline: date | None = None
    phase: str = ""
    start: date | None = None  # a phase's first day (its notice may go out earlier, before a holiday)
    workdays_left: int | None = None
    week: int | None = None
    units: dict[int, list[int]] = field(default_factory=dict)  # unit id → indicator numbers

    @property
    def indicators(self) -> list[int]:
        return sorted({n for nos in self.units.values() for n in nos})


def slot_time(campaign: Campaign, day: date, policy: Policy) -> datetime:
    return datetime.combine(day, policy.send_at, tzinfo=ZoneInfo(campaign.timezone))


def plan_slot(session: Session, campaign: Campaign, directory: UnitDirectory, day: date,
              calendar: WorkCalendar, policy: Policy | None = None) -> list[Planned]:
    """Every reminder of ``day``'s slot; [] on a non-working day."""
    policy = policy or policy_for(campaign)
    if not calendar.is_workday(day):
        return []
    at = slot_time(campaign, day, policy)
    slug = campaign.slug
    out: list[Planned] = []
    first, last = date_bounds(campaign, day)
    stages = phases(session, campaign)
    ends = max((p.end for p in stages), default=None)  # the campaign's end, when its timeline has one
    for p in stages:
        if not (first <= p.start <= last and first <= p.end <= last):
            _skip(campaign, f"phase {p.no} ({p.start} – {p.end})", first, last)
            continue
        if calendar.on_or_before(p.start) == day:
            out.append(Planned(f"{slug}:phase_start:{p.no}:{p.start}:group", "phase_start", "group", at,
                               deadline=p.end, phase=p.name, start=p.start))
    by_date: dict[date, set[int]] = defaultdict(set)
    for due in due_dates(session, campaign).values():
        if first <= due.due <= last:
            by_date[due.due].add(due.no)
        else:
            _skip(campaign, f"due date {due.due} of indicator {due.no}", first, last)
    for deadline, numbers in sorted(by_date.items()):
        step = _step(day, deadline, calendar, policy, ends)
        if step is None:
            continue
        owed = owing(session, campaign, directory, numbers)
        if not owed:
            continue
        kind, n = step
        if kind == "deadline":
            for chat in ("group", "private"):
                out.append(Planned(f"{slug}:deadline:{deadline}:{n}:{chat}", "deadline", chat, at, deadline=deadline,
                                   workdays_left=n, units=owed))
        else:
            for chat in ("group", "private"):
                out.append(Planned(f"{slug}:overdue:{deadline}:{n}:{chat}", "overdue", chat, at, deadline=deadline,
                                   week=n, units=owed))
            out.append(Planned(f"{slug}:escalation:{deadline}:{n}:office", "escalation", "office", at,
                               deadline=deadline, week=n, units=owed))
    return out


def _skip(campaign: Campaign, what: str, first: date, last: date) -> None:
    """A stored date outside the campaign's years (an old row, from before they were checked):
    the calendar cannot reckon with it, so it is left out of every plan, with one warning."""
    if (campaign.slug, what) not in _warned:
        _warned.add((campaign.slug, what))
        log.warning("campaign %s: %s is outside %s…%s and is not reminded of; set it again",
                    campaign.slug, what, first, last)


def _step(day: date, deadline: date, calendar: WorkCalendar, policy: Policy,
          ends: date | None = None) -> tuple[str, int] | None:
    """('deadline', n working days left) or ('overdue', week) when ``day`` is such a slot.

    Overdue: the next working day (week 0, even after the campaign's end: the deadline was
    missed), then weekly — each week's slot moved back to the working day before a holiday — for
    as long as something is owed (the caller asks only then), until the campaign ``ends`` or,
    when the policy caps them, ``policy.overdue_weeks`` weeks.
    """
    if day <= deadline:
        for n in policy.before:
            if calendar.workdays_before(deadline, n) == day:
                return "deadline", n
        return None
    first = calendar.next_after(deadline)
    if day == first:
        return "overdue", 0
    if day < first or (ends is not None and day > ends):
        return None
    # the week whose slot is ``day`` lies on or a little after it (a holiday moves it earlier)
    since = (day - first).days
    for week in range(max(1, -(-since // 7)), since // 7 + 4):
        if policy.overdue_weeks is not None and week > policy.overdue_weeks:
            break
        if calendar.on_or_before(first + timedelta(days=7 * week)) == day:
            return "overdue", week
    return None
