"""Where a benchmark's database lives: a temporary SQLite file, or a fresh PostgreSQL database
when BENCH_DATABASE_URL names a server (e.g. the one scripts/pg-test-server.sh starts)."""

from __future__ import annotations

import os

from knowledge.db import new_database


def bench_url(tmp: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    return new_database(base, "bench") if base else f"sqlite:///{tmp}/bench.db"


def backend() -> str:
    return "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
