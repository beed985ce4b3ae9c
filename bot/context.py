"""Shared services and the custom callback context that gives handlers typed access to them.

Follows python-telegram-bot's ``contexttypesbot`` example: instead of casting
``context.bot_data[...]`` in every handler, ``context.services`` is typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import Application, CallbackContext, ExtBot

from bot.replies import ReplyCache
from bot.settings import Settings
from bot.turns import StoreTurn
from knowledge.clock import Clock
from knowledge.db import session_scope
from knowledge.models import Campaign
from knowledge.quota import RecentUploads
from knowledge.units import UnitDirectory


@dataclass
class Services:
    """Everything handlers need besides the update: settings, the store, the clock."""

    settings: Settings
    engine: Engine
    clock: Clock
    bot_username: str = ""
    _directories: dict[tuple[int, str], UnitDirectory] = field(default_factory=dict)
    _campaigns: dict[str, Campaign] = field(default_factory=dict)
    # Replies kept between questions (see bot.replies); None builds every reply afresh.
    replies: ReplyCache | None = field(default_factory=ReplyCache)
    # Whose turn it is with the store while updates run concurrently (see bot.turns).
    turn: StoreTurn = field(default_factory=StoreTurn)
    # One pass over the outbox at a time in this process: at most one message is in flight, so a
    # crash can leave at most one delivery in doubt (see knowledge.outbox).
    sending: asyncio.Lock = field(default_factory=asyncio.Lock)
    # What each officer sent in the last hour (knowledge.quota: the hourly rate).
    uploads: RecentUploads = field(default_factory=RecentUploads)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The one place a database session is opened: one short session per update."""
        with session_scope(self.engine) as session:
            yield session

    def campaign(self, session: Session, slug: str) -> Campaign:
        """A campaign by slug, read once per process: its row changes only when documents load,
        which happens at start-up (``open_store``)."""
        from knowledge.campaigns import get_campaign

        if slug not in self._campaigns:
            camp = get_campaign(session, slug)
            session.expunge(camp)
            self._campaigns[slug] = camp
        return self._campaigns[slug]

    def directory(self, session: Session, campaign: Campaign) -> UnitDirectory:
        """Unit names of a campaign, cached until its data changes (keyed by the data hash)."""
        key = (campaign.id or 0, campaign.data_hash)
        if key not in self._directories:
            self._directories[key] = UnitDirectory.load(session, campaign)
        return self._directories[key]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def today(self) -> date:
        """The campaign's day now (Asia/Shanghai by default), from the injected clock."""
        return self.clock.now().astimezone(self.tz).date()


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """The callback context of this bot: ``context.services`` is the shared ``Services``."""

    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        return self.bot_data["services"]
