"""What the DingTalk face waits for from one person, kept in the store (``knowledge.conversation``)
so a restart between the question and its answer forgets nothing: a reviewer's points or reason
after 给分/退回, a person's unit while registering. Each lasts ``TTL``; past it the next text is
read as any text is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from channels.dingtalk import CHANNEL
from knowledge import conversation

TTL = timedelta(days=1)
PROMPT, REGISTERING = "review-prompt", "registering"


def ask_review(session: Session, chat: str, user: str, evidence_id: int, points: bool, now: datetime) -> None:
    conversation.remember(session, CHANNEL, chat, PROMPT, {"evidence": evidence_id, "points": points},
                          now=now, ttl=TTL, user=user)


def review_prompt(session: Session, chat: str, user: str, now: datetime) -> tuple[int, bool] | None:
    """(evidence id, points?) the reviewer's next text in ``chat`` answers; None when none waits."""
    value = conversation.recall(session, CHANNEL, chat, PROMPT, now=now, user=user)
    return (int(value["evidence"]), bool(value["points"])) if value else None


def answered(session: Session, chat: str, user: str) -> None:
    conversation.forget(session, CHANNEL, chat, PROMPT, user=user)


def registering(session: Session, user: str, now: datetime) -> int | None:
    """The campaign a person is picking a unit of (in their private chat), or None."""
    value = conversation.recall(session, CHANNEL, user, REGISTERING, now=now, user=user)
    return int(value["campaign"]) if value else None


def start_registering(session: Session, user: str, campaign_id: int, now: datetime) -> None:
    conversation.remember(session, CHANNEL, user, REGISTERING, {"campaign": campaign_id}, now=now, ttl=TTL,
                          user=user)


def end_registering(session: Session, user: str) -> None:
    conversation.forget(session, CHANNEL, user, REGISTERING, user=user)
