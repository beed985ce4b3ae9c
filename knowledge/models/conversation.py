"""What a face must remember about a conversation between two messages, kept in the store.

``ConversationState``: one named value of one conversation (and, where it matters, one person in
it) on one channel, with the time it stops counting. The DingTalk face keeps here the numbered
choices it showed ("选3" → the action), the cards it sent (a callback → the conversation), a
reviewer's pending points or reason prompt and a person's registration in progress, so a restart
between a reply and the answer to it forgets nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.models.types import AwareDateTime, ExternalId


class ConversationState(SQLModel, table=True):
    """``name`` in ``chat_id`` (for ``user_id``, or "" for everyone there) → ``value`` until ``expires_at``."""

    __table_args__ = (UniqueConstraint("channel", "chat_id", "user_id", "name"),
                      Index("ix_conversationstate_name", "channel", "name"))
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str = Field(sa_type=ExternalId)
    user_id: str = Field(default="", sa_type=ExternalId)
    name: str
    value: dict = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
