"""What the gate reads from the store to judge a request: campaigns by id, what a button names.

Kept apart from ``knowledge.access`` (the table, plain values) so the table stays readable and
testable without a database.
"""

from __future__ import annotations

from sqlmodel import Session

from knowledge import people
from knowledge.access import Role, role_of
from knowledge.models import Campaign, Evidence, ReminderLog


def campaign_slug(*, session: Session, campaign_id: int) -> str | None:
    """The slug of the campaign with this id (None when there is none)."""
    camp = session.get(Campaign, campaign_id)
    return camp.slug if camp else None


def evidence_campaign(*, session: Session, evidence_id: int) -> int | None:
    """The campaign a submission belongs to (None when there is no such submission)."""
    row = session.get(Evidence, evidence_id)
    return row.campaign_id if row else None


def reminder_campaign(*, session: Session, reminder_id: int) -> int | None:
    """The campaign a sent reminder belongs to (None when there is no such reminder)."""
    row = session.get(ReminderLog, reminder_id)
    return row.campaign_id if row else None


def officer_campaign(*, session: Session, officer_id: int) -> int | None:
    """The campaign an officer row belongs to (None when there is no such row)."""
    target = people.officer_by_id(session=session, officer_id=officer_id)
    return target.campaign_id if target else None


def best_role(*, session: Session, user_id: int | str, admin: bool, channel: str = "telegram") -> Role:
    """The highest role a user holds in any campaign (for /setup, before a group has a campaign)."""
    roles = [role_of(status=o.status, role=o.role)
             for o in people.officers_of_user(session=session, user_id=user_id, channel=channel)]
    order = [Role.ADMIN, Role.OFFICE, Role.LIAISON, Role.PENDING, Role.REVOKED]
    if admin:
        return Role.ADMIN
    return next((r for r in order if r in roles), Role.STRANGER)
