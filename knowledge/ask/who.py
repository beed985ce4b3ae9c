"""Who answers for a topic: the indicator that names it, or the main tasks whose text does.

Officers ask "直播电商归谁管" as often about the plan's tasks as about the scored indicators; a
topic that only a task names is answered with that task's units, and a national indicator the
city's table leaves out is named as missing rather than matched to the nearest local title.
A topic term the plan uses ("5G建设是谁的任务") is answered with every task and indicator that
holds it (``Hit.topic``), each with its units; when no hit is close (``Hit.close``), the answer
says nothing was found rather than offering the nearest wording.
"""

from __future__ import annotations

from sqlmodel import Session

from knowledge.ask.cards import choose_reply, open_indicator, open_task
from knowledge.duties import all_tasks, indicator_view, task_label
from knowledge.messages import Message
from knowledge.models import Campaign
from knowledge.national import omitted_named, totals
from knowledge.points import json_points
from knowledge.search import Hit, search
from knowledge.units import UnitDirectory, UnitRef, normalize


def who_reply(session: Session, camp: Campaign, directory: UnitDirectory, query: str,
              asked: list[UnitRef] | None = None, wants: str = "both") -> Message:
    """Who is responsible for the indicator named by the words of ``query`` (and whether ``asked`` are);
    for the task that names them when the question asks about tasks ("跨境电商那块任务是哪几个单位的事")."""
    if missing := national_missing_reply(session, camp, query, intent="who"):
        return missing
    hits = search(session=session, campaign=camp, query=query, limit=5, include_tasks=False)
    # tasks that hold the topic, a whole part of the words, or every word ("品牌建设": 品牌与标准建设)
    tasks = [h for h in search(session=session, campaign=camp, query=query, limit=3, tasks_only=True)
             if h.phrase or h.topic or h.coverage >= 0.99]
    # Only a task names the topic outright (no indicator title does, nor covers it better).
    if tasks and (wants == "tasks" or not any(h.phrase == "title" for h in hits) and
                  max(h.coverage for h in tasks) >= max((h.coverage for h in hits), default=0)):
        # beside them, the indicators that hold the topic, or whose title holds the term the tasks
        # were found by ("品牌商标": 任务 品牌与标准建设, and 指标 支持品牌建设)
        return task_who_reply(session, camp, directory, query, tasks,
                              [h for h in hits if h.phrase or h.topic or
                               (h.rare and any(t.term and t.term in h.title for t in tasks))])
    if not any(h.close for h in hits):
        # Words the plan uses only here and there ("互联网医院" in a city whose plan never mentions
        # 医院) are not an answer; a description that clearly fits one indicator better than the
        # rest is offered as a choice, never asserted.
        if hits and hits[0].coverage >= 0.5 and (len(hits) == 1 or hits[0].score >= hits[1].score * 1.5):
            return choose_reply(camp, "您问的是哪一项指标?", hits[:3], intent="who", session=session)
        return Message("search", dict(hits=[], query=query.strip()), intent="who")
    words = normalize(query)
    exact = [h for h in hits if normalize(h.title) == words]
    top = exact[0] if exact else hits[0]
    clear = bool(exact) or len(hits) == 1 or top.score >= hits[1].score * 1.5
    hits = [top] + [h for h in hits if h is not top]
    view = indicator_view(session=session, campaign=camp, directory=directory, no=top.no)
    assert view is not None
    same: list = []
    if not clear:
        # "网上零售额增速谁负责": 1 and 2 both fit, but when they have the same units that is the answer
        close = [h for h in hits[1:3] if h.score * 1.5 > top.score]
        views = [indicator_view(session=session, campaign=camp, directory=directory, no=h.no) for h in close]
        if not views or any(_roles(v) != _roles(view) for v in views):
            return choose_reply(camp, "您问的是哪一项指标?", hits, intent="who", session=session)
        first, *same = sorted([top, *close], key=lambda h: h.no)  # answered together, in the table's order
        view = view if first is top else views[close.index(first)] or view
        top = first
    return _indicator_who(camp, directory, view, top, same, hits, _task_rows(session, camp, tasks), asked,
                          topic=not exact and not _names_title(words, top))


def who_each_reply(session: Session, camp: Campaign, directory: UnitDirectory, nos: list[int]) -> Message:
    """"税收贡献度和快递增速这两条分别找谁": each named indicator on one line with its units."""
    views = [v for no in nos if (v := indicator_view(session=session, campaign=camp, directory=directory, no=no))]
    rows = [dict(i=v.indicator, units=_roles(v)) for v in views]
    return Message("who_each", dict(rows=rows), intent="who",
                   units=list(dict.fromkeys(name for v in views for name, _ in _roles(v))),
                   indicators=[{"no": v.indicator.no, "title": v.indicator.title,
                                "points": json_points(v.indicator.points)} for v in views],
                   actions=[[open_indicator(camp, v.indicator.no, f"第{v.indicator.no}项") for v in views[:6]]])


def _indicator_who(camp: Campaign, directory: UnitDirectory, view, top: Hit, same: list[Hit],  # noqa: ANN001
                   hits: list[Hit], task_rows: list[dict], asked: list[UnitRef] | None, *, topic: bool) -> Message:
    """The indicator's units; the next hits, and every other indicator holding the topic, with theirs;
    the tasks whose text names the topic too. When the words are a topic rather than one whole title
    (``topic``), the indicators holding it are part of the answer's facts, not only of its text."""
    verdicts = [(u.name, view.role_of(directory, u.id)) for u in asked or []]
    others = [h for h in hits[1:] if h not in same and h is not top and (h in hits[1:3] or h.topic)]
    data = dict(i=view.indicator, units=view.units, others=others, verdicts=verdicts, same=same, tasks=task_rows)
    return Message("who", data, intent="who", units=[r.unit.name for r in view.units],
                   indicators=[{"no": top.no, "title": top.title, "points": json_points(view.indicator.points)}]
                   + [{"no": h.no, "title": h.title} for h in same]
                   + [{"no": h.no, "title": h.title} for h in others if topic and h.topic and h.kind == "indicator"],
                   tasks=[{"no": r["no"], "label": r["label"], "title": r["title"]} for r in task_rows],
                   actions=[[open_indicator(camp, top.no, "打分标准")]])


def _names_title(words: str, hit: Hit) -> bool:
    """"特色网络市场产业那条指标": the words are (nearly) the whole title of one indicator, not a topic."""
    title = normalize(hit.title)
    return hit.phrase == "title" and hit.coverage >= 0.99 and len(words) >= 0.8 * len(title)


def _roles(view) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(r.unit.name, r.role) for r in view.units]


def _task_rows(session: Session, camp: Campaign, tasks: list[Hit]) -> list[dict]:
    """Main tasks as rows with their units (the numbers the search found)."""
    if not tasks:
        return []
    wanted = {h.no for h in tasks}
    labels = {t.seq: task_label(t, camp) for t in all_tasks(session=session, campaign=camp) if t.seq in wanted}
    return [{"no": h.no, "label": labels[h.no], "title": h.title, "units": list(h.units)} for h in tasks]


def national_missing_reply(session: Session, camp: Campaign, query: str, *, intent: str) -> Message | None:
    """A national indicator the city's table leaves out, named by ``query``: say so plainly."""
    nat = omitted_named(session=session, campaign=camp, query=query)
    if nat is None:
        return None
    table_total = totals(session=session, campaign=camp)["table_total"]
    return Message("national_missing", dict(city=camp.city, nat=nat, table_total=table_total), intent=intent)


def task_who_reply(session: Session, camp: Campaign, directory: UnitDirectory, query: str, tasks: list[Hit],
                   indicators: list[Hit]) -> Message:
    """The main tasks whose text names the topic, with their units; indicators that mention it too."""
    rows = _task_rows(session, camp, tasks)
    # "“直播电商”写在…" only when every task writes the words asked; else the term they all hold ("5G").
    terms = {h.term for h in tasks}
    term = "" if all(h.phrase for h in tasks) else terms.pop() if len(terms) == 1 and "" not in terms else "?"
    return Message("who_task", dict(topic=query.strip(), term=term, tasks=rows, indicators=indicators), intent="who",
                   units=list(dict.fromkeys(u for r in rows for u in r["units"])),
                 tasks=[{"no": r["no"], "label": r["label"], "title": r["title"]} for r in rows],
                 indicators=[{"no": h.no, "title": h.title} for h in indicators],
                   actions=[[open_task(camp, r["no"], f"任务{r['label']}") for r in rows]])
