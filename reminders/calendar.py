"""Chinese working days from the maintained ``chinese_calendar`` package (statutory holidays
and 调休 make-up working days), with an explicit fallback for years it does not know yet.

The package only knows years the State Council has announced. For a later year we fall back
to Monday–Friday less the days the law itself fixes as holidays (元旦, 春节, 清明, 劳动节, 端午,
中秋, 国庆 under 《全国年节及纪念日放假办法》, as revised in 2024), and remember the year, so
the office can be warned instead of trusting a guess silently: the bridging days and the 调休
Saturdays of such a year are only known once the State Council announces them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import yaml
from lunardate import LunarDate


def statutory_days(year: int) -> dict[date, str]:
    """The days off that the law fixes for every year, before any bridging or 调休.

    春节 is 除夕 and 正月初一–初三, 劳动节 1–2 May (the 2024 revision); 清明 is the solar term,
    which ``chinese_calendar`` computes for years it has no arrangement for.
    """
    new_year = LunarDate(year, 1, 1).to_solar_date()
    days = {date(year, 1, 1): "元旦", new_year - timedelta(days=1): "春节"}
    days.update({new_year + timedelta(days=i): "春节" for i in range(3)})
    for day, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)):
        if name == "清明":
            days[day] = "清明节"
    days.update({date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"})
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    days.update({date(year, 10, d): "国庆节" for d in (1, 2, 3)})
    return days


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
        self._statutory: dict[int, dict[date, str]] = {}
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
            if day.year not in self._statutory:
                self._statutory[day.year] = statutory_days(day.year)
            return day.weekday() < 5 and day not in self._statutory[day.year]

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
