"""Opening the store for a process: one engine per process, schema created, documents loaded."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from knowledge.campaigns import ensure_loaded
from knowledge.db import create_schema, make_engine


def open_store(settings: Settings) -> Engine:
    """An engine on ``settings.db_url`` with every table present and the documents loaded."""
    engine = make_engine(settings.db_url)
    create_schema(engine)
    with Session(engine) as session:
        ensure_loaded(session)
    return engine
