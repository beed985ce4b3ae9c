"""What a face remembers about a conversation between two messages, as store rows
(``knowledge.models.ConversationState``) that a restart keeps and the clock retires.

- ``remember`` / ``recall`` / ``forget``: one named value of a conversation (and a person in it),
  until it expires — a reviewer's pending prompt, a registration in progress, where a card went;
- ``number`` / ``choice``: numbered choices shown in a conversation ("选3"), numbers running on
  per conversation (up to ``WRAP``, then from 1 again), the latest ``KEEP`` kept.

Plain values in and out: the face says which channel, and what an action's data is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from knowledge.models import ConversationState

KEEP = 200  # choices remembered per conversation
WRAP = 999  # short numbers stay easy to type; old ones are forgotten by then
_NEXT = "choices:last"


def _row(session: Session, channel: str, chat: str, user: str, name: str) -> ConversationState | None:
    return session.exec(select(ConversationState).where(
        ConversationState.channel == channel, ConversationState.chat_id == str(chat),
        ConversationState.user_id == str(user), ConversationState.name == name)).first()


def remember(session: Session, channel: str, chat: str, name: str, value: dict, *, now: datetime,
             ttl: timedelta | None, user: str = "") -> None:
    """Keep ``value`` as ``name`` of this conversation (and person), replacing what was there."""
    row = _row(session, channel, chat, user, name) or ConversationState(
        channel=channel, chat_id=str(chat), user_id=str(user), name=name, created_at=now)
    row.value, row.created_at, row.expires_at = value, now, now + ttl if ttl is not None else None
    session.add(row)
    session.flush()


def recall(session: Session, channel: str, chat: str, name: str, *, now: datetime, user: str = "") -> dict | None:
    """The value kept as ``name``; None when there is none or it has expired."""
    row = _row(session, channel, chat, user, name)
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return dict(row.value)


def forget(session: Session, channel: str, chat: str, name: str, *, user: str = "") -> None:
    session.execute(delete(ConversationState).where(
        ConversationState.channel == channel, ConversationState.chat_id == str(chat),
        ConversationState.user_id == str(user), ConversationState.name == name))


def find(session: Session, channel: str, name: str, *, now: datetime) -> tuple[str, dict] | None:
    """(conversation, value) of the live ``name`` kept in any conversation of ``channel`` (a card's id)."""
    row = session.exec(select(ConversationState).where(ConversationState.channel == channel,
                                                       ConversationState.name == name)).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row.chat_id, dict(row.value)


def number(session: Session, channel: str, chat: str, rows: list[list[tuple[str, str]]], *, now: datetime,
           ttl: timedelta) -> list[list[int]]:
    """Give each (label, data) of ``rows`` the next number in ``chat`` and keep it; the numbers."""
    last = (recall(session, channel, chat, _NEXT, now=now) or {}).get("n", 0)
    out = []
    for row in rows:
        numbers = []
        for label, data in row:
            last = last + 1 if last < WRAP else 1
            forget(session, channel, chat, f"choice:{last}")  # a number used again is a new row: the latest
            remember(session, channel, chat, f"choice:{last}", {"label": label, "data": data, "n": last},
                     now=now, ttl=ttl)
            numbers.append(last)
        out.append(numbers)
    remember(session, channel, chat, _NEXT, {"n": last}, now=now, ttl=None)
    kept = session.exec(select(ConversationState.id).where(
        ConversationState.channel == channel, ConversationState.chat_id == str(chat),
        col(ConversationState.name).startswith("choice:")).order_by(col(ConversationState.created_at).desc(),
                                                                     col(ConversationState.id).desc())).all()
    if len(kept) > KEEP:
        session.execute(delete(ConversationState).where(col(ConversationState.id).in_(kept[KEEP:])))
    return out


def choice(session: Session, channel: str, chat: str, *, now: datetime, n: int | None = None,
           label: str = "") -> tuple[str, str] | None:
    """(label, data) of choice ``n`` in ``chat`` — or of the latest live choice labelled ``label``."""
    if n is not None:
        value = recall(session, channel, chat, f"choice:{n}", now=now)
        return (value["label"], value["data"]) if value else None
    rows = session.exec(select(ConversationState).where(
        ConversationState.channel == channel, ConversationState.chat_id == str(chat),
        col(ConversationState.name).startswith("choice:")).order_by(col(ConversationState.created_at).desc(),
                                                                     col(ConversationState.id).desc())).all()
    for row in rows:
        if row.value.get("label") == label and (row.expires_at is None or row.expires_at > now):
            return row.value["label"], row.value["data"]
    return None


def sweep(session: Session, now: datetime) -> int:
    """Drop what has expired; how many rows."""
    result = session.execute(delete(ConversationState).where(col(ConversationState.expires_at) <= now))
    return result.rowcount or 0
