"""Importing a roster of liaison officers from CSV or XLSX, all rows or none.

Every row is checked before anything is written, and every bad row is reported with its line
number, so the office fixes the file once instead of discovering problems one at a time. A cell
with a control character (a NUL byte from a broken export, a stray tab or line break) is one of
those problems: SQLite would store it, PostgreSQL refuses a NUL outright.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from knowledge.identity import DINGTALK, TELEGRAM
from knowledge.models import Campaign
from knowledge.people import OfficerInfo, add_officer
from knowledge.units import UnitDirectory

UNIT_COLS = ("单位", "unit", "单位名称", "责任单位")
NAME_COLS = ("姓名", "name", "联络员")
ID_COLS = ("telegram user id", "telegram", "telegram_id", "用户id", "账号", "username", "telegram id")
# A DingTalk userid (员工的 userid in the admin console: letters, digits, "-" and "_"); a row may
# name a person on both channels, and becomes one officer row per channel.
DINGTALK_COLS = ("钉钉", "钉钉 userid", "钉钉userid", "dingtalk", "dingtalk user id", "dingtalk userid", "userid")
ROLE_COLS = ("角色", "role")
ROLES = {"联络员": "liaison", "liaison": "liaison", "办公室": "office", "office": "office", "": "liaison"}


class RosterError(Exception):
    """The roster cannot be imported; ``problems`` has one line per bad row."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class RosterRow:
    line: int
    unit_id: int
    name: str
    user_id: int | None
    username: str
    role: str
    dingtalk_id: str = ""


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, {header: value}) for every non-empty row; the header is line 1."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        table = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    elif suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RosterError(["文件编码无法识别(请另存为 UTF-8 或 GBK 编码的 CSV)"])
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise RosterError([f"不支持的文件类型“{path.suffix}”,请使用 .csv 或 .xlsx"])
    if not table:
        raise RosterError(["文件是空的"])
    header = [h.strip().lower() for h in table[0]]
    return [(n, dict(zip(header, row, strict=False))) for n, row in enumerate(table[1:], start=2) if any(row)]


def _pick(row: dict[str, str], names: tuple[str, ...]) -> str | None:
    for key in names:
        if key in row:
            return row[key].strip()
    return None


def _controls(row: dict[str, str]) -> list[str]:
    """One problem per cell holding a control character (named by its code point, it is invisible)."""
    out = []
    for column, value in row.items():
        bad = sorted({f"U+{ord(c):04X}" for c in value or "" if unicodedata.category(c) in ("Cc", "Cs")})
        if bad:
            out.append(f"“{column}”一栏含有不可见的控制字符({'、'.join(bad)}),请删除后重新导入")
    return out


def check_roster(path: Path, directory: UnitDirectory) -> list[RosterRow]:
    """Validate every row; raise ``RosterError`` listing all problems."""
    rows = read_rows(path)
    problems: list[str] = []
    if rows and (_pick(rows[0][1], UNIT_COLS) is None or
                 _pick(rows[0][1], ID_COLS) is None and _pick(rows[0][1], DINGTALK_COLS) is None):
        raise RosterError(["缺少必需的列:需要“单位”“姓名”和“Telegram”(用户 ID 或 @用户名)三列"])
    out: list[RosterRow] = []
    seen: dict[str, tuple[int, int]] = {}
    for line, row in rows:
        unit_text, name = _pick(row, UNIT_COLS) or "", _pick(row, NAME_COLS) or ""
        ident, role_text = _pick(row, ID_COLS) or "", (_pick(row, ROLE_COLS) or "").lower()
        res = directory.resolve(unit_text)
        bad = _controls(row)
        if not unit_text:
            bad.append("单位为空")
        elif res.unit is None:
            hint = "、".join(s.unit.name for s in res.suggestions[:3])
            bad.append(f"单位“{unit_text}”没有找到" + (f"(您是不是要找:{hint})" if hint else ""))
        elif res.unit.is_group:
            bad.append(f"“{unit_text}”是单位组合,请填写具体单位")
        if not name:
            bad.append("姓名为空")
        user_id, username, ding = None, "", _pick(row, DINGTALK_COLS) or ""
        if re.fullmatch(r"\d{1,15}", ident):
            user_id = int(ident)
        elif re.fullmatch(r"@?[A-Za-z][A-Za-z0-9_]{4,31}", ident):
            username = ident.lstrip("@")
        elif ident or not ding:
            bad.append(f"Telegram 账号“{ident}”不是数字 ID 或 @用户名")
        if ding and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", ding):
            bad.append(f"钉钉 userid“{ding}”只能包含字母、数字、“-”和“_”")
        if role_text not in ROLES:
            bad.append(f"角色“{role_text}”只能是 联络员 或 办公室")
        key = str(user_id) if user_id is not None else username.lower() or f"dingtalk:{ding}"
        if key and res.unit and key in seen and seen[key][1] != res.unit.id:
            bad.append(f"同一人在第 {seen[key][0]} 行登记了另一个单位")
        if bad:
            problems.append(f"第 {line} 行: " + ";".join(bad))
            continue
        seen[key] = (line, res.unit.id)
        out.append(RosterRow(line, res.unit.id, name, user_id, username, ROLES[role_text], ding))
    if problems:
        raise RosterError(problems)
    return out


def import_roster(*, session: Session, campaign: Campaign, directory: UnitDirectory, path: Path,
                  by_user_id: int | str | None, now: datetime, channel: str = TELEGRAM) -> list[OfficerInfo]:
    """Check the whole file, then register every row (active at once): its Telegram account on
    ``channel``, its DingTalk userid (when the roster has one) on DingTalk."""
    rows = check_roster(path, directory)
    out = []
    for r in rows:
        if r.user_id is not None or r.username:
            out.append(add_officer(session=session, campaign_id=campaign.id, unit_id=r.unit_id, user_id=r.user_id,
                                   username=r.username, name=r.name, role=r.role, by_user_id=by_user_id, now=now,
                                   channel=channel))
        if r.dingtalk_id:
            out.append(add_officer(session=session, campaign_id=campaign.id, unit_id=r.unit_id, user_id=r.dingtalk_id,
                                   name=r.name, role=r.role, by_user_id=by_user_id, now=now, channel=DINGTALK))
    return out
