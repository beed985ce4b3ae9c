"""Alembic: an empty database upgrades, an older database keeps its data, models = migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.migrate import current, head, upgrade
from knowledge.models import Indicator
from tests.conftest import fresh_url


def test_empty_database_upgrades_to_head(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    upgrade(engine)
    assert current(engine) == head(engine)
    with Session(engine) as s:
        load_all(s)
        s.commit()
        assert len(s.exec(select(Indicator)).all()) == 81


def test_database_from_before_migrations_is_stamped_and_keeps_data(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)  # how the first releases created tables
    with Session(engine) as s:
        load_all(s)
        s.commit()
    upgrade(engine)
    assert current(engine) == head(engine)
    with Session(engine) as s:
        assert len(s.exec(select(Indicator)).all()) == 81
    upgrade(engine)  # idempotent


def test_models_and_migrations_agree(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    assert diff == []
