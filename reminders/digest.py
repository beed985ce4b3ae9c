"""The weekly digest: when it is due (Monday 09:00, or the next working day when Monday is a
holiday) and what it contains (the score with due dates from the timeline)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from knowledge.models import Campaign
from knowledge.policy import policy_for
from knowledge.projection import Digest, compute
from knowledge.timeline import due_dates
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar
from reminders.planner import slot_time


def build(session: Session, campaign: Campaign, directory: UnitDirectory, today: date) -> tuple[Digest, dict[int, date]]:
    """The digest as of ``today`` and the due dates it used."""
    dues = {no: d.due for no, d in due_dates(session, campaign).items()}
    return compute(session, campaign, directory, today, dues), dues


def digest_day(week_monday: date, calendar: WorkCalendar) -> date:
    """Monday, or the first working day after it when Monday is a holiday (within that week)."""
    day = week_monday
    while not calendar.is_workday(day) and day < week_monday + timedelta(days=6):
        day += timedelta(days=1)
    return day


def due_digest(campaign: Campaign, now: datetime, calendar: WorkCalendar) -> str | None:
    """The unique key of this week's digest when it is due at ``now``, else None."""
    local = now.astimezone(slot_time(campaign, now.date(), policy_for(campaign)).tzinfo)
    monday = local.date() - timedelta(days=local.date().weekday())
    day = digest_day(monday, calendar)
    if local.date() < day or now < slot_time(campaign, day, policy_for(campaign)):
        return None
    year, week, _ = monday.isocalendar()
    return f"{campaign.slug}:digest:{year}-W{week:02d}"
