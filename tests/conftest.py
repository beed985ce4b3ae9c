"""Shared fixtures: an in-memory store, loaded once per session for read-only tests."""

from __future__ import annotations

import os
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


def campaigns_engine() -> Engine:
    """A private ``new_engine`` with both shipped campaigns loaded (tests may write)."""
    engine = new_engine()
    with Session(engine) as s:
        load_all(s)
        s.commit()
    return engine


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

    engine = new_engine()
    with Session(engine) as s:
        load_all(s)
        s.commit()
    harness = await make_harness(engine, FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)))
    yield harness
    await harness.app.shutdown()
