"""Shared fixtures: an in-memory store, loaded once per session for read-only tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine, new_database
from knowledge.loader import load_all
from knowledge.units import UnitDirectory


def fresh_url(tmp_dir: object = None) -> str:
    """A URL of a new, empty database: PostgreSQL when TEST_DATABASE_URL names a server
    (CI runs the suite a second time that way), else SQLite (a file in ``tmp_dir`` or memory)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        return new_database(base)
    return f"sqlite:///{tmp_dir}/test.db" if tmp_dir else "sqlite://"


_template: dict[str, object] = {}  # this process's loaded store, copied for every test that wants one


def _loaded_template() -> object:
    """Both shipped campaigns loaded once per process (``load_all`` takes seconds; a copy takes
    milliseconds): an in-memory SQLite engine, or the name of a PostgreSQL database nobody
    stays connected to, so that ``CREATE DATABASE … TEMPLATE`` may copy it."""
    if "store" not in _template:
        engine = make_engine(fresh_url())
        create_schema(engine)
        with Session(engine) as s:
            load_all(s)
            s.commit()
        if engine.dialect.name == "sqlite":
            _template["store"] = engine
        else:
            engine.dispose()
            _template["store"] = engine.url.database
    return _template["store"]


def loaded_url(tmp_dir: object = None) -> str:
    """The URL of a new database holding every table and both shipped campaigns, exactly as
    ``create_schema`` then ``load_all`` leave it (a copy of this process's template; tests may write)."""
    template = _loaded_template()
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        from sqlalchemy import create_engine as sa_engine
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"t_{uuid.uuid4().hex[:16]}"
        admin = sa_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        return make_url(base).set(database=name).render_as_string(hide_password=False)
    if not tmp_dir:
        raise ValueError("an in-memory SQLite copy has no URL: use campaigns_engine(), or give a folder")
    url = fresh_url(tmp_dir)
    _copy_sqlite(template, make_engine(url), dispose=True)
    return url


def _copy_sqlite(template: Engine, target: Engine, dispose: bool = False) -> Engine:
    """Copy the template's pages into ``target`` with SQLite's online backup."""
    source, dest = template.raw_connection(), target.raw_connection()
    try:
        source.driver_connection.backup(dest.driver_connection)
    finally:
        dest.close()
        source.close()
    if dispose:
        target.dispose()
    return target


def campaigns_engine() -> Engine:
    """A private ``new_engine`` with both shipped campaigns loaded (tests may write)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        return make_engine(loaded_url())
    return _copy_sqlite(_loaded_template(), make_engine("sqlite://"))


def new_engine() -> Engine:
    """A private database (in-memory SQLite, or a fresh PostgreSQL database) with every table."""
    engine = make_engine(fresh_url())
    create_schema(engine)
    return engine


@pytest.fixture
def engine() -> Engine:
    return new_engine()


@pytest.fixture(scope="session")
def loaded_engine() -> Engine:
    """Both shipped campaigns loaded, shared by the session; tests using it must not write."""
    return campaigns_engine()


@pytest.fixture
def store(loaded_engine: Engine) -> Iterator[Session]:
    with Session(loaded_engine) as session:
        yield session
        session.rollback()


@pytest.fixture
def hejin(store: Session):
    camp = get_campaign(store, "hejin")
    return camp, UnitDirectory.load(store, camp)


@pytest.fixture
def yancheng(store: Session):
    camp = get_campaign(store, "yancheng")
    return camp, UnitDirectory.load(store, camp)


@pytest.fixture
async def h() -> AsyncIterator:
    """The real Application over both campaigns, on a private store, at 2026-11-24 09:00 Beijing time
    (layer 2; modules that need other settings define their own ``h``)."""
    from tests.botkit import make_harness

    harness = await make_harness(campaigns_engine(), FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)))
    yield harness
    await harness.app.shutdown()
