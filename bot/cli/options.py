"""Every subcommand and option of ``liaison-bot``, one function per group, in ``--help`` order.

The options are a contract used from outside (scripts call ``ask --json``, ``export --json``,
``check``, ``load``, ``digest``, ``reminders``), so they are kept together on one page. The
commands themselves live in ``bot.cli.<group>`` and are imported only when one of them runs:
``liaison-bot --help`` loads argparse and nothing of the bot.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

Command = Callable[[argparse.Namespace, "Settings"], int]
Subparsers = argparse._SubParsersAction


def command(group: str, name: str) -> Command:
    """``bot.cli.<group>.<name>``, imported when the subcommand runs rather than when parsing."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        return getattr(import_module(f"bot.cli.{group}"), name)(args, settings)

    run.__qualname__ = run.__name__ = f"{group}.{name}"
    return run


def _campaign(p: argparse.ArgumentParser) -> None:
    """``--campaign``: named, or ``DEFAULT_CAMPAIGN``, or the only campaign loaded (``common.pick_campaign``)."""
    p.add_argument("--campaign", default=None, metavar="项目", help="创建项目,如 hejin;默认 DEFAULT_CAMPAIGN")


def data(sub: Subparsers) -> None:
    """load, db, check, draft, units, indicators, export (``bot.cli.data``)."""
    p = sub.add_parser("load", help="校验并载入 knowledge/data 下的文件(可重复执行)")
    p.add_argument("--dir", help="campaign YAML 所在目录(默认随程序发布的 knowledge/data)")
    p.set_defaults(func=command("data", "cmd_load"))
    p = sub.add_parser("db", help="数据库迁移:upgrade / current")
    p.add_argument("action", choices=["upgrade", "current"])
    p.set_defaults(func=command("data", "cmd_db"))
    p = sub.add_parser("check", help="校验文件并与全国指标体系比对;有错误时退出码为 1")
    p.add_argument("--dir")
    p.set_defaults(func=command("data", "cmd_check"))
    p = sub.add_parser("draft", help="从城市方案的文本起草 campaign YAML(未能读出的写成 TODO)")
    p.add_argument("plan", help="方案全文的文本文件(UTF-8)")
    p.add_argument("--slug", required=True, help="小写拉丁字母,即文件名")
    p.add_argument("--out", help="写到这个文件(默认 <slug>.yaml);已存在时不覆盖,除非加 --force")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=command("data", "cmd_draft"))
    p = sub.add_parser("units", help="列出某个创建项目的单位")
    _campaign(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command("data", "cmd_units"))
    p = sub.add_parser("indicators", help="列出指标,或某单位负责的指标和任务")
    _campaign(p)
    p.add_argument("--unit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command("data", "cmd_indicators"))
    p = sub.add_parser("export", help="导出整个创建项目的结构化数据")
    _campaign(p)
    p.add_argument("--json", action="store_true", help="JSON 输出(目前唯一的格式)")
    p.set_defaults(func=command("data", "cmd_export"))


def bot(sub: Subparsers) -> None:
    """run, chat, ask (``bot.cli.bot``)."""
    p = sub.add_parser("run", help="启动机器人(未设置令牌时进入本地试用)")
    p.add_argument("--channel", choices=("telegram", "dingtalk", "both"), default=None,
                   help="连接 Telegram、钉钉(Stream 模式,见 docs/operations.md)或两者;"
                        "默认按设置:令牌和钉钉凭据都设置了就两者都连,否则 Telegram")
    p.set_defaults(func=command("bot", "cmd_run"))
    p = sub.add_parser("chat", help="不连接 Telegram,在终端里以某单位联络员身份和机器人对话")
    p.add_argument("--campaign", default=None)
    p.add_argument("--unit", default=None)
    p.add_argument("--group", action="store_true", help="模拟联络员群(消息会自动 @机器人)")
    p.add_argument("--channel", choices=("telegram", "dingtalk"), default="telegram",
                   help="以哪一端的样子显示回复(钉钉:markdown 和“选N”选项)")
    p.add_argument("--as", dest="role", choices=["liaison", "office", "new"], default="liaison",
                   help="以谁的身份:liaison 联络员(默认)、office 领导小组办公室、new 未登记的新用户")
    p.set_defaults(func=command("bot", "cmd_chat"))
    p = sub.add_parser("ask", help="回答一个问题(与机器人同一路径)")
    _campaign(p)
    p.add_argument("--unit", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("question", metavar="问题")
    p.set_defaults(func=command("bot", "cmd_ask"))


def digest(sub: Subparsers) -> None:
    """digest (``bot.cli.digest``)."""
    p = sub.add_parser("digest", help="周报:得分预测、差距、单位进度;也可导出台账和材料包")
    _campaign(p)
    p.add_argument("--at", help="ISO 时间;默认现在")
    p.add_argument("--format", choices=["text", "json", "png", "xlsx", "zip"], default="text")
    p.add_argument("--out")
    p.add_argument("--all", action="store_true", help="zip:包含所有版本(默认只含已通过的材料)")
    p.set_defaults(func=command("digest", "cmd_digest"))


def people(sub: Subparsers) -> None:
    """officers, chats (``bot.cli.people``)."""
    p = sub.add_parser("officers", help="联络员名单:add / import / list / revoke")
    osub = p.add_subparsers(dest="action", required=True)
    a = osub.add_parser("add")
    _campaign(a)
    a.add_argument("--unit", required=True)
    a.add_argument("--user-id", type=int)
    a.add_argument("--username")
    a.add_argument("--role", choices=["liaison", "office"], default="liaison")
    a.add_argument("--name")
    a = osub.add_parser("import")
    _campaign(a)
    a.add_argument("path")
    a = osub.add_parser("list")
    _campaign(a)
    a.add_argument("--unit")
    a.add_argument("--json", action="store_true")
    a = osub.add_parser("revoke")
    _campaign(a)
    a.add_argument("--user-id", type=int, required=True)
    p.set_defaults(func=command("people", "cmd_officers"))
    p = sub.add_parser("chats", help="群绑定:bind / list")
    csub = p.add_subparsers(dest="action", required=True)
    a = csub.add_parser("bind")
    _campaign(a)
    a.add_argument("--chat-id", type=int, required=True)
    a.add_argument("--kind", choices=["liaison", "office"], required=True)
    a.add_argument("--title")
    a = csub.add_parser("list")
    a.add_argument("--campaign")
    a.add_argument("--json", action="store_true")
    p.set_defaults(func=command("people", "cmd_chats"))


def schedule(sub: Subparsers) -> None:
    """reminders, phases, due (``bot.cli.schedule``)."""
    p = sub.add_parser("reminders", help="预演某一时刻的提醒(不发送、不记录)")
    _campaign(p)
    p.add_argument("--at", help="ISO 时间,如 2026-12-07T09:00+08:00;默认现在")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=command("schedule", "cmd_reminders"))
    p = sub.add_parser("phases", help="实施阶段:list / set / shift")
    ps = p.add_subparsers(dest="action", required=True)
    a = ps.add_parser("list")
    _campaign(a)
    a.add_argument("--json", action="store_true")
    a = ps.add_parser("set")
    _campaign(a)
    a.add_argument("--phase", action="append", required=True, help="名称:开始:结束,可重复")
    a = ps.add_parser("shift")
    _campaign(a)
    a.add_argument("--start", required=True)
    p.set_defaults(func=command("schedule", "cmd_phases"))
    p = sub.add_parser("due", help="指标截止日期:list / set")
    ds = p.add_subparsers(dest="action", required=True)
    a = ds.add_parser("list")
    _campaign(a)
    a = ds.add_parser("set")
    _campaign(a)
    a.add_argument("--indicator", type=int, required=True)
    a.add_argument("--date", required=True)
    p.set_defaults(func=command("schedule", "cmd_due"))


def ops(sub: Subparsers) -> None:
    """doctor, backup, restore (``bot.cli.ops``)."""
    p = sub.add_parser("doctor", help="检查令牌、数据库、迁移、材料目录、办公室群和时钟")
    p.set_defaults(func=command("ops", "cmd_doctor"))
    p = sub.add_parser("backup", help="备份数据库和材料文件(运行中也可)")
    p.add_argument("--out")
    p.set_defaults(func=command("ops", "cmd_backup"))
    p = sub.add_parser("restore", help="从备份恢复(请先停止机器人)")
    p.add_argument("archive")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=command("ops", "cmd_restore"))


def files(sub: Subparsers) -> None:
    """files sweep (``bot.cli.files``)."""
    p = sub.add_parser("files", help="材料文件:sweep 清理无人引用的文件")
    fsub = p.add_subparsers(dest="action", required=True)
    a = fsub.add_parser("sweep", help="删除没有任何材料记录引用、且超过宽限期(SWEEP_GRACE_HOURS)的文件")
    a.add_argument("--dry-run", action="store_true", help="只列出将要删除的文件,不删除")
    p.set_defaults(func=command("files", "cmd_files"))
