"""Reference data: what a campaign document says, loaded from ``knowledge/data/<slug>.yaml``.

Rows are keyed by the document's own identifiers (campaign slug, indicator number, task
sequence, unit name) so that loading again updates in place and ids stay stable for the
operational rows that point at them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.types import HalfPoints


def points_field(nullable: bool = False) -> Any:  # noqa: ANN401
    """A column of exact points (half points allowed)."""
    return Field(default=None if nullable else Decimal(0), sa_type=HalfPoints, nullable=nullable)


class Campaign(SQLModel, table=True):
    """One city's campaign, as its document describes it."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True)
    city: str
    province: str = ""
    region: str
    title: str
    notice_title: str = ""
    doc_number: str = ""
    issuer: str = ""
    doc_date: date | None = None
    goal_period: str = ""
    source_file: str = ""
    timezone: str = "Asia/Shanghai"
    pass_total: Decimal = points_field()
    pass_level1_rate: float  # the effective rule, written by the loader; read it via national.pass_rule
    pass_rule_text: str = ""
    office_unit_id: int | None = None  # a unit id; no FK, so campaign and unit do not depend on each other
    office_text: str = ""
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON))
    data_hash: str = ""


class Unit(SQLModel, table=True):
    """A body named by the document: a department, a county, or a group of units."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str
    full_name: str = ""
    kind: str = "department"
    in_leading_group: bool = False
    basis: str = ""


class UnitName(SQLModel, table=True):
    """Every form a unit goes by: canonical, as written in the document, or an everyday alias."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    text: str
    norm: str = Field(index=True)
    source: str = "alias"


class UnitMember(SQLModel, table=True):
    """A group unit (各成员单位 …) and one of the units it expands to."""

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="unit.id", index=True)
    member_id: int = Field(foreign_key="unit.id", index=True)


class Indicator(SQLModel, table=True):
    """A third-level indicator of the document's appendix table."""

    __table_args__ = (UniqueConstraint("campaign_id", "no"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    no: int
    national_no: int | None = None
    level1: str
    level1_points: Decimal = points_field()
    level2: str
    level2_points: Decimal = points_field()
    nature: str
    title: str
    points: Decimal = points_field()
    rule: str = ""
    scoring: str = "whole"
    methods: list = Field(default_factory=list, sa_column=Column(JSON))
    sources: list = Field(default_factory=list, sa_column=Column(JSON))
    units_open: bool = False


class IndicatorItem(SQLModel, table=True):
    """A numbered scoring item of an indicator's rule."""

    __table_args__ = (UniqueConstraint("indicator_id", "no"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    no: int
    text: str
    points: Decimal | None = points_field(nullable=True)


class IndicatorUnit(SQLModel, table=True):
    """A unit responsible for an indicator, in document order, with its role."""

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    position: int
    as_written: str
    role: str


class Task(SQLModel, table=True):
    """A main task (主要任务) of the document."""

    __table_args__ = (UniqueConstraint("campaign_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    seq: int
    no: int
    section: str
    title: str
    text: str = ""
    units_text: str = ""
    units_open: bool = False


class TaskUnit(SQLModel, table=True):
    """A unit responsible for a task, in document order, with its role."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    position: int
    as_written: str
    role: str


class Phase(SQLModel, table=True):
    """An implementation phase (实施步骤); ``source`` says whether the document or the office set it."""

    __table_args__ = (UniqueConstraint("campaign_id", "no"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    no: int
    name: str
    start: date
    end: date
    period_as_written: str = ""
    text: str = ""
    source: str = "document"


class LeadingGroupMember(SQLModel, table=True):
    """A person of the leading group, as listed in the document's appendix 1."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    position: int
    role: str
    name: str
    name_as_written: str
    title: str = ""
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    unit_as_written: str = ""
    note: str = ""


class Correction(SQLModel, table=True):
    """A visible repair of damaged document text: what it says, how we read it, and why."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    position: int
    where: str
    as_written: str
    corrected: str
    why: str


class NationalIndicator(SQLModel, table=True):
    """The national 创建评估指标体系, which local tables are checked against."""

    id: int | None = Field(default=None, primary_key=True)
    no: int = Field(unique=True)
    level1: str
    level1_points: Decimal = points_field()
    level2: str
    level2_points: Decimal = points_field()
    nature: str = ""
    title: str
    points: Decimal = points_field()

