"""主要任务: sections ``（一）…``, items ``1. 标题。正文（责任单位：…）``, lines joined back.

The unit clause is the one the plan ends a task with: ``（责任单位：…）``, ``（…按职责分工负责）``
or a last sentence ``…按职责分工负责。``; ``牵头``/``配合`` become roles. A sentence ``以下内容均需
…落实`` names units every task has (``campaign.all_tasks_units``).
"""

from __future__ import annotations

import re

from knowledge.draft.sections import BOLD, SUB, Plan, clean, paragraphs, section
from knowledge.draft.units import split_units, unit_like

ITEM = re.compile(r"^\s*(\d{1,2})\s*[.．、]\s*(.*)$")
LABELLED = re.compile(r"(责任单位|责任部门|牵头单位|主责单位)\s*[:：]")


def read_tasks(plan: Plan) -> tuple[list[dict], dict | None]:
    lines = section(plan.lines, ("主要任务", "重点任务", "工作任务"))
    if lines is None:
        plan.missing.append("主要任务")
        return [], None
    raw: list[tuple[str, str, str]] = []  # (section, no, text)
    current = ""
    for para in paragraphs(lines):
        m_sub, m_item = SUB.match(para), ITEM.match(para)
        if m_sub and not m_item:
            current = para.strip()
        elif m_item:
            raw.append((current, m_item.group(1), m_item.group(2)))
        elif raw:
            s, no, text = raw[-1]
            raw[-1] = (s, no, text + para)
    if not raw:
        plan.missing.append("主要任务(找到了章节,但未能识别编号条目)")
    tasks, all_units = [], None
    bold = []
    for seq, (sec, no, text) in enumerate(raw, 1):
        if BOLD.search(text):
            bold.append(seq)
        text = clean(text)
        m_all = re.search(r"以下(?:内容|任务)均需(.+?)落实[^。]*。?", text)
        if m_all and all_units is None:
            units, _ = split_units(m_all.group(1))
            all_units = {"text": m_all.group(0).rstrip("。"), "units": units}
            text = text.replace(m_all.group(0), "")
        title, _, body = text.partition("。")
        clause, units_text, body = _unit_clause(body)
        task = {"no": int(no), "seq": seq, "section": sec, "title": title.strip(), "text": body.strip()}
        if clause is None:
            task.update({"units": [], "units_not_stated": True, "units_text": ""})
            plan.missing.append(f"主要任务第{seq}项的责任单位")
        else:
            units, roles, is_open = _units_and_roles(clause)
            task.update({"units": units, "units_text": units_text})
            if is_open:
                task["units_open"] = True
            if roles:
                task["roles"] = roles
        tasks.append(task)
    if bold:
        plan.correct(f"tasks {','.join(map(str, bold))} title", "**标题。** (Markdown 粗体标记)",
                     "去掉 ** 标记", "网页转文本时残留的 Markdown 粗体标记,不属于原文文字")
    return tasks, all_units


def _unit_clause(body: str) -> tuple[str | None, str, str]:
    """(clause without brackets and labels, clause as written, the text without it)."""
    text = body.rstrip()
    if text.endswith(("）", ")")):
        depth, i = 0, len(text) - 1
        while i >= 0:
            if text[i] in ")）":
                depth += 1
            elif text[i] in "(（":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        inner = text[i + 1:-1]
        if i >= 0 and (LABELLED.search(inner) or re.search(r"负责$", inner)):
            return inner, text[i:], text[:i].rstrip()
    m = re.search(r"(?:^|(?<=[。；]))([^。；]+?)(?:按职责分工|分别)?负责。?$", text)
    if m:
        units, _ = split_units(m.group(1))
        if units and all(unit_like(u) for u in units):
            return m.group(0).rstrip("。") , m.group(0), text[:m.start()].rstrip()
    return None, "", text


def _units_and_roles(clause: str) -> tuple[list[str], dict | None, bool]:
    clause = re.sub(r"(等)?(按职责分工|分别)?负责$", lambda m: m.group(1) or "", clause.strip())
    roles: dict[str, str] = {}
    units: list[str] = []
    is_open = False
    parts = re.split(r"[；;]", clause)
    for part in parts:
        label = LABELLED.search(part) or re.search(r"(配合单位|协办单位)\s*[:：]", part)
        role = None
        if label:
            role = "配合" if label.group(1) in ("配合单位", "协办单位") else (
                "牵头" if label.group(1) in ("牵头单位", "主责单位") else None)
            part = part[label.end():]
        found, opened = split_units(part)
        is_open |= opened
        for u in found:
            r = role
            if u.endswith("牵头") and len(u) > 3:
                u, r = u[:-2], "牵头"
            elif u.endswith("配合") and len(u) > 3:
                u, r = u[:-2], "配合"
            units.append(u)
            if r:
                roles[u] = r
    return units, (roles or None), is_open
