"""The shape of a campaign YAML file, validated before anything touches the database.

pydantic checks types and required fields; ``checks.check_document`` adds the rules that span
fields (points adding up, numbers unique, units resolving, the national version agreeing). Every
key a file may hold is declared here, with its meaning as ``description``: unknown keys are
errors (a misspelt ``rul:`` would otherwise silently lose the rule), and
``knowledge/data/SCHEMA.md`` documents every field here (a test holds the two together).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Role = Literal["牵头", "配合", "负责", "成员"]


class Strict(BaseModel):
    """Unknown keys are typos in a hand-edited file, so they are errors."""

    model_config = ConfigDict(extra="forbid")


def _half_points(value: Decimal | None) -> Decimal | None:
    """Points come in whole or half points; anything finer is a typo."""
    if value is not None and (value * 2) % 1:
        raise ValueError("分值只能是整数或 0.5 的倍数")
    return value


class PassRule(Strict):
    """A campaign's own 合格标准, only where its document states one (with ``pass_rule_text``)."""

    total: Decimal = Field(description="总分合格线(分)")
    level1_rate: float = Field(gt=0, le=1, description="每个一级指标的最低得分率(0–1,如 0.75)")


class Goal(Strict):
    title: str = Field(description="创建目标的标题(原文)")
    text: str = Field("", description="目标的说明文字(原文),可不写")


class Safeguard(Strict):
    """One item of the plan's 组织保障 / 保障措施 section: what it asks of the members (实施细则,
    项目化管理, 督查通报) is the plan's too, and an officer asks about it like any task."""

    title: str = Field("", description="条目标题,如 加强组织领导(原文);一节开头的总述写 \"\"")
    text: str = Field(description="条目正文,照录(跨页断开处接上,条末括号里的责任单位不写在这里)")
    units_text: str = Field("", description="条末括号里的责任单位一句,照录;原文没有则不写")


class AllTasksUnits(Strict):
    text: str = Field(description="原文“以下内容均需…落实,不再单独列出”一句,照录")
    units: list[str] = Field(description="这句话列出的单位(原文写法),每一项都要能在 units/groups 中找到")


class CampaignInfo(Strict):
    slug: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", description="方案代号:小写拉丁字母开头,与文件名相同")
    city: str = Field(description="城市名,如 河津市")
    province: str = Field("", description="省份")
    region: Literal["东部", "中部", "西部"] = Field(description="东部/中部/西部(第 4 项指标的门槛按地区不同)")
    title: str = Field(description="方案标题(原文)")
    notice_title: str = Field("", description="印发通知的标题(原文)")
    doc_number: str = Field("", description="文号,如 河政发〔2023〕7号")
    issuer: str = Field("", description="发文机关")
    date: dt.date | None = Field(None, description="成文日期,YYYY-MM-DD")
    goal_period: str = Field("", description="创建期限,照录(如 用两年时间)")
    source_file: str = Field("", description="原文文件名")
    publication: str = Field("", description="刊登处,如 政府公报期号")
    timezone: str = Field("Asia/Shanghai", description="时区")
    national_version: str = Field(description="遵循的全国指标体系版本,对应 knowledge/data/national/<版本>.yaml,如 '2022'")
    pass_rule: PassRule | None = Field(None, description="本方案自定的合格标准;只有原文另定标准时才写,且须同时写 pass_rule_text;"
                                       "不写则用全国版本的标准")
    pass_rule_text: str = Field("", description="原文的合格标准一句,照录;其中的数字须与适用的合格标准一致")
    interpreter: str = Field("", description="“本方案由…负责解读”的单位")
    goals: list[Goal | str] = Field([], description="创建目标,按原文顺序")
    all_tasks_units: AllTasksUnits | None = Field(None, description="原文规定所有任务都要落实的单位")
    omits_national: list[int] = Field([], description="本表缺少的全国指标编号(national_no),写明而不是隐藏")
    reminders: dict | str | None = Field(None, description="提醒策略:send_at、before、overdue_weeks、brief,见“提醒策略”一节")
    publish_status: bool = Field(False, description="true:各单位进度(排行榜、/status)对联络员公开,不只给办公室")


class Office(Strict):
    unit: str = Field(description="办公室所在单位(原文写法),须能在 units 中找到")
    director: str = Field("", description="办公室主任一句,照录")
    text: str = Field("", description="关于办公室的原文句子")
    liaison_rule: str | None = Field(None, description="联络员的规定,照录;原文没有则不写")
    change_rule: str | None = Field(None, description="成员变动的规定,照录;原文没有则不写")


class LeadingGroupEntry(Strict):
    role: str = Field(description="组长 / 副组长 / 成员")
    name: str = Field("", description="姓名(修复后的读法);姓名整个缺失时写 \"\"")
    name_as_written: str = Field("", description="原文中的姓名写法")
    position: str = Field("", description="职务,照录")
    unit: str | None = Field(None, description="所在单位(原文写法),须能在 units 中找到;无则 null")
    note: str | None = Field(None, description="备注,如 姓氏缺失")


class UnitEntry(Strict):
    name: str = Field(description="规范名称:去掉“市”前缀的正式名称")
    full_name: str = Field("", description="全称,如 河津市统计局")
    kind: Literal["department", "county", "township", "group", "organisation", "leadership"] = Field(
        "department", description="department | county | township | group | organisation | leadership")
    written: list[str] = Field([], description="原文用到的每一种写法(含错别字);任务、指标里的单位须是其中之一或 name")
    aliases: list[str] = Field([], description="联络员口头常用的简称,只用于查询,不用于对照原文")
    member_of_leading_group: bool = Field(False, description="是否领导小组成员单位")


class GroupEntry(Strict):
    name: str = Field(description="单位组的规范名称")
    written: list[str] = Field([], description="原文用到的写法")
    aliases: list[str] = Field([], description="口头简称")
    members: Literal["leading_group"] | list[str] = Field(
        description="leading_group(领导小组全部成员单位)或单位名称列表")
    basis: str = Field("", description="为什么是这些成员(原文未列出时说明依据)")


def _units_or_not_stated(units: list[str], not_stated: bool) -> None:
    if not units and not not_stated:
        raise ValueError("units 为空:原文未列明责任单位时请写 units: [] 并加 units_not_stated: true")
    if units and not_stated:
        raise ValueError("units_not_stated: true 时 units 必须为空 []")


class TaskEntry(Strict):
    no: int = Field(description="原文的编号")
    seq: int = Field(description="全文统一序号 1..N")
    section: str = Field(description="所属小节标题,照录")
    title: str = Field(description="任务标题")
    text: str = Field("", description="任务全文(不含责任单位一句)")
    units: list[str] = Field(description="责任单位(原文写法),按原文顺序;原文未列明时写 []")
    units_not_stated: bool = Field(False, description="true:原文未列明责任单位(units 须为 [])")
    units_text: str = Field("", description="责任单位一句,照录")
    units_open: bool = Field(False, description="单位列表以“等”结尾时为 true")
    roles: dict[str, Role] | None = Field(None, description="原文写明时的 {单位写法: 牵头|配合|负责}")

    @model_validator(mode="after")
    def _units(self) -> TaskEntry:
        _units_or_not_stated(self.units, self.units_not_stated)
        return self


class PhaseEntry(Strict):
    no: int = Field(description="阶段序号")
    name: str = Field(description="阶段名称")
    start: dt.date = Field(description="开始日期 YYYY-MM-DD")
    end: dt.date = Field(description="结束日期 YYYY-MM-DD")
    period_as_written: str = Field("", description="原文的时间写法,照录")
    text: str = Field("", description="阶段的原文")


class Level2(Strict):
    name: str = Field(description="二级指标名称")
    points: Decimal = Field(description="二级指标分值")


class Level1(Strict):
    name: str = Field(description="一级指标名称")
    points: Decimal = Field(description="一级指标分值")
    children: list[Level2] = Field(description="二级指标")


class Item(Strict):
    no: int = Field(description="评分项序号")
    text: str = Field(description="评分项文字")
    points: Decimal | None = Field(None, description="该项分值;scoring=any_one 时不写")

    @field_validator("points")
    @classmethod
    def half_points(cls, value: Decimal | None) -> Decimal | None:
        return _half_points(value)


class IndicatorEntry(Strict):
    no: int = Field(description="本表的编号")
    national_no: int | None = Field(None, description="全国指标体系中的编号")
    level1: str = Field(description="一级指标,须在 levels 中")
    level2: str = Field(description="二级指标,须在该一级指标之下")
    nature: str = Field(description="定量 / 定性 / 定性+定量 / 定量+定性(照录)")
    title: str = Field(description="三级指标标题(不含句末“。”和分值)")
    points: Decimal = Field(gt=0, description="分值(整数或 0.5 的倍数)")
    rule: str = Field("", description="指标说明及打分标准,全文")
    scoring: Literal["items", "any_one", "whole"] = Field(
        "whole", description="items(各项分值相加)| any_one(符合一项即可得分)| whole(整体计分)")
    items: list[Item] = Field([], description="编号的评分项;没有则 []")
    methods: list[str] = Field([], description="评估方式")
    sources: list[str] = Field([], description="数据或资料来源")
    units: list[str] = Field(description="责任单位(原文写法),第一个为牵头;原文未列明时写 []")
    units_not_stated: bool = Field(False, description="true:原文未列明责任单位(units 须为 [])")
    units_open: bool = Field(False, description="单位列表以“等”结尾时为 true")
    roles: dict[str, Role] | None = Field(None, description="原文写明时的 {单位写法: 牵头|配合|负责}")

    @field_validator("points")
    @classmethod
    def half_points(cls, value: Decimal | None) -> Decimal | None:
        return _half_points(value)

    @model_validator(mode="after")
    def _units(self) -> IndicatorEntry:
        _units_or_not_stated(self.units, self.units_not_stated)
        return self


class CorrectionEntry(Strict):
    where: str = Field(description="位置:indicator N <字段> | task N <字段> | campaign.<字段> | leading_group N | phase N")
    as_written: str = Field(description="原文写法,照录")
    corrected: str = Field(description="采用的读法")
    why: str = Field(description="理由")


class CampaignDocument(Strict):
    """A whole ``<slug>.yaml``."""

    campaign: CampaignInfo = Field(description="方案本身")
    office: Office = Field(description="领导小组办公室")
    leading_group: list[LeadingGroupEntry] = Field([], description="领导小组成员,按原文顺序")
    units: list[UnitEntry] = Field(description="单位名录:文件中出现的每一个单位")
    groups: list[GroupEntry] = Field([], description="代表一组单位的名称(如 联席会议各成员单位)")
    tasks: list[TaskEntry] = Field([], description="主要任务,按原文顺序")
    phases: list[PhaseEntry] = Field([], description="实施步骤;原文没有则 []")
    safeguards: list[Safeguard] = Field([], description="组织保障/保障措施一节的各条,按原文顺序;原文没有则 []")
    levels: list[Level1] = Field(description="一级、二级指标及分值")
    indicators: list[IndicatorEntry] = Field(min_length=1, description="三级指标(评估指标体系表),按原文顺序")
    corrections: list[CorrectionEntry] = Field([], description="对受损原文的每一处修复")


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
