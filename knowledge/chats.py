"""Chats bound to a campaign: the liaison group(s) and the office chat.

A chat belongs to exactly one campaign. A group upgraded to a supergroup gets a new id; the
binding moves with it so reminders and cards keep arriving. A chat is a channel (default
Telegram) and an id on it, kept as text; functions take the id as ``int | str``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, select

from knowledge.audit import record
from knowledge.identity import TELEGRAM, PeopleError, caller_id, external_id, snapshot
from knowledge.models import Campaign, Chat


@dataclass(frozen=True)
class ChatInfo:
    """A binding as plain values; ``chat_id`` is the id as callers send to it (an int on Telegram,
    the external id elsewhere), ``external_id`` the stored text."""

    channel: str
    external_id: str
    campaign_id: int
    campaign_slug: str
    kind: str
    title: str
    status: str
    chat_id: int | str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chat_id", caller_id(self.channel, self.external_id))


def _chat_info(session: Session, row: Chat) -> ChatInfo:
    camp = session.get(Campaign, row.campaign_id)
    return ChatInfo(row.channel, row.external_id, row.campaign_id, camp.slug if camp else "", row.kind, row.title,
                    row.status)


def _snapshot(row: Chat) -> dict:
    return snapshot(row, ("status", "kind", "channel", "external_id", "campaign_id"))


def _row(session: Session, channel: str, chat_id: int | str) -> Chat | None:
    return session.exec(select(Chat).where(Chat.channel == channel, Chat.external_id == external_id(chat_id))).first()


def bind_chat(*, session: Session, campaign_id: int, chat_id: int | str, kind: str, title: str,
              by_user_id: int | str | None, now: datetime, channel: str = TELEGRAM) -> ChatInfo:
    """Bind (or rebind) a chat as a campaign's liaison group or office chat."""
    if kind not in ("liaison", "office"):
        raise PeopleError("群的用途只能是 liaison(联络员群)或 office(办公室群)。")
    if session.get(Campaign, campaign_id) is None:
        raise PeopleError("没有这个创建项目。")
    if _private(channel, external_id(chat_id)):
        raise PeopleError("私聊不能绑定,请在要绑定的群里发送 /setup。")
    row = _row(session, channel, chat_id)
    before = _snapshot(row) if row else None
    row = row or Chat(campaign_id=campaign_id, channel=channel, external_id=external_id(chat_id))
    row.campaign_id, row.kind, row.title, row.status = campaign_id, kind, title or row.title, "active"
    row.bound_by, row.bound_at = external_id(by_user_id), now
    session.add(row)
    session.flush()
    record(session, action="chat.bind", at=now, campaign_id=campaign_id, actor=row.bound_by,
           subject=f"chat:{chat_id}", before=before, after=_snapshot(row))
    return _chat_info(session, row)


def unbind_chat(*, session: Session, chat_id: int | str, by_user_id: int | str | None, now: datetime,
                channel: str = TELEGRAM) -> bool:
    """Forget a chat's binding (the audit row keeps what it was)."""
    row = _row(session, channel, chat_id)
    if row is None:
        return False
    record(session, action="chat.unbind", at=now, campaign_id=row.campaign_id, actor=by_user_id,
           subject=f"chat:{chat_id}", before=_snapshot(row))
    session.delete(row)
    return True


_BINDING = (select(Chat.channel, Chat.external_id, Chat.campaign_id, Campaign.slug, Chat.kind, Chat.title, Chat.status)
            .join(Campaign, Campaign.id == Chat.campaign_id)
            .where(Chat.channel == bindparam("channel"), Chat.external_id == bindparam("chat_id")))


def chat_binding(*, session: Session, chat_id: int | str, channel: str = TELEGRAM) -> ChatInfo | None:
    """The binding of a chat, if any (a prepared column-only query: every group update asks it)."""
    session.flush()  # as the ORM query's autoflush would: a binding made earlier in this session counts
    row = session.connection().execute(_BINDING, {"channel": channel, "chat_id": external_id(chat_id)}).first()
    if row is None:
        return None
    return ChatInfo(row.channel, row.external_id, row.campaign_id, row.slug, row.kind, row.title or "", row.status)


def _private(channel: str, chat_id: str) -> bool:
    """A Telegram private chat (its id is the user's, a positive number; groups' are negative):
    never a bound chat, so no card or report goes to one person's chat — even a row bound before."""
    return channel == TELEGRAM and chat_id.isdigit()


def _chats(session: Session, kind: str, campaign_id: int | None) -> list[ChatInfo]:
    stmt = select(Chat).where(Chat.kind == kind, Chat.status == "active")
    if campaign_id is not None:
        stmt = stmt.where(Chat.campaign_id == campaign_id)
    return [_chat_info(session, r) for r in session.exec(stmt.order_by(Chat.id)) if not _private(r.channel, r.external_id)]


def office_chats(*, session: Session, campaign_id: int) -> list[ChatInfo]:
    """Where approval cards and reports for a campaign go."""
    return _chats(session, "office", campaign_id)


def all_office_chats(*, session: Session) -> list[ChatInfo]:
    """Every office chat (error reports go to all of them)."""
    return _chats(session, "office", None)


def liaison_chats(*, session: Session, campaign_id: int) -> list[ChatInfo]:
    """The liaison groups of a campaign."""
    return _chats(session, "liaison", campaign_id)


def list_chats(*, session: Session, campaign_id: int | None = None) -> list[ChatInfo]:
    """Every bound chat (of one campaign, or all)."""
    stmt = select(Chat)
    if campaign_id is not None:
        stmt = stmt.where(Chat.campaign_id == campaign_id)
    return [_chat_info(session, r) for r in session.exec(stmt.order_by(Chat.id))]


def migrate_chat(*, session: Session, old_chat_id: int | str, new_chat_id: int | str, now: datetime,
                 channel: str = TELEGRAM) -> ChatInfo | None:
    """A group became a supergroup: move its binding to the new id."""
    row = _row(session, channel, old_chat_id)
    if row is None:
        return chat_binding(session=session, chat_id=new_chat_id, channel=channel)
    if _row(session, channel, new_chat_id) is not None:
        session.delete(row)  # already moved (the migration message arrives in both chats)
        return chat_binding(session=session, chat_id=new_chat_id, channel=channel)
    before = _snapshot(row)
    row.external_id = external_id(new_chat_id)
    session.add(row)
    record(session, action="chat.migrate", at=now, campaign_id=row.campaign_id, subject=f"chat:{old_chat_id}",
           before=before, after=_snapshot(row))
    return _chat_info(session, row)


def mark_chat_status(*, session: Session, chat_id: int | str, status: str, now: datetime,
                     channel: str = TELEGRAM) -> None:
    """Record that a chat is unreachable (bot removed) or reachable again."""
    row = _row(session, channel, chat_id)
    if row is not None and row.status != status:
        before = _snapshot(row)
        row.status = status
        session.add(row)
        record(session, action="chat.status", at=now, campaign_id=row.campaign_id, subject=f"chat:{chat_id}",
               before=before, after={"status": status})
