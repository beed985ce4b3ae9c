"""Answers that open with a number or a difference, and the answer that the plan is silent.

Why apart from the cards: a card shows one thing whole; these answer "how many" and "how do
they differ" in their first line, then the few lines that back it, and leave the whole lists to
buttons. Every number says what it counts ("指标 13 项(牵头 2、配合 11)", not "13").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from sqlmodel import select

from knowledge.ask import grammar as g
from knowledge.ask.cards import more_button, open_indicator, open_unit, search_reply
from knowledge.ask.grammar import to_int
from knowledge.ask.question import Question, Scope
from knowledge.duties import (
    UnitDuties,
    all_indicators,
    all_tasks,
    indicator_view,
    leading_group,
    task_label,
    task_links,
    unit_duties,
)
from knowledge.messages import Message
from knowledge.models import Indicator, IndicatorUnit, LeadingGroupMember, Phase
from knowledge.points import json_points
from knowledge.units import UnitRef, normalize


def _facts(d: UnitDuties) -> tuple[list[dict], list[dict]]:
    """The indicators and tasks of ``d`` as ``ask --json`` lists them (as the unit card does: the
    indicators the document names the unit for; those through a group are counted in the text)."""
    return ([{"no": x.no, "title": x.title, "points": json_points(x.points), "role": x.role}
             for x in d.indicators if not x.via],
            [{"no": t.no, "label": t.label, "title": t.title, "role": t.role} for t in d.tasks])


def _summary(d: UnitDuties) -> dict:
    """A unit's duties counted: indicators by role, tasks listed directly or through a group."""
    direct_tasks = [t for t in d.tasks if not t.via]
    return dict(unit=d.unit.name, lead=len(d.lead), support=len(d.support), member=len(d.member),
                direct=len(d.lead) + len(d.support),
                indicators=len(d.indicators), points=d.points(d.indicators), lead_points=d.points(d.lead),
                support_points=d.points(d.support), tasks=len(d.tasks), direct_tasks=len(direct_tasks),
                via_tasks=len(d.tasks) - len(direct_tasks),
                vias=sorted({x.via for x in d.indicators + d.tasks if x.via}))


def count_reply(scope: Scope, q: Question) -> Message:
    """The number asked for, first."""
    what, _, arg = q.query.partition(":")
    mine = arg == "mine"
    if what in ("unit", "unit_points", "unit_members", "sole"):  # one unit's: named, or the asker's
        unit = scope.asker.unit if mine else (q.units[0] if q.units else None)
        if unit is None:
            return Message("need_unit", intent="need_registration")
        if what == "unit_members":
            return _unit_members(scope, unit)
        if what == "sole":
            return _sole(scope, unit, q.wants)
        return _unit_count(scope, q, unit, points=what == "unit_points")
    session, camp = scope.session, scope.campaign
    if what == "where":
        return _where(scope, q.query.partition(":")[2], q)
    if what == "rank":
        return _rank(scope, q)
    if what == "indicator_rank":
        return _indicator_rank(scope, q)
    if what == "sole_any":
        return _sole_any(scope)
    if what == "member_unlisted":
        return _member_unlisted(scope, q)
    if what == "title":
        return _title_count(scope, q)
    if what in ("vice", "head", "members", "members_only", "members_but_head", "member_units"):
        return _members_count(scope, what)
    if what == "phases":
        phases = list(session.exec(select(Phase).where(Phase.campaign_id == camp.id).order_by(Phase.no)))
        over = bool(phases) and scope.today is not None and phases[-1].end < scope.today  # "还有没到期的吗"
        return Message("count", dict(what=what, phases=phases, period=camp.goal_period, city=camp.city, over=over),
                       intent="count", answered_from="document" if phases else "not_in_document")
    if what == "tasks":
        return _task_count(scope, q)
    indicators = all_indicators(session=session, campaign=camp)
    levels: dict[str, dict] = {}
    for ind in indicators:
        row = levels.setdefault(ind.level1, {"points": ind.level1_points, "count": 0, "level2": {}})
        row["count"] += 1
        row["level2"][ind.level2] = ind.level2_points
    level = arg if what == "level" else ""
    if level:  # "规范监管下面有几个指标": that level's indicators
        picked = [i for i in indicators if level in (i.level1, i.level2)]
        data = dict(what="level", level=level, picked=picked, points=sum((i.points for i in picked), Decimal(0)),
                    level_points=picked[0].level1_points if picked and picked[0].level1 == level else
                    (picked[0].level2_points if picked else None), city=camp.city)
        return Message("count", data, intent="count",
                       indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in picked])
    # "一级指标哪个分值最高": the level(s) at that end first
    end = max if re.search(r"最高|最多|最大", q.text) else min if re.search(r"最低|最少|最小", q.text) else None
    top = [] if end is None or what != "levels" else [
        n for n, r in levels.items() if r["points"] == end(x["points"] for x in levels.values())]
    data = dict(what=what, total=len(indicators), points=sum((i.points for i in indicators), Decimal(0)),
                levels=levels, level2=sum(len(r["level2"]) for r in levels.values()), city=camp.city,
                top=top, highest=end is max)
    return Message("count", data, intent="count")


def _unit_members(scope: Scope, unit: UnitRef) -> Message:
    """How many of the leading group's members come from ``unit``, and who they are."""
    session, camp = scope.session, scope.campaign
    members = list(session.exec(select(LeadingGroupMember).where(LeadingGroupMember.campaign_id == camp.id)
                                .order_by(LeadingGroupMember.position)))
    picked = [m for m in members if m.unit_id == unit.id]
    data = dict(what="unit_members", unit=unit.name, picked=picked, total=len(members), city=camp.city)
    return Message("count", data, intent="count", units=[unit.name],
                   actions=[[more_button(camp, "members", "查看全部成员")]])


def _where(scope: Scope, spec: str, q: Question) -> Message:
    """The indicators whose points, nature and level are those ``spec`` names ("points=3;nature=定量(仅)"),
    counted and summed."""
    want = dict(part.split("=", 1) for part in spec.split(";") if "=" in part)
    unit = None
    if "unit" in want:  # one unit's indicators, as the document names it (a group's rows name nobody)
        unit = scope.asker.unit if want["unit"] == "mine" else (q.units[0] if q.units else None)
        if unit is None:
            return Message("need_unit", intent="need_registration")
        d = unit_duties(session=scope.session, campaign=scope.campaign, directory=scope.directory, unit_id=unit.id)
        named = {x.no for x in d.indicators if not x.via}
    picked = []
    for ind in all_indicators(session=scope.session, campaign=scope.campaign):
        if unit is not None and ind.no not in named:
            continue
        if "points" in want and ind.points != Decimal(want["points"]):
            continue
        nature = want.get("nature", "")
        if nature == "定量+定性" and not ("定量" in ind.nature and "定性" in ind.nature):
            continue
        if nature.endswith("(仅)") and ind.nature != nature[:2]:
            continue
        if nature and nature != "定量+定性" and not nature.endswith("(仅)") and nature not in ind.nature:
            continue
        if "level" in want and want["level"] not in (ind.level1, ind.level2):
            continue
        if "scoring" in want and ind.scoring != want["scoring"]:
            continue
        picked.append(ind)
    data = dict(what="where", want={k: want.get(k, "") for k in ("points", "nature", "level", "scoring")}, picked=picked, points=sum((i.points for i in picked), Decimal(0)),
                city=scope.campaign.city, unit=unit.name if unit else "")
    return Message("count", data, intent="count", units=[unit.name] if unit else [],
                   indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in picked])


def _sole(scope: Scope, unit: UnitRef, wants: str = "") -> Message:
    """The indicators and tasks whose responsible units, as the document lists them, are this unit only."""
    session, camp, directory = scope.session, scope.campaign, scope.directory
    views = [indicator_view(session=session, campaign=camp, directory=directory, no=i.no)
             for i in all_indicators(session=session, campaign=camp)]
    alone = [v.indicator for v in views if v and [r.unit.id for r in v.units] == [unit.id]]
    d = unit_duties(session=session, campaign=camp, directory=directory, unit_id=unit.id)
    listed = {x.no for x in d.indicators}
    tasks = [t for t in all_tasks(session=session, campaign=camp)
             if [uid for _, uid, _ in task_links(session=session, campaign=camp, task_id=t.id)] == [unit.id]]
    task_rows = [{"no": t.seq, "label": task_label(t, camp), "title": t.title} for t in tasks]
    data = dict(what="sole", unit=unit.name, picked=alone, listed=len(listed), city=camp.city,
                tasks=task_rows, tasks_first=wants == "tasks")
    return Message("count", data, intent="count", units=[unit.name],
                   indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points), "role": "牵头"}
                               for i in alone], tasks=task_rows, actions=[[open_unit(camp, unit)]])


def _sole_any(scope: Scope) -> Message:
    """Every indicator whose responsible units, as listed, are one unit that is not a group."""
    session, camp, directory = scope.session, scope.campaign, scope.directory
    views = [indicator_view(session=session, campaign=camp, directory=directory, no=i.no)
             for i in all_indicators(session=session, campaign=camp)]
    alone = [(v.indicator, v.units[0].unit.name) for v in views if v and len(v.units) == 1 and not v.units[0].unit.is_group]
    data = dict(what="sole_any", picked=alone, total=len(views), city=camp.city)
    return Message("count", data, intent="count", units=list(dict.fromkeys(u for _, u in alone)),
                   indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points), "role": "牵头"}
                               for i, _ in alone])


def _member_unlisted(scope: Scope, q: Question) -> Message:
    """The units with a member in the leading group that no indicator lists by name (a group's
    listing, "各成员单位", does not name them); "指标和任务里都没被点名": no task either."""
    session, camp = scope.session, scope.campaign
    members, _ = leading_group(session, camp)  # kept copies: building the rows cost most of the answer
    listed = set(session.exec(select(IndicatorUnit.unit_id).join(Indicator).where(Indicator.campaign_id == camp.id)))
    tasks_too = "任务" in q.text
    if tasks_too:
        listed |= {uid for t in all_tasks(session=session, campaign=camp)
                   for _, uid, _ in task_links(session=session, campaign=camp, task_id=t.id)}
    units = scope.directory.units
    member_units = [units[m.unit_id] for m in members if m.unit_id in units]
    picked = list(dict.fromkeys(u.name for u in member_units if u.id not in listed and not u.is_group))
    unresolved = list(dict.fromkeys(m.unit_as_written for m in members if m.unit_id is None and m.unit_as_written))
    data = dict(what="member_unlisted", picked=picked, unresolved=unresolved, tasks_too=tasks_too,
                member_units=len(set(u.id for u in member_units)), city=camp.city)
    return Message("count", data, intent="count", units=picked)


def _rank(scope: Scope, q: Question) -> Message:
    """Units by how many indicators the document names them for directly (the office's question)."""
    rows = []
    left_out = {u.id for u in q.units}  # "除了市场监管局": the units the question sets aside
    for unit in scope.directory.units.values():
        if unit.is_group or unit.id in left_out:
            continue
        d = unit_duties(session=scope.session, campaign=scope.campaign, directory=scope.directory, unit_id=unit.id)
        if d.lead or d.support:
            rows.append(dict(unit=unit.name, direct=len(d.lead) + len(d.support), lead=len(d.lead),
                             support=len(d.support), tasks=len([t for t in d.tasks if not t.via])))
    fewest = bool(re.search(r"最少|少的是", q.text))  # "谁的指标最少": the other end of the list
    if (exact := g.UNITS_WITH.search(q.text)) and (n := to_int(next(x for x in exact.groups() if x))) is not None:
        picked = [r for r in rows if r["direct"] == n]  # "只负责一项指标的单位有哪些"
        return Message("count", dict(what="units_with", n=n, rows=picked, city=scope.campaign.city),
                       intent="count", units=[r["unit"] for r in picked])
    by_tasks = "任务" in q.text and "指标" not in q.text  # "主要任务里被点名次数最多的是哪个单位"
    if by_tasks:
        rows = [r for r in rows if r["tasks"]] + [
            dict(unit=u.name, direct=0, lead=0, support=0, tasks=n) for u in scope.directory.units.values()
            if not u.is_group and u.id not in left_out and u.name not in {r["unit"] for r in rows}
            and (n := len([t for t in unit_duties(session=scope.session, campaign=scope.campaign,
                                                  directory=scope.directory, unit_id=u.id).tasks if not t.via]))]
    measure = "tasks" if by_tasks else "direct"
    rows.sort(key=lambda r: ((1 if fewest else -1) * r[measure], -r["lead"], r["unit"]))
    return Message("count", dict(what="rank", rows=rows[:5], total=len(rows), city=scope.campaign.city, fewest=fewest,
                                 left_out=[u.name for u in q.units], by_tasks=by_tasks),
                   intent="count", units=[r["unit"] for r in rows[:5]])



def _members_count(scope: Scope, what: str) -> Message:
    """"副组长有几位", "领导小组一共几个成员", "成员单位有几个": the leading group counted."""
    camp = scope.campaign
    members, names = leading_group(scope.session, camp)
    roles = Counter(m.role for m in members)
    units = list(dict.fromkeys(names[m.unit_id] for m in members if m.unit_id in names))
    picked = [m for m in members if m.role == ("副组长" if what == "vice" else "组长")]
    data = dict(what=what, total=len(members), roles=roles, picked=picked, units=units, city=camp.city)
    return Message("count", data, intent="count", units=units if what == "member_units" else [],
                   actions=[[more_button(camp, "members", "查看全部成员")]])


def _title_count(scope: Scope, q: Question) -> Message:
    """"领导小组里有几个副局长": the members whose post, as the list writes it, ends with that title."""
    members, _ = leading_group(scope.session, scope.campaign)
    m = re.search(r"((?:副|正)?(?:局长|主任|市长|秘书长|书记|部长))", q.text)
    title = m.group(1) if m else ""
    plain = title.removeprefix("正")
    picked = [x for x in members if x.title and x.title.endswith(plain)
              and (plain.startswith("副") or not x.title.endswith("副" + plain))]
    return Message("count", dict(what="title", title=plain, picked=picked, city=scope.campaign.city), intent="count",
                   actions=[[more_button(scope.campaign, "members", "查看全部成员")]])


def _task_count(scope: Scope, q: Question) -> Message:
    """How many main tasks, per part; "第三部分严格市场秩序有几条任务": that part's, listed."""
    camp = scope.campaign
    tasks = all_tasks(session=scope.session, campaign=camp)
    sections = Counter(t.section for t in tasks)
    named = [u for u in q.units if not u.is_group]
    section = _section_named(q.text, list(sections))
    if section is None and len(named) == 1:  # "农业农村局在“主要任务”那部分有几条": that unit's tasks
        return _unit_count(scope, replace(q, wants="tasks"), named[0], points=False)
    if section:
        picked = [{"no": t.seq, "label": task_label(t, camp), "title": t.title} for t in tasks if t.section == section]
        return Message("count", dict(what="section_tasks", section=section, picked=picked, total=len(tasks),
                                     city=camp.city), intent="count", tasks=picked)
    return Message("count", dict(what="tasks", total=len(tasks), sections=sections, city=camp.city), intent="count")


_ORDINALS = "一二三四五六七八九十"


def _section_named(text: str, sections: list[str]) -> str | None:
    """The part of the main tasks ``text`` names: by its ordinal ("第三部分", "(三)") or by four
    characters or more of its heading ("规范网络市场监管体系那部分")."""
    norm = normalize(text)
    if m := re.search(r"第\s*([一二三四五六七八九十\d])\s*(?:部分|块|大项|方面)|[(（]\s*([一二三四五六七八九十])\s*[)）]", text):
        mark = m.group(1) or m.group(2)
        mark = _ORDINALS[int(mark) - 1] if mark.isdigit() and 0 < int(mark) <= 10 else mark
        found = [s for s in sections if re.match(rf"\s*[(（]{mark}[)）]", s)]
        if len(found) == 1:
            return found[0]
    heads = [(s, normalize(re.sub(r"^\s*[(（][一二三四五六七八九十]+[)）]", "", s))) for s in sections]
    for size in (8, 6, 4):
        found = [s for s, h in heads if any(h[i:i + size] in norm for i in range(max(len(h) - size + 1, 0)))]
        if len(found) == 1:
            return found[0]
    return None


def _indicator_rank(scope: Scope, q: Question) -> Message:
    """Indicators by how many units the document names for them ("责任单位最多的是哪一项指标");
    a row written as a group ("各成员单位") or ending in "等" names only the units it lists."""
    rows = []
    for ind in all_indicators(session=scope.session, campaign=scope.campaign):
        view = indicator_view(session=scope.session, campaign=scope.campaign, directory=scope.directory, no=ind.no)
        named = [r.unit.name for r in view.units if not r.unit.is_group] if view else []
        rows.append(dict(no=ind.no, title=ind.title, points=json_points(ind.points), named=named,
                         groups=bool(view and any(r.unit.is_group for r in view.units))))
    fewest = bool(re.search(r"最少|少的是", q.text))
    best = (min if fewest else max)(len(r["named"]) for r in rows) if rows else 0
    top = [r for r in rows if len(r["named"]) == best]
    data = dict(what="indicator_rank", top=top, count=best, fewest=fewest, city=scope.campaign.city)
    return Message("count", data, intent="count",
                   indicators=[{"no": r["no"], "title": r["title"], "points": r["points"]} for r in top],
                   actions=[[open_indicator(scope.campaign, r["no"], f"第{r['no']}项")] for r in top[:6]])


def _unit_count(scope: Scope, q: Question, unit: UnitRef, *, points: bool) -> Message:
    d = unit_duties(session=scope.session, campaign=scope.campaign, directory=scope.directory, unit_id=unit.id)
    indicators, tasks = _facts(d)
    if q.mode == 1:  # "我们牵头的几项": only those it leads
        indicators = [i for i in indicators if i["role"] in ("牵头", "负责")]
    elif q.mode == -1:
        indicators = [i for i in indicators if i["role"] == "配合"]
    data = dict(what="unit_points" if points else "unit", s=_summary(d), wants=q.wants, mode=q.mode,
                task_rows=[t for t in d.tasks if not t.via],
                picked=indicators, picked_points=sum((Decimal(str(i["points"] or 0)) for i in indicators), Decimal(0)))
    return Message("count", data, intent="count", units=[unit.name], indicators=indicators, tasks=tasks,
                   actions=[[open_unit(scope.campaign, unit)]])


def compare_reply(scope: Scope, q: Question) -> Message:
    """Each unit's part counted, what only one of them has, and what they share."""
    units = ([scope.asker.unit] if q.query == "mine" and scope.asker.unit else []) + q.units
    if len(units) < 2:
        if q.query == "mine" and scope.asker.unit is None:
            return Message("need_unit", intent="need_registration")
        return Message("shared_need_two", intent="ambiguous")
    units = units[:3]
    duties = [unit_duties(session=scope.session, campaign=scope.campaign, directory=scope.directory, unit_id=u.id)
              for u in units]
    nos = [{x.no for x in d.indicators} for d in duties]
    task_nos = [{t.no for t in d.tasks} for d in duties]
    titles = {x.no: x.title for d in duties for x in d.indicators}
    task_titles = {t.no: (t.label or str(t.no)) for d in duties for t in d.tasks}
    shared = sorted(set.intersection(*nos))
    via = {x.no for d in duties for x in d.indicators if x.role == "成员"}  # shared only through a group's rows
    # what one has and the others have not, as the document names them (a group's rows name nobody)
    named = [{x.no for x in d.lead + d.support} for d in duties]
    rows = []
    for d, mine, tmine in zip(duties, named, task_nos, strict=True):
        others = set.union(*[n for n in named if n is not mine]) if len(named) > 1 else set()
        other_tasks = set.union(*[n for n in task_nos if n is not tmine]) if len(task_nos) > 1 else set()
        rows.append(dict(s=_summary(d), only=sorted(mine - others),
                         only_tasks=[task_titles[n] for n in sorted(tmine - other_tasks)]))
    side = int(q.query.removeprefix("only:")) if q.query.startswith("only:") and len(rows) == 2 else None
    data = dict(rows=rows, shared=[n for n in shared if n not in via], shared_via=[n for n in shared if n in via],
                titles=titles, side=side,
                shared_tasks=[task_titles[n] for n in sorted(set.intersection(*task_nos))])
    # "发改有但工信没有的": only what one has; else every indicator the document names either for
    # (as on the unit card, rows reached only through a group are counted in the text, not listed)
    indicators = [{"no": no, "title": titles[no]} for no in (rows[side]["only"] if side is not None
                                                              else sorted(set.union(*named)))]
    tasks = [{"no": n, "label": task_titles[n]} for n in sorted(set.union(*task_nos))]
    return Message("compare_units", data, intent="compare", units=[u.name for u in units], indicators=indicators,
                   tasks=tasks,
                   actions=[[open_unit(scope.campaign, u) for u in units]])


def not_in_document_reply(scope: Scope, q: Question) -> Message:
    """The plan does not say: say so first, point to the office, then the nearest items, if any."""
    camp = scope.campaign
    office = scope.directory.units.get(camp.office_unit_id) if camp.office_unit_id else None
    near = search_reply(scope.session, camp, q.topic or q.text)
    hits = [h for h in near.data.get("hits", []) if h.get("close")][:3]  # only what is close, if anything
    actions = [[open_indicator(camp, h["no"], f"第{h['no']}项")] for h in hits if h["kind"] == "indicator"]
    kind = q.query.removeprefix("kind:") if q.query.startswith("kind:") else ""
    scope, _, words = q.query.rpartition("|")  # "steps|办公室": where the words were looked for
    return Message("not_in_document", dict(words="" if kind else words, scope=scope, kind=kind,
                                           scope_unit=q.units[0].name if q.units else "",
                                           office=office.name if office else "", hits=hits, city=camp.city), intent="not_in_document", answered_from="not_in_document",
                   actions=actions)
