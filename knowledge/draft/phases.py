"""实施步骤: ``（一）动员部署。2023年5-6月,…`` with the period read into dates.

A period whose 年 was lost (``20235-6月``) has one reading (the year is four digits) and
becomes that reading plus a correction; a period that cannot be read is a TODO.
"""

from __future__ import annotations

import datetime as dt
import re

from knowledge.draft.sections import SUB, Plan, month_end, paragraphs, section

DASH = r"\s*[-—–~～至到]\s*"
NORMAL = re.compile(rf"^(\d{{4}})\s*年\s*(\d{{1,2}})\s*月?{DASH}(?:(\d{{4}})\s*年\s*)?(\d{{1,2}})\s*月(?:底|末)?")
LOST_YEAR = re.compile(rf"^(\d{{4}})(\d{{1,2}})\s*月?{DASH}(\d{{1,2}})\s*月")
ONE_MONTH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末)?(?![\d-])")


def read_phases(plan: Plan) -> list[dict]:
    lines = section(plan.lines, ("实施步骤", "工作步骤", "进度安排", "时间安排", "实施阶段"))
    if lines is None:
        plan.missing.append("实施步骤(本文未写,phases: [])")
        return []
    out = []
    for para in paragraphs(lines):
        m = SUB.match(para)
        if not m:
            if out:
                out[-1]["text"] += para
            continue
        split = re.match(r"^(.{1,12}?)[。.:：]\s*(.*)$", m.group(2))
        name, rest = (split.group(1), split.group(2).strip()) if split else (m.group(2), "")
        no = len(out) + 1
        start, end, period, text = _period(plan, no, rest)
        out.append({"no": no, "name": name.strip(), "start": start, "end": end,
                    "period_as_written": period, "text": text})
    for ph in out:
        ph["text"] = ph["text"].strip()
    return out


def _period(plan: Plan, no: int, rest: str) -> tuple[str, str, str, str]:
    m = NORMAL.match(rest)
    if m:
        y1, m1, y2, m2 = int(m.group(1)), int(m.group(2)), int(m.group(3) or m.group(1)), int(m.group(4))
        dates = _dates(y1, m1, y2, m2)
        if dates:
            return (*dates, m.group(0), _after(rest, m.end()))
    m = LOST_YEAR.match(rest)
    if m:
        y, m1, m2 = int(m.group(1)), int(m.group(2)), int(m.group(3))
        dates = _dates(y, m1, y, m2)
        if dates:
            plan.correct(f"phase {no} period", m.group(0), f"{y}年{m1}-{m2}月({dates[0]} 至 {dates[1]})",
                         "丢失“年”字;年份为前四位数字,只有这一种读法")
            return (*dates, m.group(0), _after(rest, m.end()))
    m = ONE_MONTH.match(rest)
    if m:
        dates = _dates(int(m.group(1)), int(m.group(2)), int(m.group(1)), int(m.group(2)))
        if dates:
            return (*dates, m.group(0), _after(rest, m.end()))
    head = re.split(r"[,，。]", rest)[0][:20]
    plan.missing.append(f"实施步骤第{no}阶段的日期")
    todo = f"TODO: 原文“{head}”未能识别日期"
    return todo, todo, head, rest


def _dates(y1: int, m1: int, y2: int, m2: int) -> tuple[str, str] | None:
    try:
        start, end = dt.date(y1, m1, 1), month_end(y2, m2)
    except ValueError:
        return None
    return (start.isoformat(), end.isoformat()) if start <= end else None


def _after(rest: str, i: int) -> str:
    return rest[i:].lstrip(",，:：。 ")
