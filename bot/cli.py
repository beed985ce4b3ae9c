"""``liaison-bot``: the command-line face of the same core the bot uses.

Exit codes: 0 success, 1 validation errors (``check``), 2 bad input (unknown campaign or
unit, bad arguments). Messages for people are Chinese; ``--json`` output is a contract.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import Session

from bot.render import render, render_message, to_text
from bot.settings import Settings
from bot.store import open_store
from knowledge.ask.cards import unit_reply
from knowledge.campaigns import UnknownCampaign, get_campaign
from knowledge.duties import campaign_units, unit_duties
from knowledge.export import export_campaign
from knowledge.loader import LoadError, campaign_files, load_all, read_campaign, read_national
from knowledge.national import national_check, totals
from knowledge.units import UnitDirectory


class CliError(Exception):
    """A problem the user can fix; printed to stderr with exit code 2."""


def campaign_day(at: str | None, timezone: str) -> date:
    """The campaign-local date of ``--at`` (ISO; a naive time is campaign time), or of now."""
    from knowledge.clock import SystemClock

    tz = ZoneInfo(timezone)
    try:
        moment = datetime.fromisoformat(at) if at else SystemClock().now()
    except ValueError:
        raise CliError(f"时间“{at}”格式不对,例如 2026-12-07T09:00+08:00") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz).date()


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and load every campaign file (idempotent)."""
    from knowledge.db import make_engine
    from knowledge.migrate import upgrade

    engine = make_engine(settings.db_url)
    upgrade(engine)
    with Session(engine) as session:
        reports = load_all(session, Path(args.dir) if args.dir else None,
                           extra=None if args.dir else settings.campaigns_dir)
        session.commit()
    for r in reports:
        state = "已更新" if r.changed else "无变化"
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items())
        print(f"{r.slug}: {state}{(' (' + counts + ')') if counts else ''}")
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """db upgrade | current: Alembic migrations."""
    from knowledge.db import make_engine
    from knowledge.migrate import current, head, upgrade

    engine = make_engine(settings.db_url)
    if args.action == "upgrade":
        upgrade(engine)
    print(f"数据库版本: {current(engine) or '(空)'};最新版本: {head(engine)}")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the files and compare each table with the national system."""
    directory = Path(args.dir) if args.dir else None
    errors = 0
    try:
        national = read_national(directory)
    except LoadError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    paths = {p.stem: p for p in campaign_files(directory)}
    if directory is None and settings.campaigns_dir and settings.campaigns_dir.is_dir():
        paths.update({p.stem: p for p in campaign_files(settings.campaigns_dir)})  # CAMPAIGNS_DIR too
    for path in paths.values():
        try:
            doc, _ = read_campaign(path, national)
        except LoadError as exc:
            errors += len(exc.problems)
            print(str(exc), file=sys.stderr)
            continue
        total = sum(i.points for i in doc.indicators)
        print(f"{path.name}: 通过校验 — {len(doc.indicators)} 项指标, 合计 {total} 分, "
              f"{len(doc.tasks)} 项主要任务, {len(doc.phases)} 个阶段, {len(doc.corrections)} 处更正")
    if errors:
        return 1
    engine = open_store(settings)
    with Session(engine) as session:
        load_all(session, directory, extra=None if directory else settings.campaigns_dir)
        session.commit()
        for path in paths.values():
            camp = get_campaign(session, path.stem)
            t = totals(session=session, campaign=camp)
            print(f"{camp.slug}: 与全国指标体系比对 — 本表 {t['indicators']} 项 {t['table_total']} 分,"
                  f" 全国 {t['national_indicators']} 项 {t['national_total']} 分")
            for d in national_check(session=session, campaign=camp):
                print(f"  全国第{d['no']}项 {d['title']}: {d['status']}"
                      + (f" (本地 {d.get('local')} / 全国 {d.get('national')})" if "local" in d else ""))
    return 0


def _campaign_and_dir(session: Session, slug: str) -> tuple:
    camp = get_campaign(session, slug)
    return camp, UnitDirectory.load(session, camp)


def cmd_units(args: argparse.Namespace, settings: Settings) -> int:
    """List the units and groups of a campaign with their aliases."""
    with Session(open_store(settings)) as session:
        camp, directory = _campaign_and_dir(session, args.campaign)
        rows = []
        for u in campaign_units(session=session, campaign=camp):
            forms = sorted({f for f, ids in directory.forms.items() if ids == {u.id}} - {u.name})
            duties = unit_duties(session=session, campaign=camp, directory=directory, unit_id=u.id)
            rows.append({"name": u.name, "full_name": u.full_name, "kind": u.kind,
                         "aliases": forms, "count": len(duties.indicators),
                         "members": [m.name for m in directory.expand(u.id)] if u.kind == "group" else []})
        if args.json:
            _print_json({"campaign": camp.slug, "units": rows})
        else:
            print(to_text(render("units_list", city=camp.city, units=rows)))
    return 0


def cmd_indicators(args: argparse.Namespace, settings: Settings) -> int:
    """A unit's indicators and tasks, or every indicator of the campaign."""
    with Session(open_store(settings)) as session:
        camp, directory = _campaign_and_dir(session, args.campaign)
        if args.unit:
            res = directory.resolve(args.unit)
            if not res.ok:
                hint = "、".join(s.unit.name for s in res.suggestions)
                raise CliError(f"没有找到单位“{args.unit}”" + (f"。您是不是要找:{hint}" if hint else ""))
            duties = unit_duties(session=session, campaign=camp, directory=directory, unit_id=res.unit.id)
            if args.json:
                _print_json({"campaign": camp.slug, "unit": res.unit.name, "how": res.how,
                             **{part: [{"no": d.no, "title": d.title, "points": d.points,
                                        "role": d.role, "via": d.via} for d in getattr(duties, part)]
                                for part in ("lead", "support", "member")},
                             "tasks": [{"no": d.no, "label": d.label, "title": d.title, "role": d.role}
                                       for d in duties.tasks]})
            else:
                print(to_text(render_message(unit_reply(session, camp, directory, res.unit))))  # as the bot says it
            return 0
        data = export_campaign(session=session, campaign=camp)["indicators"]
        if args.json:
            _print_json(data)
        else:
            for ind in data:
                units = "、".join(u["unit"] for u in ind["units"])
                print(f"{ind['no']:>2}. [{ind['level1']}/{ind['level2']}] {ind['title']} "
                      f"({ind['points']}分) — {units}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """The whole store of one campaign as JSON."""
    with Session(open_store(settings)) as session:
        camp = get_campaign(session, args.campaign)
        _print_json(export_campaign(session=session, campaign=camp))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option; the shapes are contracts."""
    parser = argparse.ArgumentParser(prog="liaison-bot", description="联络员助手 — 命令行")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load", help="校验并载入 knowledge/data 下的文件(可重复执行)")
    p.add_argument("--dir", help="campaign YAML 所在目录(默认随程序发布的 knowledge/data)")
    p.set_defaults(func=cmd_load)
    p = sub.add_parser("db", help="数据库迁移:upgrade / current")
    p.add_argument("action", choices=["upgrade", "current"])
    p.set_defaults(func=cmd_db)
    p = sub.add_parser("check", help="校验文件并与全国指标体系比对;有错误时退出码为 1")
    p.add_argument("--dir")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("units", help="列出某个创建项目的单位")
    p.add_argument("--campaign", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_units)
    p = sub.add_parser("indicators", help="列出指标,或某单位负责的指标和任务")
    p.add_argument("--campaign", required=True)
    p.add_argument("--unit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_indicators)
    p = sub.add_parser("export", help="导出整个创建项目的结构化数据")
    p.add_argument("--campaign", required=True)
    p.add_argument("--json", action="store_true", help="JSON 输出(目前唯一的格式)")
    p.set_defaults(func=cmd_export)
    import bot.cli_bot  # noqa: F401  (registers run/chat/ask)
    import bot.cli_digest  # noqa: F401  (registers digest)
    import bot.cli_people  # noqa: F401  (registers officers/chats)
    import bot.cli_schedule  # noqa: F401  (registers reminders/phases/due)
    import bot.ops  # noqa: F401  (registers doctor/backup/restore)
    for extend in EXTENSIONS:
        extend(sub)
    return parser


# Later features (the bot, rosters, reminders …) register their subcommands here.
EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``liaison-bot`` console script."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        return int(args.func(args, settings) or 0)
    except UnknownCampaign as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    except LoadError as exc:
        print(f"数据文件有误:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except (DBAPIError, ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        if isinstance(exc, ModuleNotFoundError) and not _is_db_driver(exc):
            raise
        print(f"错误: {_database_problem(exc, settings if 'settings' in locals() else None)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `liaison-bot … | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # one sentence for people; the details go to the log
        logging.getLogger("liaison-bot").debug("unhandled", exc_info=True)
        print(f"错误: {type(exc).__name__}: {exc}(设置 LOG_LEVEL=DEBUG 可查看详细信息)", file=sys.stderr)
        return 1


def _is_db_driver(exc: ModuleNotFoundError) -> bool:
    return (exc.name or "").split(".")[0] in {"psycopg", "psycopg2", "MySQLdb", "pymysql", "asyncpg", "cx_Oracle",
                                              "oracledb", "pyodbc"}


def _database_problem(exc: Exception, settings: Settings | None) -> str:
    """One sentence about a database that cannot be used, naming DATABASE_URL without its password."""
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


if __name__ == "__main__":  # python -m bot.cli: use the importable module so extensions register once
    from bot.cli import main as module_main

    sys.exit(module_main())
