"""Rules that span fields of a campaign YAML: points add up, numbers are unique, names resolve.

Each problem is one line naming the indicator, task or section and the field, because the
reader is the person who edits the YAML, not a developer reading a traceback.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from knowledge.schema import CampaignDocument, NationalVersion
from knowledge.units import normalize


def written_index(doc: CampaignDocument) -> tuple[dict[str, str], list[str]]:
    """Map every normalised document form (and canonical name) to its unit or group name."""
    index: dict[str, str] = {}
    problems: list[str] = []
    entries = [(u.name, [u.name, *u.written]) for u in doc.units]
    entries += [(g.name, [g.name, *g.written]) for g in doc.groups]
    for name, forms in entries:
        for form in forms:
            key = normalize(form)
            if key in index and index[key] != name:
                problems.append(f"units: 写法“{form}”同时属于“{index[key]}”和“{name}”")
            index[key] = name
    return index, problems


def check_document(doc: CampaignDocument, national: NationalVersion | None) -> list[str]:
    """Every cross-field problem of ``doc``; an empty list means it may be loaded."""
    problems: list[str] = []
    index, dup = written_index(doc)
    problems += dup

    def resolves(where: str, written: str) -> None:
        if normalize(written) not in index:
            problems.append(f"{where}: 单位“{written}”在 units/groups 中找不到对应的单位")

    for name, n in Counter(u.name for u in doc.units).items():
        if n > 1:
            problems.append(f"units: 单位“{name}”重复定义")
    problems += _check_levels_and_points(doc, national)
    for ind in doc.indicators:
        where = f"indicator {ind.no}"
        for u in ind.units:
            resolves(f"{where}: units", u)
        for key in (ind.roles or {}):
            if key not in ind.units:
                problems.append(f"{where}: roles: “{key}”不在 units 中")
    for no, n in Counter(i.no for i in doc.indicators).items():
        if n > 1:
            problems.append(f"indicator {no}: no: 编号重复")
    for seq, n in Counter(t.seq for t in doc.tasks).items():
        if n > 1:
            problems.append(f"task {seq}: seq: 序号重复")
    for task in doc.tasks:
        for u in task.units:
            resolves(f"task {task.seq}: units", u)
    for ph in doc.phases:
        if ph.start > ph.end:
            problems.append(f"phase {ph.no}: start/end: 开始日期 {ph.start} 晚于结束日期 {ph.end}")
    policy = (doc.campaign.model_extra or {}).get("reminders")
    if policy is not None:
        # the reminders' own reading, so that check and run agree
        from knowledge.policy import parse_policy

        try:
            parse_policy(policy if isinstance(policy, dict) else {"send_at": policy})
        except ValueError as exc:
            problems.append(f"campaign: {exc}")
    resolves("office: unit", doc.office.unit)
    for i, m in enumerate(doc.leading_group, 1):
        if m.unit:
            resolves(f"leading_group {i}: unit", m.unit)
    for g in doc.groups:
        if isinstance(g.members, list):
            for m in g.members:
                resolves(f"group {g.name}: members", m)
    return problems


def _check_levels_and_points(doc: CampaignDocument, national: NationalVersion | None) -> list[str]:
    problems: list[str] = []
    levels = {lv.name: lv for lv in doc.levels}
    for lv in doc.levels:
        total = sum((c.points for c in lv.children), Decimal(0))
        if total != lv.points:
            problems.append(f"levels {lv.name}: points: 二级指标合计 {total} ≠ 一级指标 {lv.points}")
    omitted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    nat = {n.no: n for n in national.indicators} if national else {}
    for no in doc.campaign.omits_national:
        if national and no not in nat:
            problems.append(f"campaign: omits_national: 全国指标体系没有第 {no} 项")
        elif no in nat:
            omitted[(nat[no].level1, nat[no].level2)] += nat[no].points
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ind in doc.indicators:
        where = f"indicator {ind.no}"
        lv = levels.get(ind.level1)
        if lv is None:
            problems.append(f"{where}: level1: 一级指标“{ind.level1}”不在 levels 中")
        elif ind.level2 not in {c.name for c in lv.children}:
            problems.append(f"{where}: level2: 二级指标“{ind.level2}”不在“{ind.level1}”之下")
        sums[(ind.level1, ind.level2)] += ind.points
        item_points = [it.points for it in ind.items]
        if ind.scoring == "items":
            if not ind.items or None in item_points:
                problems.append(f"{where}: items: scoring=items 要求每个评分项都有分值")
            elif sum(item_points, Decimal(0)) != ind.points:
                problems.append(
                    f"{where}: points: 评分项合计 {sum(item_points, Decimal(0))} ≠ 指标分值 {ind.points}")
        if ind.scoring == "any_one" and not ind.items:
            problems.append(f"{where}: items: scoring=any_one 需要列出可选的评分项")
        if national and ind.national_no is not None and ind.national_no not in nat:
            problems.append(f"{where}: national_no: 全国指标体系没有第 {ind.national_no} 项")
    for no, n in Counter(i.national_no for i in doc.indicators if i.national_no).items():
        if n > 1:
            problems.append(f"indicator national_no {no}: 对应了多个本地指标")
    if national:
        covered = {i.national_no for i in doc.indicators}
        for no in nat:
            if no not in covered and no not in doc.campaign.omits_national:
                problems.append(
                    f"campaign: omits_national: 本表没有全国第 {no} 项“{nat[no].title}”,"
                    " 如属原文缺漏请在 omits_national 中声明")
    for lv in doc.levels:
        for c in lv.children:
            got = sums.get((lv.name, c.name), Decimal(0)) + omitted.get((lv.name, c.name), Decimal(0))
            if got != c.points:
                problems.append(
                    f"levels {lv.name}/{c.name}: points: 三级指标合计 {got} ≠ 二级指标 {c.points}")
    return problems
