"""Chinese working days from the maintained ``chinese_calendar`` package (statutory holidays
and 调休 make-up working days), with an explicit fallback for years it does not know yet.

The package only knows years the State Council has announced. For a later year we fall back
to Monday–Friday and remember the year, so the office can be warned instead of trusting a
guess silently.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


class WorkCalendar:
    """Answers "is this a working day" and moves dates across working days."""

    def __init__(self) -> None:
        self.guessed_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.guessed_years.add(day.year)
            return day.weekday() < 5

    def known(self, year: int) -> bool:
        """Whether the calendar package has the official arrangement for ``year``."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
            return True
        except NotImplementedError:
            return False

    def on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the previous working day."""
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def next_after(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_before(self, day: date, n: int) -> date:
        """The working day ``n`` working days before ``day`` (``day`` itself not counted)."""
        for _ in range(n):
            day -= timedelta(days=1)
            while not self.is_workday(day):
                day -= timedelta(days=1)
        return day
