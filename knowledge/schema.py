"""The shape of a campaign YAML file, validated before anything touches the database.

pydantic checks types and required fields; ``check_document`` adds the rules that span
fields (points adding up, numbers unique, units resolving). Every problem is reported as
``<file>: <indicator/task N>: <field>: <what is wrong>`` so the person editing the YAML can
find it without a traceback.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["牵头", "配合", "负责", "成员"]


class Strict(BaseModel):
    """Unknown keys are typos in a hand-edited file, so they are errors."""

    model_config = ConfigDict(extra="forbid")


class PassRule(Strict):
    """A campaign's own 合格标准, only where its document states one (with ``pass_rule_text``)."""

    total: Decimal
    level1_rate: float = Field(gt=0, le=1)


class CampaignInfo(Strict):
    model_config = ConfigDict(extra="allow")
    slug: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    city: str
    province: str = ""
    region: Literal["东部", "中部", "西部"]
    title: str
    notice_title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: dt.date | None = None
    goal_period: str = ""
    source_file: str = ""
    timezone: str = "Asia/Shanghai"
    national_version: str
    pass_rule: PassRule | None = None
    pass_rule_text: str = ""
    omits_national: list[int] = []


class Office(Strict):
    model_config = ConfigDict(extra="allow")
    unit: str
    director: str = ""
    text: str = ""


class LeadingGroupEntry(Strict):
    model_config = ConfigDict(extra="allow")
    role: str
    name: str = ""
    name_as_written: str = ""
    position: str = ""
    unit: str | None = None
    note: str | None = None


class UnitEntry(Strict):
    model_config = ConfigDict(extra="allow")
    name: str
    full_name: str = ""
    kind: Literal["department", "county", "township", "group", "organisation", "leadership"] = (
        "department"
    )
    written: list[str] = []
    aliases: list[str] = []
    member_of_leading_group: bool = False


class GroupEntry(Strict):
    model_config = ConfigDict(extra="allow")
    name: str
    written: list[str] = []
    aliases: list[str] = []
    members: Literal["leading_group"] | list[str]
    basis: str = ""


class TaskEntry(Strict):
    model_config = ConfigDict(extra="allow")
    no: int
    seq: int
    section: str
    title: str
    text: str = ""
    units: list[str]
    units_text: str = ""
    units_open: bool = False
    roles: dict[str, Role] | None = None


class PhaseEntry(Strict):
    model_config = ConfigDict(extra="allow")
    no: int
    name: str
    start: dt.date
    end: dt.date
    period_as_written: str = ""
    text: str = ""


class Level2(Strict):
    name: str
    points: Decimal


class Level1(Strict):
    name: str
    points: Decimal
    children: list[Level2]


class Item(Strict):
    no: int
    text: str
    points: Decimal | None = None


class IndicatorEntry(Strict):
    model_config = ConfigDict(extra="allow")
    no: int
    national_no: int | None = None
    level1: str
    level2: str
    nature: str
    title: str
    points: Decimal = Field(gt=0)
    rule: str = ""
    scoring: Literal["items", "any_one", "whole"] = "whole"
    items: list[Item] = []
    methods: list[str] = []
    sources: list[str] = []
    units: list[str] = Field(min_length=1)
    units_open: bool = False
    roles: dict[str, Role] | None = None

    @field_validator("points")
    @classmethod
    def half_points(cls, value: Decimal) -> Decimal:
        """Points come in whole or half points; anything finer is a typo."""
        if (value * 2) % 1:
            raise ValueError("分值只能是整数或 0.5 的倍数")
        return value


class CorrectionEntry(Strict):
    where: str
    as_written: str
    corrected: str
    why: str


class CampaignDocument(Strict):
    """A whole ``<slug>.yaml``."""

    model_config = ConfigDict(extra="allow")
    campaign: CampaignInfo
    office: Office
    leading_group: list[LeadingGroupEntry] = []
    units: list[UnitEntry]
    groups: list[GroupEntry] = []
    tasks: list[TaskEntry] = []
    phases: list[PhaseEntry] = []
    levels: list[Level1]
    indicators: list[IndicatorEntry] = Field(min_length=1)
    corrections: list[CorrectionEntry] = []


class NationalItem(Strict):
    no: int
    text: str
    points: Decimal | None = None


class NationalIndicatorEntry(Strict):
    """One 三级指标 as the national document states it."""

    national_no: int
    level1: str
    level2: str
    nature: str
    title: str
    points: Decimal = Field(gt=0)
    scoring: Literal["items", "any_one", "whole"] = "whole"
    rule: str = ""
    items: list[NationalItem] = []
    methods: list[str] = []
    sources: list[str] = []

    @property
    def no(self) -> int:
        return self.national_no


class NationalPassRule(Strict):
    """The version's 合格标准; ``total`` is None where the version's figure is not known yet."""

    total: Decimal | None
    level1_rate: float = Field(gt=0, le=1)
    text: str


class Cycle(Strict):
    years: int
    at_least: bool = False
    text: str


class NationalVersion(Strict):
    """``national/<version>.yaml``: one version of the national indicator system."""

    version: str
    name: str
    issuer: str
    year: int
    transcribed: bool
    pass_rule: NationalPassRule
    cycle: Cycle
    levels: list[Level1] = []
    indicators: list[NationalIndicatorEntry] = []

    def indicator(self, national_no: int) -> NationalIndicatorEntry | None:
        return next((n for n in self.indicators if n.national_no == national_no), None)


NationalDocument = NationalVersion  # the former name, for callers that type the national system
