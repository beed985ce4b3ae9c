"""Chinese working days from the maintained ``chinese_calendar`` package (statutory holidays
and 调休 make-up working days), with an explicit fallback for years it does not know yet.

The package only knows years the State Council has announced. For a later year we fall back
to Monday–Friday and remember the year, so the office can be warned instead of trusting a
guess silently.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import yaml


def load_supplements(directory: Path) -> dict[int, dict[str, set[date]]]:
    """Official arrangements for years the package does not know yet, one file a year:
    ``<year>.yaml`` with ``holidays: [dates]`` and ``workdays: [dates]`` (调休 make-up days),
    copied from the State Council's notice when it is published."""
    out: dict[int, dict[str, set[date]]] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[int(path.stem)] = {k: {date.fromisoformat(str(d)) for d in data.get(k, [])}
                               for k in ("holidays", "workdays")}
    return out


class WorkCalendar:
    """Answers "is this a working day" and moves dates across working days."""

    def __init__(self, supplements: dict[int, dict[str, set[date]]] | None = None) -> None:
        self.guessed_years: set[int] = set()
        self.supplements = supplements if supplements is not None else load_supplements(
            Path(__file__).resolve().parent.parent / "knowledge" / "data" / "holidays")

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            extra = self.supplements.get(day.year)
            if extra is not None:
                if day in extra["workdays"]:
                    return True
                return day.weekday() < 5 and day not in extra["holidays"]
            self.guessed_years.add(day.year)
            return day.weekday() < 5

    def known(self, year: int) -> bool:
        """Whether the official arrangement for ``year`` is known (package or supplement file)."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
            return True
        except NotImplementedError:
            return year in self.supplements

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
