"""Alembic environment: the models' metadata, the URL handed in by ``knowledge.migrate``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import knowledge.models  # noqa: F401  (registers every table)
from knowledge.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Our column types live in knowledge.models.types; migrations import them from there."""
    module = type(obj).__module__
    if type_ == "type" and module == "knowledge.models.types":
        autogen_context.imports.add("import knowledge.models.types")  # type: ignore[attr-defined]
        return f"knowledge.models.types.{type(obj).__name__}()"
    if type_ == "type" and module.startswith("sqlmodel"):
        autogen_context.imports.add("import sqlmodel")  # type: ignore[attr-defined]
        return f"sqlmodel.sql.sqltypes.{type(obj).__name__}()"
    return False


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _migrate(conn)
    else:
        _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_item=render_item,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
