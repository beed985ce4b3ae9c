"""``liaison-bot run | chat | ask``: the bot itself, a local chat without Telegram, one question."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from sqlmodel import Session, select

from bot.cli.common import CliError, campaign_day, pick_campaign
from bot.render import to_text
from bot.replies import answer_typed
from bot.settings import Settings
from bot.store import open_store
from knowledge.ask import Asker
from knowledge.models import Indicator
from knowledge.points import json_points
from knowledge.units import UnitDirectory

log = logging.getLogger(__name__)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question through the same path as the bot."""
    engine = open_store(settings)
    with Session(engine) as session:
        camp = pick_campaign(session, args.campaign, settings)
        directory = UnitDirectory.load(session, camp)
        asker = Asker()
        if args.unit:
            res = directory.resolve(args.unit)
            if res.unit is None:
                hint = "、".join(s.unit.name for s in res.suggestions)
                raise CliError(f"没有找到单位“{args.unit}”" + (f"。您是不是要找:{hint}" if hint else ""))
            asker = Asker(unit=res.unit)
        today = campaign_day(None, settings.timezone)
        reply = answer_typed(session, camp, directory, args.question, asker, today)
        points = {i.no: i.points for i in session.exec(select(Indicator).where(Indicator.campaign_id == camp.id))}
    # Every indicator entry carries the contract's keys, whichever reply built it.
    indicators = [{**i, "points": json_points(i["points"]) if "points" in i else json_points(points.get(i["no"])),
                   "role": i.get("role")} for i in reply.indicators]
    text = to_text(reply.text)
    if args.json:
        print(json.dumps({"intent": reply.intent, "indicators": indicators, "tasks": reply.tasks,
                          "units": reply.units, "phase": reply.phase, "text": text,
                          "answered_from": reply.answered_from,
                          "buttons": [[label for label, _ in row] for row in reply.buttons]},
                         ensure_ascii=False, indent=2, default=str))
    else:
        print(text)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Long polling (or a webhook when WEBHOOK_URL is set, see ``bot.webhook``); no token → the local chat."""
    from bot.logs import setup
    from bot.running import hold

    setup(settings.log_level, settings.log_format)
    hold(settings)  # until the process ends: `restore` sees a running bot
    from channels.faces import wanted

    channel = wanted(settings, getattr(args, "channel", None))
    if channel == "dingtalk":
        return _run_dingtalk(settings)
    if channel == "both" and not settings.token:
        print("错误: 同时连接 Telegram 和钉钉需要设置 TELEGRAM_BOT_TOKEN。", file=sys.stderr)
        return 2
    if not settings.token:
        print("未设置 TELEGRAM_BOT_TOKEN,先在终端里试用(本地模拟,不连接 Telegram)。\n"
              "设置令牌后再运行即可连接真实的 Telegram。\n", file=sys.stderr)
        from bot.fakes.console import run_local_chat

        return run_local_chat(settings, campaign=settings.default_campaign, unit=None, group=False)
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.webhook import webhook_options

    hook = webhook_options(settings) if settings.webhook_url else None  # bad settings: fail before starting
    if channel == "both":
        return _run_both(settings, hook)
    app = build_application(settings)
    kinds = ["message", "callback_query", "my_chat_member"]
    try:
        asyncio.run(_preflight(app))  # one clear sentence instead of a retry loop's traceback
        if hook:
            app.run_webhook(**hook, allowed_updates=kinds)
        else:
            app.run_polling(allowed_updates=kinds)
    except InvalidToken:
        print("错误: Telegram 不接受这个令牌,请检查 TELEGRAM_BOT_TOKEN。", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"错误: 无法连接 Telegram Bot API({settings.telegram_base_url}):{exc.message}", file=sys.stderr)
        return 2
    return 0


def _run_dingtalk(settings: Settings) -> int:
    """The DingTalk face (``channels.dingtalk.runner``)."""
    from channels.dingtalk.runner import MissingSettings, run

    try:
        return run(settings)
    except MissingSettings as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2


def _run_both(settings: Settings, hook: dict | None) -> int:
    """Both faces in one process (``channels.faces``)."""
    from telegram.error import InvalidToken, NetworkError

    from channels.dingtalk.runner import MissingSettings
    from channels.faces import run

    try:
        return run(settings, hook)
    except MissingSettings as exc:
        print(f"错误: {exc}", file=sys.stderr)
    except InvalidToken:
        print("错误: Telegram 不接受这个令牌,请检查 TELEGRAM_BOT_TOKEN。", file=sys.stderr)
    except NetworkError as exc:
        print(f"错误: 无法连接 Telegram Bot API({settings.telegram_base_url}):{exc.message}", file=sys.stderr)
    return 2


async def _preflight(app: object) -> None:
    """Ask Telegram who we are once, so a bad token or an unreachable API fails cleanly."""
    bot = app.bot  # type: ignore[attr-defined]
    try:
        await bot.initialize()
    finally:
        await bot.shutdown()


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """The same application offline: type as an officer, read the bot's replies."""
    if getattr(args, "channel", "telegram") == "dingtalk":
        from channels.dingtalk.console import run_chat

        return run_chat(settings, campaign=args.campaign, unit=args.unit, group=args.group, role=args.role)
    from bot.fakes.console import run_local_chat

    return run_local_chat(settings, campaign=args.campaign, unit=args.unit, group=args.group, role=args.role)
