"""Engines and sessions: created on demand from a URL, never at import time.

SQLite is the embedded default. It is opened in WAL mode with a busy timeout so that the
bot, the scheduler and a CLI command can share one file without "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

import knowledge.models  # noqa: F401  (registers every table on SQLModel.metadata)
from knowledge.files import private_file


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory:
            path = url.split("///", 1)[-1]
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            file = Path(make_url(url).database or path).expanduser()
            if not file.exists():  # created 0600; SQLite's -wal and -shm files take the database's mode
                private_file(file)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, echo=echo, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def _without_nul(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> tuple:  # noqa: ANN401
    """Text people typed is stored without NUL characters: PostgreSQL refuses them in text, and
    both stores must hold the same. ``params`` is one row (a mapping or a sequence of values) or,
    for an executemany, a list of rows; SQLAlchemy's batched inserts pass one row with many set."""
    def clean(value: Any) -> Any:  # noqa: ANN401
        if isinstance(value, str):
            return value.replace("\x00", "") if "\x00" in value else value
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items()}
        return type(value)(clean(v) for v in value) if isinstance(value, list | tuple) else value
    return statement, clean(params)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:  # noqa: ANN401
    """WAL lets readers proceed while one writer commits; busy_timeout waits instead of failing."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives the process
    # being killed (the OS has it), only a power cut may lose the last ones. Commits become cheap,
    # which shortens the moment between a message going out and its row being marked sent.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet."""
    SQLModel.metadata.create_all(engine)


@contextmanager
def exclusive(engine: Engine) -> Iterator[None]:
    """One process at a time: the bot and a command started together on a new store must not
    both create its tables ("table campaign already exists"). SQLite takes a lock file beside
    the database; PostgreSQL a session advisory lock; an in-memory database needs none."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            yield
            return
        import fcntl

        with open(f"{path}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7243010)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7243010)"))
                conn.commit()
    else:
        yield


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One short unit of work: commit on success, roll back on error, always close."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def new_database(base_url: str, prefix: str = "t") -> str:
    """Create an empty database on the server of ``base_url`` and return its URL (tests, benchmarks)."""
    import uuid

    from sqlalchemy import create_engine as sa_engine
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = sa_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)
