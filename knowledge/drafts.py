"""A /submit flow in the store: the indicator picked, the files and notes gathered, until 提交.

The flow acknowledges each file ("已收到:1 个文件"), so by the bar that what an officer sent is
stored before it is acknowledged, the list of what was gathered is a row, not the process's
memory: a restart between a file and 提交 loses nothing. A draft is one person's on one channel;
picking another indicator starts a new one; 提交 turns it into a submission in the same
transaction that deletes it; 取消 deletes it. Its files are on disk already (stored by content);
the sweep keeps them while the draft is younger than its grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, select

from knowledge.evidence import FileIn
from knowledge.files import Stored
from knowledge.models import SubmitDraft

CHANNEL = "telegram"


@dataclass(frozen=True)
class Draft:
    campaign_id: int
    chat_id: str
    no: int
    item: int | None
    files: list[FileIn]
    notes: list[str]


def begin(session: Session, user_id: int | str, *, campaign_id: int, chat_id: int | str, no: int,
          item: int | None, now: datetime, channel: str = CHANNEL) -> None:
    """Start (or restart) the person's flow for indicator ``no`` in ``chat_id``."""
    end(session, user_id, channel=channel)
    session.add(SubmitDraft(channel=channel, user_id=str(user_id), campaign_id=campaign_id, chat_id=str(chat_id),
                            indicator_no=no, item_no=item, updated_at=now))


def current(session: Session, user_id: int | str, channel: str = CHANNEL) -> Draft | None:
    row = _row(session, user_id, channel)
    if row is None:
        return None
    return Draft(row.campaign_id, row.chat_id, row.indicator_no, row.item_no,
                 [_file_in(f) for f in row.files], list(row.notes))


def gather(session: Session, user_id: int | str, now: datetime, *, file: FileIn | None = None,
           note: str = "", channel: str = CHANNEL) -> Draft | None:
    """Add a file or a note to the person's flow; the draft as it is now (None: no flow)."""
    row = _row(session, user_id, channel)
    if row is None:
        return None
    if file is not None:
        row.files = [*row.files, _file_out(file)]
    if note:
        row.notes = [*row.notes, note[:2000]]
    row.updated_at = now
    session.add(row)
    session.flush()
    return current(session, user_id, channel)


def end(session: Session, user_id: int | str, channel: str = CHANNEL) -> None:
    """The flow is over (submitted or cancelled)."""
    session.execute(delete(SubmitDraft).where(SubmitDraft.channel == channel, SubmitDraft.user_id == str(user_id)))


def kept_digests(session: Session, now: datetime, grace: timedelta) -> set[str]:
    """Digests of files in drafts touched within ``grace``: the sweep keeps them."""
    rows = session.exec(select(SubmitDraft.files).where(SubmitDraft.updated_at >= now - grace))
    return {f["sha256"] for files in rows for f in files}


def _row(session: Session, user_id: int | str, channel: str) -> SubmitDraft | None:
    return session.exec(select(SubmitDraft).where(SubmitDraft.channel == channel,
                                                  SubmitDraft.user_id == str(user_id))).first()


def _file_out(f: FileIn) -> dict:
    return {"name": f.name, "mime": f.mime, "sha256": f.stored.sha256, "size": f.stored.size,
            "path": str(f.stored.path), "file_id": f.telegram_file_id, "unique_id": f.telegram_unique_id}


def _file_in(d: dict) -> FileIn:
    return FileIn(d["name"], d["mime"], Stored(d["sha256"], d["size"], Path(d["path"])), d["file_id"], d["unique_id"])
