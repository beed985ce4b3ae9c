"""What a "when" question reads: the phases of the plan (实施步骤) with where today falls, and the
default date by which evidence is due (``knowledge.ask.cards.phase_reply`` composes the answer).

The document sets no date for evidence: the bot takes the end of the phase in which evidence is
gathered (``knowledge.timeline.evidence_phase``), and every reply that shows it says so.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from knowledge.models import Campaign, Phase
from knowledge.timeline import dues_and_phase


def timeline(session: Session, camp: Campaign, today: date, asked: str = "", words: str = "",
             month: int | None = None) -> dict:
    """The phases as rows with their state today, the phase ``asked`` names (by its name, or by
    ``words`` its text shares), the one under way and the next one, when the last ended, and the
    default due date of evidence (the end of the evidence phase) with how many indicators keep it."""
    phases = list(session.exec(select(Phase).where(Phase.campaign_id == camp.id).order_by(Phase.no)))
    rows = [_row(p, today) for p in phases]
    # "8月份要做什么": the phases whose span holds that month, in whichever year of the plan
    in_month = [r for p, r in zip(phases, rows, strict=True) if month and _holds(p.start, p.end, month)]
    named = in_month if month else [r for r in rows if r["name"] in asked or r["name"][-2:] in asked] \
        or _phase_by_text(rows, words)
    dues, gather = dues_and_phase(session, camp)  # "材料最晚啥时候交": the default due date of every indicator
    overrides = sum(1 for d in dues.values() if d.source == "office")
    return dict(city=camp.city, phases=rows, goal_period=camp.goal_period, month=month, in_month=in_month,
                ended=rows[-1]["end"] if phases and today > phases[-1].end else "",
                asked=named[0] if len(named) == 1 else None,  # "总结提升什么时候开始": that phase first
                current=next((r for r in rows if r["state"] == "进行中"), None),
                upcoming=next((r for r in rows if r["state"] == "未开始"), None),
                gather=gather, overrides=overrides, defaulted=len(dues) - overrides,
                gather_past=bool(gather and gather.end < today),
                gather_by_office=bool(gather and gather.source == "office"))


def _row(p: Phase, today: date) -> dict:
    state = "进行中" if p.start <= today <= p.end else "已结束" if p.end < today else "未开始"
    return {"no": p.no, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(), "text": p.text,
            "state": state, "months": _months(p.start, p.end),
            # the document's own wording of a period the store had to repair ("20236-12月")
            "written": p.period_as_written if p.source == "document" else ""}


def _phase_by_text(rows: list[dict], words: str) -> list[dict]:
    """"自评报告哪个阶段交": the one phase whose text shares clearly the most words with the question."""
    grams = {w[i:i + 2] for w in words.split() for i in range(len(w) - 1)}
    scored = sorted(((sum(g in r["text"] for g in grams), r["no"], r) for r in rows), key=lambda x: -x[0])
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return [scored[0][2]]
    return []


def _months(start: date, end: date) -> str:
    """"2023年5-6月": a period of whole months as an officer writes it ("" when it is not whole months)."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return ""
    if start.year != end.year:
        return f"{start.year}年{start.month}月-{end.year}年{end.month}月"
    return f"{start.year}年{start.month}月" if start.month == end.month else f"{start.year}年{start.month}-{end.month}月"


def _holds(start: date, end: date, month: int) -> bool:
    """Whether the span from ``start`` to ``end`` holds (a day of) ``month`` in any of its years."""
    return any(date(y, month, 1) <= end and start < (date(y + month // 12, month % 12 + 1, 1))
               for y in range(start.year, end.year + 1))
