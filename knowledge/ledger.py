"""The 台账 as a spreadsheet (one row per scoring item) and the assessors' evidence package.

The ZIP is written file by file from disk (``ZipFile.write`` streams in chunks), so a package
of several GB never sits in memory; its manifest lists the SHA-256 of every file it holds.

Every row of every workbook goes through ``put_row``: text is written as text, never as a
formula (a file name "=HYPERLINK(…)" or a note "+cmd" is a live formula in Excel and WPS).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from knowledge.files import private_file
from knowledge.identity import external_id
from knowledge.models import Evidence, EvidenceFile, IndicatorUnit, Officer, Unit
from knowledge.points import json_points
from knowledge.projection import Digest
from knowledge.targets import covered

STATUS_ZH = {"submitted": "待审核", "accepted": "已通过", "rejected": "已退回", "withdrawn": "已撤回",
             "superseded": "已替代"}
PACKED = {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".zip", ".docx", ".xlsx", ".pptx", ".ofd"}
FORMULA_START = tuple("=+-@\t\r\n＝＋－＠")
HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")


def put_row(ws, values: list) -> None:  # noqa: ANN001
    """Append a row; every string is a text cell, and one that looks like a formula keeps looking like text.

    openpyxl turns any string starting with "=" into a formula; ``data_type = "s"`` writes it as a
    string instead. ``quotePrefix`` is the mark Excel and WPS set themselves when someone types
    '=…: the cell shows the text without an apostrophe and stays text when it is edited and
    confirmed. (A literal leading apostrophe would be shown as part of the value.)
    """
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.lstrip(" ").startswith(FORMULA_START):
                cell.quotePrefix = True


def _sheet(ws, header: list[str], widths: list[int]) -> None:  # noqa: ANN001
    put_row(ws, header)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
        ws.cell(1, i).font, ws.cell(1, i).fill = HEAD, FILL
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def build_xlsx(session: Session, d: Digest, dues: dict[int, date]) -> bytes:
    """Workbook bytes: 台账 (per item) and 得分汇总 (levels, totals, pass rule)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    _sheet(ws, ["一级指标", "二级指标", "编号", "三级指标", "评分项", "分值", "责任单位及角色", "截止日期",
                "佐证材料(单位/文件/日期/状态/审核)", "确认得分", "预计得分"], [10, 12, 6, 36, 36, 6, 30, 11, 60, 9, 9])
    units = {u.id: u.name for u in session.exec(select(Unit).where(Unit.campaign_id == d.campaign.id))}
    roles: dict[int, list[str]] = {}
    for link in session.exec(select(IndicatorUnit).order_by(IndicatorUnit.position)):
        roles.setdefault(link.indicator_id, []).append(f"{units.get(link.unit_id, '?')}({link.role})")
    evidence: dict[tuple[int, int | None], list[str]] = {}
    files: dict[int, list[str]] = {}
    for f in session.exec(select(EvidenceFile)):
        files.setdefault(f.evidence_id, []).append(f.name)
    tz = ZoneInfo(d.campaign.timezone or "Asia/Shanghai")  # dates as the office reads them, not UTC
    people = {o.external_id: o.name for o in session.exec(select(Officer).where(Officer.campaign_id == d.campaign.id))
              if o.external_id}
    item_ids: dict[int, list[int]] = {}
    scoring = {t.indicator.id: t.indicator.scoring for t in d.targets}
    for t in d.targets:
        if t.item:
            item_ids.setdefault(t.indicator.id, []).append(t.item.id)
    for ev in session.exec(select(Evidence).where(Evidence.campaign_id == d.campaign.id).order_by(Evidence.id)):
        reviewed = ""
        if ev.reviewed_at and ev.status in ("accepted", "rejected"):
            who = people.get(external_id(ev.reviewer_user_id)) or (f"用户{ev.reviewer_user_id}" if ev.reviewer_user_id else "")
            reviewed = f" 审核:{who} {ev.reviewed_at.astimezone(tz).date()}"
        line = (f"#{ev.id} {units.get(ev.unit_id, '?')} {'、'.join(files.get(ev.id, [])) or ev.note[:30]} "
                f"{ev.created_at.astimezone(tz).date()} {STATUS_ZH.get(ev.status, ev.status)}"
                + (f" {ev.awarded_points}分" if ev.status == "accepted" else "")
                + (f" 原因:{ev.reason}" if ev.reason else "") + reviewed)
        # the same rule as the score: whole-indicator evidence shows on every item it counts for
        for key in covered(scoring.get(ev.indicator_id, ""), item_ids.get(ev.indicator_id, []), ev.item_id):
            evidence.setdefault((ev.indicator_id, key), []).append(line)
    for t in d.targets:
        ind = t.indicator
        lines = evidence.get((ind.id, t.item.id if t.item else None), [])
        put_row(ws, [ind.level1, ind.level2, ind.no, ind.title, f"{t.item.no}. {t.item.text}" if t.item else "(整项)",
                   json_points(t.max), "\n".join(roles.get(ind.id, [])), dues.get(ind.no), "\n".join(lines),
                   json_points(t.confirmed), json_points(t.projected)])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _summary_sheet(wb, d)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _summary_sheet(wb: Workbook, d: Digest) -> None:
    """得分汇总: per first-level indicator and in total, confirmed and projected, against the pass rule."""
    summary = wb.create_sheet("得分汇总")
    _sheet(summary, ["一级指标", "表头分值", "本表可得", "确认得分", "预计得分", "确认得分率", "合格线", "是否达标(确认)"],
           [12, 10, 10, 10, 10, 12, 10, 14])
    for lv in d.levels:
        rate = lv.confirmed / lv.table if lv.table else Decimal(0)
        put_row(summary, [lv.name, json_points(lv.declared), json_points(lv.table), json_points(lv.confirmed), json_points(lv.projected),
                        float(rate), d.pass_rate, "是" if rate >= Decimal(str(d.pass_rate)) else "否"])
        summary.cell(summary.max_row, 6).number_format = "0.0%"
        summary.cell(summary.max_row, 7).number_format = "0%"
    put_row(summary, ["合计", None, json_points(d.total_max), json_points(d.confirmed), json_points(d.projected), None, json_points(d.pass_total),
                    "是" if d.confirmed_pass else "否"])
    for cell in summary[summary.max_row]:
        cell.font = HEAD
    if d.total_max != 100:
        put_row(summary, [f"注:本表满分 {json_points(d.total_max)} 分(少于全国指标体系的 100 分),合格标准按本表可得分数计算一级指标得分率。"])


def _clean(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip()[:40]


def stored_file(f: EvidenceFile, evidence_root: Path | None) -> Path:
    """Where a stored file is now: its recorded path, or its content address under ``evidence_root``.

    Files are content-addressed, so after a restore onto another machine or data folder the
    recorded absolute path may be gone while ``EVIDENCE_DIR/ab/cd/<sha256>`` holds the file.
    """
    path = Path(f.stored_path)
    if path.exists() or evidence_root is None:
        return path
    moved = evidence_root / f.sha256[:2] / f.sha256[2:4] / f.sha256
    return moved if moved.exists() else path


def _index_notes(session: Session, d: Digest, ws, statuses: tuple | None, with_files: set[int],  # noqa: ANN001
                 units: dict[int, str], item_no: dict[int, int]) -> None:
    """Links and text notes have no file in the package; the index still lists them."""
    inds = {t.indicator.id: t.indicator for t in d.targets}
    plain = select(Evidence).where(Evidence.campaign_id == d.campaign.id)
    if statuses:
        plain = plain.where(Evidence.status.in_(statuses))
    for ev in session.exec(plain.order_by(Evidence.indicator_id, Evidence.id)):
        if ev.id not in with_files and ev.indicator_id in inds:
            ind = inds[ev.indicator_id]
            put_row(ws, [ind.no, ind.title, item_no.get(ev.item_id, "整项"), units.get(ev.unit_id),
                       f"(链接或说明)#{ev.id}", ev.note[:500], None, None, STATUS_ZH.get(ev.status, ev.status),
                       json_points(ev.awarded_points)])


def build_zip(session: Session, d: Digest, out: Path, *, include_all: bool = False,
              evidence_root: Path | None = None) -> dict:
    """Write the evidence package to ``out``: a folder per indicator, 目录.xlsx, MANIFEST-SHA256.txt."""
    statuses = None if include_all else ("accepted",)
    units = {u.id: u.name for u in session.exec(select(Unit).where(Unit.campaign_id == d.campaign.id))}
    inds = {t.indicator.id: t.indicator for t in d.targets}
    stmt = select(Evidence, EvidenceFile).join(EvidenceFile, EvidenceFile.evidence_id == Evidence.id).where(
        Evidence.campaign_id == d.campaign.id)
    if statuses:
        stmt = stmt.where(Evidence.status.in_(statuses))
    index = Workbook()
    ws = index.active
    ws.title = "目录"
    _sheet(ws, ["编号", "三级指标", "评分项", "单位", "文件", "包内路径", "大小(字节)", "SHA-256", "状态", "得分"],
           [6, 36, 8, 20, 30, 50, 12, 66, 8, 6])
    item_no = {t.item.id: t.item.no for t in d.targets if t.item}
    with_files: set[int] = set()
    manifest: list[str] = []
    used: set[str] = set()
    count = size = 0
    partial = out.with_name(out.name + ".partial")  # a failed export leaves no half-written package
    try:
        private_file(partial)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for ev, f in session.exec(stmt.order_by(Evidence.indicator_id, Evidence.id, EvidenceFile.id)):
                ind = inds[ev.indicator_id]
                arc = f"{ind.no}-{_clean(ind.title)}/{_clean(units.get(ev.unit_id, '单位'))}-{_clean(f.name)}"
                stem, n = arc, 1
                while arc in used:
                    n += 1
                    arc = re.sub(r"(\.[^./]+)?$", rf"({n})\1", stem, count=1)
                used.add(arc)
                # streamed from disk in chunks; formats that are already compressed are stored as they are
                kind = zipfile.ZIP_STORED if Path(arc).suffix.lower() in PACKED else zipfile.ZIP_DEFLATED
                zf.write(stored_file(f, evidence_root), arc, compress_type=kind)
                manifest.append(f"{f.sha256}  {arc}")
                put_row(ws, [ind.no, ind.title, item_no.get(ev.item_id, "整项"), units.get(ev.unit_id), f.name, arc,
                           f.size, f.sha256, STATUS_ZH.get(ev.status, ev.status), json_points(ev.awarded_points)])
                with_files.add(ev.id)
                count, size = count + 1, size + f.size
            _index_notes(session, d, ws, statuses, with_files, units, item_no)
            put_row(ws, [])
            put_row(ws, [f"注:同一评分项有多家单位或多份材料时只按最高分计,各行得分不可相加;确认得分合计 {json_points(d.confirmed)} 分,"
                       f"以台账为准。"])
            buf = io.BytesIO()
            index.save(buf)
            zf.writestr("目录.xlsx", buf.getvalue())
            zf.writestr("MANIFEST-SHA256.txt", "\n".join(manifest) + "\n")
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {"files": count, "bytes": size, "path": str(out)}


def verify_zip(path: Path) -> bool:
    """Every file named in the manifest is in the package with that SHA-256."""
    with zipfile.ZipFile(path) as zf:
        lines = zf.read("MANIFEST-SHA256.txt").decode().splitlines()
        for line in filter(None, lines):
            digest, name = line.split("  ", 1)
            h = hashlib.sha256()
            with zf.open(name) as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            if h.hexdigest() != digest:
                return False
    return True
