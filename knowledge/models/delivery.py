"""What comes in and what must go out, stored so that a crash neither loses nor repeats it.

``InboxUpdate``: every update a channel delivers, written (raw JSON, unique per channel and
update id) *before* the channel is told it arrived — before the next ``getUpdates`` offset, before
the webhook's 200. It is marked done in the same transaction as its effects, so after a crash
exactly the unfinished ones are processed again.

``OutboxMessage``: one message the bot must deliver to one chat (a receipt, a review card, an
outcome, a reminder, a catch-up, a digest), written in the same transaction as the fact it
reports. A sender claims it, delivers it and marks it; after a crash only unmarked rows go out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.types import AwareDateTime, ExternalId


class InboxUpdate(SQLModel, table=True):
    """One incoming update (status pending → done | failed)."""

    __table_args__ = (UniqueConstraint("channel", "update_id"), Index("ix_inbox_status", "status", "id"))
    id: int | None = Field(default=None, primary_key=True)
    channel: str = "telegram"
    update_id: int = Field(sa_type=BigInteger)
    raw: dict = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = "pending"
    received_at: datetime = Field(sa_type=AwareDateTime)
    done_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    error: str = ""


class OutboxMessage(SQLModel, table=True):
    """One message for one chat (status pending → sending → sent | unreachable | failed).

    ``key`` says what it reports and where ("receipt:12", "card:12:-100…"), so writing the same
    fact twice writes one row. ``message`` is the core ``Message`` as JSON
    (``knowledge.messages.encode``): each face renders it when it sends. ``fallback`` holds the
    rows to write when this chat cannot be reached (an outcome the submitter cannot get privately
    goes to the liaison groups). ``sent_ids`` are the channel's message ids, for later edits.
    """

    __table_args__ = (UniqueConstraint("key"), Index("ix_outbox_due", "status", "next_at"))
    id: int | None = Field(default=None, primary_key=True)
    key: str
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    channel: str = "telegram"
    target: str = Field(sa_type=ExternalId)
    private: bool = False
    message: dict = Field(default_factory=dict, sa_column=Column(JSON))
    reply_to: int | None = Field(default=None, sa_type=BigInteger)
    image: str = ""
    status: str = "pending"
    attempts: int = 0
    next_at: datetime = Field(sa_type=AwareDateTime)
    created_at: datetime = Field(sa_type=AwareDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    sent_ids: list = Field(default_factory=list, sa_column=Column(JSON))
    fallback: list = Field(default_factory=list, sa_column=Column(JSON))
    error: str = ""
