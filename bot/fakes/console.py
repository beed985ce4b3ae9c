"""``liaison-bot chat``: the real Application, offline, in a terminal.

Every Bot API call is answered by ``LocalBotApi``; each typed line becomes a message from a
registered officer of the chosen unit (in a private chat, or in a bound liaison group with
the bot mentioned), and the bot's replies are printed as plain text with inline buttons as
numbered choices — type the number to press one.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable

from sqlmodel import Session
from telegram import Update

from bot.app import build_application, post_init
from bot.cli.common import CliError
from bot.fakes.api import LocalBotApi, LocalRequest
from bot.render import to_text
from bot.settings import Settings
from bot.store import open_store
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import SystemClock
from knowledge.units import UnitDirectory

USER_ID = 10_001
GROUP_ID = -100_200_300


def _pick_unit(session: Session, slug: str, unit: str | None) -> tuple[int, int, str]:
    camp = get_campaign(session, slug)
    directory = UnitDirectory.load(session, camp)
    if unit:
        res = directory.resolve(unit)
        if res.unit is None or res.unit.is_group:
            hint = "、".join(s.unit.name for s in res.suggestions if not s.unit.is_group)
            raise CliError(f"没有找到单位“{unit}”" + (f"。您是不是要找:{hint}" if hint else ""))
        return camp.id, res.unit.id, res.unit.name
    from knowledge.duties import all_indicators, indicator_view

    first = all_indicators(session=session, campaign=camp)[0]
    view = indicator_view(session=session, campaign=camp, directory=directory, no=first.no)
    lead = view.units[0].unit
    return camp.id, lead.id, lead.name


def _show(messages: list[dict], out: Callable[[str], None]) -> list[str]:
    """Print the bot's messages; return the callback data of the last keyboard, in order."""
    choices: list[str] = []
    for m in messages:
        out("— 机器人 —")
        out(to_text(m.get("text") or ""))
        markup = m.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or []
        if rows:
            choices = []
            for row in rows:
                for button in row:
                    choices.append(button.get("callback_data", ""))
                    out(f"  [{len(choices)}] {button.get('text', '')}")
        out("")
    return choices


async def chat_session(settings: Settings, *, campaign: str, unit: str | None, group: bool,
                       lines: Iterable[str], out: Callable[[str], None] = print) -> None:
    """Run the conversation over ``lines`` (stdin, or a list in tests)."""
    engine = open_store(settings)
    clock = SystemClock()
    with Session(engine) as session:
        campaign_id, unit_id, unit_name = _pick_unit(session, campaign, unit)
        people.add_officer(session=session, campaign_id=campaign_id, unit_id=unit_id, user_id=USER_ID,
                           name="试用联络员", now=clock.now())
        if group:
            chats.bind_chat(session=session, campaign_id=campaign_id, chat_id=GROUP_ID, kind="liaison",
                             title="联络员群(本地试用)", by_user_id=USER_ID, now=clock.now())
        session.commit()
    api = LocalBotApi()
    api.add_user(USER_ID, "试用联络员")
    chat_id = GROUP_ID if group else USER_ID
    if group:
        api.group_chat(GROUP_ID, "联络员群(本地试用)")
    app = build_application(settings, engine=engine, clock=clock, request=LocalRequest(api), rate_limit=False)
    await app.initialize()
    await post_init(app)
    seen = len(api.sent())
    out(f"本地试用:您是“{unit_name}”的联络员,在{'联络员群(消息会自动 @机器人)' if group else '私聊'}中。"
        "输入问题后回车;输入按钮前的数字即可点按钮;输入 exit 退出。\n")
    choices: list[str] = []
    last_message_id = 0
    try:
        for raw in lines:
            line = raw.strip()
            if line in ("exit", "quit", "退出"):
                break
            if not line:
                continue
            if line.isdigit() and 1 <= int(line) <= len(choices):
                update = api.push_callback(chat_id, USER_ID, last_message_id, choices[int(line) - 1])
            else:
                text = line if (not group or line.startswith("/")) else f"@{app.bot.username} {line}"
                update = api.push_message(chat_id, USER_ID, text)
            await app.process_update(Update.de_json(update, app.bot))
            messages = api.sent()[seen:]
            seen += len(messages)
            shown = _show(messages, out)
            if shown:
                choices = shown
                last_message_id = messages[-1].get("message_id", last_message_id)
    finally:
        await app.shutdown()


def _stdin_lines() -> Iterable[str]:
    while True:
        try:
            yield input("您> ")
        except EOFError:
            return


def run_local_chat(settings: Settings, *, campaign: str | None, unit: str | None, group: bool) -> int:
    """Entry point of ``liaison-bot chat`` and of ``run`` without a token."""
    lines = _stdin_lines() if sys.stdin.isatty() else (line for line in sys.stdin)
    asyncio.run(chat_session(settings, campaign=campaign or settings.default_campaign, unit=unit,
                             group=group, lines=lines))
    return 0
