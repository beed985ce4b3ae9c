"""``liaison-bot load | db | check | units | indicators | export``: the data files and the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from bot.cli.common import CliError, pick_campaign, print_json
from bot.render import render, render_message, to_text
from bot.settings import Settings
from bot.store import open_store
from knowledge.duties import campaign_units, unit_duties
from knowledge.export import export_campaign
from knowledge.loader import campaign_files, load_all
from knowledge.units import UnitDirectory


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and load every campaign file (idempotent)."""
    from knowledge.db import make_engine
    from knowledge.migrate import upgrade

    engine = make_engine(settings.db_url)
    upgrade(engine)
    with Session(engine) as session:
        reports = load_all(session, Path(args.dir) if args.dir else None,
                           extra=None if args.dir else settings.campaigns_dir, skip_broken=True)
        session.commit()
    for r in reports:
        if r.error is not None:
            print(f"{r.slug}: 未加载(文件有错误,其余方案照常加载)", file=sys.stderr)
            print(str(r.error), file=sys.stderr)
            continue
        state = "已更新" if r.changed else "无变化"
        counts = "，".join(f"{_COUNTED.get(k, k)} {v}" for k, v in r.counts.items())
        print(f"{r.slug}：{state}{('（' + counts + '）') if counts else ''}")
    return 1 if any(r.error is not None for r in reports) else 0


_COUNTED = {"units": "单位", "indicators": "指标", "tasks": "主要任务", "phases": "阶段", "corrections": "更正"}


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
    """Check the files, read-only, and compare each table with its national version.

    Nothing is written: not the database, not the files. Errors go to stderr with file and
    line; TODOs are warnings (stdout) and do not fail the check."""
    from knowledge.validation import inspect_file

    directory = Path(args.dir) if args.dir else None
    paths = {p.stem: p for p in campaign_files(directory)}
    if directory is None and settings.campaigns_dir and settings.campaigns_dir.is_dir():
        paths.update({p.stem: p for p in campaign_files(settings.campaigns_dir)})  # CAMPAIGNS_DIR too
    errors = 0
    for path in paths.values():
        result = inspect_file(path)
        for w in result.warnings:
            print(f"{path}: 提醒: {w}")
        if not result.ok or result.doc is None:
            errors += len(result.errors)
            for e in result.errors:
                print(f"{path}: {e}", file=sys.stderr)
            continue
        doc = result.doc
        total = sum(i.points for i in doc.indicators)
        todo = f",{result.todos} 处 TODO 待补(补齐后才能加载)" if result.todos else ""
        print(f"{path.name}: 通过校验 — {len(doc.indicators)} 项指标, 合计 {total} 分, "
              f"{len(doc.tasks)} 项主要任务, {len(doc.phases)} 个阶段, {len(doc.corrections)} 处更正{todo}")
        for line in national_lines(doc, result.national):
            print(line)
    return 1 if errors else 0


def national_lines(doc, national) -> list[str]:  # noqa: ANN001
    """The table against its national version, from the files alone (check writes nothing)."""
    from knowledge.checks import explained
    from knowledge.units import normalize

    nat = {n.national_no: n for n in national.indicators}
    table = sum((i.points for i in doc.indicators), 0)
    out = [f"{doc.campaign.slug}: 与全国指标体系({national.version} 版)比对 — 本表 {len(doc.indicators)} 项 "
           f"{table} 分, 全国 {len(nat)} 项 {sum((n.points for n in nat.values()), 0)} 分"]
    for no in doc.campaign.omits_national:
        if no in nat:
            out.append(f"  全国第{no}项 {nat[no].title}: 本表没有(omits_national 已声明,本表少 {nat[no].points} 分)")
    for ind in doc.indicators:
        n = nat.get(ind.national_no) if ind.national_no is not None else None
        if n is None:
            continue
        if normalize(ind.title) != normalize(n.title) and explained(doc, ind.no, "title"):
            out.append(f"  全国第{n.national_no}项 {n.title}: 本表第{ind.no}项标题写作“{ind.title}”(corrections 已说明)")
    return out


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    """Draft a campaign YAML from a plan's text; print what was found, what was not, the TODOs."""
    import re

    from knowledge.draft import draft_plan

    if not re.fullmatch(r"[a-z][a-z0-9_-]*", args.slug):
        raise CliError(f"--slug “{args.slug}”只能用小写拉丁字母、数字、- 和 _,并以字母开头")
    source = Path(args.plan)
    if not source.is_file():
        raise CliError(f"找不到方案文件 {source}")
    out = Path(args.out) if args.out else Path(f"{args.slug}.yaml")
    if out.stem != args.slug:
        raise CliError(f"输出文件名应为 {args.slug}.yaml(文件名即 slug),现为 {out.name}")
    if out.exists() and not args.force:
        raise CliError(f"{out} 已存在;要覆盖请加 --force")
    draft = draft_plan(source.read_text(encoding="utf-8"), slug=args.slug, source_file=source.name)
    out.write_text(draft.yaml(), encoding="utf-8")
    print(to_text(render_message(draft.summary())))
    print(to_text(render("draft_written", path=str(out))))
    return 0


def _campaign_and_dir(session: Session, slug: str | None, settings: Settings) -> tuple:
    camp = pick_campaign(session, slug, settings)
    return camp, UnitDirectory.load(session, camp)


def cmd_units(args: argparse.Namespace, settings: Settings) -> int:
    """List the units and groups of a campaign with their aliases."""
    with Session(open_store(settings)) as session:
        camp, directory = _campaign_and_dir(session, args.campaign, settings)
        rows = []
        for u in campaign_units(session=session, campaign=camp):
            forms = sorted({f for f, ids in directory.forms.items() if ids == {u.id}} - {u.name})
            duties = unit_duties(session=session, campaign=camp, directory=directory, unit_id=u.id)
            rows.append({"name": u.name, "full_name": u.full_name, "kind": u.kind,
                         "aliases": forms, "count": len(duties.indicators),
                         "members": [m.name for m in directory.expand(u.id)] if u.kind == "group" else []})
        if args.json:
            print_json({"campaign": camp.slug, "units": rows})
        else:
            print(to_text(render("units_list", city=camp.city, units=rows)))
    return 0


def cmd_indicators(args: argparse.Namespace, settings: Settings) -> int:
    """A unit's indicators and tasks, or every indicator of the campaign."""
    with Session(open_store(settings)) as session:
        camp, directory = _campaign_and_dir(session, args.campaign, settings)
        if args.unit:
            res = directory.resolve(args.unit)
            if not res.ok:
                hint = "、".join(s.unit.name for s in res.suggestions)
                raise CliError(f"没有找到单位“{args.unit}”" + (f"。您是不是要找:{hint}" if hint else ""))
            duties = unit_duties(session=session, campaign=camp, directory=directory, unit_id=res.unit.id)
            if args.json:
                print_json({"campaign": camp.slug, "unit": res.unit.name, "how": res.how,
                             **{part: [{"no": d.no, "title": d.title, "points": d.points,
                                        "role": d.role, "via": d.via} for d in getattr(duties, part)]
                                for part in ("lead", "support", "member")},
                             "tasks": [{"no": d.no, "label": d.label, "title": d.title, "role": d.role}
                                       for d in duties.tasks]})
            else:
                from bot.render import render_message  # the whole question path: load it only here
                from knowledge.ask.cards import unit_reply

                print(to_text(render_message(unit_reply(session, camp, directory, res.unit))))  # as the bot says it
            return 0
        data = export_campaign(session=session, campaign=camp)["indicators"]
        if args.json:
            print_json(data)
        else:
            for ind in data:
                units = "、".join(u["unit"] for u in ind["units"])
                print(f"{ind['no']:>2}. [{ind['level1']}/{ind['level2']}] {ind['title']} "
                      f"({ind['points']}分) — {units}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """The whole store of one campaign as JSON."""
    with Session(open_store(settings)) as session:
        camp = pick_campaign(session, args.campaign, settings)
        print_json(export_campaign(session=session, campaign=camp))
    return 0
