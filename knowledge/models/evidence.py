"""Evidence (佐证材料) submitted by units for indicators, its files, and figures for 定量 indicators.

Nothing is deleted: a withdrawn or superseded submission keeps its row and files, so the
台账 can always show the whole history.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.reference import points_field
from knowledge.models.types import AwareDateTime, ExternalId


class Evidence(SQLModel, table=True):
    """One submission: a unit's material for one indicator (and scoring item)."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="indicatoritem.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    submitter_user_id: str | None = Field(default=None, sa_type=ExternalId)
    kind: str = "file"  # file | photo | link | text | mixed
    note: str = ""
    status: str = Field(default="submitted", index=True)
    media_group_id: str = Field(default="", index=True)
    reviewer_user_id: str | None = Field(default=None, sa_type=ExternalId)
    reason: str = ""
    awarded_points: Decimal | None = points_field(nullable=True)
    supersedes_id: int | None = Field(default=None, foreign_key="evidence.id")
    created_at: datetime = Field(sa_type=AwareDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class EvidenceFile(SQLModel, table=True):
    """A file of a submission, stored by content (SHA-256) under EVIDENCE_DIR."""

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    telegram_file_id: str = ""
    telegram_unique_id: str = ""
    name: str
    mime: str = ""
    size: int = 0
    sha256: str = Field(index=True)
    stored_path: str


class Figure(SQLModel, table=True):
    """A number for a 定量 indicator (e.g. 网上零售额 of a year), with its source."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    key: str
    year: int
    value: str  # exact decimal as text
    source: str = ""
    entered_by: str | None = Field(default=None, sa_type=ExternalId)
    at: datetime = Field(sa_type=AwareDateTime)


class SubmitDraft(SQLModel, table=True):
    """A /submit flow between picking the indicator and pressing 提交: what was gathered so far,
    kept in the store so that a file acknowledged with "已收到 1 个文件" survives a restart.
    One per person on a channel; starting a new flow replaces it."""

    __table_args__ = (UniqueConstraint("channel", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = "telegram"
    user_id: str = Field(sa_type=ExternalId)
    campaign_id: int = Field(foreign_key="campaign.id")
    chat_id: str = Field(sa_type=ExternalId)
    indicator_no: int
    item_no: int | None = None
    files: list = Field(default_factory=list, sa_column=Column(JSON))
    notes: list = Field(default_factory=list, sa_column=Column(JSON))
    updated_at: datetime = Field(sa_type=AwareDateTime)
