"""Deadlines and reminders: per-indicator due dates, the reminder log, acknowledgements.

``ReminderLog.key`` is unique: a reminder is claimed by inserting its row before it is sent,
so neither a restart nor a second process can send it twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.types import AwareDateTime, ExternalId


class IndicatorDue(SQLModel, table=True):
    """The office's due date for one indicator, overriding the phase default."""

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", unique=True)
    due: date
    set_by: str | None = Field(default=None, sa_type=ExternalId)
    at: datetime = Field(sa_type=AwareDateTime)


class CampaignState(SQLModel, table=True):
    """Switches the office controls: reminders paused, which phase gathers the evidence."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    reminders_paused: bool = False
    paused_by: str | None = Field(default=None, sa_type=ExternalId)
    evidence_phase_no: int | None = None
    last_tick: datetime | None = Field(default=None, sa_type=AwareDateTime)


class ReminderLog(SQLModel, table=True):
    """One reminder, claimed before sending (status claimed → sent)."""

    __table_args__ = (UniqueConstraint("key"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    key: str
    kind: str
    slot: date
    status: str = "claimed"
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON))
    claimed_at: datetime = Field(sa_type=AwareDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class ReminderAck(SQLModel, table=True):
    """A unit has seen a reminder (签收)."""

    __table_args__ = (UniqueConstraint("reminder_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminderlog.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    user_id: str | None = Field(default=None, sa_type=ExternalId)
    at: datetime = Field(sa_type=AwareDateTime)
