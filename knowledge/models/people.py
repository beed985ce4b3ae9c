"""People and chats: who is a liaison officer of which unit, and which chats are bound."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.types import AwareDateTime


class Chat(SQLModel, table=True):
    """A Telegram chat bound to a campaign: the liaison group or the office chat."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    kind: str = "liaison"
    title: str = ""
    status: str = "active"
    bound_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    bound_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Officer(SQLModel, table=True):
    """A person acting for a unit (liaison) or for the office, with an approval status.

    ``user_id`` may be empty for a roster row known only by @username; it is filled in when
    that person first presses Start.
    """

    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    username: str = ""
    name: str = ""
    role: str = "liaison"
    status: str = "pending"
    private_ok: bool = False
    muted_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    created_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    decided_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
