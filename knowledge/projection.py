"""The projected score against the pass rule, the gap plan, the unit league table, overdue items.

Points are exact decimals. Per scoring target (an item, or the indicator as a whole) the
confirmed points are the best awarded points of accepted evidence; projected points add the
target's maximum where evidence is submitted and waiting for review. First-level rates are
taken against what the local table can award (Hejin's 促进发展 can award 18, not 20).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cachetools import LRUCache
from sqlmodel import Session, select

from knowledge.models import (
    Campaign,
    Evidence,
    Indicator,
    IndicatorItem,
    IndicatorUnit,
    Officer,
    ReminderAck,
    ReminderLog,
)
from knowledge.national import campaign_version, pass_rule
from knowledge.timeline import due_dates
from knowledge.units import UnitDirectory

Z = Decimal(0)


@dataclass
class Target:
    indicator: Indicator
    item: IndicatorItem | None
    max: Decimal
    confirmed: Decimal = Z
    projected: Decimal = Z
    units: set[int] = field(default_factory=set)  # responsible units (groups expanded)
    delivered: set[int] = field(default_factory=set)  # units with accepted evidence

    @property
    def open(self) -> Decimal:
        return self.max - self.projected


@dataclass
class Level:
    name: str
    declared: Decimal
    table: Decimal
    confirmed: Decimal = Z
    projected: Decimal = Z


@dataclass
class Digest:
    campaign: Campaign
    at: date
    targets: list[Target]
    levels: list[Level]
    total_max: Decimal
    confirmed: Decimal
    projected: Decimal
    pass_total: Decimal
    pass_rate: float
    confirmed_pass: bool
    projected_pass: bool
    gap_plan: list[dict]
    units: list[dict]
    overdue: list[dict]


# What the documents say of the targets (indicators, items, responsible units) changes only when
# the documents load again: read once per campaign data version (``Campaign.data_hash``) as copies
# that belong to no session, and fresh ``Target``s made from them on every call (evidence, which
# fills them, is read live). "哪些单位还没交材料" read ~800 rows on every question before.
_TARGET_ROWS: LRUCache = LRUCache(maxsize=32)


def _target_rows(session: Session, campaign: Campaign,
                 directory: UnitDirectory) -> list[tuple[Indicator, IndicatorItem | None, Decimal, frozenset[int]]]:
    inds = list(session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id).order_by(Indicator.no)))
    items: dict[int, list[IndicatorItem]] = defaultdict(list)
    for it in session.exec(select(IndicatorItem).where(IndicatorItem.indicator_id.in_([i.id for i in inds]))
                           .order_by(IndicatorItem.no)):
        items[it.indicator_id].append(it)
    units: dict[int, set[int]] = defaultdict(set)
    for link in session.exec(select(IndicatorUnit).where(IndicatorUnit.indicator_id.in_([i.id for i in inds]))):
        units[link.indicator_id].update(u.id for u in directory.expand(link.unit_id))
    out = []
    for ind in inds:
        kept = Indicator.model_validate(ind.model_dump())
        scored = items[ind.id] if ind.scoring == "items" else []
        for it in scored or [None]:
            out.append((kept, IndicatorItem.model_validate(it.model_dump()) if it else None,
                        (it.points or Z) if it else ind.points, frozenset(units[ind.id])))
    return out


def _targets(session: Session, campaign: Campaign, directory: UnitDirectory) -> list[Target]:
    key = (id(session.get_bind()), campaign.id, campaign.data_hash)
    rows = _TARGET_ROWS.get(key) if campaign.data_hash else None
    if rows is None:
        rows = _target_rows(session, campaign, directory)
        if campaign.data_hash:  # a campaign built by hand (tests) has no data version to key on
            _TARGET_ROWS[key] = rows
    return [Target(ind, item, points, units=set(units)) for ind, item, points, units in rows]


def compute(session: Session, campaign: Campaign, directory: UnitDirectory, today: date,
            dues: dict[int, date]) -> Digest:
    """Everything the weekly digest shows, from the store as it is now."""
    targets = _targets(session, campaign, directory)
    per_ind = _apply_evidence(session, campaign, targets)
    levels = _levels(targets, per_ind)
    total_max = sum((lv.table for lv in levels.values()), Z)
    confirmed = sum((lv.confirmed for lv in levels.values()), Z)
    projected = sum((lv.projected for lv in levels.values()), Z)
    rule = pass_rule(campaign)
    rate = rule.level1_rate

    def passes(value: Decimal, attr: str) -> bool:
        return value >= rule.total and all(
            getattr(lv, attr) >= lv.table * Decimal(str(rate)) for lv in levels.values())

    digest = Digest(campaign, today, targets, list(levels.values()), total_max, confirmed, projected,
                    rule.total, rate, passes(confirmed, "confirmed"), passes(projected, "projected"),
                    [], [], [])
    digest.gap_plan = gap_plan(digest, dues)
    digest.units, digest.overdue = league(session, campaign, directory, targets, today, dues)
    return digest


def _apply_evidence(session: Session, campaign: Campaign, targets: list[Target]) -> dict[int, list[Target]]:
    """Fill each target's confirmed and projected points from live evidence; targets per indicator."""
    by_key = {(t.indicator.id, t.item.id if t.item else None): t for t in targets}
    whole: dict[int, tuple[Decimal, bool]] = {}
    whole_units: dict[int, set[int]] = defaultdict(set)
    for ev in session.exec(select(Evidence).where(Evidence.campaign_id == campaign.id,
                                                  Evidence.status.in_(("accepted", "submitted")))):
        t = by_key.get((ev.indicator_id, ev.item_id))
        if t is None:  # whole-indicator evidence on an itemised indicator, or an item named on a whole one
            got, pending = whole.get(ev.indicator_id, (Z, False))
            whole[ev.indicator_id] = (max(got, ev.awarded_points or Z) if ev.status == "accepted" else got,
                                      pending or ev.status == "submitted")
            if ev.status == "accepted":  # the unit has delivered every target it covers (knowledge.targets)
                whole_units[ev.indicator_id].add(ev.unit_id)
            continue
        if ev.status == "accepted":
            t.confirmed = max(t.confirmed, min(ev.awarded_points or Z, t.max))
            t.delivered.add(ev.unit_id)
        else:
            t.projected = t.max
    per_ind: dict[int, list[Target]] = defaultdict(list)
    for t in targets:
        per_ind[t.indicator.id].append(t)
    for iid, delivered in whole_units.items():
        for t in per_ind.get(iid, []):
            t.delivered |= delivered
    for iid, (extra, pending) in whole.items():
        # Evidence for an itemised indicator as a whole: its points fill the items in order,
        # so every total (digest, JSON, 台账 rows) adds up the same way.
        for t in per_ind.get(iid, []):
            add = min(t.max - t.confirmed, extra)
            t.confirmed, extra = t.confirmed + add, extra - add
            if pending:
                t.projected = t.max
    for t in targets:
        t.projected = max(t.projected, t.confirmed)
    return per_ind


def _levels(targets: list[Target], per_ind: dict[int, list[Target]]) -> dict[str, Level]:
    """First-level totals: what the local table can award, confirmed, projected."""
    ind_conf = {iid: sum((t.confirmed for t in ts), Z) for iid, ts in per_ind.items()}
    ind_proj = {iid: sum((t.projected for t in ts), Z) for iid, ts in per_ind.items()}
    levels: dict[str, Level] = {}
    for t in targets:
        ind = t.indicator
        lv = levels.setdefault(ind.level1, Level(ind.level1, ind.level1_points, Z))
        if t is per_ind[ind.id][0]:
            lv.table += ind.points
            lv.confirmed += ind_conf[ind.id]
            lv.projected += ind_proj[ind.id]
    return levels


def gap_plan(d: Digest, dues: dict[int, date]) -> list[dict]:
    """The fewest, cheapest open targets that would lift the projection over the pass rule."""
    if d.projected_pass:
        return []
    rate = Decimal(str(d.pass_rate))
    need_level = {lv.name: max(Z, lv.table * rate - lv.projected) for lv in d.levels}
    need_total = max(Z, d.pass_total - d.projected)
    open_targets = [t for t in d.targets if t.open > 0]
    # Biggest points first; among equals fewer units to chase, then the later deadline.
    open_targets.sort(key=lambda t: (-t.open, len(t.units - t.delivered),
                                     -(dues.get(t.indicator.no, date.max).toordinal())))
    plan: list[Target] = []
    chosen: set[int] = set()  # by identity: comparing Targets field by field compares their rows
    for t in open_targets:  # first close every first-level gap
        if need_level.get(t.indicator.level1, Z) > 0:
            plan.append(t)
            chosen.add(id(t))
            need_level[t.indicator.level1] -= t.open
            need_total -= t.open
    for t in open_targets:  # then the total
        if need_total <= 0:
            break
        if id(t) not in chosen:
            plan.append(t)
            need_total -= t.open
    return [{"no": t.indicator.no, "item": t.item.no if t.item else None, "title": t.indicator.title,
             "level1": t.indicator.level1, "points": t.open,
             "units": sorted(u for u in t.units - t.delivered), "due": dues.get(t.indicator.no)} for t in plan]


def league(session: Session, campaign: Campaign, directory: UnitDirectory, targets: list[Target], today: date,
           dues: dict[int, date]) -> tuple[list[dict], list[dict]]:
    """Per unit: owed, submitted, accepted, rejected, overdue, unsigned reminders, officers."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, status in session.exec(select(Evidence.unit_id, Evidence.status).where(
            Evidence.campaign_id == campaign.id)):
        counts[unit_id][status] += 1
    officers: dict[int, int] = defaultdict(int)  # persons: one known on two channels counts once
    persons = {(unit_id, name) if name else ("row", row_id): unit_id for row_id, unit_id, name in session.exec(
        select(Officer.id, Officer.unit_id, Officer.name).where(Officer.campaign_id == campaign.id,
                                                                Officer.status == "active"))}
    for unit_id in persons.values():
        officers[unit_id] += 1
    unsigned: dict[int, int] = defaultdict(int)
    signed = {(a.reminder_id, a.unit_id) for a in session.exec(select(ReminderAck).join(ReminderLog).where(
        ReminderLog.campaign_id == campaign.id))}
    for r in session.exec(select(ReminderLog).where(ReminderLog.campaign_id == campaign.id,
                                                    ReminderLog.key.endswith(":group"))):
        for u in r.payload.get("units", {}):
            if (r.id, int(u)) not in signed:
                unsigned[int(u)] += 1
    owed: dict[int, int] = defaultdict(int)
    late: dict[int, int] = defaultdict(int)
    overdue: list[dict] = []
    for t in targets:
        due = dues.get(t.indicator.no)
        for u in t.units - t.delivered:
            owed[u] += 1
            if due and due < today:
                late[u] += 1
                overdue.append({"no": t.indicator.no, "item": t.item.no if t.item else None,
                                "unit": directory.units[u].name, "due": due})
    rows = []
    for unit in directory.units.values():  # the directory's plain rows: building ORM rows cost a third of the answer
        if unit.is_group:
            continue
        c = counts[unit.id]
        if not (owed[unit.id] or sum(c.values()) or officers[unit.id]):
            continue
        rows.append({"unit": unit.name, "owed": owed[unit.id], "submitted": c["submitted"], "accepted": c["accepted"],
                     "rejected": c["rejected"], "overdue": late[unit.id], "unacknowledged": unsigned[unit.id],
                     "officers": officers[unit.id]})
    rows.sort(key=lambda r: (r["officers"] > 0, -r["overdue"], -r["owed"], r["unit"]))
    overdue.sort(key=lambda o: (o["due"], o["no"], o["unit"]))
    return rows, overdue


def _n(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_json(d: Digest, directory: UnitDirectory, at: str) -> dict:
    """The ``liaison-bot digest --format json`` contract (more keys than the issue's are fine)."""
    rate = Decimal(str(d.pass_rate))
    return {
        "campaign": d.campaign.slug, "at": at,
        "score": {"confirmed": _n(d.confirmed), "projected": _n(d.projected), "max": _n(d.total_max),
                  "national_max": _n(sum((n.points for n in campaign_version(d.campaign).indicators), Z))},
        "level1": [{"name": lv.name, "points": _n(lv.declared), "table_points": _n(lv.table),
                    "confirmed": _n(lv.confirmed), "projected": _n(lv.projected),
                    "rate": round(float(lv.confirmed / lv.table), 4) if lv.table else 0.0,
                    "projected_rate": round(float(lv.projected / lv.table), 4) if lv.table else 0.0,
                    "ok": lv.confirmed >= lv.table * rate, "projected_ok": lv.projected >= lv.table * rate}
                   for lv in d.levels],
        "pass": {"total": _n(d.pass_total), "level1_rate": d.pass_rate, "confirmed": d.confirmed_pass,
                 "projected": d.projected_pass},
        "gap_plan": [{"no": g["no"], "item": g["item"], "title": g["title"], "level1": g["level1"],
                      "points": _n(g["points"]), "units": [directory.units[u].name for u in g["units"]],
                      "due": g["due"].isoformat() if g["due"] else None} for g in d.gap_plan],
        "units": d.units,
        "overdue": [{**o, "due": o["due"].isoformat()} for o in d.overdue],
    }


def as_of(session: Session, campaign: Campaign, directory: UnitDirectory, today: date) -> tuple[Digest, dict[int, date]]:
    """The digest as of ``today`` with the timeline's due dates, and those dates (the one way the
    weekly digest, the office's "哪些单位还没交" and the exports count what is owed)."""
    dues = {no: d.due for no, d in due_dates(session, campaign).items()}
    return compute(session, campaign, directory, today, dues), dues
