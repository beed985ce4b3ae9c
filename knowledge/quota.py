"""How much evidence a unit may keep and how fast an officer may send it.

Two limits, both judged before a file is downloaded when its size is declared, and again with
its real size once it has arrived (before it is placed in the store, so a refused file leaves
nothing behind):

- **the unit's quota**: the bytes of the unit's stored evidence files, every version (nothing is
  deleted, so a withdrawn or superseded file still takes its room), each content counted once;
  a file the unit has already stored adds nothing.
- **the officer's rate**: files and bytes received from one officer in the last hour — confirmed
  or not, so a /submit flow that is never confirmed, or an album without a caption, counts too
  (those files sit on disk until the sweep). The same content sent twice counts once. The
  window is kept in the process's memory (``RecentUploads``): a restart starts it afresh, which
  for a limit on bursts is acceptable and keeps every download free of a database write.

Refusals carry a template (``upload_quota``, ``upload_rate``) that says the limit and what to do.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import func
from sqlmodel import Session, select

from knowledge.files import FileRejected
from knowledge.messages import Message
from knowledge.models import Evidence, EvidenceFile

MB = 1024 * 1024
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    """The deployment's limits (from the settings), in bytes and files."""

    unit_bytes: int
    files_per_hour: int
    bytes_per_hour: int


@dataclass(frozen=True)
class Upload:
    """One file an officer sent: when, its content, its size."""

    at: datetime
    sha256: str
    size: int
    unique_id: str = ""  # the channel's own id of the content (Telegram's file_unique_id), known before download


class RecentUploads:
    """What each officer sent within the last hour, per process (see the module's note)."""

    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self._sent: dict[int, deque[Upload]] = {}

    def add(self, officer_id: int, sha256: str, size: int, at: datetime, unique_id: str = "") -> None:
        self._sent.setdefault(officer_id, deque()).append(Upload(at, sha256, size, unique_id))

    def within(self, officer_id: int, now: datetime) -> list[Upload]:
        """The officer's files of the window, each content once (its latest sending), oldest first."""
        sent = self._sent.get(officer_id)
        if not sent:
            return []
        while sent and sent[0].at <= now - self.window:
            sent.popleft()
        latest = {s.sha256: s for s in sent}
        return sorted(latest.values(), key=lambda s: s.at)


def unit_usage(session: Session, unit_id: int) -> int:
    """Bytes of the unit's stored evidence files, each content once."""
    per_file = (select(EvidenceFile.sha256, func.max(EvidenceFile.size).label("size"))
                .join(Evidence, Evidence.id == EvidenceFile.evidence_id)
                .where(Evidence.unit_id == unit_id).group_by(EvidenceFile.sha256).subquery())
    return int(session.exec(select(func.coalesce(func.sum(per_file.c.size), 0))).one())


def _stored_for_unit(session: Session, unit_id: int, sha256: str | None, unique_id: str) -> bool:
    """Whether the unit already stores this content (by digest, or by the channel's id of it)."""
    same = EvidenceFile.sha256 == sha256 if sha256 else EvidenceFile.telegram_unique_id == unique_id
    if not (sha256 or unique_id):
        return False
    return session.exec(select(EvidenceFile.id).join(Evidence, Evidence.id == EvidenceFile.evidence_id)
                        .where(Evidence.unit_id == unit_id, same)).first() is not None


def check(session: Session, limits: Limits, uploads: RecentUploads, *, officer_id: int, unit_id: int,
          size: int | None, now: datetime, sha256: str | None = None, unique_id: str = "") -> None:
    """Refuse (``FileRejected`` with a template) a file of ``size`` bytes (None: not known yet)
    that would take the unit past its quota or the officer past the hourly rate. Before the
    download only ``unique_id`` (the channel's id of the content) can say it is known content;
    after, ``sha256`` does."""
    if _stored_for_unit(session, unit_id, sha256, unique_id):
        return  # stored for this unit already: takes no room; a duplicate is the submission's to judge
    _check_rate(limits, uploads.within(officer_id, now), size, now, sha256, unique_id)
    used = unit_usage(session, unit_id)
    if used + (size or 0) > limits.unit_bytes or used >= limits.unit_bytes:
        data = {"used_mb": _mb(used), "size_mb": _mb(size) if size else "", "quota_mb": _mb(limits.unit_bytes)}
        raise FileRejected(f"贵单位已保存的材料将超过 {_mb(limits.unit_bytes)} MB 的上限,未提交。",
                           Message("upload_quota", data))


def _check_rate(limits: Limits, sent: list[Upload], size: int | None, now: datetime, sha256: str | None,
                unique_id: str) -> None:
    if any(sha256 and s.sha256 == sha256 or unique_id and s.unique_id == unique_id for s in sent):
        return  # the same content again within the hour: already counted
    files, sent_bytes = len(sent), sum(s.size for s in sent)
    if files + 1 <= limits.files_per_hour and sent_bytes + (size or 0) <= limits.bytes_per_hour:
        return
    # when the room comes back: once enough of the oldest files have left the window
    need_files, need_bytes = files + 1 - limits.files_per_hour, sent_bytes + (size or 0) - limits.bytes_per_hour
    freed_files = freed_bytes = 0
    until = now + WINDOW
    for s in sent:
        if freed_files >= need_files and freed_bytes >= need_bytes:
            break
        freed_files, freed_bytes, until = freed_files + 1, freed_bytes + s.size, s.at + WINDOW
    alone = (size or 0) > limits.bytes_per_hour  # this file on its own is more than an hour allows
    data = {"files": files, "mb": _mb(sent_bytes), "limit_files": limits.files_per_hour,
            "limit_mb": _mb(limits.bytes_per_hour), "size_mb": _mb(size) if size else "",
            "minutes": 0 if alone else max(1, ceil((until - now).total_seconds() / 60))}
    raise FileRejected(f"一小时内发送的文件已达上限({limits.files_per_hour} 个 / {_mb(limits.bytes_per_hour)} MB),"
                       "未提交。", Message("upload_rate", data))


def _mb(size: int) -> str:
    """Megabytes as people read them: "12.3", "1024"."""
    value = size / MB
    return f"{value:.0f}" if value >= 100 or value == int(value) else f"{value:.1f}"
