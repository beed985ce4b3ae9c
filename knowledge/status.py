"""What a unit owes: per indicator and scoring item, nothing yet / submitted / accepted / rejected.

Built from one query over the unit's live submissions, so it stays cheap with tens of
thousands of evidence rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from knowledge.duties import Duty, indicator_view, unit_duties
from knowledge.models import Campaign, Evidence, IndicatorItem
from knowledge.units import UnitDirectory

RANK = {"accepted": 0, "submitted": 1, "rejected": 2}
STATE_ZH = {"accepted": "已通过", "submitted": "待审核", "rejected": "已退回", "none": "未提交"}


@dataclass(frozen=True)
class StatusRow:
    no: int
    title: str
    role: str
    item_no: int | None
    item_text: str
    max_points: Decimal
    state: str  # none | submitted | accepted | rejected
    evidence_id: int | None
    awarded: Decimal | None
    reason: str
    via: str | None = None  # the group ("各成员单位") through which the unit answers for it, if not named

    @property
    def state_zh(self) -> str:
        return STATE_ZH[self.state]


def unit_status(*, session: Session, campaign: Campaign, directory: UnitDirectory, unit_id: int) -> list[StatusRow]:
    """One row per indicator item (or per indicator without items) the unit is responsible for."""
    duties = unit_duties(session=session, campaign=campaign, directory=directory, unit_id=unit_id)
    by_no = {d.no: d for d in duties.indicators}
    # the indicators and their items as the documents say (kept per data version); only the
    # evidence is read afresh
    views = {no: indicator_view(session=session, campaign=campaign, directory=directory, no=no) for no in by_no}
    indicators = {no: v.indicator for no, v in views.items() if v is not None}
    items: dict[int, list[IndicatorItem]] = {v.indicator.id: list(v.items) for v in views.values() if v and v.items}
    by_id = {i.id: i for i in indicators.values()}
    best: dict[tuple[int, int | None], Evidence] = {}
    for ev in session.exec(select(Evidence).where(Evidence.campaign_id == campaign.id, Evidence.unit_id == unit_id,
                                                  Evidence.status.in_(tuple(RANK)))):
        ind = by_id.get(ev.indicator_id)
        if ind is None:
            continue
        # An item named on an indicator scored as a whole counts for the indicator (knowledge.targets).
        key = (ev.indicator_id, ev.item_id if ind.scoring == "items" else None)
        if key not in best or (RANK[ev.status], -(ev.id or 0)) < (RANK[best[key].status], -(best[key].id or 0)):
            best[key] = ev
    rows: list[StatusRow] = []
    for no in sorted(by_no):
        ind, duty = indicators[no], by_no[no]
        scored_items = items.get(ind.id, []) if ind.scoring == "items" else []
        targets = [(it.id, it.no, it.text, it.points or Decimal(0)) for it in scored_items] or [(None, None, "", ind.points)]
        whole = best.get((ind.id, None)) if scored_items else None
        if whole is not None:  # sent for the indicator as a whole: one row for it, then items sent apart
            rows.append(_row(no, ind.title, duty, None, "", ind.points, whole))
            targets = [t for t in targets if (ind.id, t[0]) in best]
        for item_id, item_no, text, max_points in targets:
            rows.append(_row(no, ind.title, duty, item_no, text, max_points, best.get((ind.id, item_id))))
    return rows


def _row(no: int, title: str, duty: Duty, item_no: int | None, text: str, max_points: Decimal,
         ev: Evidence | None) -> StatusRow:
    return StatusRow(no, title, duty.role, item_no, text, max_points, ev.status if ev else "none", ev.id if ev else None,
                     ev.awarded_points if ev else None, ev.reason if ev else "", duty.via)
