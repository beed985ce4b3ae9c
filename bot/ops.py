"""Operations: ``liaison-bot doctor`` (is everything in place?), ``backup`` and ``restore``.

A backup is one .tar.gz holding a consistent copy of the database (SQLite's online backup API,
so the bot may keep running; ``pg_dump`` for PostgreSQL) and every evidence file.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli import EXTENSIONS, CliError
from bot.settings import Settings
from knowledge.db import make_engine
from knowledge.migrate import current, head


def _check(name: str, ok: bool, detail: str) -> bool:
    print(f"{'✔' if ok else '✘'} {name}: {detail}")
    return ok


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Token, database, migrations, evidence directory, office chat, clock."""
    ok = True
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        ok &= _check("数据库", True, make_url(settings.db_url).render_as_string(hide_password=True))
        cur, latest = current(engine), head(engine)
        ok &= _check("数据库迁移", cur == latest, f"当前 {cur or '(空)'},最新 {latest}"
                     + ("" if cur == latest else " — 请运行 liaison-bot db upgrade"))
    except Exception as exc:  # noqa: BLE001
        ok &= _check("数据库", False, f"无法连接:{exc}")
    ev = settings.evidence_path
    try:
        ev.mkdir(parents=True, exist_ok=True)
        probe = ev / ".doctor"
        probe.write_bytes(b"ok")
        probe.unlink()
        free = shutil.disk_usage(ev).free // 2**30
        ok &= _check("材料目录", free >= 1, f"{ev.resolve()} 可写,剩余 {free} GB")
    except OSError as exc:
        ok &= _check("材料目录", False, f"{ev} 不可写:{exc}")
    now = datetime.now(UTC)
    _check("时钟", True, f"UTC {now:%Y-%m-%d %H:%M},时区 {settings.timezone}")
    if not settings.token:
        _check("令牌", False, "未设置 TELEGRAM_BOT_TOKEN(只能本地试用)")
        return 0 if ok else 1
    ok &= asyncio.run(_telegram_checks(settings))
    return 0 if ok else 1


async def _telegram_checks(settings: Settings) -> bool:
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.token, base_url=settings.telegram_base_url, base_file_url=settings.telegram_base_file_url)
    try:
        async with bot:
            me = await bot.get_me()
            ok = _check("令牌", True, f"@{me.username}")
            if settings.office_chat_id:
                try:
                    chat = await bot.get_chat(settings.office_chat_id)
                    ok &= _check("办公室群", True, chat.title or str(chat.id))
                except TelegramError as exc:
                    ok &= _check("办公室群", False, f"{settings.office_chat_id}:{exc.message}")
            return ok
    except TelegramError as exc:
        return _check("令牌", False, f"Telegram 拒绝或无法连接:{exc.message}")


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Database and evidence into one archive, consistent while the bot runs."""
    out = Path(args.out or f"liaison-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz")
    url = make_url(settings.db_url)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(out, "w:gz") as tar:
        if url.get_backend_name() == "sqlite":
            dump = Path(tmp) / "database.sqlite"
            src = sqlite3.connect(url.database)
            dst = sqlite3.connect(dump)
            with dst:
                src.backup(dst)  # SQLite's online backup: a consistent snapshot while others write
            src.close()
            dst.close()
            tar.add(dump, "database.sqlite")
        else:
            dump = Path(tmp) / "database.sql"
            plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
            subprocess.run(["pg_dump", "--no-owner", "--clean", "--if-exists", "-f", str(dump), plain], check=True)
            tar.add(dump, "database.sql")
        if settings.evidence_path.exists():
            tar.add(settings.evidence_path, "evidence")
        info = tarfile.TarInfo("BACKUP.txt")
        note = f"liaison-bot backup {datetime.now(UTC).isoformat()}\n".encode()
        info.size = len(note)
        tar.addfile(info, io.BytesIO(note))
    print(f"已备份到 {out}({out.stat().st_size // 1024} KB)")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Put a backup back (the bot must be stopped); refuses to overwrite without --force."""
    url = make_url(settings.db_url)
    src = Path(args.archive)
    if not src.exists():
        raise CliError(f"没有找到备份文件 {src}")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(src) as tar:
        tar.extractall(tmp, filter="data")
        if url.get_backend_name() == "sqlite":
            target = Path(url.database)
            if target.exists() and not args.force:
                raise CliError(f"{target} 已存在;确认覆盖请加 --force(请先停止机器人)")
            target.parent.mkdir(parents=True, exist_ok=True)
            src_db = sqlite3.connect(Path(tmp) / "database.sqlite")
            dst_db = sqlite3.connect(target)
            with dst_db:
                src_db.backup(dst_db)  # page by page into the live file, WAL and all
            src_db.close()
            dst_db.close()
        else:
            plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(Path(tmp) / "database.sql"), plain],
                           check=True)
        ev = Path(tmp) / "evidence"
        if ev.exists():
            settings.evidence_path.mkdir(parents=True, exist_ok=True)
            shutil.copytree(ev, settings.evidence_path, dirs_exist_ok=True)
    print(f"已从 {src} 恢复数据库和材料文件。")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="检查令牌、数据库、迁移、材料目录、办公室群和时钟")
    p.set_defaults(func=cmd_doctor)
    p = sub.add_parser("backup", help="备份数据库和材料文件(运行中也可)")
    p.add_argument("--out")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="从备份恢复(请先停止机器人)")
    p.add_argument("archive")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_restore)


EXTENSIONS.append(register)

