"""Rules that span fields of a campaign YAML: points add up, numbers are unique, names resolve,
the table agrees with its national version, the pass rule agrees with itself.

Each problem is a ``Problem``: the path of the value in the file (``('indicators', 11,
'points')``) and a Chinese sentence. The loader turns the path into a line number and a label
("指标 12: points"), because the reader is the person who edits the YAML, not a developer.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from knowledge.schema import CampaignDocument, NationalVersion
from knowledge.units import normalize


@dataclass(frozen=True)
class Problem:
    path: tuple[Any, ...]
    text: str
    warning: bool = False


def is_todo(value: object) -> bool:
    """An explicit "could not read this" left by ``draft`` or a person: ``'TODO: …'``."""
    return isinstance(value, str) and value.lstrip().upper().startswith("TODO")


def written_index(doc: CampaignDocument) -> tuple[dict[str, str], list[str]]:
    """Map every normalised document form (and canonical name) to its unit or group name."""
    index, problems = _written_index(doc)
    return index, [p.text for p in problems]


def _written_index(doc: CampaignDocument) -> tuple[dict[str, str], list[Problem]]:
    index: dict[str, str] = {}
    problems: list[Problem] = []
    entries = [(("units", i), u.name, [u.name, *u.written]) for i, u in enumerate(doc.units)]
    entries += [(("groups", i), g.name, [g.name, *g.written]) for i, g in enumerate(doc.groups)]
    for path, name, forms in entries:
        for form in forms:
            key = normalize(form)
            if key in index and index[key] != name:
                problems.append(Problem(path, f"写法“{form}”同时属于“{index[key]}”和“{name}”"))
            index[key] = name
    return index, problems


def one_off(a: str, b: str) -> str | None:
    """How ``a`` misses ``b`` by one character ("同音字“汁”→“计”", "多一个字", "少一个字"), else None."""
    from knowledge.lexicon import same_sound

    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        if len(diff) == 1:
            x, y = diff[0]
            return f"同音字“{x}”应为“{y}”" if same_sound(x, y) else f"错字“{x}”应为“{y}”"
        return None
    if abs(len(a) - len(b)) != 1:
        return None
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return f"少了“{long_[i]}”字" if short == a else f"多了“{long_[i]}”字"
    return None


def unit_hint(written: str, forms: dict[str, str]) -> str:
    """"您是不是要写 …" for a unit string that misses the directory by one character or homophone."""
    key = normalize(written)
    near = [(form, how) for form in forms if (how := one_off(key, normalize(form)))]
    if not near:
        close = difflib.get_close_matches(written, list(forms), n=2, cutoff=0.8)
        near = [(c, "") for c in close]
    if not near:
        return ";如果这是该单位的另一种写法,请加入它的 written"
    shown = "、".join(f"“{form}”" + (f"({how})" if how else "") for form, how in near[:3])
    return f";您是不是要写 {shown}?"


def check_document(doc: CampaignDocument, national: NationalVersion | None) -> list[Problem]:
    """Every cross-field problem of ``doc``; no errors (warnings allowed) means it may be loaded."""
    index, problems = _written_index(doc)
    # the document's own forms, for the hints: names and written forms, not everyday aliases
    forms = {f: u.name for u in doc.units for f in [u.name, *u.written]}
    forms.update({f: g.name for g in doc.groups for f in [g.name, *g.written]})

    def resolves(path: tuple, written: str | None) -> None:
        if not written or is_todo(written) or normalize(written) in index:
            return
        aliased = next((u.name for u in doc.units if normalize(written) in {normalize(a) for a in u.aliases}), None)
        if aliased:
            problems.append(Problem(path, f"单位“{written}”只是“{aliased}”的口头简称(aliases);"
                                          "原文的写法请加入该单位的 written"))
            return
        problems.append(Problem(path, f"单位“{written}”在 units/groups 中找不到对应的单位{unit_hint(written, forms)}"))

    for name, n in Counter(u.name for u in doc.units).items():
        if n > 1:
            problems.append(Problem(("units",), f"单位“{name}”重复定义"))
    problems += _check_levels_and_points(doc, national)
    problems += _check_national(doc, national)
    problems += _check_pass_rule(doc, national)
    for i, ind in enumerate(doc.indicators):
        for j, u in enumerate(ind.units):
            resolves(("indicators", i, "units", j), u)
        for key in (ind.roles or {}):
            if key not in ind.units:
                problems.append(Problem(("indicators", i, "roles", key), f"“{key}”不在 units 中"))
    seen: dict[int, int] = {}
    for i, ind in enumerate(doc.indicators):
        if ind.no in seen:
            problems.append(Problem(("indicators", i, "no"), f"编号 {ind.no} 重复(与第 {seen[ind.no] + 1} 个指标相同)"))
        seen.setdefault(ind.no, i)
    seqs: dict[int, int] = {}
    for i, task in enumerate(doc.tasks):
        if task.seq in seqs:
            problems.append(Problem(("tasks", i, "seq"), f"序号 {task.seq} 重复"))
        seqs.setdefault(task.seq, i)
        for j, u in enumerate(task.units):
            resolves(("tasks", i, "units", j), u)
    for i, ph in enumerate(doc.phases):
        if ph.start > ph.end:
            problems.append(Problem(("phases", i, "start"), f"开始日期 {ph.start} 晚于结束日期 {ph.end}"))
    problems += _check_policy(doc)
    return problems + _check_references(doc, resolves)


def _check_policy(doc: CampaignDocument) -> list[Problem]:
    problems: list[Problem] = []
    policy = doc.campaign.reminders
    if policy is not None:
        # the reminders' own reading, so that check and run agree
        from knowledge.policy import parse_policy

        try:
            parse_policy(policy if isinstance(policy, dict) else {"send_at": policy})
        except ValueError as exc:  # "reminders.send_at: …"
            where, _, what = str(exc).partition(": ")
            problems.append(Problem(("campaign", *where.split(".", 1)), what or str(exc)))
    return problems


def _check_references(doc: CampaignDocument, resolves: Callable[[tuple, str | None], None]) -> list[Problem]:
    """The units named outside indicators and tasks; ``resolves`` appends to the caller's list."""
    if doc.campaign.all_tasks_units:
        for j, u in enumerate(doc.campaign.all_tasks_units.units):
            resolves(("campaign", "all_tasks_units", "units", j), u)
    resolves(("office", "unit"), doc.office.unit)
    for i, m in enumerate(doc.leading_group):
        resolves(("leading_group", i, "unit"), m.unit)
    for i, g in enumerate(doc.groups):
        if isinstance(g.members, list):
            for j, m in enumerate(g.members):
                resolves(("groups", i, "members", j), m)
    return []


def _check_levels_and_points(doc: CampaignDocument, national: NationalVersion | None) -> list[Problem]:
    problems: list[Problem] = []
    levels = {lv.name: lv for lv in doc.levels}
    for i, lv in enumerate(doc.levels):
        total = sum((c.points for c in lv.children), Decimal(0))
        if total != lv.points:
            problems.append(Problem(("levels", i, "points"), f"二级指标合计 {total} ≠ 一级指标 {lv.points}"))
    omitted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    nat = {n.national_no: n for n in national.indicators} if national else {}
    for j, no in enumerate(doc.campaign.omits_national):
        if national and no not in nat:
            problems.append(Problem(("campaign", "omits_national", j), f"全国指标体系没有第 {no} 项"))
        elif no in nat:
            omitted[(nat[no].level1, nat[no].level2)] += nat[no].points
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for i, ind in enumerate(doc.indicators):
        lv = levels.get(ind.level1)
        if lv is None:
            problems.append(Problem(("indicators", i, "level1"), f"一级指标“{ind.level1}”不在 levels 中"))
        elif ind.level2 not in {c.name for c in lv.children}:
            problems.append(Problem(("indicators", i, "level2"), f"二级指标“{ind.level2}”不在“{ind.level1}”之下"))
        sums[(ind.level1, ind.level2)] += ind.points
        item_points = [it.points for it in ind.items]
        if ind.scoring == "items":
            if not ind.items or None in item_points:
                problems.append(Problem(("indicators", i, "items"), "scoring=items 要求每个评分项都有分值"))
            elif sum(item_points, Decimal(0)) != ind.points:
                problems.append(Problem(("indicators", i, "points"),
                                        f"评分项合计 {sum(item_points, Decimal(0))} ≠ 指标分值 {ind.points}"))
        if ind.scoring == "any_one" and not ind.items:
            problems.append(Problem(("indicators", i, "items"), "scoring=any_one 需要列出可选的评分项"))
    for no, n in Counter(i.national_no for i in doc.indicators if i.national_no).items():
        if n > 1:
            where = next(k for k, i in enumerate(doc.indicators) if i.national_no == no)
            problems.append(Problem(("indicators", where, "national_no"), f"全国第 {no} 项对应了多个本地指标"))
    for i, lv in enumerate(doc.levels):
        for j, c in enumerate(lv.children):
            got = sums.get((lv.name, c.name), Decimal(0)) + omitted.get((lv.name, c.name), Decimal(0))
            if got != c.points:
                problems.append(Problem(("levels", i, "children", j, "points"),
                                        f"“{lv.name}/{c.name}”三级指标合计 {got} ≠ 二级指标 {c.points}"))
    return problems


_WHERE = re.compile(r"^\s*indicators?\s+([\d\s,,、\-–~]+)(.*)$", re.IGNORECASE)


def explained(doc: CampaignDocument, local_no: int, field: str) -> bool:
    """Whether a ``corrections`` entry speaks of ``field`` of local indicator ``local_no``.

    ``where`` reads "indicator 21 title", "indicators 24, 25 level1/level2", "indicators 1-41
    title/items points": numbers (lists and ranges) and then the fields it concerns.
    """
    for c in doc.corrections:
        m = _WHERE.match(c.where)
        if not m or field not in m.group(2):
            continue
        nos: set[int] = set()
        for part in re.split(r"[\s,,、]+", m.group(1).strip()):
            if re.fullmatch(r"\d+\s*[-–~]\s*\d+", part):
                a, b = (int(x) for x in re.split(r"[-–~]", part))
                nos.update(range(a, b + 1))
            elif part.isdigit():
                nos.add(int(part))
        if local_no in nos:
            return True
    return False


def _check_national(doc: CampaignDocument, national: NationalVersion | None) -> list[Problem]:
    """Titles, points, levels and item counts as the national version states them, unless explained."""
    if national is None:
        return []
    problems: list[Problem] = []
    nat = {n.national_no: n for n in national.indicators}
    by_title = {normalize(n.title): n.national_no for n in national.indicators}
    version = f"全国指标体系({national.version} 版)"
    for i, ind in enumerate(doc.indicators):
        if ind.national_no is None:
            continue
        n = nat.get(ind.national_no)
        if n is None:
            problems.append(Problem(("indicators", i, "national_no"), f"{version}没有第 {ind.national_no} 项"))
            continue
        if not is_todo(ind.title) and normalize(ind.title) != normalize(n.title) and not explained(doc, ind.no, "title"):
            other = by_title.get(normalize(ind.title))
            hint = (f";本项标题与全国第 {other} 项相同,national_no 是否写错了?" if other else
                    f";如原文确实如此,请在 corrections 中写一条 where: indicator {ind.no} title 说明")
            problems.append(Problem(("indicators", i, "title"),
                                    f"标题与{version}第 {n.national_no} 项“{n.title}”不同{hint}"))
        if ind.points != n.points and not explained(doc, ind.no, "points"):
            problems.append(Problem(("indicators", i, "points"),
                                    f"分值 {ind.points} 与{version}第 {n.national_no} 项的 {n.points} 分不同;"
                                    f"如原文确实如此,请在 corrections 中写一条 where: indicator {ind.no} points 说明"))
        if (ind.level1, ind.level2) != (n.level1, n.level2) and not explained(doc, ind.no, "level"):
            problems.append(Problem(("indicators", i, "level1"),
                                    f"“{ind.level1}/{ind.level2}”与{version}第 {n.national_no} 项的"
                                    f"“{n.level1}/{n.level2}”不同"))
        if len(ind.items) != len(n.items) and not explained(doc, ind.no, "items"):
            problems.append(Problem(("indicators", i, "items"),
                                    f"评分项 {len(ind.items)} 个,{version}第 {n.national_no} 项有 {len(n.items)} 个;"
                                    f"如原文确实如此,请在 corrections 中写一条 where: indicator {ind.no} items 说明"))
    covered = {i.national_no for i in doc.indicators}
    for no, n in nat.items():
        if no not in covered and no not in doc.campaign.omits_national:
            problems.append(Problem(("campaign", "omits_national"),
                                    f"本表没有{version}第 {no} 项“{n.title}”;如属原文缺漏请在 omits_national 中声明"))
    return problems


def stated_rule(text: str) -> tuple[Decimal | None, Decimal | None]:
    """The total and the rate (as a fraction) that a pass-rule sentence states, where it states them."""
    folded = text.replace("≥", ">=").replace("＞", ">").replace(" ", "").replace("$\\geq", ">=")
    total = re.search(r"总分[^\d]{0,6}?(\d+(?:\.\d+)?)分", folded)
    rate = re.search(r"得分率[^\d]{0,6}?(\d+(?:\.\d+)?)(?:\\?%|%)", folded)
    return (Decimal(total.group(1)) if total else None,
            Decimal(rate.group(1)) / 100 if rate else None)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _check_pass_rule(doc: CampaignDocument, national: NationalVersion | None) -> list[Problem]:
    """One pass rule: the document's own (``pass_rule`` with its ``pass_rule_text``) or the version's."""
    info = doc.campaign
    problems: list[Problem] = []
    if info.pass_rule is not None and not info.pass_rule_text.strip():
        problems.append(Problem(("campaign", "pass_rule"),
                                "写了自定的合格标准 pass_rule,却没有写原文 pass_rule_text:只有方案原文另定标准时才能覆盖"
                                "全国版本的标准,请照录原文的那一句,或删去 pass_rule"))
    if info.pass_rule is not None:
        total, rate, whose = info.pass_rule.total, Decimal(str(info.pass_rule.level1_rate)), "本方案的 pass_rule "
    elif national is not None:
        total = national.pass_rule.total
        rate = Decimal(str(national.pass_rule.level1_rate))
        whose = f"全国指标体系 {national.version} 版"
    else:
        return problems
    if info.pass_rule_text.strip():
        said_total, said_rate = stated_rule(info.pass_rule_text)
        if said_total is not None and total is not None and said_total != total:
            problems.append(Problem(("campaign", "pass_rule_text"),
                                    f"原文写总分≥{said_total}分,而{whose}是总分≥{total}分;两者必须一致"
                                    "(原文另定标准时请写 campaign.pass_rule)"))
        if said_rate is not None and said_rate != rate:
            problems.append(Problem(("campaign", "pass_rule_text"),
                                    f"原文写得分率≥{_pct(said_rate)},而{whose}是≥{_pct(rate)};两者必须一致"
                                    "(原文另定标准时请写 campaign.pass_rule)"))
    return problems
