"""Operations: ``liaison-bot doctor`` (is everything in place?), ``backup`` and ``restore``.

A backup is one .tar.gz holding a consistent copy of the database (SQLite's online backup API,
so the bot may keep running; ``pg_dump`` for PostgreSQL) and every evidence file. The archive is
created 0600, and the PostgreSQL password reaches ``pg_dump``/``psql`` in their environment
(``PGPASSWORD``), never on a command line that ``ps`` shows every user of the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from bot.cli.common import CliError
from bot.running import running_bot
from bot.settings import Settings
from knowledge.db import make_engine
from knowledge.files import private_file
from knowledge.migrate import current, head
from reminders.calendar import WorkCalendar


def _check(name: str, ok: bool, detail: str) -> bool:
    print(f"{'✔' if ok else '✘'} {name}: {detail}")
    return ok


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Token, database, migrations, evidence directory, office chat, clock."""
    ok = True
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        # say so instead of creating an empty database at a mistyped path
        ok &= _check("数据库", False, f"文件 {url.database} 不存在。首次启动(liaison-bot run 或 db upgrade)会创建它;"
                                    "如果这不是第一次运行,请检查 DATABASE_URL / DATA_DIR。")
        engine = None
    else:
        engine = make_engine(settings.db_url)
    try:
        if engine is None:
            raise _Skip
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        ok &= _check("数据库", True, make_url(settings.db_url).render_as_string(hide_password=True))
        cur, latest = current(engine), head(engine)
        ok &= _check("数据库迁移", cur == latest, f"当前 {cur or '(空)'},最新 {latest}"
                     + ("" if cur == latest else " — 请运行 liaison-bot db upgrade"))
        ok &= _queues(engine) if cur == latest else True
    except _Skip:
        pass
    except Exception as exc:  # noqa: BLE001
        ok &= _check("数据库", False, f"无法连接:{str(exc).splitlines()[0]}")
    ok &= _campaign_files(settings)
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
    try:
        local = now.astimezone(ZoneInfo(settings.timezone))
        ok &= _check("时区", True, f"{settings.timezone}:本机时间 {local:%Y-%m-%d %H:%M}(UTC {now:%H:%M})")
        if not WorkCalendar().known(local.year + (1 if local.month == 12 else 0)):
            print(f"  提示:{local.year + (1 if local.month == 12 else 0)} 年的节假日安排尚未收录,"
                  "见 knowledge/data/holidays/README.md")
    except (ZoneInfoNotFoundError, ValueError):
        ok &= _check("时区", False, f"TIMEZONE=“{settings.timezone}”不是有效的时区名,例如 Asia/Shanghai")
    if not settings.token:
        _check("令牌", False, "未设置 TELEGRAM_BOT_TOKEN(只能本地试用;办公室群未检查)")
        return 1
    offices = _bound_office_chats(engine) if engine is not None else []
    ok &= asyncio.run(_telegram_checks(settings, offices))
    return 0 if ok else 1


def _campaign_files(settings: Settings) -> bool:
    """Every campaign file passes its check (read-only); a failing one is named — the bot skips it."""
    from knowledge.loader import campaign_files
    from knowledge.validation import inspect_file

    paths = {p.stem: p for p in campaign_files()}
    if settings.campaigns_dir and settings.campaigns_dir.is_dir():
        paths.update({p.stem: p for p in campaign_files(settings.campaigns_dir)})
    results = [inspect_file(p) for p in paths.values()]
    bad = [r for r in results if not r.ok or r.todos]
    good = [r.path.stem for r in results if r not in bad]
    ok = _check("方案文件", not bad, f"{len(good)} 个可加载({'、'.join(good) or '无'})")
    for r in bad:
        why = r.errors[0] if r.errors else f"还有 {r.todos} 处 TODO 待补"
        more = f"(共 {len(r.errors)} 处错误,liaison-bot check 列出全部)" if len(r.errors) > 1 else ""
        print(f"  ✘ {r.path} 未能加载,机器人已跳过它:{why}{more}")
    return ok


def _queues(engine) -> bool:  # noqa: ANN001
    """What waits in the inbox and the outbox. Updates left unfinished or messages waiting are
    normal for a moment; messages given up on (``failed``, after three days of errors) are not."""
    from sqlmodel import Session

    from knowledge import inbox, outbox

    with Session(engine) as session:
        updates, messages = inbox.counts(session, "telegram"), outbox.backlog(session)
    waiting = messages.get("pending", 0) + messages.get("sending", 0)
    failed, unreachable = messages.get("failed", 0), messages.get("unreachable", 0)
    detail = (f"收到的消息 {updates.get('pending', 0)} 条未处理完;待发送 {waiting} 条,"
              f"对方不可达 {unreachable} 条,多次失败已放弃 {failed} 条")
    return _check("收发队列", failed == 0, detail + (" — 详见日志中的 giving up on outbox message" if failed else ""))


class _Skip(Exception):
    """The database check already said why it cannot go on."""


def _bound_office_chats(engine) -> list[int]:  # noqa: ANN001
    """Office chats bound with /setup or ``chats bind`` (checked as well as OFFICE_CHAT_ID)."""
    from sqlmodel import Session

    from knowledge import chats
    from knowledge.identity import TELEGRAM

    try:
        with Session(engine) as session:
            return [c.chat_id for c in chats.all_office_chats(session=session) if c.channel == TELEGRAM]
    except Exception:  # noqa: BLE001  (an unmigrated database has no chats yet)
        return []


async def _telegram_checks(settings: Settings, offices: list[int]) -> bool:
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.token, base_url=settings.telegram_base_url, base_file_url=settings.telegram_base_file_url)
    try:
        async with bot:
            me = await bot.get_me()
            ok = _check("令牌", True, f"@{me.username}")
            chats = ([settings.office_chat_id] if settings.office_chat_id else []) + \
                [c for c in offices if c != settings.office_chat_id]
            if not chats:
                ok &= _check("办公室群", False, "没有设置 OFFICE_CHAT_ID,也没有用 /setup 绑定办公室群")
            for chat_id in chats:
                try:
                    chat = await bot.get_chat(chat_id)
                    ok &= _check("办公室群", True, f"{chat.title or chat.id}({chat_id})")
                except TelegramError as exc:
                    ok &= _check("办公室群", False, f"{chat_id}:{exc.message}")
            return ok
    except TelegramError as exc:
        return _check("令牌", False, f"Telegram 拒绝或无法连接:{exc.message}")


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Database and evidence into one archive, consistent while the bot runs."""
    local = datetime.now(UTC).astimezone(ZoneInfo(settings.timezone))
    if args.out:
        out = Path(args.out)
    else:  # DATA_DIR/backups, named in the office's own time
        folder = settings.data_dir / "backups"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        out = folder / f"liaison-backup-{local:%Y%m%d-%H%M%S}.tar.gz"
    url = make_url(settings.db_url)
    private_file(out)
    try:
        _write_backup(out, url, settings, local)
    except BaseException:
        out.unlink(missing_ok=True)  # half an archive with a fresh name would pass for a backup
        raise
    print(f"已备份到 {out}({out.stat().st_size // 1024} KB)")
    return 0


def _write_backup(out: Path, url: URL, settings: Settings, local: datetime) -> None:
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
            plain, env = _pg(url)
            _quiet(["pg_dump", "--no-owner", "--clean", "--if-exists", "-f", str(dump), plain], env)
            tar.add(dump, "database.sql")
        if settings.evidence_path.exists():
            tar.add(settings.evidence_path, "evidence")
        info = tarfile.TarInfo("BACKUP.txt")
        note = f"liaison-bot backup {local.isoformat()}\n".encode()
        info.size = len(note)
        tar.addfile(info, io.BytesIO(note))


def _pg(url) -> tuple[str, dict[str, str]]:  # noqa: ANN001
    """The libpq URL without its password, and the environment that carries the password instead."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                      query=url.query)  # (URL.set cannot unset a password: None means "keep it")
    return bare.render_as_string(hide_password=False), env


def _quiet(argv: list[str], env: dict[str, str]) -> None:
    """Run pg_dump or psql with its output kept; shown (the last lines) only when it fails."""
    try:
        subprocess.run(argv, check=True, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise CliError(f"没有找到 {argv[0]}:请安装 PostgreSQL 客户端(Debian: apt-get install postgresql-client)") from None
    except subprocess.CalledProcessError as exc:
        said = "\n".join((exc.stderr or exc.stdout or "").strip().splitlines()[-15:])  # errors go to stderr
        raise CliError(f"{argv[0]} 失败(退出码 {exc.returncode}):\n{said}") from None


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Put a backup back (the bot must be stopped); refuses to overwrite without --force."""
    url = make_url(settings.db_url)
    src = Path(args.archive)
    if not src.exists():
        raise CliError(f"没有找到备份文件 {src}")
    try:
        with tarfile.open(src) as probe:
            names = probe.getnames()
    except (tarfile.TarError, OSError, EOFError):
        raise CliError(f"{src} 不是有效的备份文件(应是 liaison-bot backup 生成的 .tar.gz)") from None
    if "BACKUP.txt" not in names:
        raise CliError(f"{src} 不是 liaison-bot 的备份(缺少 BACKUP.txt)")
    bot = running_bot(settings)
    if bot and not args.force:
        raise CliError(f"机器人正在运行({bot}),恢复会覆盖它正在使用的数据库。请先停止机器人再恢复;"
                       "确需在运行中恢复,请加 --force。")
    if bot:
        print(f"警告:机器人正在运行({bot}),按 --force 仍然恢复;恢复后请重启机器人。", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(src) as tar:
        tar.extractall(tmp, filter="data")
        if url.get_backend_name() == "sqlite":
            target = Path(url.database)
            if target.exists() and not args.force:
                raise CliError(f"{target} 已存在;确认覆盖请加 --force(请先停止机器人)")
            target.parent.mkdir(parents=True, exist_ok=True)
            private_file(target)
            src_db = sqlite3.connect(Path(tmp) / "database.sqlite")
            dst_db = sqlite3.connect(target)
            with dst_db:
                src_db.backup(dst_db)  # page by page into the live file, WAL and all
            src_db.close()
            dst_db.close()
        else:
            plain, env = _pg(url)
            _quiet(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(Path(tmp) / "database.sql"), plain], env)
        ev = Path(tmp) / "evidence"
        if ev.exists():
            settings.evidence_path.mkdir(parents=True, exist_ok=True)
            shutil.copytree(ev, settings.evidence_path, dirs_exist_ok=True)
    print(f"已从 {src} 恢复数据库和材料文件。")
    return 0

