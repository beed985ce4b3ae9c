"""What every subcommand group shares: the user's-fault error, the campaign day, JSON output,
and the one sentence for a database that cannot be used.

This module imports no other part of the CLI, so the groups (and the console chat) can all use
it without a circle; it stays light because ``liaison-bot --help`` loads it.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.settings import Settings
    from knowledge.models import Campaign

# Drivers a DATABASE_URL may name; a missing one is the user's setup, not a bug of ours.
DB_DRIVERS = frozenset({"psycopg", "psycopg2", "MySQLdb", "pymysql", "asyncpg", "cx_Oracle", "oracledb", "pyodbc"})


class CliError(Exception):
    """A problem the user can fix; printed to stderr with exit code 2."""


def pick_campaign(session: Session, slug: str | None, settings: Settings) -> Campaign:
    """The campaign a command is about: ``--campaign`` when given, else ``DEFAULT_CAMPAIGN``; when
    that is not set and only one campaign is loaded (a deployment of one city), that one."""
    from knowledge.campaigns import get_campaign, list_slugs

    if slug:
        return get_campaign(session, slug)
    if "default_campaign" not in settings.model_fields_set:
        loaded = list_slugs(session)
        if len(loaded) == 1:
            return get_campaign(session, loaded[0])
    return get_campaign(session, settings.default_campaign)


def campaign_day(at: str | None, timezone: str) -> date:
    """The campaign-local date of ``--at`` (ISO; a naive time is campaign time), or of now."""
    from knowledge.clock import SystemClock

    tz = ZoneInfo(timezone)
    try:
        moment = datetime.fromisoformat(at) if at else SystemClock().now()
    except ValueError:
        raise CliError(f"时间“{at}”格式不对,例如 2026-12-07T09:00+08:00") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz).date()


def print_json(data: object) -> None:
    """The ``--json`` output: UTF-8 as it is, indented, dates and decimals as strings."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def failure(exc: Exception, settings: Settings | None) -> int | None:
    """Tell people what went wrong in one sentence and give the exit code; None: re-raise it.

    The exception classes are imported here, when something failed, so that a command that
    succeeds never pays for loading the store's and the loader's modules just to name them.
    """
    from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError

    from knowledge.campaigns import UnknownCampaign
    from knowledge.loader import LoadError

    if isinstance(exc, UnknownCampaign | CliError):
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    if isinstance(exc, LoadError):
        print(f"数据文件有误:\n{exc}", file=sys.stderr)
        return 1
    if isinstance(exc, IntegrityError):  # the database refused a write: a bug of ours, not the connection
        logging.getLogger("liaison-bot").error("integrity error", exc_info=exc)
        print(f"错误：数据库拒绝了这次写入（数据完整性约束：{str(exc.orig).splitlines()[0]}），没有写入任何内容。"
              "请把这条信息和 LOG_LEVEL=DEBUG 下的日志发给维护人员。", file=sys.stderr)
        return 1
    if isinstance(exc, DBAPIError | ArgumentError | NoSuchModuleError | ModuleNotFoundError):
        if isinstance(exc, ModuleNotFoundError) and not is_db_driver(exc):
            return None
        print(f"错误: {database_problem(exc, settings)}", file=sys.stderr)
        return 2
    # one sentence for people; the details go to the log
    logging.getLogger("liaison-bot").debug("unhandled", exc_info=exc)
    print(f"错误: {type(exc).__name__}: {exc}(设置 LOG_LEVEL=DEBUG 可查看详细信息)", file=sys.stderr)
    return 1


def is_db_driver(exc: ModuleNotFoundError) -> bool:
    """Whether the missing module is a database driver (a setup problem, not a bug)."""
    return (exc.name or "").split(".")[0] in DB_DRIVERS


def database_problem(exc: Exception, settings: Settings | None) -> str:
    """One sentence about a database that cannot be used, naming DATABASE_URL without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    raw = settings.db_url if settings else ""
    try:
        shown = make_url(raw).render_as_string(hide_password=True) if raw else "(未设置)"
    except ArgumentError:
        shown = "(无法解析)"
    if isinstance(exc, ArgumentError):
        return f"DATABASE_URL 格式不对:{shown}。例如 postgresql+psycopg://用户:密码@主机/库名 或 sqlite:///data/liaison.db"
    if isinstance(exc, (NoSuchModuleError, ModuleNotFoundError)):
        return f"DATABASE_URL 指定的数据库驱动未安装:{shown}(PostgreSQL 请安装 .[postgres])"
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else ""
    return f"无法连接数据库 DATABASE_URL={shown}:{first}"
