"""Finding campaigns and making sure the shipped documents are in the store."""

from __future__ import annotations

from sqlmodel import Session, select

from knowledge.loader import load_all
from knowledge.models import Campaign


class UnknownCampaign(LookupError):
    """The slug names no loaded campaign; ``known`` lists the ones that exist."""

    def __init__(self, slug: str, known: list[str]) -> None:
        self.slug = slug
        self.known = known
        super().__init__(f"没有名为“{slug}”的创建项目(可用: {', '.join(known) or '无'})")


def ensure_loaded(session: Session) -> None:
    """Load the shipped documents when the store has none (first run on a fresh machine)."""
    if session.exec(select(Campaign.id)).first() is None:
        load_all(session)
        session.commit()


def get_campaign(session: Session, slug: str) -> Campaign:
    """The campaign called ``slug`` (case-insensitive), or ``UnknownCampaign``."""
    camp = session.exec(select(Campaign).where(Campaign.slug == slug.strip().lower())).first()
    if camp is None:
        raise UnknownCampaign(slug, list_slugs(session))
    return camp


def list_slugs(session: Session) -> list[str]:
    """Slugs of every loaded campaign, sorted."""
    return sorted(session.exec(select(Campaign.slug)))


def all_campaigns(*, session: Session) -> list[Campaign]:
    """Every loaded campaign, by slug (the reminder job, the weekly digest and the city pickers)."""
    return list(session.exec(select(Campaign).order_by(Campaign.slug)))
