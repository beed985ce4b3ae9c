"""Who still owes what: a unit owes an indicator while some scoring item (or the indicator as
a whole) has no accepted evidence from that unit. Group listings (各成员单位 …) count for
every member unit."""

from __future__ import annotations

from sqlmodel import Session, select

from knowledge.models import Campaign, Evidence, Indicator, IndicatorItem, IndicatorUnit
from knowledge.targets import covered
from knowledge.units import UnitDirectory


def owing(session: Session, campaign: Campaign, directory: UnitDirectory, numbers: set[int]) -> dict[int, list[int]]:
    """unit id → indicator numbers (of ``numbers``) that unit still owes."""
    inds = {i.id: i for i in session.exec(select(Indicator).where(
        Indicator.campaign_id == campaign.id, Indicator.no.in_(list(numbers))))}
    if not inds:
        return {}
    targets: dict[int, set[int | None]] = {iid: {None} for iid in inds}
    for it in session.exec(select(IndicatorItem).where(IndicatorItem.indicator_id.in_(list(inds)))):
        if inds[it.indicator_id].scoring == "items":
            targets[it.indicator_id].discard(None)
            targets[it.indicator_id].add(it.id)
    accepted: dict[tuple[int, int], set[int | None]] = {}
    for unit_id, ind_id, item_id in session.exec(select(Evidence.unit_id, Evidence.indicator_id, Evidence.item_id).where(
            Evidence.campaign_id == campaign.id, Evidence.status == "accepted", Evidence.indicator_id.in_(list(inds)))):
        accepted.setdefault((unit_id, ind_id), set()).add(item_id)
    out: dict[int, list[int]] = {}
    for link in session.exec(select(IndicatorUnit).where(IndicatorUnit.indicator_id.in_(list(inds)))):
        for unit in directory.expand(link.unit_id):
            got = accepted.get((unit.id, link.indicator_id), set())
            item_ids = [t for t in targets[link.indicator_id] if t is not None]
            done = {key for item in got for key in covered(inds[link.indicator_id].scoring, item_ids, item)}
            if targets[link.indicator_id] <= done:
                continue
            nos = out.setdefault(unit.id, [])
            if inds[link.indicator_id].no not in nos:
                nos.append(inds[link.indicator_id].no)
    return {u: sorted(n) for u, n in out.items()}
