"""A /submit flow in the store: the indicator picked, the files and notes gathered, until 提交.

The flow acknowledges each file ("已收到:1 个文件"), so by the bar that what an officer sent is
stored before it is acknowledged, the list of what was gathered is a row, not the process's
memory: a restart between a file and 提交 loses nothing. A draft is one person's on one channel;
picking another indicator starts a new one; 提交 turns it into a submission in the same
transaction that deletes it; 取消 deletes it. Its files are on disk already (stored by content);
the sweep keeps them while the draft is younger than its grace period.
"""

from __future__ import annotations

import re
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


# A text typed during the flow that asks something ("第10项要什么材料", "截止是哪天？") is a question to
# the bot, not evidence: it is answered and the flow kept. Links are always evidence, and so is a
# text with no question form ("附件为第10项佐证材料").
_QUESTION = re.compile(r"[?？]\s*$|什么|啥|哪|谁|几|多少|怎么|咋|如何|是否|要不要|能不能|可不可以|有没有|吗[\s。!！]*$|呢[\s。!！]*$")
_LINK = re.compile(r"https?://|www\.", re.I)


def is_question(text: str) -> bool:
    """Whether ``text``, typed while a /submit flow gathers evidence, asks the bot something."""
    text = text.strip()
    return bool(text) and len(text) <= 120 and not _LINK.search(text) and _QUESTION.search(text) is not None


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
