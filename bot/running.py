"""Whether a bot is running on this store: a lock file that ``liaison-bot run`` holds for its life.

``run`` takes a shared ``flock`` on the file (several bots on one store may each hold it) and
writes its process id there; the operating system lets go when the process ends, however it
ends, so a crash leaves no stale lock. ``liaison-bot restore`` asks for the lock exclusively
without waiting: if it cannot have it, a bot is running. The file lies beside an SQLite
database, else in ``DATA_DIR`` (PostgreSQL): a bot on another machine is not seen.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

_held: list[IO[str]] = []  # the open lock files of this process, kept open until it exits


def lock_path(settings: Settings) -> Path:
    """``<database>.running`` for an SQLite file, else ``DATA_DIR/bot.running``."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.running")
    return settings.data_dir / "bot.running"


def hold(settings: Settings) -> None:
    """Mark this process as a running bot until it exits."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open on purpose
    fcntl.flock(handle, fcntl.LOCK_SH)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _held.append(handle)


def running_bot(settings: Settings) -> str | None:
    """``None`` when no bot holds the store; else what is known of it ("进程 1234")."""
    path = lock_path(settings)
    if not path.exists():
        return None
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip()
            return f"进程 {pid}" if pid.isdigit() else "进程号未知"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
