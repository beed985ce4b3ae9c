"""The outbox in the store: messages the bot must deliver, one row per (message, chat).

A fact and the rows that report it are written in one transaction (``put``), so once a
submission is committed its receipt and its review cards cannot be forgotten, and writing the
same fact again writes nothing (the row's ``key`` is unique). A sender (``reminders.outbox``)
claims due rows, delivers them through a face and marks each one; the rules for a failed attempt
live here so every face retries the same way:

- a pause the channel asks for (``retry_after``) is honoured;
- other failures back off: 5 s, 10 s, 20 s … at most 10 minutes, for up to three days, then the
  row is marked ``failed`` and logged (nobody can reach a chat that has been gone for days);
- a chat that cannot be reached (blocked, left, never started) is ``unreachable`` at once, and
  the row's ``fallback`` rows are written instead, in the same transaction;
- a row claimed but never marked (the process died while sending) is sent again: after a
  restart (``reclaim``), or after ``STALE`` by another process. This is the one window where a
  message can arrive twice — between the channel accepting it and the row being marked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from knowledge import inbox
from knowledge.identity import TELEGRAM
from knowledge.messages import Message, decode, encode
from knowledge.models import OutboxMessage

log = logging.getLogger(__name__)
STALE = timedelta(minutes=10)
GIVE_UP = timedelta(days=3)
MAX_BACKOFF = timedelta(minutes=10)
OPEN = ("pending", "sending")


Address = tuple[str, int | str]  # (channel, chat or person id): where a row goes


def where(channel: str, target: int | str) -> str:
    """A row key's last part for ``target`` on ``channel``: the id itself on Telegram (the keys
    rows had before there was a second channel), ``dingtalk:<id>`` elsewhere — a DingTalk staff id
    may be spelt like a Telegram user id, and one reminder to both must be two rows."""
    return str(target) if channel == TELEGRAM else f"{channel}:{target}"


@dataclass
class Outgoing:
    """One row to write: what to say, to whom, and what to do when they cannot be reached."""

    key: str
    target: int | str
    message: Message
    private: bool = False
    reply_to: int | None = None
    image: str = ""
    campaign_id: int | None = None
    channel: str = TELEGRAM
    fallback: list[Outgoing] = field(default_factory=list)

    def as_row(self, now: datetime) -> OutboxMessage:
        return OutboxMessage(key=self.key, campaign_id=self.campaign_id, channel=self.channel,
                             target=str(self.target), private=self.private, message=encode(self.message),
                             reply_to=self.reply_to, image=self.image, next_at=now, created_at=now,
                             fallback=[_spec(f) for f in self.fallback])


def _spec(out: Outgoing) -> dict:
    return {"key": out.key, "target": str(out.target), "message": encode(out.message), "private": out.private,
            "reply_to": out.reply_to, "image": out.image, "campaign_id": out.campaign_id, "channel": out.channel,
            "fallback": [_spec(f) for f in out.fallback]}


def _from_spec(spec: dict) -> Outgoing:
    return Outgoing(key=spec["key"], target=spec["target"], message=decode(spec["message"]),
                    private=spec.get("private", False), reply_to=spec.get("reply_to"), image=spec.get("image", ""),
                    campaign_id=spec.get("campaign_id"), channel=spec.get("channel", TELEGRAM),
                    fallback=[_from_spec(f) for f in spec.get("fallback", [])])


def put(session: Session, outgoing: list[Outgoing], now: datetime) -> list[str]:
    """Write the rows not written yet (in the caller's transaction); their keys, all of them."""
    keys = [o.key for o in outgoing]
    have = set(session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(keys)))) if keys else set()
    for out in outgoing:
        if out.key not in have:
            have.add(out.key)
            session.add(out.as_row(now))
    session.flush()
    return keys


def settle(session: Session, outgoing: list[Outgoing], now: datetime, update: tuple[str, int] | None = None) -> list[str]:
    """Commit the caller's effects with the rows that report them and, when ``update`` (channel,
    update id) is given, the inbox row of the update that caused them marked done — one
    transaction: after a crash either all of it happened (and the rows go out) or none of it did
    (and the update is processed again)."""
    keys = put(session, outgoing, now)
    if update is not None:
        inbox.done(session, update[0], update[1], now)
    session.commit()
    return keys


def revise(session: Session, key: str, message: Message) -> bool:
    """Change what a row not yet sent will say (an album's receipt listing its next file)."""
    result = session.execute(update(OutboxMessage).where(OutboxMessage.key == key, OutboxMessage.status == "pending")
                             .values(message=encode(message)))
    return bool(result.rowcount)


def row(session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()


def keys_from(session: Session, prefix: str) -> list[str]:
    """Keys of the rows reporting one thing to several chats (``card:12:`` → each office chat's card)."""
    return list(session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).startswith(prefix))
                             .order_by(OutboxMessage.id)))


def due(session: Session, now: datetime, channel: str, keys: list[str] | None = None, limit: int = 100) -> list[int]:
    """Ids of ``channel``'s rows to send now, oldest first: pending and due, or claimed long ago and
    never marked. A row of another channel is another face's (another process's, perhaps): never here.

    ``limit`` bounds a pass over the whole outbox; rows named by ``keys`` are all returned."""
    ready = (OutboxMessage.status == "pending") & (OutboxMessage.next_at <= now)
    stale = (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE)
    query = select(OutboxMessage.id).where(OutboxMessage.channel == channel, ready | stale)
    if keys is not None:
        return list(session.exec(query.where(col(OutboxMessage.key).in_(keys)).order_by(OutboxMessage.id)))
    return list(session.exec(query.order_by(OutboxMessage.id).limit(limit)))


def claim(session: Session, row_id: int, now: datetime, channel: str) -> OutboxMessage | None:
    """Take ``channel``'s row for sending; None when another sender took it first (or it is done,
    or it is another channel's)."""
    stale = now - STALE
    result = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == row_id, OutboxMessage.channel == channel,
        (OutboxMessage.status == "pending") | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale)),
    ).values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1))
    if not result.rowcount:
        return None
    session.commit()
    return session.get(OutboxMessage, row_id)


def release(session: Session, row_id: int, not_before: datetime | None = None) -> None:
    """Give a claimed row back untried: an earlier message to its chat must go first, so it
    waits at least as long as that one (``not_before``)."""
    values: dict = {"status": "pending", "attempts": OutboxMessage.attempts - 1}
    if not_before is not None:
        values["next_at"] = not_before
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def sent(session: Session, row_id: int, ids: list[int | str], now: datetime, note: str = "") -> None:
    """The channel took it; ``ids`` are its message ids (empty when it did not say)."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                    .values(status="sent", sent_at=now, sent_ids=[*ids], error=note[:500]))


def unreachable(session: Session, row_id: int, now: datetime, why: str = "") -> list[str]:
    """The chat cannot be reached: mark it and write its fallback rows; their keys."""
    out = session.get(OutboxMessage, row_id)
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                    .values(status="unreachable", sent_at=now, error=why[:500]))
    backups = [_from_spec(spec) for spec in (out.fallback if out else [])]
    return put(session, backups, now) if backups else []


def later(session: Session, row_id: int, now: datetime, why: str, retry_after: float | None = None) -> datetime:
    """A failed attempt that may pass: set and return when to try again (``failed`` after ``GIVE_UP``)."""
    out = session.get(OutboxMessage, row_id)
    if out is None:
        return now
    if now - out.created_at > GIVE_UP:
        log.error("giving up on outbox message %s (%s) to %s after %d attempts: %s",
                  out.id, out.key, out.target, out.attempts, why)
        status, next_at = "failed", now
    else:
        wait = timedelta(seconds=retry_after) if retry_after else min(
            timedelta(seconds=5 * 2 ** max(out.attempts - 1, 0)), MAX_BACKOFF)
        status, next_at = "pending", now + wait
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                    .values(status=status, next_at=next_at, error=why[:500]))
    return next_at


def reclaim(session: Session, started: datetime, channel: str) -> int:
    """At start-up: ``channel``'s rows a previous process claimed and never marked are sent again
    (counted). Another channel's are left alone: the process sending them may be running."""
    result = session.execute(update(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.status == "sending", OutboxMessage.claimed_at < started)
        .values(status="pending"))
    return result.rowcount or 0


def backlog(session: Session) -> dict[str, int]:
    """Rows by status (``liaison-bot doctor``): what waits, and what was given up on."""
    from sqlalchemy import func

    return dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
