"""Entering a figure for a 定量 indicator: which figures an indicator accepts, who may enter
them for which unit, and the points they then give.

Apart from ``knowledge.figures`` (the kinds and how to read a number) because it needs the
scoring rules, and ``knowledge.scoring`` already imports ``knowledge.figures``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from knowledge import evidence as ev
from knowledge.duties import IndicatorView, indicator_view
from knowledge.figures import (
    BY_KEY,
    FigureError,
    Kind,
    figures_of,
    find_kind,
    read_figure,
    record_figure,
)
from knowledge.models import Campaign
from knowledge.scoring import compute, keys_for
from knowledge.units import UnitDirectory

FIGURE = re.compile(r"^#?(\d{1,3})\s+(\d{4})\s*年?\s+(.+?)\s+([-\d.,，％%]+\s*(?:亿元|万元|元|万件|件|户|家|人|项|%)?)"
                    r"(?:\s+(?:来源[:：]?)?\s*(.*))?$")


@dataclass(frozen=True)
class FigureLine:
    """"/figure 1 2024 网上零售额 126.5 来源 统计局年报", read."""

    no: int
    year: int
    label: str
    number: str
    source: str


def read_line(text: str) -> FigureLine | None:
    """The parts of a /figure line (None when it does not have their shape)."""
    m = FIGURE.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return FigureLine(int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), m.group(5) or "")


def accepted_kind(view: IndicatorView, label: str) -> Kind:
    """The figure kind ``label`` names, if this indicator is scored from it; else why not."""
    allowed = keys_for(view.indicator.national_no)
    if not allowed:
        raise FigureError(f"第{view.indicator.no}项指标不是按数字计分的指标,由办公室审核材料评分。")
    kind = find_kind(label)
    if kind is None or kind.key not in allowed:
        raise FigureError(f"第{view.indicator.no}项指标可以填写:{'、'.join(BY_KEY[k].label for k in allowed)}。")
    return kind


def enter_figure(*, session: Session, campaign: Campaign, directory: UnitDirectory, line: FigureLine,
                 unit_id: int | None, office: bool, user_id: int | str, now: datetime) -> dict[str, Any]:
    """Record one figure and score the indicator with it: the data of ``figure_saved``.

    An officer enters figures only for indicators their unit answers for; the office (``unit_id``
    None when it has no unit) for any indicator. Raises ``FigureError``/``EvidenceError``.
    """
    view = (indicator_view(session=session, campaign=campaign, directory=directory, no=line.no) if office
            else ev.responsible_view(session, campaign, directory, unit_id, line.no))
    if view is None:
        raise ev.EvidenceError(f"没有第{line.no}项指标。")
    kind = accepted_kind(view, line.label)
    value: Decimal = read_figure(kind, line.number)
    record_figure(session, campaign_id=campaign.id, indicator_id=view.indicator.id, unit_id=unit_id, kind=kind,
                  year=line.year, value=value, source=line.source, user_id=user_id, now=now)
    session.flush()
    score = compute(view.indicator.national_no, figures_of(session, view.indicator), campaign.region)
    return {"kind": kind, "year": line.year, "value": value, "source": line.source, "i": view.indicator,
            "score": score}


def indicator_score(*, session: Session, campaign: Campaign, directory: UnitDirectory, no: int) -> dict | None:
    """The data of ``score``: what the figures entered so far give (None: no such indicator)."""
    view = indicator_view(session=session, campaign=campaign, directory=directory, no=no)
    if view is None:
        return None
    return {"i": view.indicator, "score": compute(view.indicator.national_no, figures_of(session, view.indicator),
                                                  campaign.region)}
