"""Who did what, when: one row per change of operational data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from knowledge.models.types import AwareDateTime, ExternalId


class AuditLog(SQLModel, table=True):
    """An append-only record of one change, with the state before and after."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    actor_user_id: str | None = Field(default=None, sa_type=ExternalId)
    action: str
    subject: str = ""
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
    at: datetime = Field(sa_type=AwareDateTime)
