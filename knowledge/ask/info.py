"""Answers about the document as a whole and about one unit's standing: the leading group, the
indicator system, a level's or nature's indicators, how an indicator is scored, what a unit
still owes, who its liaison officers are. Beside ``knowledge.ask.cards``, which holds the cards these open.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from knowledge.ask.cards import (
    choose_reply,
    indicator_reply,
    more_button,
    open_indicator,
    phase_reply,
    search_reply,
)
from knowledge.ask.passages import composition
from knowledge.ask.question import Asker, Question
from knowledge.ask.who import national_missing_reply
from knowledge.duties import all_indicators, leading_group, task_label, unit_duties
from knowledge.messages import Message
from knowledge.models import Campaign, Indicator, LeadingGroupMember, Task
from knowledge.national import national_check, pass_rule, totals
from knowledge.people import active_officers_of_unit, persons
from knowledge.points import json_points
from knowledge.projection import as_of
from knowledge.search import indicator_titles, search
from knowledge.status import unit_status
from knowledge.units import UnitDirectory, UnitRef, normalize


def _best_indicator(session: Session, camp: Campaign, query: str) -> tuple[object | None, list]:
    """The indicator the words name: an exact title, or a clear best hit; else (None, hits)."""
    hits = search(session=session, campaign=camp, query=query, limit=5, include_tasks=False)
    if not hits:
        return None, []
    words = normalize(query)
    exact = [h for h in hits if normalize(h.title) == words]
    if exact:
        return exact[0], hits
    if len(hits) == 1 or hits[0].score >= hits[1].score * 1.5:
        return hits[0], hits
    # "存续2年以上的经营者占比": every word of the query in one title, and only that one title
    whole = [h for h in hits if h.phrase == "title" and h.coverage >= 1.0]
    if len(whole) == 1 and whole[0] is hits[0]:
        return hits[0], hits
    # "网上案件胜诉率要求多少": one item holds every word and the topic, the rest hold barely half
    if hits[0].topic and hits[0].coverage >= 1.0 and all(h.coverage < 0.6 for h in hits[1:]):
        return hits[0], hits
    return None, hits


def detail_reply(session: Session, camp: Campaign, directory: UnitDirectory, query: str, asker: Asker,
                 today: date | None = None) -> Message:
    """"快递业务量怎么算分": the full indicator the words name, or a choice."""
    if missing := national_missing_reply(session, camp, query, intent="detail"):
        return missing
    top, hits = _best_indicator(session, camp, query)
    if top is None:
        if hits:
            return choose_reply(camp, "您问的是哪一项指标?", hits, intent="detail", session=session)
        return Message("search", dict(hits=[], query=query.strip()), intent="detail")
    reply = indicator_reply(session, camp, directory, top.no, asker, today)
    reply.intent = "detail"
    return reply


def leaders_reply(session: Session, camp: Campaign, office_first: bool = False,
                  asked: list[UnitRef] | None = None, *, full: bool = False, titled: str = "") -> Message:
    """The leading group in a few lines: first whether each asked unit has a member ("消协在领导小组
    里吗"), or the office when asked about it, then 组长 and 副组长, the office and the liaison
    rule, with a button for every member; ``full``: the whole list as the document gives it (what
    that button shows)."""
    members, units = leading_group(session, camp)
    office = (camp.extra or {}).get("office") or {}
    verdicts = [{"unit": u.name, "members": [m for m in members if m.unit_id == u.id], "written": False}
                for u in asked or []]
    if titled:  # a unit by a name the directory does not know: the members whose post the list writes with it
        verdicts.append({"unit": titled, "written": True,
                         "members": [m for m in members if titled in (m.unit_as_written or "") + m.title]})
    heads: dict[str, list[LeadingGroupMember]] = {}
    for m in members:
        if m.role != "成员":
            heads.setdefault(m.role, []).append(m)
    data = dict(city=camp.city, members=members, units=units, office=office, heads=heads, composition=composition(camp),
                office_unit=units.get(camp.office_unit_id, ""), office_first=office_first and not full,
                verdicts=[] if full else verdicts)
    reply = Message("leaders" if full else "leaders_brief", data, intent="leaders",
                    units=[units.get(camp.office_unit_id, "")])
    if not full and members:
        reply.actions = [[more_button(camp, "members", "查看全部成员")]]
    return reply


def more_reply(session: Session, camp: Campaign, what: str, today: date) -> Message:
    """What a MORE button shows: the whole of what a short reply summed up (``MORE_WHAT``)."""
    if what == "members":
        return leaders_reply(session, camp, full=True)
    if what == "phases":
        return phase_reply(session, camp, today, full=True)
    if what == "overview":
        return overview_reply(session, camp, full=True)
    return Message("stale_button", intent="stale")


def shared_reply(session: Session, camp: Campaign, directory: UnitDirectory, units: list[UnitRef]) -> Message:
    """Indicators and tasks every named unit answers for (directly or through a group)."""
    duties = [unit_duties(session=session, campaign=camp, directory=directory, unit_id=u.id) for u in units]
    roles = [{d.no: d for d in du.indicators} for du in duties]
    common = [no for no in roles[0] if all(no in r for r in roles[1:])]
    task_roles = [{t.no: t for t in du.tasks} for du in duties]
    common_tasks = [no for no in task_roles[0] if all(no in r for r in task_roles[1:])]
    tasks = [task_roles[0][no] for no in common_tasks]
    via_tasks = {no for no in common_tasks if any(r[no].role == "成员" for r in task_roles)}
    rows = [{"no": no, "title": roles[0][no].title, "points": roles[0][no].points,
             "roles": [(u.name, r[no].role) for u, r in zip(units, roles, strict=True)]} for no in sorted(common)]
    # Those the document names every unit for come first; sharing only a group's membership
    # ("各成员单位") is listed by number, as the unit card does.
    named = [r for r in rows if all(role != "成员" for _, role in r["roles"])]
    via = [r for r in rows if r not in named]
    # Nothing named for all of them: what each is named for answers "有没有共同的" better than "无".
    each = [] if named else [(u.name, sorted((d for d in du.indicators if d.role != "成员"), key=lambda d: d.no))
                             for u, du in zip(units, duties, strict=True)]
    data = dict(units=[u.name for u in units], named=named, via=via, each=each,
                tasks=[t for t in tasks if t.no not in via_tasks], via_tasks=[t for t in tasks if t.no in via_tasks])
    shown = named or [{"no": d.no, "title": d.title, "points": d.points} for _, ds in each for d in ds]
    return Message("shared", data, intent="shared", units=[u.name for u in units],
                 # what they share is what the document names both for; a group's rows are told by number
                 indicators=[{"no": r["no"], "title": r["title"], "points": json_points(r["points"])} for r in shown],
                 tasks=[{"no": t.no, "label": t.label, "title": t.title} for t in tasks])


def indicator_named(session: Session, camp: Campaign, text: str) -> int | None:
    """The indicator whose whole title ``text`` contains ("…占市场主体比重占比多少能拿满分"), if any."""
    norm = normalize(text)
    named = [(len(t), no) for no, title in indicator_titles(session, camp)
             if len(t := normalize(title)) >= 4 and t in norm]
    return max(named)[1] if named else None


def indicator_meant(session: Session, camp: Campaign, q: Question) -> tuple[int | None, list]:
    """"网络交易经营者占比多少能拿满分": the indicator that the words beyond the overview's own name
    (``q.rest``, read by the parser) point to, or the candidates to ask back with."""
    if not q.rest:
        return None, []
    top, hits = _best_indicator(session, camp, q.rest)
    return (top.no if top is not None else None), [h for h in hits if h.phrase or h.coverage >= 0.6]


def indicator_asked(session: Session, camp: Campaign, q: Question) -> int | None:
    """"X什么时候交", "X我们要提供什么材料": the indicator X names by its whole title, or by a whole
    word of its text that clearly points to it (``q.rest``; empty when the words left are a
    phase's, the campaign's or the asker's)."""
    if q.titled and (no := indicator_named(session, camp, q.titled)):
        return no
    if not q.rest:
        return None
    top, _ = _best_indicator(session, camp, q.rest)
    return top.no if top is not None and top.phrase else None


def indicators_listed(session: Session, camp: Campaign, query: str) -> list[int]:
    """"税收贡献度和快递增速这两条分别找谁": the indicators a list of titles names, each part by a
    word of its title that clearly points to it; [] unless every part names one, and two differ."""
    query = re.sub(r"(?:这|那)[两二三四几]?(?:条|项|个)(?:指标)?|分别|各自|都是|都", " ", query)
    parts = [p for p in re.split(r"和|与|跟|及|、|以及|还有", query) if len(p.strip()) >= 2]
    if len(parts) < 2:
        return []
    found = []
    for part in parts:
        top, hits = _best_indicator(session, camp, part)
        whole = [h for h in hits if h.coverage >= 1.0]  # "快递增速": every word in one title only
        if top is not None and top.phrase:
            found.append(top.no)
        elif len(whole) == 1:
            found.append(whole[0].no)
        else:
            return []
    return list(dict.fromkeys(found)) if len(set(found)) > 1 else []


def goals_reply(camp: Campaign) -> Message:
    """The creation goals as the document states them, with the pass rule they aim at."""
    goals = [g.get("title", "") if isinstance(g, dict) else str(g) for g in (camp.extra or {}).get("goals") or []]
    data = dict(city=camp.city, goal_period=camp.goal_period, goals=goals,
                pass_rule=pass_rule(camp).text.removeprefix("本评估指标体系合格标准为:").rstrip("。"))
    return Message("goals", data, intent="goals")


_OVERVIEWS: dict[tuple[int, str], dict] = {}


def overview_reply(session: Session, camp: Campaign, *, full: bool = False, pass_first: bool = True) -> Message:
    """The pass rule as the document states it, how many indicators and points, per first-level
    indicator, with a button for the whole system; ``full``: the second-level indicators and the
    main tasks too (what that button shows).

    It depends on the document alone, so its data is read once per version of the campaign's data.
    """
    key = (camp.id or 0, camp.data_hash)
    if key not in _OVERVIEWS:
        _OVERVIEWS[key] = _overview_data(session, camp)
    data = {**_OVERVIEWS[key], "camp": camp, "city": camp.city, "pass_first": pass_first}
    if full:
        return Message("overview", data, intent="overview")
    return Message("overview_brief", data, intent="overview", actions=[[more_button(camp, "overview", "查看指标体系")]])


def _overview_data(session: Session, camp: Campaign) -> dict:

    t = totals(session=session, campaign=camp)
    missing = [d for d in national_check(session=session, campaign=camp) if d["status"] == "missing"]
    level2: dict[str, dict[str, object]] = {}
    for ind in all_indicators(session=session, campaign=camp):
        level2.setdefault(ind.level1, {})[ind.level2] = ind.level2_points
    tasks = len(session.exec(select(Task.id).where(Task.campaign_id == camp.id)).all())
    return dict(t=t, missing=missing, level2=level2, tasks=tasks, pass_rule=pass_rule(camp).text)


def owe_reply(session: Session, camp: Campaign, directory: UnitDirectory, unit: UnitRef | None) -> Message:
    """What a unit still owes, per indicator and item: first what the document names the unit
    for, then apart what it shares only as one of "各成员单位" — officers and the office read
    "欠哪些" as the rows with the unit's own name, as the unit card lists them."""
    if unit is None:
        return Message("need_unit", intent="need_registration")
    rows = unit_status(session=session, campaign=camp, directory=directory, unit_id=unit.id)
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("none", "submitted", "accepted", "rejected")}
    missing: dict[int, int] = {}  # indicator number → its scoring items not sent yet
    via: dict[str, dict[int, int]] = {}  # the same, of the rows reached through a group, per group
    for r in rows:
        if r.state == "none":
            into = missing if r.via is None else via.setdefault(r.via, {})
            into[r.no] = into.get(r.no, 0) + 1
    lead = sorted({r.no for r in rows if r.state == "none" and r.role == "牵头"})
    data = dict(unit=unit, rows=rows, counts=counts, missing=list(missing.items()), lead_missing=lead,
                via=[(group, list(nos.items())) for group, nos in via.items()])
    # one entry per indicator the unit is named for (its rows are per scoring item), "none"
    # while any item is unsent
    owed: dict[int, dict] = {}
    for r in rows:
        if r.state != "accepted" and r.via is None:
            entry = owed.setdefault(r.no, {"no": r.no, "title": r.title, "role": r.role, "state": r.state})
            if r.state == "none":
                entry["state"] = "none"
    return Message("status", data, intent="owe", units=[unit.name], indicators=list(owed.values()))


def owe_all_reply(session: Session, camp: Campaign, directory: UnitDirectory, today: date) -> Message:
    """"哪些单位还没交材料": every unit that still owes something, as the weekly digest counts it."""
    digest, _ = as_of(session, camp, directory, today)
    # What "owed" counts: scoring targets (an item of an indicator scored by items, else the
    # indicator), each unit's out of all it answers for, and how many indicators they fall in.
    by_id: dict[int, int] = defaultdict(int)
    owed_in: dict[int, set[int]] = defaultdict(set)
    touched: set[int] = set()  # "还有几项没交": the indicators no material has come in for yet
    every: set[int] = set()
    for t in digest.targets:
        no = t.indicator.no  # read once: an attribute of a kept row costs more than a dict look-up
        every.add(no)
        if t.delivered or t.projected:
            touched.add(no)
        for u in t.units:
            by_id[u] += 1
        for u in t.units - t.delivered:
            owed_in[u].add(no)
    targets = {directory.units[u].name: n for u, n in by_id.items()}
    indicators = {directory.units[u].name: len(nos) for u, nos in owed_in.items()}
    units = [{**u, "targets": targets.get(u["unit"], 0), "indicators": indicators.get(u["unit"], 0)}
             for u in digest.units if u["owed"]]  # the digest's own rows, as ``to_json`` gives them
    return Message("owe_all", dict(units=units, city=camp.city, untouched=len(every - touched), indicators=len(every)),
                   intent="owe", units=[u["unit"] for u in units])


def task_list_reply(session: Session, camp: Campaign) -> Message:
    """"主要任务有哪些 / 分几块": every main task under its section heading, as the plan numbers them."""
    tasks = list(session.exec(select(Task).where(Task.campaign_id == camp.id).order_by(Task.seq)))
    sections: dict[str, list[dict]] = {}
    for t in tasks:
        sections.setdefault(t.section.strip() or "主要任务", []).append({"label": task_label(t, camp), "title": t.title})
    return Message("task_list", dict(city=camp.city, sections=sections, count=len(tasks)), intent="task_list",
                   tasks=[{"no": t.seq, "label": task_label(t, camp), "title": t.title} for t in tasks])


def _under(indicators: list[Indicator], level: str) -> tuple[list[Indicator], Decimal | None, Decimal]:
    """The indicators under ``level``, the points the table declares for it, and what they add to."""
    rows = [i for i in indicators if level in (i.level1, i.level2)]
    declared = next(((i.level1_points if i.level1 == level else i.level2_points) for i in rows), None)
    return rows, declared, sum((i.points for i in rows), Decimal(0))


def level_reply(session: Session, camp: Campaign, level: str) -> Message:
    """The indicators under a first- or second-level indicator."""
    rows, declared, total = _under(all_indicators(session=session, campaign=camp), level)
    first = bool(rows) and rows[0].level1 == level
    rule = pass_rule(camp)
    floor = declared * Decimal(str(rule.level1_rate)) if first and declared is not None else None
    level2: dict[str, dict] = {}  # a first-level indicator's second levels, as the table declares their points
    for i in rows if first else []:
        level2.setdefault(i.level2, {"name": i.level2, "points": i.level2_points, "nos": []})["nos"].append(i.no)
    data = dict(level=level, rows=rows, city=camp.city, declared=declared, total=total,
                floor=floor, rate=rule.level1_rate, pass_total=rule.total, level2=list(level2.values()))
    return Message("level_list", data, intent="level",
                 indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in rows])


def levels_each_reply(session: Session, camp: Campaign, levels: list[str]) -> Message:
    """"组织机制保障跟工作基础保障各占几分": each level named, on its own line, with its points and
    indicators, so the two are read side by side."""
    indicators = all_indicators(session=session, campaign=camp)
    rows = [dict(zip(("picked", "declared", "total"), _under(indicators, level), strict=True), level=level)
            for level in levels]
    shown = [i for r in rows for i in r["picked"]]
    return Message("levels_each", dict(rows=rows, city=camp.city), intent="level",
                   indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in shown])


def source_reply(session: Session, camp: Campaign, source: str) -> Message:
    """"哪些指标要用国家统计局的数据": indicators whose 数据或资料来源 names ``source`` (also without
    a leading 国家/全国 or a trailing 平台/官网, as officers shorten them)."""
    indicators = all_indicators(session=session, campaign=camp)
    forms = [source, re.sub(r"^(国家|全国|市|省)", "", source), re.sub(r"(平台|官网|网站|系统)$", "", source)]
    rows = []
    for form in dict.fromkeys(f for f in forms if len(f) >= 2):
        rows = [i for i in indicators if any(form.lower() in str(src).lower() for src in i.sources or [])]
        if rows:
            break
    if not rows:
        return search_reply(session, camp, source)
    return Message("source_list", dict(source=source, rows=rows, city=camp.city), intent="source",
                 indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in rows],
                   actions=[[open_indicator(camp, i.no, f"第{i.no}项") for i in rows[k:k + 5]]
                            for k in range(0, len(rows), 5)])


def method_reply(session: Session, camp: Campaign, method: str, mode: int) -> Message:
    """"哪些指标要专家评估": indicators by 评估方式; ``mode`` 1 = that method only, -1 = without it."""
    every = all_indicators(session=session, campaign=camp)
    if not method:  # "评估方式有哪几种": every method the table uses, with how many indicators use it
        kinds: dict[str, int] = {}
        for i in every:
            for m in i.methods or []:
                kinds[m] = kinds.get(m, 0) + 1
        return Message("method_list", dict(method="", kinds=kinds, mode=0, rows=[], city=camp.city), intent="method")
    if mode == 1:
        rows = [i for i in every if list(i.methods or []) == [method]]
    elif mode == -1:
        rows = [i for i in every if method not in (i.methods or [])]
    else:
        rows = [i for i in every if method in (i.methods or [])]
    return Message("method_list", dict(method=method, mode=mode, rows=rows, city=camp.city), intent="method",
                 indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in rows])


def howto_reply(camp: Campaign, topics: list[str]) -> Message:
    """How to register, submit evidence, and what happens in review: the bot's own use."""
    return Message("howto", dict(topics=topics, city=camp.city), intent="howto")


def document_reply(session: Session, camp: Campaign) -> Message:
    """"实施办法是哪天印发的", "文号是多少": the document as its heading states it."""
    counts = {"indicators": len(session.exec(select(Indicator.id).where(Indicator.campaign_id == camp.id)).all()),
              "tasks": len(session.exec(select(Task.id).where(Task.campaign_id == camp.id)).all())}
    return Message("document", dict(camp=camp, counts=counts), intent="document")


def contacts_reply(session: Session, camp: Campaign, unit: UnitRef) -> Message:
    """Who is registered as a unit's liaison officer (names as they registered)."""
    officers = persons([o for u in ([unit] if not unit.is_group else []) for o in
                        active_officers_of_unit(session=session, campaign_id=camp.id, unit_id=u.id)])
    rule = ((camp.extra or {}).get("office") or {}).get("liaison_rule", "")
    # the plan names no liaison officer: who registered is the bot's record, not the document's
    return Message("contacts", dict(unit=unit, officers=officers, city=camp.city, rule=str(rule).rstrip("。")),
                   intent="contacts", units=[unit.name], answered_from="not_in_document")


def nature_reply(session: Session, camp: Campaign, word: str) -> Message:
    """Indicators whose nature (变量性质) includes 定量 or 定性."""
    every = all_indicators(session=session, campaign=camp)
    if word == "定量+定性":  # "定性+定量" and "定量+定性" are written both ways
        rows = [i for i in every if "定量" in i.nature and "定性" in i.nature]
    elif word.endswith("(仅)"):
        rows = [i for i in every if i.nature == word[:2]]
    else:
        rows = [i for i in every if word in i.nature]
    return Message("nature_list", dict(word=word, rows=rows, city=camp.city), intent="nature",
                 indicators=[{"no": i.no, "title": i.title, "points": json_points(i.points)} for i in rows])


