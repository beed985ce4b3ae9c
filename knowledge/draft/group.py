"""The 领导小组 list (``组 长:王 云 市长`` …) and the office, liaison and change rules.

A member line is: an optional role label (组长 / 副组长 / 成员, letters spread by spaces or
tabs), the name (a two-character name may be written ``王 云``), then the post. The post is
split into the unit and the title; a post naming several units (``市口岸办副主任、市商务局党委
委员``) takes the unit the document gives duties to, and keeps the whole post as the title.
A one-character name has lost its surname: it is completed only when the text names the
person in full (``顾硕同志``), else it stays as written with a TODO note.
"""

from __future__ import annotations

import re

from knowledge.draft.sections import Plan
from knowledge.draft.units import UNIT_END, split_units, unit_like

ROLE = re.compile(r"^\s*(副[\s\u3000]*组[\s\u3000]*长|组[\s\u3000]*长|成[\s\u3000]*员)[\s\u3000]*[:：]\s*")
POST = re.compile(
    r"^(?:(?:党委|党组|理事会|常务|副|总|二级|三级|四级|一级|高级|专职|兼职)*"
    r"(?:局长|主任|部长|书记|行长|处长|市长|县长|区长|秘书长|主席|会长|理事长|社长|站长|所长|院长|队长|关长|"
    r"委员|成员|调研员|会计师|农艺师|经济师|工程师|主办|经理|董事长|政委|科长|组长|负责人|支队长)"
    r"(?:[(（][^)）]*[)）])?)(?:、(?:(?:党委|党组|理事会|常务|副|总|二级|三级|四级|一级|高级)*"
    r"(?:局长|主任|部长|书记|行长|处长|秘书长|委员|成员|调研员|会计师|农艺师|主办|经理|科长)(?:[(（][^)）]*[)）])?))*$")
GOVERNMENT = re.compile(r"^(市|县|区)?(人民)?政府$")


def read_leading_group(plan: Plan, duty_forms: set[str]) -> tuple[list[dict], int | None]:
    """Members in document order, and the line index after the list (where the office text is)."""
    lines = plan.lines
    start = next((i for i, ln in enumerate(lines) if ROLE.match(ln) and "副" not in ln.split("长")[0]
                  and re.sub(r"\s", "", ROLE.match(ln).group(1)) == "组长"), None)
    if start is None:
        plan.missing.append("领导小组名单")
        return [], None
    members: list[dict] = []
    role = "组长"
    i = start
    while i < len(lines):
        ln = lines[i]
        i += 1
        if not ln.strip():
            continue
        m = ROLE.match(ln)
        if m:
            role = re.sub(r"\s", "", m.group(1))
            ln = ln[m.end():]
        elif (re.search(r"[，。,]", ln) or len(ln.strip()) > 45) and not _units_only(role, ln):
            i -= 1
            break
        listed = _units_only(role, ln)
        if listed:
            members += listed
            continue
        member = _member(plan, role, ln, duty_forms)
        if member is None:
            i -= 1
            break
        members.append(member)
    for n, mem in enumerate(members, 1):
        if len(mem["name"]) == 1:
            full = re.search(rf"([\u4e00-\u9fff]){mem['name']}同志", plan.text)
            if full:
                mem["name"] = full.group(1) + mem["name"]
                mem["note"] = f"姓氏缺失,据原文“{full.group(0)}”补全"
                plan.correct(f"leading_group {n}", mem["name_as_written"], mem["name"],
                             f"姓氏丢失;原文另写“{full.group(0)}”")
            else:
                mem["note"] = "TODO: 姓氏缺失,原文无从恢复,请按实际补全 name"
                plan.missing.append(f"领导小组第{n}位成员的姓氏")
    return members, i


HEADS = re.compile(r"(等)?(单位|部门)?(的)?(主要负责同志|主要负责人|分管负责同志|分管负责人|负责同志|负责人)$")


def _units_only(role: str, line: str) -> list[dict]:
    """``成员:市发改委、市财政局……主要负责同志``: members named by their unit only."""
    text = line.strip().rstrip("。;；")
    head = HEADS.search(text)
    if not head or "、" not in text:
        return []
    units, _ = split_units(text[:head.start()])
    if not units or not all(unit_like(u) for u in units):
        return []
    post = head.group(4)
    return [{"role": role, "name": "", "name_as_written": "", "position": post, "unit": u,
             "note": "原文只列单位,未列姓名"} for u in units]


def _member(plan: Plan, role: str, line: str, duty_forms: set[str]) -> dict | None:
    tokens = [t for t in re.split(r"[\s\u3000]+", line.strip()) if t]
    if len(tokens) < 2:
        return None
    post = tokens[-1]
    name_tokens = tokens[:-1]
    name = "".join(name_tokens)
    if len(name) > 4:
        return None
    unit, position = split_post(post, duty_forms)
    return {"role": role, "name": name, "name_as_written": " ".join(name_tokens), "position": position,
            "unit": unit}


def split_post(post: str, duty_forms: set[str]) -> tuple[str | None, str]:
    """``市教育局局长`` -> (市教育局, 局长); ``市政府副市长`` -> (None, 市政府副市长)."""
    parts = [p for p in re.split(r"、", post) if p]
    found: list[tuple[str, str]] = []
    for part in parts:
        for i in range(2, len(part)):
            head, tail = part[:i], part[i:]
            if UNIT_END.search(head) and POST.match(tail):
                found.append((head, tail))
                break
    if not found:
        return None, post
    if len(found) == 1 and post.startswith(found[0][0]):
        unit, title = found[0][0], post[len(found[0][0]):]
    else:
        unit = next((u for u, _ in found if u in duty_forms), found[0][0])
        title = post
    if GOVERNMENT.match(unit):
        return None, post
    return unit, title


def read_office(plan: Plan, after: int | None) -> dict:
    """The office sentence(s), its unit and director; the liaison and change rules."""
    text = plan.text
    office: dict = {}
    candidates = []
    lines = plan.lines[after:] if after is not None else []
    for ln in lines[:5] + plan.lines:
        if "办公室设在" in ln:
            candidates.append(ln.strip())
            break
    if candidates:
        sentence = next(s + "。" for s in re.split(r"。", candidates[0]) if "办公室设在" in s)
        office["text"] = sentence
        m = re.search(r"办公室设在([^，,。；]+)", sentence)
        office["unit"] = m.group(1) if m else "TODO: 原文未能识别办公室所在单位"
        d = re.search(r"[^，,。；]*主任[^，,。；]*", sentence.split("办公室设在", 1)[1])
        if d:
            office["director"] = d.group(0)
    else:
        plan.missing.append("领导小组办公室")
        office["unit"] = "TODO: 原文未写领导小组办公室设在哪个单位"
    m = re.search(r"(?:^|[，,。；\n])([^，,。；\n]*联络员[^。\n]*。?)", text)
    if m:
        office["liaison_rule"] = m.group(1).strip()
    else:
        plan.missing.append("联络员规则")
    m = re.search(r"(?:^|[。\n])([^。\n]*如有变动[^。\n]*。)", text)
    if m:
        office["change_rule"] = m.group(1).strip()
    return office
