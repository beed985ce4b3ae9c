"""Opening the store for a process: one engine per process, schema created, documents loaded."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from knowledge.db import exclusive, make_engine
from knowledge.loader import load_all
from knowledge.migrate import upgrade


def open_store(settings: Settings) -> Engine:
    """An engine on ``settings.db_url`` migrated to the newest schema, with the documents loaded.

    Loading runs every time: it skips files whose content hash is already stored, and picks
    up an edited YAML without a separate ``load`` step.
    """
    engine = make_engine(settings.db_url)
    with exclusive(engine):  # a second process waits, then finds everything done
        upgrade(engine)  # Alembic migrations, also on every start
        with Session(engine) as session:
            load_all(session, extra=settings.campaigns_dir)
            session.commit()
    return engine
