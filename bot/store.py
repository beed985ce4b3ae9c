"""Opening the store for a process: one engine per process, schema created, documents loaded."""

from __future__ import annotations

import sys

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from knowledge.db import exclusive, make_engine
from knowledge.loader import load_all
from knowledge.migrate import upgrade


def open_store(settings: Settings) -> Engine:
    """An engine on ``settings.db_url`` migrated to the newest schema, with the documents loaded.

    Loading runs every time: it skips files whose content hash is already stored, and picks
    up an edited YAML without a separate ``load`` step. A campaign file that fails its check
    is left out with a warning on stderr (``doctor`` names it too); the others keep working.
    """
    engine = make_engine(settings.db_url)
    with exclusive(engine):  # a second process waits, then finds everything done
        upgrade(engine)  # Alembic migrations, also on every start
        with Session(engine) as session:
            reports = load_all(session, extra=settings.campaigns_dir, skip_broken=True)
            session.commit()
    for r in reports:
        if r.error is not None:
            print(f"警告: 方案文件 {r.path} 未能加载,已跳过(liaison-bot check 列出原因):"
                  f"{r.error.problems[0] if r.error.problems else ''}", file=sys.stderr)
    return engine
