"""Schema migrations with Alembic: ``liaison-bot db upgrade`` (also run when the bot starts).

A database created before migrations existed (tables present, no alembic_version) is stamped
at the first revision, which describes exactly that schema, and then upgraded. One made by
``knowledge.db.create_schema`` from today's models (tests, benchmarks) already matches the
newest revision and is stamped there instead.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import knowledge.models  # noqa: F401  (registers every table on SQLModel.metadata)

FIRST = "0001"


def config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision."""
    cfg = config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one, which foreign keys
            # pointing at it (evidence -> officer) forbid. The pragma is ignored inside a
            # transaction, so it is set before; the check below stands in for it.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            cfg.attributes["connection"] = conn
            tables = set(inspect(conn).get_table_names())
            if "campaign" in tables and "alembic_version" not in tables:
                command.stamp(cfg, "head" if _matches_models(conn) else FIRST)
            command.upgrade(cfg, "head")
            if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("the migration left rows whose foreign keys point nowhere")
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _matches_models(conn: Connection) -> bool:
    """Whether the tables are exactly what today's models describe."""
    return not compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(config(engine)).get_current_head()
