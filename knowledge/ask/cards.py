"""The cards officers open most: a unit's duties, an indicator, a task, a search, the phases.

Each returns a ``Message`` (template, data, buttons as ``Action``s, and the facts behind the
text), so every face renders the same card and ``liaison-bot ask --json`` prints its facts.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from knowledge.ask import phases
from knowledge.ask.question import Asker
from knowledge.duties import (
    Responsible,
    UnitDuties,
    all_indicators,
    all_tasks,
    indicator_numbers,
    indicator_view,
    leading_group,
    task_label,
    task_links,
    unit_duties,
)
from knowledge.messages import Action, ActionKind, Actions, Message
from knowledge.models import Campaign, Indicator, IndicatorItem, Task, Unit
from knowledge.points import json_points
from knowledge.search import search
from knowledge.timeline import due_of, dues_and_phase
from knowledge.units import UnitDirectory, UnitRef


def unit_reply(session: Session, camp: Campaign, directory: UnitDirectory, unit: UnitRef,
               tasks_first: bool = False, today: date | None = None, *, partners: bool = False) -> Message:
    """A unit's indicators (牵头/配合/成员) and tasks (first, when the question asked for tasks),
    when its evidence is due (whether that date has passed, when ``today`` is given); ``partners``:
    the question asks who shares the work ("跟谁一起"), so each row it is named on says who else is."""
    d = unit_duties(session=session, campaign=camp, directory=directory, unit_id=unit.id)
    members = directory.expand(unit.id) if unit.is_group else []
    # A group's own card says on what basis it has its members; a unit's card names the groups it
    # answers through in one line, with buttons to their cards (where each basis is).
    known = _group_bases(session, camp)
    via = [g for g in dict.fromkeys(x.via for x in d.indicators + d.tasks if x.via) if g in known and g != unit.name]
    by_name = {u.name: u for u in directory.units.values()}
    guessed = [g for g in via if re.search(r"未.{0,2}列出", known[g])]  # the bases say when the document lists none
    data = dict(duties=d, city=camp.city, members=members, basis=known.get(unit.name, "") if unit.is_group else "",
                via=via, guessed=guessed, dues=_dues_of(session, camp, [x.no for x in d.indicators], today),
                asked="", task_texts=(texts := _task_texts(session, camp, d)),
                tasks_first=tasks_first or bool(texts),  # its tasks are all it is named for: them first
                people=[m for m in leading_group(session, camp)[0] if m.unit_id == unit.id],
                partners=_partners(session, camp, directory, unit, d) if partners else {})
    buttons = [open_unit(camp, by_name[g]) for g in via if g in by_name]
    return Message(
        "unit_duties", data, intent="unit", units=[unit.name],
        # what the document names the unit for; the rows it reaches only as a group's member
        # ("各成员单位") are told by number in the text, as the writers of every independent set read them
        indicators=[{"no": x.no, "title": x.title, "points": json_points(x.points), "role": x.role}
                    for x in d.indicators if not x.via],
        tasks=[{"no": t.no, "label": t.label, "title": t.title, "role": t.role} for t in d.tasks],
        actions=[buttons] if buttons else [])


def _partners(session: Session, camp: Campaign, directory: UnitDirectory, unit: UnitRef,
              d: UnitDuties) -> dict[str, list[str]]:
    """The other units named on each row ``unit`` is itself named on: "task:1", "indicator:29" →
    their names as the document lists them."""
    out: dict[str, list[str]] = {}
    seqs = {t.seq: t.id for t in all_tasks(session=session, campaign=camp)}
    for t in d.tasks:
        if not t.via and t.no in seqs:
            links = task_links(session=session, campaign=camp, task_id=seqs[t.no])
            out[f"task:{t.no}"] = [written for written, uid, _ in links if uid != unit.id]
    for x in d.indicators:
        if not x.via and (view := indicator_view(session=session, campaign=camp, directory=directory, no=x.no)):
            out[f"indicator:{x.no}"] = [r.unit.name for r in view.units if r.unit.id != unit.id]
    return out


def _task_texts(session: Session, camp: Campaign, d: UnitDuties) -> dict[int, str]:
    """What a unit named for a few tasks and no indicator must do, in the tasks' own words
    ("卫健委要干啥": 互联网医院建设…); a unit with a longer list gets the titles only."""
    direct = [t for t in d.tasks if not t.via]
    if d.lead or d.support or not direct or len(direct) > 2:
        return {}
    texts = {t.seq: t.text for t in all_tasks(session=session, campaign=camp)}
    return {t.no: texts.get(t.no, "") for t in direct}


def _dues_of(session: Session, camp: Campaign, nos: list[int], today: date | None = None) -> list[dict]:
    """When the unit's evidence is due, one row per date: "2023-12-31(推定:…“全面推进”阶段结束日):第1、2项"."""
    if not nos:
        return []
    dues, phase = dues_and_phase(session, camp)
    rows: dict[tuple, dict] = {}
    for no in nos:
        if (due := dues.get(no)) is None:
            continue
        key = (due.due, due.source)
        inferred = bool(phase and due.source == "phase")
        rows.setdefault(key, {"date": due.due.isoformat(), "office": due.source == "office",
                              "phase": phase.name if inferred else "",
                              "by_office": inferred and phase.source == "office",
                              "past": bool(today and due.due < today), "nos": []})["nos"].append(no)
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
                    asker: Asker, today: date | None = None) -> Message:
    """Everything about one indicator, when its evidence is due, and what the asker's unit must do."""
    view = indicator_view(session=session, campaign=camp, directory=directory, no=no)
    if view is None:
        nos = indicator_numbers(session=session, campaign=camp)
        return Message("out_of_range", dict(city=camp.city, count=len(nos), first=nos[0], last=nos[-1],
                                            no=no, what="indicator"), intent="out_of_range")
    mine = view.role_of(directory, asker.unit.id) if asker.unit else None
    due = due_of(session, camp, no)
    ind = view.indicator
    data = dict(view=view, mine=mine, mine_unit=asker.unit.name if asker.unit else None, asked="",
                city=camp.city, region=camp.region, items=items_beyond_rule(ind.rule, view.items),
                due=due[0] if due else None, due_phase=due[1] if due else "",
                by_office=bool(due and due[2]), past=bool(due and today and due[0].due < today))
    return Message(
        "indicator", data, intent="indicator", units=[r.unit.name for r in view.units],
        indicators=[{"no": ind.no, "title": ind.title, "points": json_points(ind.points),
                     "role": mine.role if mine else None, "due": due[0].due.isoformat() if due else None}],
        actions=_unit_buttons(camp, view.units))


def items_beyond_rule(rule: str, items: list[IndicatorItem]) -> list[IndicatorItem]:
    """The scoring items the rule text does not already state, text and points: those are listed
    under it as 评分项. The tables spell each item out inside the rule ("1.…;(1分)"), so a card
    that printed both would give every scoring rule twice."""
    flat = _flat(rule)
    beyond = []
    for item in items:
        text = re.sub(r"[。;,.]+$", "", _flat(item.text))  # NFKC has made ;, half-width
        at = flat.find(text) if text else -1
        points = f"({_points(item.points)}分)" if item.points is not None else ""
        if at < 0 or points not in flat[at + len(text):at + len(text) + len(points) + 2]:
            beyond.append(item)
    return beyond


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _points(value: Decimal) -> str:
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def _unit_buttons(camp: Campaign, units: list[Responsible]) -> Actions:
    row = [open_unit(camp, r.unit) for r in units[:6]]
    return [row[i:i + 3] for i in range(0, len(row), 3)]


def open_unit(camp: Campaign, unit: UnitRef) -> Action:
    """The button that opens a unit's card."""
    return Action(unit.name, ActionKind.OPEN_UNIT, (camp.id or 0, unit.id))


def open_indicator(camp: Campaign, no: int, label: str) -> Action:
    """The button that opens indicator ``no``'s card."""
    return Action(label, ActionKind.OPEN_INDICATOR, (camp.id or 0, no))


def open_task(camp: Campaign, seq: int, label: str) -> Action:
    """The button that opens main task ``seq``."""
    return Action(label, ActionKind.OPEN_TASK, (camp.id or 0, seq))


def more_button(camp: Campaign, what: str, label: str) -> Action:
    """The button under a short reply that shows the whole of it (``messages.MORE_WHAT``)."""
    return Action(label, ActionKind.MORE, (camp.id or 0, what))


def task_reply(session: Session, camp: Campaign, directory: UnitDirectory, seq: int) -> Message:
    """One main task: its text and units."""
    tasks = all_tasks(session=session, campaign=camp)
    task = next((t for t in tasks if t.seq == seq), None)
    if task is None:
        return Message("out_of_range", dict(city=camp.city, count=len(tasks), first=1,
                                            last=len(tasks), no=seq, what="task"), intent="out_of_range")
    units = [Responsible(written, directory.units[unit_id], role)
             for written, unit_id, role in task_links(session=session, campaign=camp, task_id=task.id)]
    spec = (camp.extra or {}).get("all_tasks_units") or {}
    implicit = spec.get("text", "") if seq != tasks[0].seq else ""
    data = dict(task=task, label=task_label(task, camp), units=units, implicit=implicit)
    return Message("task", data, intent="task", units=[r.unit.name for r in units],
                 tasks=[{"no": task.seq, "label": task_label(task, camp), "title": task.title}])


def _in_leading_titles(session: Session, camp: Campaign, query: str) -> list:
    """Leading-group members whose title names the body ``query`` names ("大数据局" → 大数据管理局)."""
    core = re.sub(rf"^({re.escape(camp.city)}|市)|(管理局|局|委员会|委|办公室|办|中心)$", "", query.strip())
    if len(core) < 2:
        return []
    members, _ = leading_group(session, camp)
    return [m for m in members if core in (m.title or "")]


def normalize_brackets(text: str) -> str:
    """'（二）' and '(二)' compare equal."""
    return text.strip().replace("（", "(").replace("）", ")")


def tasks_by_label(session: Session, camp: Campaign, number: int) -> list[Task]:
    """Tasks a bare number may mean: Hejin numbers through, Yancheng restarts per section."""
    tasks = all_tasks(session=session, campaign=camp)
    if all(t.no == t.seq for t in tasks):
        return [t for t in tasks if t.seq == number]
    by_label = [t for t in tasks if t.no == number]
    return by_label or [t for t in tasks if t.seq == number]


def search_reply(session: Session, camp: Campaign, query: str, wants: str = "both", *,
                 sources: bool = False) -> Message:
    """Indicators and tasks about a topic (only tasks when the question asks for tasks), each with its
    units and whether it is close to the question (``Hit.close``), with buttons. ``sources``: the
    question asks where the data come from ("网上零售额增速那个 数据从哪来"), so each indicator found
    shows its 数据或资料来源 — when two indicators share the words, the officer reads both sources."""
    hits = search(session=session, campaign=camp, query=query, limit=8, tasks_only=wants == "tasks",
                  tasks_may_lead=wants != "indicators")
    tasks = {t.seq: t for t in all_tasks(session=session, campaign=camp)}
    shown = [{"kind": h.kind, "no": h.no, "title": h.title, "snippet": h.snippet, "units": list(h.units),
              "close": h.close, "score": h.score, "coverage": h.coverage, "sources": [], "label": task_label(tasks[h.no], camp) if h.kind == "task" else str(h.no)}
             for h in hits]
    if sources:
        found = {i.no: i.sources for i in all_indicators(session=session, campaign=camp)}
        for h in shown:
            h["sources"] = list(found.get(h["no"]) or []) if h["kind"] == "indicator" else []
    buttons = [[open_indicator(camp, h["no"], f"指标{h['label']}") if h["kind"] == "indicator"
                else open_task(camp, h["no"], f"任务{h['label']}") for h in shown[i:i + 4]]
               for i in range(0, len(shown), 4)]
    return Message("search", dict(hits=shown, query=query.strip()), intent="search", actions=buttons,
                   indicators=[{"no": h["no"], "title": h["title"]} for h in shown if h["kind"] == "indicator"],
                   tasks=[{"no": h["no"], "label": h["label"], "title": h["title"]} for h in shown if h["kind"] == "task"])


def phase_reply(session: Session, camp: Campaign, today: date, asked: str = "", words: str = "", *,
                full: bool = False, month: int | None = None) -> Message:
    """The phase ``asked`` names (by its name, or by ``words`` its text shares), else the one under
    way, the next one, or that all have ended, and the default due date of evidence, with a
    button for the whole timetable; ``full``: the whole timetable (what that button shows)."""
    data = phases.timeline(session, camp, today, asked, words, month)
    focus = data["asked"] or data["current"] or (data["phases"][-1] if data["ended"] else None)
    phase = {k: focus[k] for k in ("name", "start", "end")} if focus else None
    if full or not data["phases"]:  # Hejin sets no dates: its one line is the whole answer
        return Message("phases", data, intent="phase", phase=phase)
    reply = Message("phases_brief", data, intent="phase", phase=phase,
                    actions=[[more_button(camp, "phases", "查看完整时间表")]])
    if data["asked"] is None and data["gather"] is not None and data["defaulted"]:
        reply.answered_from = "inferred"  # no phase named: the deadline it gives is the bot's inference
    return reply


def choose_reply(camp: Campaign, prompt: str, hits: list, *, intent: str, session: Session | None = None) -> Message:
    """Ask back with choices instead of guessing; each choice is listed with its points, so a
    "几分" question about indicators that differ only in wording is answered while it asks back."""
    hits = hits[:5]
    buttons = [[open_indicator(camp, h.no, f"第{h.no}项 {h.title[:14]}")] for h in hits]
    points = {} if session is None else dict(session.exec(
        select(Indicator.no, Indicator.points).where(Indicator.campaign_id == camp.id,
                                                     Indicator.no.in_([h.no for h in hits]))).all())
    choices = [{"no": h.no, "title": h.title, "points": points.get(h.no)} for h in hits]
    return Message("choose", dict(prompt=prompt, choices=choices), intent="ambiguous", actions=buttons,
                   indicators=[{"no": h.no, "title": h.title} for h in hits])


def unit_lookup_reply(session: Session, camp: Campaign, directory: UnitDirectory, name: str) -> Message:
    """/unit NAME: the unit, a choice when the name fits several, or suggestions."""
    res = directory.resolve(name)
    if res.unit:
        return unit_reply(session, camp, directory, res.unit)
    if res.how == "ambiguous":
        units = [s.unit for s in res.suggestions]
        return Message("choose", dict(prompt=f"“{name}”可能指以下单位,您问的是哪个?"), intent="ambiguous",
                       actions=[[open_unit(camp, u)] for u in units[:6]], units=[u.name for u in units])
    return unit_not_found(camp, name, res.suggestions, session)


def unit_not_found(camp: Campaign, query: str, suggestions: list, session: Session | None = None) -> Message:
    """"没有找到" with ranked suggestions as buttons; a body that only appears in the leading group's
    titles ("大数据局": 市大数据管理局 in two members' titles) is named with those members."""
    listed = _in_leading_titles(session, camp, query) if session is not None else []
    # no unit like it and no member's title naming it: the document does not speak of that body
    absent = not listed and not suggestions
    return Message("unit_not_found", dict(query=query, suggestions=suggestions[:5], listed=listed, absent=absent,
                                          city=camp.city),
                   intent="unit_not_found", actions=[[open_unit(camp, s.unit)] for s in suggestions[:5]],
                   answered_from="not_in_document" if absent else "document")
