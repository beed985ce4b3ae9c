"""People and chats: who is a liaison officer of which unit, and which chats are bound.

Both are known by a channel ("telegram"; later "dingtalk") and an id on that channel kept as
text, never by a Telegram integer: a second channel needs no schema change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.types import AwareDateTime, ExternalId

# A raw INSERT (or a row from before channels existed) is a Telegram one.
_CHANNEL = {"sa_column_kwargs": {"server_default": "telegram"}}


class Chat(SQLModel, table=True):
    """A chat on a channel bound to a campaign: the liaison group or the office chat."""

    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_chat_channel_external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    channel: str = Field(default="telegram", **_CHANNEL)
    external_id: str = Field(sa_type=ExternalId)
    kind: str = "liaison"
    title: str = ""
    status: str = "active"
    bound_by: str | None = Field(default=None, sa_type=ExternalId)
    bound_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Officer(SQLModel, table=True):
    """A person acting for a unit (liaison) or for the office, with an approval status.

    ``external_id`` may be empty for a roster row known only by @username; it is filled in when
    that person first presses Start. One person has one row per campaign and channel.
    """

    __table_args__ = (UniqueConstraint("campaign_id", "channel", "external_id",
                                       name="uq_officer_campaign_id_channel_external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    channel: str = Field(default="telegram", **_CHANNEL)
    external_id: str | None = Field(default=None, sa_type=ExternalId, index=True)
    username: str = ""
    name: str = ""
    role: str = "liaison"
    status: str = "pending"
    private_ok: bool = False
    muted_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    created_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    decided_by: str | None = Field(default=None, sa_type=ExternalId)
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
