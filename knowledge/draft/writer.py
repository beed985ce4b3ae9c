"""Puts the parts together: the campaign document in the shape of SCHEMA.md, and the summary.

Each of the city's indicators is matched with a national one by its title; titles, points,
levels, nature, rule, items, methods and sources are the national version's, and every place
where the city's table says otherwise becomes a candidate correction (verbatim, national
reading, why). The units are the city's, as written.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from knowledge.draft.group import read_leading_group, read_office
from knowledge.draft.national_ref import NationalRef, national_indicators
from knowledge.draft.phases import read_phases
from knowledge.draft.rows import Row, read_rows
from knowledge.draft.sections import HTML, Plan, head, read_plan
from knowledge.draft.tasks import read_tasks
from knowledge.draft.units import Directory

if TYPE_CHECKING:
    from knowledge.messages import Message


@dataclass
class Draft:
    document: dict
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def todos(self) -> list[str]:
        return list(_todos(self.document, ""))

    def yaml(self) -> str:
        header = (f"# {self.document['campaign'].get('city', '')} — 由 liaison-bot draft 从 "
                  f"{self.document['campaign'].get('source_file', '')} 起草,请逐项核对。\n"
                  "# 'TODO: …' 是未能读出的内容;corrections 是候选更正,核对后保留或删除。\n")
        return header + yaml.dump(self.document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)

    def summary(self) -> Message:
        from knowledge.messages import Message  # (and its number words) only when printing

        return Message("draft_summary", data={
            "city": self.document["campaign"].get("city", ""), "counts": self.counts,
            "missing": self.plan.missing, "todos": len(self.todos),
            "corrections": len(self.document.get("corrections", [])),
            "omits": self.document["campaign"].get("omits_national", []),
        })


class _Dumper(yaml.SafeDumper):
    """Multi-line texts (rules) as ``|`` blocks, the way the shipped files write them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _str)


def _todos(node: Any, path: str):  # noqa: ANN401
    if isinstance(node, str) and node.startswith("TODO"):
        yield path
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _todos(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _todos(v, f"{path}[{i}]")


def draft_plan(text: str, *, slug: str, source_file: str = "", national: NationalRef | None = None) -> Draft:
    """Read a plan's text and draft its campaign document."""
    national = national or national_indicators()
    plan = read_plan(text)
    info = head(plan)
    tasks, all_units = read_tasks(plan)
    phases = read_phases(plan)
    level_names = [lv["name"] for lv in national.levels] + [c["name"] for lv in national.levels
                                                            for c in lv["children"]]
    rows = read_rows(plan, level_names, "" if info["city"].startswith("TODO") else info["city"])
    duty_forms = {u for r in rows for u in r.units} | {u for t in tasks for u in t["units"]}
    members, after = read_leading_group(plan, duty_forms)
    office = read_office(plan, after)
    city = info.get("city", "")
    directory = Directory(city=city if not city.startswith("TODO") else "")
    forms = [(m["unit"], True, f"leading_group {n}") for n, m in enumerate(members, 1) if m["unit"]]
    forms += [(u, False, f"indicator {r.no} units") for r in rows for u in r.units]
    forms += [(u, False, f"task {t['seq']} units") for t in tasks for u in t["units"]]
    forms += [(u, False, "campaign.all_tasks_units") for u in (all_units or {}).get("units", [])]
    if not office["unit"].startswith("TODO"):
        forms.append((office["unit"], False, "office unit"))
    directory.add_all(forms)
    indicators, omitted = _indicators(plan, rows, national)
    units, groups = directory.entries(leading_group_units=bool(members))
    for g in groups:
        _group_members(plan, g)
    campaign = {"slug": slug, "city": city, "province": info.get("province", ""), "region": info["region"],
                "title": info["title"]}
    for k in ("notice_title", "doc_number", "issuer", "date", "goal_period"):
        if k in info:
            campaign[k] = info[k]
    campaign["source_file"] = source_file
    campaign["timezone"] = "Asia/Shanghai"
    campaign["national_version"] = national.version
    for k in ("pass_rule", "pass_rule_text", "interpreter", "goals"):
        if k in info:
            campaign[k] = info[k]
    campaign["omits_national"] = omitted
    if all_units:
        campaign["all_tasks_units"] = all_units
    document = {
        "campaign": campaign, "office": office,
        "leading_group": members, "units": units, "groups": groups, "tasks": tasks, "phases": phases,
        "levels": copy.deepcopy(national.levels), "indicators": indicators,
        "corrections": plan.corrections + directory.corrections,
    }
    counts = {"领导小组成员": len(members), "单位": len(units), "单位组合": len(groups),
              "主要任务": len(tasks), "实施阶段": len(phases), "指标": len(indicators),
              "指标责任单位": sum(len(i["units"]) for i in indicators),
              "单位写法": sum(len(u["written"]) for u in units)}
    return Draft(document=document, plan=plan, counts=counts)


def _group_members(plan: Plan, group: dict) -> None:
    """A group expands to the leading group's units when the document says so, else a TODO basis."""
    name = group["name"]
    base = re.sub(r"^各|各?成员单位$", "", name)
    group["members"] = "leading_group"
    if name in ("各成员单位", "成员单位", "领导小组", "领导小组成员单位"):
        group["basis"] = "领导小组的成员单位(附件领导小组名单)"
    elif base and re.search(rf"依托{re.escape(base)}[^。]*领导小组|领导小组[^。]*依托{re.escape(base)}", plan.text):
        group["basis"] = f"文件未列出{base}的成员单位;原文写明领导小组依托{base}建立,按领导小组成员单位展开"
    else:
        group["basis"] = f"TODO: 原文未列出“{name}”包括哪些单位;暂按领导小组成员单位展开,请核对"
        plan.missing.append(f"“{name}”的成员")


def _norm(text: str) -> str:
    text = HTML.sub("", text or "")
    text = text.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",").replace("；", ";")
    return re.sub(r"[\s。.]", "", text)


def _indicators(plan: Plan, rows: list[Row], national: NationalRef) -> tuple[list[dict], list[int]]:
    nat = national.indicators
    used: set[int] = set()
    out: list[dict] = []
    bare: list[int] = []
    for row in rows:
        best, score = None, 0.0
        for n in nat:
            if n["no"] in used:
                continue
            s = difflib.SequenceMatcher(None, _norm(row.title), _norm(n["title"])).ratio()
            if s > score:
                best, score = n, s
        if best is None or score < 0.6:
            plan.missing.append(f"第{row.no}项指标对应的全国指标(标题“{row.title}”)")
            out.append(_todo_indicator(row))
            continue
        used.add(best["no"])
        best = copy.deepcopy(best)  # the national reference is cached: the document gets its own copy
        ind = {"no": row.no, "national_no": best["no"], "level1": best["level1"], "level2": best["level2"],
               "nature": best["nature"], "title": best["title"], "points": best["points"],
               "rule": best["rule"], "scoring": best["scoring"], "items": best["items"],
               "methods": best["methods"], "sources": best["sources"]}
        ind["units"] = row.units
        if not row.units:  # the cell is empty: "not stated" is a value (the contract), not a guess
            ind["units_not_stated"] = True
            plan.missing.append(f"第{row.no}项指标的责任单位(原文未列明,写作 units: [] 与 units_not_stated)")
        if row.units_open:
            ind["units_open"] = True
        out.append(ind)
        _compare(plan, row, ind)
        if row.bare_points:
            bare.append(row.no)
        elif row.points is None:
            plan.missing.append(f"第{row.no}项指标的分值(原文丢失,按全国版本)")
    if bare:
        plan.correct(f"indicators {_ranges(bare)} points", "“…。2”(分值的括号和“分”字丢失)", "(2分) 等,按全国版本",
                     "表格转文本时分值的括号和“分”字丢失,分值按数字读取并与全国版本核对")
    omitted = [n["no"] for n in nat if n["no"] not in used]
    return out, omitted


def _todo_indicator(row: Row) -> dict:
    todo = "TODO: 未能对应到全国指标体系,请填写 national_no 并核对"
    return {"no": row.no, "national_no": todo, "level1": todo, "level2": todo, "nature": row.nature,
            "title": row.title, "points": row.points or todo, "rule": row.rule,
            "units": row.units, **({} if row.units else {"units_not_stated": True})}


def _compare(plan: Plan, row: Row, ind: dict) -> None:
    where = f"indicator {row.no}"
    if _norm(row.title) != _norm(ind["title"]):
        plan.correct(f"{where} title", row.title, ind["title"],
                     "与全国指标体系(2022)的标题文字不同;按全国版本,请核对")
    if row.points is not None and float(row.points) != float(ind["points"]):
        plan.correct(f"{where} points", row.title_as_written, str(ind["points"]),
                     f"本表写 {row.points:g} 分,全国指标体系为 {ind['points']} 分;按全国版本,请核对")
    if row.nature and _norm(row.nature) != _norm(ind["nature"]):
        plan.correct(f"{where} nature", row.nature, ind["nature"],
                     "与全国指标体系(2022)的变量性质不同;按全国版本,请核对")
    methods, sources = _methods_and_sources(row.methods_text)
    if methods and methods != ind["methods"]:
        plan.correct(f"{where} methods", "、".join(methods), "、".join(ind["methods"]),
                     "与全国指标体系(2022)的评估方式不同;按全国版本,请核对")
    if sources and [_norm(x) for x in sources] != [_norm(x) for x in ind["sources"]]:
        plan.correct(f"{where} sources", ";".join(sources), ";".join(ind["sources"]),
                     "与全国指标体系(2022)的数据或资料来源不同;按全国版本,请核对")
    if row.rule and _norm(row.rule) != _norm(ind["rule"]):
        why = ("网页表格残留的 HTML 标签,删除标签后" if HTML.search(row.rule) else "") + \
              "与全国指标体系(2022)的打分标准文字不同;按全国版本,请核对"
        plan.correct(f"{where} rule", row.rule, ind["rule"], why)


def _methods_and_sources(text: str) -> tuple[list[str], list[str]]:
    """``方式:数据比对、资料审查。 数据或资料来源: 1.国家统计局官网; 2.创建对象提供。``"""
    text = re.sub(r"\s+", "", text or "").replace("：", ":")
    m = re.search(r"方式:(.*?)(?:。|数据或资料来源|$)", text)
    methods = [x for x in re.split(r"[、,，]", m.group(1)) if x] if m else []
    m = re.search(r"数据或资料来源:(.*)$", text)
    sources = []
    if m:
        body = re.sub(r"(?:^|(?<=[;；。]))\d+[.．]", "", m.group(1))
        sources = [x for x in re.split(r"[;；。]", body) if x]
    return methods, sources


def _ranges(nums: list[int]) -> str:
    out, start = [], None
    for i, n in enumerate(nums):
        if start is None:
            start = n
        if i + 1 == len(nums) or nums[i + 1] != n + 1:
            out.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ",".join(out)
