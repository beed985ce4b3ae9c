"""Writing audit rows: every change of operational data says who, what, when, before → after."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from knowledge.models.audit import AuditLog


def record(session: Session, *, action: str, at: datetime, campaign_id: int | None = None,
           actor: int | str | None = None, subject: str = "", before: dict | None = None,
           after: dict | None = None) -> AuditLog:
    """Add one audit row to the caller's transaction (committed with the change it describes)."""
    row = AuditLog(campaign_id=campaign_id, actor_user_id=actor, action=action, subject=subject,
                   before=before, after=after, at=at)
    session.add(row)
    return row
