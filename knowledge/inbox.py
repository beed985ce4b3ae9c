"""The inbox in the store: every incoming update, kept before it is acknowledged.

A face writes the update (``record``) before it tells its channel the update arrived; the
update is ``done`` in the same transaction as its effects (a submission, a review), or after its
handler returns when it had none (a question); on start, ``unfinished`` ones are processed again.
An update id seen before is not recorded again, so a channel that delivers it twice (a webhook
retried after a lost 200, ``getUpdates`` after a restart) has it processed once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from knowledge.models import InboxUpdate


def record(session: Session, channel: str, update_id: int, raw: dict, now: datetime) -> bool:
    """Store the update and commit; False when it was stored before (by this or another process)."""
    try:
        session.add(InboxUpdate(channel=channel, update_id=update_id, raw=raw, received_at=now))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def done(session: Session, channel: str, update_id: int, now: datetime, *, status: str = "done",
         error: str = "") -> None:
    """Mark a pending update finished (in the caller's transaction); a finished one stays as it is."""
    session.execute(update(InboxUpdate).where(InboxUpdate.channel == channel, InboxUpdate.update_id == update_id,
                                              InboxUpdate.status == "pending")
                    .values(status=status, done_at=now, error=error[:500]))


def unfinished(session: Session, channel: str, limit: int = 10000) -> list[dict]:
    """Raw updates stored but never finished (the process stopped), oldest first."""
    return [row.raw for row in session.exec(select(InboxUpdate).where(
        InboxUpdate.channel == channel, InboxUpdate.status == "pending").order_by(InboxUpdate.update_id).limit(limit))]


def last_update_id(session: Session, channel: str) -> int | None:
    """The highest update id stored: polling may start after it, everything up to it is kept."""
    return session.exec(select(func.max(InboxUpdate.update_id)).where(InboxUpdate.channel == channel)).one()


def counts(session: Session, channel: str) -> dict[str, int]:
    """Updates by status (``doctor`` and tests)."""
    rows = session.exec(select(InboxUpdate.status, func.count()).where(InboxUpdate.channel == channel)
                        .group_by(InboxUpdate.status))
    return dict(rows.all())
