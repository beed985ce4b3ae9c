"""Schema migrations with Alembic: ``liaison-bot db upgrade`` (also run when the bot starts).

A database created before migrations existed (tables present, no alembic_version) is stamped
at the first revision, which describes exactly that schema, and then upgraded. One made by
``knowledge.db.create_schema`` from today's models (tests, benchmarks) already matches the
newest revision and is stamped there instead.

Alembic itself is imported only when there is something to do: a store already at the newest
revision (every start but the first after an upgrade) is told apart with one query against the
revision ids written in ``migrations/versions``, which saves every command about 0.3 s.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import knowledge.models  # noqa: F401  (registers every table on SQLModel.metadata)

if TYPE_CHECKING:
    from alembic.config import Config

FIRST = "0001"
VERSIONS = Path(__file__).parent / "migrations" / "versions"


def config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision."""
    if at_head(engine):
        return
    from alembic import command

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
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    return not compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config(engine)).get_current_head()


def at_head(engine: Engine) -> bool:
    """Whether the store is stamped at the newest revision, asked without loading Alembic."""
    newest = head_in_files()
    if newest is None:
        return False
    try:
        with engine.connect() as conn:
            stamped = [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except DBAPIError:  # a new store: no alembic_version table yet
        return False
    return stamped == [newest]


@functools.cache
def head_in_files() -> str | None:
    """The one revision of ``migrations/versions`` no other revision follows; None when the files
    do not say plainly (then Alembic decides)."""
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        down = re.search(r"^down_revision\s*=\s*(.+)$", text, re.M)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
