"""Reminder planning: working days (National Day 2026), Sunday deadlines, delivered units."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from knowledge.campaigns import get_campaign
from knowledge.models import Evidence
from knowledge.timeline import TimelineError, due_dates, set_due, set_phases, shift
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar, statutory_days
from reminders.planner import plan_slot
from tests.conftest import campaigns_engine

NOW = datetime(2026, 9, 1, tzinfo=UTC)
CAL = WorkCalendar()


@pytest.fixture
def yc():
    engine = campaigns_engine()
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        yield s, camp, UnitDirectory.load(s, camp)


def test_calendar_national_day_2026():
    assert not CAL.is_workday(date(2026, 10, 1)) and CAL.is_workday(date(2026, 9, 20))  # 调休 Sunday
    assert CAL.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert CAL.workdays_before(date(2026, 10, 8), 1) == date(2026, 9, 30)
    assert CAL.on_or_before(date(2026, 10, 4)) == date(2026, 9, 30)


def test_unknown_year_falls_back_and_is_remembered():
    """2027 is not in the package: weekdays work, except the days the law itself fixes."""
    cal = WorkCalendar(supplements={})
    assert cal.is_workday(date(2027, 2, 9)) and not cal.is_workday(date(2027, 2, 13))  # Tue; Saturday
    assert not cal.is_workday(date(2027, 1, 1))  # 元旦, a Friday
    assert not cal.is_workday(date(2027, 2, 5)) and not cal.is_workday(date(2027, 2, 8))  # 除夕 … 初三
    assert not cal.is_workday(date(2027, 10, 1))
    assert cal.on_or_before(date(2027, 2, 8)) == date(2027, 2, 4)
    assert 2027 in cal.guessed_years and not cal.known(2027)


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_agree_with_the_announced_years(year):
    """The fallback's fixed days are holidays in every year the package knows."""
    import chinese_calendar

    days = statutory_days(year)
    assert len(days) == 13 and {"春节", "清明节", "端午节", "中秋节"} <= set(days.values())
    assert [d for d in days if not chinese_calendar.is_holiday(d)] == []


def test_shift_keeps_lengths(yc):
    s, camp, _ = yc
    from knowledge.timeline import phases
    before = [(p.start, p.end) for p in phases(s, camp)]
    rows = shift(s, camp, date(2026, 12, 1), by=1, now=NOW)
    offset = date(2026, 12, 1) - before[0][0]
    assert [(p.start, p.end) for p in rows] == [(a + offset, b + offset) for a, b in before]
    assert rows[0].start == date(2026, 12, 1) and all(p.source == "office" for p in rows)
    assert rows[0].text  # the document's description survives the move


def test_default_due_is_end_of_the_pushing_phase_and_office_override(yc):
    s, camp, _ = yc
    dues = due_dates(s, camp)
    assert dues[12].due == date(2023, 12, 31) and dues[12].source == "phase"
    set_due(s, camp, 12, date(2026, 10, 11), by=1, now=NOW)  # a Sunday
    assert due_dates(s, camp)[12].due == date(2026, 10, 11)
    with pytest.raises(TimelineError):
        set_due(s, camp, 99, date(2026, 10, 11), by=1, now=NOW)


def test_deadline_on_sunday_around_national_day(yc):
    s, camp, d = yc
    set_phases(s, camp, [("推进", date(2026, 9, 1), date(2026, 10, 11))], by=1, now=NOW)
    plans = {p.key: p for day in [date(2026, 10, 8), date(2026, 10, 9)]
             for p in plan_slot(s, camp, d, day, CAL)}
    # counting back from Sunday 10-11: Sat 10-10 (make-up day) is 1, Fri 10-09 is 2, Thu 10-08 is 3
    assert any(k.endswith(":deadline:2026-10-11:3:group") for k in plans)
    assert not plan_slot(s, camp, d, date(2026, 10, 3), CAL)  # holiday: nothing
    day1 = plan_slot(s, camp, d, date(2026, 10, 10), CAL)
    assert {p.workdays_left for p in day1 if p.kind == "deadline"} == {1}
    over = plan_slot(s, camp, d, date(2026, 10, 12), CAL)
    assert {p.kind for p in over} == {"overdue", "escalation"}


def test_unit_that_delivered_is_not_reminded(yc):
    s, camp, d = yc
    set_phases(s, camp, [("推进", date(2026, 11, 2), date(2026, 11, 30))], by=1, now=NOW)
    post = d.resolve("邮管局").unit
    [plan] = [p for p in plan_slot(s, camp, d, date(2026, 11, 27), CAL) if p.chat == "group"]
    assert 5 in plan.units[post.id]
    from sqlmodel import select

    from knowledge.models import Indicator
    ind5 = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 5)).one()
    s.add(Evidence(campaign_id=camp.id, indicator_id=ind5.id, unit_id=post.id, status="accepted", created_at=NOW))
    s.flush()
    [plan] = [p for p in plan_slot(s, camp, d, date(2026, 11, 27), CAL) if p.chat == "group"]
    assert 5 not in plan.units.get(post.id, [])


def test_supplement_file_for_an_unannounced_year(tmp_path):
    """The mechanism for Spring Festival 2027 once announced: holidays off, 调休 Saturdays on.
    The dates here are a fixture for the mechanism, not the real 2027 arrangement (unknown to
    the package today)."""
    from reminders.calendar import load_supplements

    (tmp_path / "2027.yaml").write_text("holidays: [2027-02-08, 2027-02-09]\nworkdays: [2027-02-20]\n",
                                        encoding="utf-8")
    cal = WorkCalendar(load_supplements(tmp_path))
    assert not cal.is_workday(date(2027, 2, 8)) and cal.is_workday(date(2027, 2, 20))
    assert cal.is_workday(date(2027, 2, 10)) and cal.known(2027) and not cal.guessed_years
    assert cal.workdays_before(date(2027, 2, 10), 1) == date(2027, 2, 5)
