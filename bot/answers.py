"""Turns a question into a reply: the one path shared by the bot's handlers and ``liaison-bot ask``.

A ``Reply`` holds the rendered Telegram HTML, inline buttons as (label, callback_data) rows
carrying ids only, and the structured facts behind the text, so the command line can print
them as JSON and tests can assert on what was meant, not just on wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import cn2an
from sqlmodel import Session, select

from bot.render import render
from knowledge.duties import (
    Responsible,
    indicator_numbers,
    indicator_view,
    task_label,
    unit_duties,
)
from knowledge.models import Campaign, Phase, Task, TaskUnit, Unit
from knowledge.points import json_points
from knowledge.questions import Question
from knowledge.search import search
from knowledge.timeline import due_of, dues_and_phase
from knowledge.units import UnitDirectory, UnitRef

Buttons = list[list[tuple[str, str]]]


@dataclass
class Reply:
    text: str
    intent: str
    buttons: Buttons = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    phase: dict | None = None


@dataclass
class Asker:
    """Who asks: their unit (if registered) shapes "我们单位" and "what must my unit do"."""

    unit: UnitRef | None = None


def unit_reply(session: Session, camp: Campaign, directory: UnitDirectory, unit: UnitRef,
               tasks_first: bool = False) -> Reply:
    """A unit's indicators (牵头/配合/成员) and tasks (first, when the question asked for tasks)."""
    d = unit_duties(session=session, campaign=camp, directory=directory, unit_id=unit.id)
    members = directory.expand(unit.id) if unit.is_group else []
    # Where a group's membership is inferred rather than listed by the document, say on what basis.
    groups = {x.via for x in d.indicators + d.tasks if x.via} | ({unit.name} if unit.is_group else set())
    bases = {name: basis for name, basis in _group_bases(session, camp).items() if name in groups}
    text = render("unit_duties", duties=d, city=camp.city, members=members, bases=bases,
                  dues=_dues_of(session, camp, [x.no for x in d.indicators]), tasks_first=tasks_first)
    return Reply(
        text=text, intent="unit", units=[unit.name],
        indicators=[{"no": x.no, "title": x.title, "points": json_points(x.points), "role": x.role,
                     **({"via": x.via} if x.via else {})} for x in d.indicators],
        tasks=[{"no": t.no, "label": t.label, "title": t.title, "role": t.role} for t in d.tasks])


def _dues_of(session: Session, camp: Campaign, nos: list[int]) -> list[dict]:
    """When the unit's evidence is due, one row per date: "2023-12-31(“全面推进”阶段结束日):第1、2项"."""
    if not nos:
        return []
    dues, phase = dues_and_phase(session, camp)
    rows: dict[tuple, dict] = {}
    for no in nos:
        if (due := dues.get(no)) is None:
            continue
        key = (due.due, due.source)
        rows.setdefault(key, {"date": due.due.isoformat(), "office": due.source == "office",
                              "phase": phase.name if phase and due.source == "phase" else "", "nos": []})["nos"].append(no)
    return [rows[k] for k in sorted(rows)]


_BASES: dict[tuple[int, str], dict[str, str]] = {}


def _group_bases(session: Session, camp: Campaign) -> dict[str, str]:
    """Group name → the basis of its membership, read once per version of the campaign's data."""
    key = (camp.id or 0, camp.data_hash)
    if key not in _BASES:
        _BASES[key] = {u.name: u.basis for u in session.exec(select(Unit).where(Unit.campaign_id == camp.id))
                       if u.basis}
    return _BASES[key]


def indicator_reply(session: Session, camp: Campaign, directory: UnitDirectory, no: int,
                    asker: Asker, today: date | None = None) -> Reply:
    """Everything about one indicator, when its evidence is due, and what the asker's unit must do."""
    view = indicator_view(session=session, campaign=camp, directory=directory, no=no)
    if view is None:
        nos = indicator_numbers(session=session, campaign=camp)
        text = render("out_of_range", city=camp.city, count=len(nos), first=nos[0], last=nos[-1],
                      no=no, what="indicator")
        return Reply(text=text, intent="out_of_range")
    mine = view.role_of(directory, asker.unit.id) if asker.unit else None
    due = due_of(session, camp, no)
    text = render("indicator", view=view, mine=mine, mine_unit=asker.unit.name if asker.unit else None,
                  city=camp.city, region=camp.region,
                  due=due[0] if due else None, due_phase=due[1] if due else "",
                  by_office=bool(due and due[2]), past=bool(due and today and due[0].due < today))
    ind = view.indicator
    return Reply(
        text=text, intent="indicator", units=[r.unit.name for r in view.units],
        indicators=[{"no": ind.no, "title": ind.title, "points": json_points(ind.points),
                     "role": mine.role if mine else None, "due": due[0].due.isoformat() if due else None}],
        buttons=_unit_buttons(camp, view.units))


def _unit_buttons(camp: Campaign, units: list[Responsible]) -> Buttons:
    row = [(r.unit.name, f"u:{camp.id}:{r.unit.id}") for r in units[:6]]
    return [row[i:i + 3] for i in range(0, len(row), 3)]


def task_reply(session: Session, camp: Campaign, directory: UnitDirectory, seq: int) -> Reply:
    """One main task: its text and units."""
    tasks = list(session.exec(select(Task).where(Task.campaign_id == camp.id).order_by(Task.seq)))
    task = next((t for t in tasks if t.seq == seq), None)
    if task is None:
        return Reply(text=render("out_of_range", city=camp.city, count=len(tasks), first=1,
                                 last=len(tasks), no=seq, what="task"), intent="out_of_range")
    links = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id).order_by(TaskUnit.position))
    units = [Responsible(link.as_written, directory.units[link.unit_id], link.role) for link in links]
    spec = (camp.extra or {}).get("all_tasks_units") or {}
    implicit = spec.get("text", "") if seq != tasks[0].seq else ""
    text = render("task", task=task, label=task_label(task, camp), units=units, implicit=implicit)
    return Reply(text=text, intent="task", units=[r.unit.name for r in units],
                 tasks=[{"no": task.seq, "label": task_label(task, camp), "title": task.title}])


def _in_leading_titles(session: Session, camp: Campaign, query: str) -> list:
    """Leading-group members whose title names the body ``query`` names ("大数据局" → 大数据管理局)."""
    from knowledge.models import LeadingGroupMember

    core = re.sub(rf"^({re.escape(camp.city)}|市)|(管理局|局|委员会|委|办公室|办|中心)$", "", query.strip())
    if len(core) < 2:
        return []
    members = session.exec(select(LeadingGroupMember).where(LeadingGroupMember.campaign_id == camp.id)
                           .order_by(LeadingGroupMember.position))
    return [m for m in members if core in (m.title or "")]


def normalize_brackets(text: str) -> str:
    """'（二）' and '(二)' compare equal."""
    return text.strip().replace("（", "(").replace("）", ")")


def tasks_by_label(session: Session, camp: Campaign, number: int) -> list[Task]:
    """Tasks a bare number may mean: Hejin numbers through, Yancheng restarts per section."""
    tasks = list(session.exec(select(Task).where(Task.campaign_id == camp.id).order_by(Task.seq)))
    if all(t.no == t.seq for t in tasks):
        return [t for t in tasks if t.seq == number]
    by_label = [t for t in tasks if t.no == number]
    return by_label or [t for t in tasks if t.seq == number]


def search_reply(session: Session, camp: Campaign, query: str, wants: str = "both") -> Reply:
    """Indicators and tasks about a topic (only tasks when the question asks for tasks), with buttons."""
    hits = search(session=session, campaign=camp, query=query, limit=8, tasks_only=wants == "tasks",
                  tasks_may_lead=wants != "indicators")
    tasks = {t.seq: t for t in session.exec(select(Task).where(Task.campaign_id == camp.id))}
    shown = [{"kind": h.kind, "no": h.no, "title": h.title, "snippet": h.snippet,
              "label": task_label(tasks[h.no], camp) if h.kind == "task" else str(h.no)} for h in hits]
    buttons = [[(f"{'指标' if h['kind'] == 'indicator' else '任务'}{h['label']}",
                 f"{'i' if h['kind'] == 'indicator' else 't'}:{camp.id}:{h['no']}") for h in shown[i:i + 4]]
               for i in range(0, len(shown), 4)]
    return Reply(text=render("search", hits=shown, query=query.strip()), intent="search",
                 buttons=buttons,
                 indicators=[{"no": h["no"], "title": h["title"]} for h in shown if h["kind"] == "indicator"],
                 tasks=[{"no": h["no"], "label": h["label"], "title": h["title"]} for h in shown if h["kind"] == "task"])


def phase_reply(session: Session, camp: Campaign, today: date, asked: str = "") -> Reply:
    """The phases with dates, and where today falls (or the phase the question names)."""
    phases = list(session.exec(select(Phase).where(Phase.campaign_id == camp.id).order_by(Phase.no)))
    rows, current = [], None
    for p in phases:
        state = "进行中" if p.start <= today <= p.end else "已结束" if p.end < today else ""
        if state == "进行中" and current is None:
            current = p
        rows.append({"no": p.no, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(),
                     "text": p.text, "state": state,
                     # the document's own wording of a period the store had to repair ("20236-12月")
                     "written": p.period_as_written if p.source == "document" else ""})
    note = ""
    if phases and today > phases[-1].end:
        note = f"文件规定的各阶段已于 {phases[-1].end.isoformat()} 结束;如时间表已调整,以领导小组办公室通知为准。"
    named = [r for r in rows if r["name"] in asked or r["name"][-2:] in asked] or _phase_by_text(rows, asked)
    asked_for = named[0] if len(named) == 1 else None  # "总结提升什么时候开始": that phase first
    dues, gather = dues_and_phase(session, camp)  # "材料最晚啥时候交": the default due date of every indicator
    overrides = sum(1 for d in dues.values() if d.source == "office")
    text = render("phases", city=camp.city, phases=rows, goal_period=camp.goal_period, note=note,
                  asked=asked_for, gather=gather, overrides=overrides)
    phase = ({"name": current.name, "start": current.start.isoformat(), "end": current.end.isoformat()}
             if current else (rows[-1] if rows and today > phases[-1].end else None))
    if asked_for:
        phase = asked_for
    if phase and "text" in phase:
        phase = {k: phase[k] for k in ("name", "start", "end")}
    return Reply(text=text, intent="phase", phase=phase)


def _phase_by_text(rows: list[dict], asked: str) -> list[dict]:
    """"自评报告哪个阶段交": the one phase whose text shares clearly the most words with the question."""
    words = re.sub(r"(什么时候|哪个阶段|阶段|时间|几月|截止|交|提交|开始|结束|是|的|吗|呢|[?？。,,])", " ", asked)
    grams = {w[i:i + 2] for w in words.split() for i in range(len(w) - 1)}
    scored = sorted(((sum(g in r["text"] for g in grams), r["no"], r) for r in rows), key=lambda x: -x[0])
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return [scored[0][2]]
    return []


def choose_reply(camp: Campaign, prompt: str, hits: list, *, intent: str) -> Reply:
    """Ask back with choices instead of guessing."""
    buttons = [[(f"第{h.no}项 {h.title[:14]}", f"i:{camp.id}:{h.no}")] for h in hits[:5]]
    return Reply(text=render("choose", prompt=prompt), intent="ambiguous", buttons=buttons,
                 indicators=[{"no": h.no, "title": h.title} for h in hits[:5]])


def answer(session: Session, camp: Campaign, directory: UnitDirectory, q: Question, asker: Asker,
           today: date) -> Reply:
    """The reply to an interpreted question."""
    if q.intent == "help":
        return Reply(text=render("help", city=camp.city), intent="help")
    if q.intent == "thanks":
        return Reply(text=render("thanks"), intent="thanks")
    if q.intent == "indicator":
        if len(q.numbers) > 3:
            return Reply(text=render("choose", prompt="您要看哪一项指标?"), intent="ambiguous",
                         buttons=[[(f"第{n}项", f"i:{camp.id}:{n}") for n in q.numbers[:6]]])
        replies = [indicator_reply(session, camp, directory, n, asker, today) for n in q.numbers]
        if len(replies) == 1:
            return replies[0]
        # "10号和18号指标有什么区别": a line that sets them side by side, then both in full
        head = render("compare", rows=[i for r in replies for i in r.indicators])
        return Reply(text=head + "\n\n——————\n\n" + "\n\n——————\n\n".join(r.text for r in replies),
                     intent="indicator",
                     indicators=[i for r in replies for i in r.indicators],
                     units=list(dict.fromkeys(u for r in replies for u in r.units)))
    if q.intent == "task":
        matches = tasks_by_label(session, camp, q.numbers[0])
        if q.section is not None:  # "(二)1": keep the task of that section
            head = f"({cn2an.an2cn(q.section)})"
            matches = [t for t in matches if normalize_brackets(t.section).startswith(head)] or matches
        if len(matches) == 1:
            return task_reply(session, camp, directory, matches[0].seq)
        if not matches:
            return task_reply(session, camp, directory, q.numbers[0])  # beyond the last task: says so
        return Reply(text=render("choose", prompt="各部分的任务编号重新从1开始,您问的是哪一项?"),
                     intent="ambiguous",
                     buttons=[[(f"任务{task_label(t, camp)} {t.title[:12]}", f"t:{camp.id}:{t.seq}")]
                              for t in matches],
                     tasks=[{"no": t.seq, "label": task_label(t, camp), "title": t.title} for t in matches])
    if q.intent == "my_unit":
        if asker.unit is None:
            return Reply(text=render("need_unit"), intent="need_registration")
        reply = unit_reply(session, camp, directory, asker.unit, tasks_first=q.wants == "tasks")
        reply.intent = "my_unit"
        return reply
    if q.intent == "unit":
        if len(q.units) == 1:
            return unit_reply(session, camp, directory, q.units[0], tasks_first=q.wants == "tasks")
        if len(q.units) > 1:
            return Reply(text=render("choose", prompt="您问的是哪个单位?"), intent="ambiguous",
                         buttons=[[(u.name, f"u:{camp.id}:{u.id}")] for u in q.units[:6]],
                         units=[u.name for u in q.units])
        return unit_not_found(camp, q.query or q.text, q.unit_suggestions, session)
    if q.intent == "who":
        from bot.answers_who import who_reply

        return who_reply(session, camp, directory, q.query, q.units, q.wants)
    from bot import answers_info as info  # the document-wide answers live beside this module

    if q.intent == "phase":  # "网络交易经营者数量占市场主体比重什么时候交": that indicator's card, with its date
        if no := info.indicator_asked(session, camp, q.text):
            reply = indicator_reply(session, camp, directory, no, asker, today)
            reply.intent = "detail"
            return reply
        return phase_reply(session, camp, today, q.text)

    if q.intent == "detail":
        return info.detail_reply(session, camp, directory, q.query, asker, today)
    if q.intent == "level":
        return info.level_reply(session, camp, q.query)
    if q.intent == "contacts":
        unit = q.units[0] if q.units else asker.unit
        if unit is None:
            return Reply(text=render("need_unit"), intent="need_registration")
        return info.contacts_reply(session, camp, unit)
    if q.intent == "document":
        return info.document_reply(session, camp)
    if q.intent == "task_list":
        return info.task_list_reply(session, camp)
    if q.intent == "method":
        return info.method_reply(session, camp, q.query, q.mode)
    if q.intent == "howto":
        return info.howto_reply(camp, q.query.split(","))
    if q.intent == "source":
        return info.source_reply(session, camp, q.query)
    if q.intent == "nature":
        return info.nature_reply(session, camp, q.query)
    if q.intent == "leaders":
        mine = [asker.unit] if q.query == "mine" and asker.unit else []  # "我们局长在领导小组里吗"
        return info.leaders_reply(session, camp, office_first="办公室" in q.text or q.query == "office",
                                  asked=[u for u in q.units + mine if not u.is_group])
    if q.intent == "shared":
        units = ([asker.unit] if q.query == "mine" and asker.unit else []) + q.units
        if len(units) < 2:  # "我们和…共同" from someone not registered, or one unit named
            return Reply(text=render("need_unit" if q.query == "mine" and asker.unit is None else "shared_need_two"),
                         intent="need_registration" if q.query == "mine" and asker.unit is None else "ambiguous")
        return info.shared_reply(session, camp, directory, units[:4])
    if q.intent == "goals":
        return info.goals_reply(camp)
    if q.intent == "overview":  # "…比重占比多少能拿满分" is about one indicator, not the whole system
        meant, candidates = info.indicator_meant(session, camp, q.text)
        if no := info.indicator_named(session, camp, q.text) or meant:
            reply = indicator_reply(session, camp, directory, no, asker, today)
            reply.intent = "detail"
            return reply
        if candidates:
            return choose_reply(camp, "您问的是哪一项指标的得分标准?", candidates, intent="detail")
        return info.overview_reply(session, camp)
    if q.intent == "owe":  # "就业贡献度我们要提供什么材料": that indicator's card, with the asker's part
        if not q.units and (no := info.indicator_asked(session, camp, q.text)):
            reply = indicator_reply(session, camp, directory, no, asker, today)
            reply.intent = "detail"
            return reply
        if q.query == "all":
            return info.owe_all_reply(session, camp, directory, today)
        return info.owe_reply(session, camp, directory, q.units[0] if q.units else asker.unit)
    if q.intent == "search":
        from bot.answers_who import national_missing_reply

        if missing := national_missing_reply(session, camp, q.query or q.text, intent="search"):
            return missing
        reply = search_reply(session, camp, q.query or q.text, q.wants)
        if reply.indicators or reply.tasks:
            return reply
        if q.topic:  # "12345热线相关的指标": a topic the documents do not mention
            return Reply(text=render("search", hits=[], query=q.topic), intent="search")
        return Reply(text=render("unknown"), intent="unknown")
    return Reply(text=render("unknown"), intent="unknown")


def unit_lookup_reply(session: Session, camp: Campaign, directory: UnitDirectory, name: str) -> Reply:
    """/unit NAME: the unit, a choice when the name fits several, or suggestions."""
    res = directory.resolve(name)
    if res.unit:
        return unit_reply(session, camp, directory, res.unit)
    if res.how == "ambiguous":
        units = [s.unit for s in res.suggestions]
        return Reply(text=render("choose", prompt=f"“{name}”可能指以下单位,您问的是哪个?"), intent="ambiguous",
                     buttons=[[(u.name, f"u:{camp.id}:{u.id}")] for u in units[:6]], units=[u.name for u in units])
    return unit_not_found(camp, name, res.suggestions, session)


def unit_not_found(camp: Campaign, query: str, suggestions: list, session: Session | None = None) -> Reply:
    """"没有找到" with ranked suggestions as buttons; a body that only appears in the leading group's
    titles ("大数据局": 市大数据管理局 in two members' titles) is named with those members."""
    listed = _in_leading_titles(session, camp, query) if session is not None else []
    return Reply(text=render("unit_not_found", query=query, suggestions=suggestions[:5], listed=listed),
                 intent="unit_not_found",
                 buttons=[[(s.unit.name, f"u:{camp.id}:{s.unit.id}")] for s in suggestions[:5]])
