"""Where a benchmark's database lives: a temporary SQLite file, or a fresh PostgreSQL database
when BENCH_DATABASE_URL names a server (e.g. the one scripts/pg-test-server.sh starts)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.db import create_schema, make_engine, new_database
from knowledge.loader import load_all


def bench_url(tmp: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    return new_database(base, "bench") if base else f"sqlite:///{tmp}/bench.db"


def backend() -> str:
    return "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"


@contextmanager
def loaded_store() -> Iterator[Engine]:
    """A new store (``bench_url``) with the shipped campaigns loaded, as the bot has it."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(bench_url(tmp))
        create_schema(engine)
        with Session(engine) as s:
            load_all(s)
            s.commit()
        yield engine
