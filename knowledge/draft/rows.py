"""The indicator table (附件: 评估指标体系 / 任务分解 / 责任分工表), in either layout.

- Tab-separated rows: a row is an indicator when one of its first cells is a number followed by
  a 变量性质 cell; the cell after ``方式:…`` is the units (else the last filled cell). A row
  without a number is a page-break residue; a units cell in it continues the row above.
- One cell per line, headers repeated at page breaks: an indicator starts at a number line
  followed by a 变量性质 line; its units are the lines after the sources, without the repeated
  level headers (``规范`` ``监管`` ``25``) that precede the next number; a line that does not
  end like a unit name is joined with the next (a name split over lines).

Only what the city's table says is read here (number, title and points as written, rule text
as written, methods, units); ``writer`` takes the rest from the national version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.draft.sections import Plan
from knowledge.draft.units import UNIT_END, split_units, unit_like

NATURE = re.compile(r"^(定量|定性)(\s*[+＋]\s*(定量|定性))?$")
TITLE_POINTS = re.compile(r"^(.*?)[。.]?\s*[(（]\s*(\d+(?:\.5)?)\s*分\s*[)）]\s*$")
BARE_POINTS = re.compile(r"^(.*?)。\s*(\d+(?:\.5)?)\s*$")


@dataclass
class Row:
    no: int
    nature: str
    title_as_written: str
    title: str
    points: float | None  # None: the "(N分)" is lost
    bare_points: bool  # "。2": the brackets and 分 lost, the number kept
    rule: str
    methods_text: str
    units_text: str
    units: list[str] = field(default_factory=list)
    units_open: bool = False


def table_bounds(lines: list[str]) -> tuple[int, int] | None:
    """From the first table header after the attachments list to the pass-rule line (or the end)."""
    starts = [i for i, ln in enumerate(lines) if "三级指标" in ln or re.fullmatch(r"\s*一级\s*", ln)]
    header = next((i for i in starts if "\t" in lines[i] or _line_header(lines, i)), None)
    if header is None:
        return None
    end = next((i for i in range(header, len(lines)) if "合格标准" in lines[i]), len(lines))
    return header, end


def _line_header(lines: list[str], i: int) -> bool:
    window = "".join(ln.strip() for ln in lines[i:i + 30])
    return "三级指标" in window and ("责任" in window)


def read_rows(plan: Plan, level_names: list[str], city: str = "") -> list[Row]:
    bounds = table_bounds(plan.lines)
    if bounds is None:
        plan.missing.append("评估指标体系表格")
        return []
    lines = plan.lines[bounds[0]:bounds[1]]
    if sum("\t" in ln for ln in lines) > len([ln for ln in lines if ln.strip()]) / 3:
        return _tab_rows(plan, lines)
    return _line_rows(plan, lines, level_names, city)


def _title(cell: str) -> tuple[str, float | None, bool]:
    cell = cell.strip()
    m = TITLE_POINTS.match(cell)
    if m:
        return m.group(1).strip().rstrip("。"), float(m.group(2)), False
    m = BARE_POINTS.match(cell)
    if m:
        return m.group(1).strip(), float(m.group(2)), True
    return cell.rstrip("。").strip(), None, False


def _tab_rows(plan: Plan, lines: list[str]) -> list[Row]:
    rows: list[Row] = []
    for ln in lines:
        cells = ln.split("\t")
        if "三级指标" in ln or not ln.strip():
            continue
        at = next((k for k in range(min(3, len(cells))) if re.fullmatch(r"\s*\d{1,3}\s*", cells[k])
                   and any(NATURE.match(c.strip()) for c in cells[k + 1:k + 3])), None)
        if at is None:
            _residue(plan, rows, cells)
            continue
        rest = [c for c in cells[at + 1:]]
        k = next(j for j, c in enumerate(rest) if NATURE.match(c.strip()))
        nature, rest = rest[k].strip(), rest[k + 1:]
        title_cell = rest[0] if rest else ""
        rule = rest[1] if len(rest) > 1 else ""
        m_at = next((j for j, c in enumerate(rest) if c.strip().startswith("方式")), None)
        methods = rest[m_at] if m_at is not None else ""
        after = rest[m_at + 1:] if m_at is not None else rest[2:]
        units_cell = next((c for c in after if c.strip()), "")
        title, points, bare = _title(title_cell)
        row = Row(no=int(cells[at]), nature=nature, title_as_written=title_cell.strip(), title=title,
                  points=points, bare_points=bare, rule=rule.strip(), methods_text=methods.strip(),
                  units_text=units_cell.strip())
        row.units, row.units_open = split_units(row.units_text)
        rows.append(row)
    return rows


def _residue(plan: Plan, rows: list[Row], cells: list[str]) -> None:
    """A row without a number: the end of the row above, cut by a page break."""
    if not rows:
        return
    prev = rows[-1]
    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return
    points = next((c for c in filled if re.fullmatch(r"[(（]\d+(?:\.5)?分[)）]", c)), None)
    if points and prev.points is None:
        prev.points = float(re.search(r"\d+(?:\.5)?", points).group(0))
        plan.correct(f"indicator {prev.no} points", f"{prev.title_as_written}(分值在跨页后的残行中:“{' '.join(filled)}”)",
                     str(int(prev.points) if prev.points == int(prev.points) else prev.points),
                     "表格跨页断行,分值被挤到下一行")
    tail = cells[-1].strip() if len(cells) > 1 else ""
    if tail and unit_like(tail.split("、")[0]) and not re.fullmatch(r"[(（]?\d+(?:\.5)?分[)）]?", tail):
        joined = prev.units_text + ("" if prev.units_text.endswith(("、", "，", ",")) else "") + tail
        prev.units_text = joined
        prev.units, prev.units_open = split_units(joined)


def _line_rows(plan: Plan, lines: list[str], level_names: list[str], city: str) -> list[Row]:
    cells = [ln.strip() for ln in lines if ln.strip()]
    starts = [i for i in range(len(cells) - 1)
              if re.fullmatch(r"\d{1,3}", cells[i]) and NATURE.match(cells[i + 1])]
    rows: list[Row] = []
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(cells)
        body = cells[i + 2:end]
        if not body:
            continue
        title_cell, body = body[0], body[1:]
        m_at = next((j for j, c in enumerate(body) if c.startswith("方式")), len(body))
        rule = "\n".join(body[:m_at])
        tail = body[m_at:]
        # the level headers of the next rows (short pieces of level names, their points)
        while tail and _level_piece(tail[-1], level_names):
            tail = tail[:-1]
        last_source = max((j for j, c in enumerate(tail) if _source_like(c)), default=-1)
        unit_lines = tail[last_source + 1:]
        units_text = "、".join(_join_split_names(unit_lines, city))
        title, points, bare = _title(title_cell)
        row = Row(no=int(cells[i]), nature=cells[i + 1], title_as_written=title_cell, title=title,
                  points=points, bare_points=bare, rule=rule, methods_text="\n".join(tail[:last_source + 1]),
                  units_text=units_text)
        row.units, row.units_open = split_units(units_text)
        rows.append(row)
    return rows


def _level_piece(cell: str, level_names: list[str]) -> bool:
    if re.fullmatch(r"\d{1,2}(?:分)?|[(（]\d{1,2}分[)）]", cell):
        return True
    return len(cell) <= 4 and any(cell in name for name in level_names) or cell in ("一级", "二级", "指标")


def _source_like(cell: str) -> bool:
    return bool(re.search(r"[。;；:：]$|^\d+[.．]$|^方式|来源", cell)) or not unit_like(cell) and not _fragment(cell)


def _fragment(cell: str) -> bool:
    """A piece of a unit name cut by a line break (``市人力资源和社``)."""
    return len(cell) <= 12 and not re.search(r"[。;；:：,，]", cell) and bool(re.match(r"^[市省县区各]", cell))


# How a unit's name begins: the city's level (市, 县, 区, 省), 各, a national body, a party organ.
UNIT_START = re.compile(r"^(市|省|县|区|各|国家|中国|中共|人民银行|人行|团|妇联|工商联|科协)")


def _join_split_names(unit_lines: list[str], city: str = "") -> list[str]:
    """Lines of unit names; a line that does not end like a name, or a short line that does not
    begin like one (``市人力资源和社`` / ``会保障局``), is part of its neighbour."""
    out: list[str] = []
    carry = ""
    for cell in unit_lines:
        starts_like_unit = bool(UNIT_START.match(cell)) or (city and cell.startswith(city[:2]))
        if out and not carry and not starts_like_unit and len(cell) <= 6 \
                and not out[-1].endswith("等") and UNIT_END.search(out[-1] + cell):
            out[-1] += cell
            continue
        cell = carry + cell
        carry = ""
        if not UNIT_END.search(cell.removesuffix("等").rstrip("、")) and not unit_like(cell):
            carry = cell
            continue
        out.append(cell)
    if carry:
        out.append(carry)
    return out
