"""The field reference of ``knowledge/data/SCHEMA.md``, generated from ``knowledge.schema``.

``python -m knowledge.schema_doc`` prints it, ``--write`` replaces the block in SCHEMA.md (the rest
of the page is written by hand); ``tests/test_schema_doc.py`` fails when SCHEMA.md's copy differs,
so the page cannot drift from what ``check`` accepts.
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
import typing
from decimal import Decimal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from knowledge import schema

BEGIN = "<!-- BEGIN generated reference: python -m knowledge.schema_doc -->"
END = "<!-- END generated reference -->"

# (section title, model, where it sits in a file)
CAMPAIGN_SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("文件顶层", schema.CampaignDocument, "<slug>.yaml"),
    ("campaign", schema.CampaignInfo, "campaign:"),
    ("campaign.pass_rule", schema.PassRule, "campaign.pass_rule:"),
    ("campaign.goals[]", schema.Goal, "campaign.goals: 的每一项(也可以只写一行文字)"),
    ("campaign.all_tasks_units", schema.AllTasksUnits, "campaign.all_tasks_units:"),
    ("office", schema.Office, "office:"),
    ("leading_group[]", schema.LeadingGroupEntry, "leading_group: 的每一项"),
    ("units[]", schema.UnitEntry, "units: 的每一项"),
    ("groups[]", schema.GroupEntry, "groups: 的每一项"),
    ("tasks[]", schema.TaskEntry, "tasks: 的每一项"),
    ("phases[]", schema.PhaseEntry, "phases: 的每一项"),
    ("safeguards[]", schema.Safeguard, "safeguards: 的每一项"),
    ("levels[]", schema.Level1, "levels: 的每一项"),
    ("levels[].children[]", schema.Level2, "levels[].children: 的每一项"),
    ("indicators[]", schema.IndicatorEntry, "indicators: 的每一项"),
    ("indicators[].items[]", schema.Item, "indicators[].items: 的每一项"),
    ("corrections[]", schema.CorrectionEntry, "corrections: 的每一项"),
]
NATIONAL_SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("national/<版本>.yaml 顶层", schema.NationalVersion, "national/<版本>.yaml"),
    ("pass_rule(全国版本)", schema.NationalPassRule, "pass_rule:"),
    ("cycle", schema.Cycle, "cycle:"),
    ("indicators[](全国版本)", schema.NationalIndicatorEntry, "indicators: 的每一项"),
    ("indicators[].items[](全国版本)", schema.NationalItem, "indicators[].items: 的每一项"),
]
NATIONAL_MEANINGS = {
    "version": "版本名,与文件名相同,如 '2022'", "name": "指标体系名称", "issuer": "发布机关", "year": "发布年份",
    "transcribed": "指标体系是否已录入;false 时写这个版本的方案不能加载", "pass_rule": "这个版本的合格标准",
    "cycle": "创建周期", "levels": "一级、二级指标及分值(同方案文件的 levels)", "indicators": "三级指标",
    "total": "总分合格线;未知时写 null", "level1_rate": "每个一级指标的最低得分率(0–1)", "text": "标准的文字",
    "years": "年数", "at_least": "true 表示“不少于”", "national_no": "全国编号", "level1": "一级指标",
    "level2": "二级指标", "nature": "定量 / 定性 / 定性+定量 / 定量+定性", "title": "标题", "points": "分值",
    "scoring": "items | any_one | whole", "rule": "指标说明及打分标准", "items": "评分项", "methods": "评估方式",
    "sources": "数据或资料来源", "no": "序号",
}


def type_name(t: typing.Any) -> str:  # noqa: ANN401
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin in (typing.Union, types.UnionType):
        parts = [type_name(a) for a in args if a is not type(None)]
        return " 或 ".join(parts) + (" 或 null" if type(None) in args else "")
    if origin is typing.Literal:
        return " \\| ".join(str(a) for a in args)
    if origin is list:
        return f"{type_name(args[0])} 的列表"
    if origin is dict:
        return "映射" if not args else f"映射({type_name(args[0])} → {type_name(args[1])})"
    if inspect.isclass(t) and issubclass(t, BaseModel):
        return f"映射(见 {section_of(t)})"
    return {str: "文字", int: "整数", float: "小数", bool: "true / false", Decimal: "分值(整数或 .5)",
            dt.date: "日期 YYYY-MM-DD", dict: "映射"}.get(t, str(t))


def section_of(model: type[BaseModel]) -> str:
    for title, m, _ in CAMPAIGN_SECTIONS + NATIONAL_SECTIONS:
        if m is model:
            return title
    return model.__name__


def _default(info: typing.Any) -> str:  # noqa: ANN401
    if info.is_required():
        return "**必填**"
    value = info.default if info.default is not PydanticUndefined else None
    if value is None:
        return "可选"
    if value in ("", [], False):
        return "可选(默认 " + {"": "空", "[]": "[]", "False": "false"}[str(value) if value != "" else ""] + ")"
    return f"可选(默认 {value})"


def table(title: str, model: type[BaseModel], where: str, meanings: dict[str, str] | None = None) -> str:
    lines = [f"### {title}", "", f"写在 `{where}`。", "", "| 字段 | 必填 | 类型 | 含义 |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        meaning = (info.description or (meanings or {}).get(name, "")).replace("|", "\\|")
        lines.append(f"| `{name}` | {_default(info)} | {type_name(info.annotation)} | {meaning} |")
    return "\n".join(lines) + "\n"


def reference() -> str:
    parts = ["## 字段一览(由 knowledge/schema.py 生成)", "",
             "未列出的键都是错误(`check` 会给出最接近的字段名)。", ""]
    parts += [table(*s) for s in CAMPAIGN_SECTIONS]
    parts += ["## 全国指标体系版本(knowledge/data/national/<版本>.yaml)", ""]
    parts += [table(*s, meanings=NATIONAL_MEANINGS) for s in NATIONAL_SECTIONS]
    return "\n".join(parts)


def all_models() -> list[type[BaseModel]]:
    return [m for _, m, _ in CAMPAIGN_SECTIONS + NATIONAL_SECTIONS]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    block = f"{BEGIN}\n{reference()}\n{END}\n"
    if "--write" in sys.argv:
        page = Path(__file__).parent / "data" / "SCHEMA.md"
        text = page.read_text(encoding="utf-8")
        head = text.split(BEGIN, 1)[0]
        tail = text.split(END, 1)[1].lstrip("\n") if END in text else ""
        page.write_text(head + block + tail, encoding="utf-8")
    else:
        print(block, end="")
