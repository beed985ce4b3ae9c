"""``liaison-bot reminders`` (dry run), ``phases set|shift|list`` and ``due set``."""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from calendar import monthrange
from datetime import date

from sqlmodel import Session

from bot.cli.common import CliError, campaign_day, pick_campaign
from bot.render import render_message, to_text
from bot.settings import Settings
from bot.store import open_store
from knowledge.clock import SystemClock
from knowledge.numbers import read_number
from knowledge.timeline import (
    TimelineError,
    due_dates,
    phases,
    read_day,
    set_due,
    set_phases,
    shift,
)
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar
from reminders.notices import preview
from reminders.planner import plan_slot

SET_SYNTAX = "phases set --phase 名称:开始日期:结束日期(可重复),例如 --phase 动员部署:2026-12-01:2026-12-31"
SHIFT_SYNTAX = "phases shift --start 2026-12-01(整个时间表改从这一天开始,各阶段长度和间隔不变)"
DUE_SYNTAX = "due set --indicator 12 --date 2027-03-31"


def cmd_reminders(args: argparse.Namespace, settings: Settings) -> int:
    """Print the reminders of the sending slot of ``--at``; sends and records nothing."""
    with Session(open_store(settings)) as session:
        camp = pick_campaign(session, args.campaign, settings)
        day = campaign_day(args.at, camp.timezone)
        directory = UnitDirectory.load(session, camp)
        calendar = WorkCalendar()
        out = []
        for p in plan_slot(session, camp, directory, day, calendar):
            data, messages = preview(session, camp, directory, p, day)  # private: one note a unit
            text = "\n\n".join(to_text(render_message(m)) for m in messages)
            out.append({"key": p.key, "kind": p.kind, "due_at": p.due_at.isoformat(), "chat": p.chat,
                        "units": data["unit_names"], "indicators": p.indicators, "text": text})
        session.rollback()  # a dry run writes nothing
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in out:
            print(f"[{r['kind']} → {r['chat']}] {r['key']}\n{r['text']}\n")
        if not out:
            print(f"{day} 这一时段没有提醒(非工作日、时间表未设置或没有待交材料)。")
    if calendar.guessed_years:
        import sys

        print(f"注意: {sorted(calendar.guessed_years)} 年的节假日安排尚未收录,按周一至周五计算(已扣除元旦、春节、国庆等法定节日当天;调休以国务院通知为准)。", file=sys.stderr)
    return 0


def cmd_phases(args: argparse.Namespace, settings: Settings) -> int:
    """list | set | shift."""
    now = SystemClock().now()
    with Session(open_store(settings)) as session:
        camp = pick_campaign(session, args.campaign, settings)
        try:
            if args.action == "set":
                spec = []
                for item in args.phase:
                    parts = item.split(":")
                    if len(parts) != 3:
                        raise CliError(f"“{item}”不是一个阶段。写法:{SET_SYNTAX}")
                    name, start, end = parts
                    spec.append((name, _day(start, SET_SYNTAX), _day(end, SET_SYNTAX)))
                set_phases(session, camp, spec, by=None, now=now)
            elif args.action == "shift":
                shift(session, camp, _day(args.start, SHIFT_SYNTAX), by=None, now=now)
        except TimelineError as exc:
            raise CliError(str(exc)) from None
        rows = [{"no": p.no, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(),
                 "source": p.source} for p in phases(session, camp)]
        session.commit()
    if getattr(args, "json", False):
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        if args.action == "set":
            print(f"已设置 {len(rows)} 个阶段:")
        elif args.action == "shift":
            print(f"时间表已改从 {rows[0]['start']} 开始:")
        for r in rows:
            print(f"{r['no']}. {r['name']}  {r['start']} 至 {r['end']}  ({'文件' if r['source'] == 'document' else '办公室'})")
        if not rows:
            print("没有阶段。用 phases set 设置。")
    return 0


def cmd_due(args: argparse.Namespace, settings: Settings) -> int:
    """set an indicator's due date, or list them."""
    with Session(open_store(settings)) as session:
        camp = pick_campaign(session, args.campaign, settings)
        if args.action == "set":
            no = read_number(str(args.indicator))
            day = _day(args.date, DUE_SYNTAX)
            try:
                if no is None:
                    raise TimelineError(f"没有第{args.indicator}项指标。")
                set_due(session, camp, no, day, by=None, now=SystemClock().now())
            except TimelineError as exc:
                raise CliError(str(exc)) from None
        dues = due_dates(session, camp)
        city = camp.city
        session.commit()
    if args.action == "set":
        print(f"已设定:第{no}项 截止 {day}。")
    for no in sorted(dues):
        print(f"第{no}项  {dues[no].due}  ({'办公室设定' if dues[no].source == 'office' else '阶段结束'})")
    if not dues:
        print(f"{city}还没有截止日期(时间表未设置)。用 phases set 设置阶段,或 {DUE_SYNTAX}")
    return 0


def _day(text: str, syntax: str) -> date:
    """``read_day``, or a CliError that says what is wrong with the date and how to write it."""
    try:
        return read_day(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D*", unicodedata.normalize("NFKC", text).strip())
    if m is None:
        why = "不是日期"
    else:
        year, month, _ = (int(g) for g in m.groups())
        why = ("月份应为 1 到 12" if not 1 <= month <= 12 else
               f"{year} 年 {month} 月只有 {monthrange(year, month)[1]} 天")
    raise CliError(f"日期“{text}”不对:{why}。写法:{syntax}")
