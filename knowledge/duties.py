"""Questions officers ask of the documents, as plain functions shared by the bot and the CLI.

"Which indicators is my unit responsible for" is answered in three parts: indicators the
unit leads (first listed), supports (listed later), and reaches only as a member of a group
such as 各成员单位. A unit's direct listing wins over a group listing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from cachetools import LRUCache
from sqlmodel import Session, select

from knowledge.models import (
    Campaign,
    Indicator,
    IndicatorItem,
    IndicatorUnit,
    LeadingGroupMember,
    Task,
    TaskUnit,
    Unit,
)
from knowledge.units import UnitDirectory, UnitRef

_T = TypeVar("_T")

ROLE_ORDER = {"牵头": 0, "负责": 1, "配合": 2, "成员": 3, "落实": 4}


@dataclass(frozen=True)
class Duty:
    """One indicator or task a unit answers for, and how."""

    no: int
    title: str
    points: Decimal | None
    role: str
    via: str | None = None  # the group through which the unit is responsible
    label: str = ""  # the task label as the document writes it, e.g. (一)1


@dataclass
class UnitDuties:
    unit: UnitRef
    lead: list[Duty] = field(default_factory=list)
    support: list[Duty] = field(default_factory=list)
    member: list[Duty] = field(default_factory=list)
    tasks: list[Duty] = field(default_factory=list)

    @property
    def indicators(self) -> list[Duty]:
        return self.lead + self.support + self.member

    def points(self, part: list[Duty]) -> Decimal:
        return sum((d.points or Decimal(0) for d in part), Decimal(0))


@dataclass(frozen=True)
class Responsible:
    as_written: str
    unit: UnitRef
    role: str
    members: tuple[UnitRef, ...] = ()


@dataclass
class IndicatorView:
    indicator: Indicator
    items: list[IndicatorItem]
    units: list[Responsible]

    def role_of(self, directory: UnitDirectory, unit_id: int) -> Duty | None:
        """How ``unit_id`` is responsible for this indicator, if at all."""
        for r in self.units:
            if r.unit.id == unit_id:
                return Duty(self.indicator.no, self.indicator.title, self.indicator.points, r.role)
        for r in self.units:
            if any(m.id == unit_id for m in r.members):
                return Duty(self.indicator.no, self.indicator.title, self.indicator.points, "成员",
                            via=r.unit.name)
        return None


def task_label(task: Task, campaign: Campaign) -> str:
    """The task's number as officers see it: 第3项 in Hejin, (二)1 in Yancheng."""
    head = task.section.strip()[:3]
    if task.no == task.seq and not (campaign.extra or {}).get("tasks_restart"):
        return str(task.no)
    return f"{head}{task.no}" if head.startswith(("(", "（")) else f"{task.seq}"


def _collect(rows: list[tuple[int, str, Decimal | None, str, int]], unit_id: int,
             directory: UnitDirectory, labels: dict[int, str] | None = None) -> list[Duty]:
    """Best duty per item: a direct listing beats a listing through a group."""
    best: dict[int, Duty] = {}
    for no, title, points, role, listed in rows:
        label = (labels or {}).get(no, "")
        if listed == unit_id:
            duty = Duty(no, title, points, role, label=label)
        elif unit_id in directory.members.get(listed, ()):
            duty = Duty(no, title, points, "成员", via=directory.units[listed].name, label=label)
        else:
            continue
        if no not in best or ROLE_ORDER[duty.role] < ROLE_ORDER[best[no].role]:
            best[no] = duty
    return [best[k] for k in sorted(best)]


# What the documents say does not change between loads: duties and indicator views are read
# once per campaign data version (``Campaign.data_hash``) and kept, as plain values. A question
# about a unit then costs no query for them (measured: ``benchmarks/answer_latency.py``).
_KEPT: LRUCache = LRUCache(maxsize=4096)


def kept(kind: str, campaign: Campaign, ident: int, build: Callable[[], _T], session: Session) -> _T:
    """``build()``, once per ``kind``, store, campaign, data version and ``ident``: for what only a
    load of the documents changes. ``build`` must return values that belong to no session."""
    if not campaign.data_hash:  # a campaign not loaded from a document (tests building one by hand)
        return build()
    key = (kind, id(session.get_bind()), campaign.id, campaign.data_hash, ident)
    if key not in _KEPT:
        _KEPT[key] = build()
    return _KEPT[key]


def unit_duties(*, session: Session, campaign: Campaign, directory: UnitDirectory,
                unit_id: int) -> UnitDuties:
    """Indicators (牵头/配合/成员) and tasks of one unit; a group gets its own listings only.
    Kept per data version: callers must not change the lists."""
    return kept("duties", campaign, unit_id, lambda: _unit_duties(session, campaign, directory, unit_id),
                  session)


def _unit_duties(session: Session, campaign: Campaign, directory: UnitDirectory, unit_id: int) -> UnitDuties:
    ind_rows = session.exec(
        select(Indicator.no, Indicator.title, Indicator.points, IndicatorUnit.role,
               IndicatorUnit.unit_id)
        .join(IndicatorUnit, IndicatorUnit.indicator_id == Indicator.id)
        .where(Indicator.campaign_id == campaign.id)).all()
    duties = UnitDuties(unit=directory.units[unit_id])
    for d in _collect(list(ind_rows), unit_id, directory):
        {"牵头": duties.lead, "负责": duties.lead, "配合": duties.support}.get(
            d.role, duties.member).append(d)
    tasks = list(session.exec(select(Task).where(Task.campaign_id == campaign.id)))
    labels = {t.seq: task_label(t, campaign) for t in tasks}
    task_rows = session.exec(
        select(Task.seq, Task.title, TaskUnit.role, TaskUnit.unit_id)
        .join(TaskUnit, TaskUnit.task_id == Task.id)
        .where(Task.campaign_id == campaign.id)).all()
    rows = [(seq, title, None, role, uid) for seq, title, role, uid in task_rows]
    duties.tasks = _collect(rows, unit_id, directory, labels)
    duties.tasks += _implicit_tasks(campaign, directory, unit_id, tasks, duties.tasks, labels)
    duties.tasks.sort(key=lambda d: d.no)
    return duties


def _implicit_tasks(campaign: Campaign, directory: UnitDirectory, unit_id: int, tasks: list[Task],
                    listed: list[Duty], labels: dict[int, str]) -> list[Duty]:
    """Tasks a unit carries because the document says so once for all tasks.

    Yancheng's task (一)1 adds: 以下内容均需各县(市、区)人民政府…落实,不再单独列出.
    """
    spec = (campaign.extra or {}).get("all_tasks_units") or {}
    names = spec.get("units") or []
    carriers: set[int] = set()
    for name in names:
        res = directory.resolve(name)
        if res.unit:
            carriers.add(res.unit.id)
            carriers.update(m.id for m in directory.expand(res.unit.id))
    if unit_id not in carriers:
        return []
    have = {d.no for d in listed}
    return [Duty(t.seq, t.title, None, "落实", via="全部任务(文件统一要求)", label=labels[t.seq])
            for t in tasks if t.seq not in have]


def indicator_numbers(*, session: Session, campaign: Campaign) -> list[int]:
    """The indicator numbers of the campaign, in order (to state the valid range)."""
    return list(session.exec(select(Indicator.no).where(Indicator.campaign_id == campaign.id)
                             .order_by(Indicator.no)))


def indicator_view(*, session: Session, campaign: Campaign, directory: UnitDirectory,
                   no: int) -> IndicatorView | None:
    """Everything about indicator ``no``: levels, rule, items, units with roles and members.
    Kept per data version as copies that belong to no session (callers must not change them)."""
    return kept("view", campaign, no, lambda: _indicator_view(session, campaign, directory, no), session)


def _indicator_view(session: Session, campaign: Campaign, directory: UnitDirectory, no: int) -> IndicatorView | None:
    ind = session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id,
                                               Indicator.no == no)).first()
    if ind is None:
        return None
    items = list(session.exec(select(IndicatorItem).where(IndicatorItem.indicator_id == ind.id)
                              .order_by(IndicatorItem.no)))
    links = session.exec(select(IndicatorUnit).where(IndicatorUnit.indicator_id == ind.id)
                         .order_by(IndicatorUnit.position)).all()
    units = [Responsible(link.as_written, directory.units[link.unit_id], link.role,
                         tuple(directory.expand(link.unit_id))
                         if link.unit_id in directory.members else ())
             for link in links]
    return IndicatorView(Indicator.model_validate(ind.model_dump()),
                         [IndicatorItem.model_validate(i.model_dump()) for i in items], units)


def all_indicators(*, session: Session, campaign: Campaign) -> list[Indicator]:
    """Every indicator of the campaign in document order: copies that belong to no session, kept
    per data version (``kept``); callers must not change them."""
    return kept("indicators", campaign, 0, lambda: [
        Indicator.model_validate(i.model_dump()) for i in session.exec(
            select(Indicator).where(Indicator.campaign_id == campaign.id).order_by(Indicator.no))], session)


def all_tasks(*, session: Session, campaign: Campaign) -> list[Task]:
    """Every main task of the campaign by sequence: copies kept per data version (``kept``);
    callers must not change them."""
    return kept("tasks", campaign, 0, lambda: [
        Task.model_validate(t.model_dump()) for t in session.exec(
            select(Task).where(Task.campaign_id == campaign.id).order_by(Task.seq))], session)


def task_links(*, session: Session, campaign: Campaign, task_id: int) -> list[tuple[str, int, str]]:
    """One task's units as the document lists them: (as written, unit id, role), kept per data version."""
    return kept("task_links", campaign, task_id, lambda: [
        (link.as_written, link.unit_id, link.role) for link in session.exec(
            select(TaskUnit).where(TaskUnit.task_id == task_id).order_by(TaskUnit.position))], session)


def leading_group(session: Session, campaign: Campaign) -> tuple[list[LeadingGroupMember], dict[int, str]]:
    """The leading group's members in the document's order (copies) and every unit's name by id,
    kept per data version (``kept``); callers must not change them."""
    def build() -> tuple[list[LeadingGroupMember], dict[int, str]]:
        members = [LeadingGroupMember.model_validate(m.model_dump()) for m in session.exec(
            select(LeadingGroupMember).where(LeadingGroupMember.campaign_id == campaign.id)
            .order_by(LeadingGroupMember.position))]
        return members, {u.id: u.name for u in session.exec(select(Unit).where(Unit.campaign_id == campaign.id))}
    return kept("leaders", campaign, 0, build, session)


def campaign_units(*, session: Session, campaign: Campaign) -> list[Unit]:
    """Every unit and group of the campaign, departments first, then by name."""
    order = {"department": 0, "organisation": 1, "county": 2, "township": 3, "group": 4}
    rows = list(session.exec(select(Unit).where(Unit.campaign_id == campaign.id)))
    return sorted(rows, key=lambda u: (order.get(u.kind, 5), u.id or 0))
