"""``liaison-bot chat --channel dingtalk``: the DingTalk face offline, in a terminal.

The real ``Face`` over the real store; each typed line is a robot message from a registered
officer of the chosen unit (privately, or in a bound liaison group), and what the face would send
is printed as DingTalk receives it — the markdown text with its ``[选N]`` choices; type "选N" (or
the label) to pick one, as a tap on the link would. With cards on (``DINGTALK_CARD_TEMPLATE_ID``),
a reply with buttons is shown as the card — its text, then ``［通过］［退回］`` — and typing a
button's label presses it, as a card callback would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlmodel import Session

from bot.cli.common import pick_campaign
from bot.context import Services
from bot.fakes.console import BASE_ID, group_title, identity, others
from bot.markup import to_text
from bot.render import render
from bot.settings import Settings
from bot.store import open_store
from channels.dingtalk import CHANNEL
from channels.dingtalk.face import Face
from channels.dingtalk.frames import CARD, RobotMessage
from channels.dingtalk.markdown import Choices, Part, numbered
from channels.dingtalk.outbox import DingTalkOutbox
from knowledge import chats, people
from knowledge.clock import SystemClock
from knowledge.messages import Action, Message
from reminders.outbox import Sent


class Printed(DingTalkOutbox):
    """What would be sent, printed instead."""

    def __init__(self, services: Services, choices: Choices, out: Callable[[str], None]) -> None:
        super().__init__(api=None, services=services, choices=choices)  # type: ignore[arg-type]
        self.out = out
        self.buttons: dict[str, Action] = {}  # the last card's buttons, by label

    async def send_parts(self, chat: str, parts: list[Part], private: bool) -> Sent | None:
        for part in parts:
            card = bool(part.actions) and self.services.settings.dingtalk_cards_on
            if part.actions and not card:
                part = numbered(part, self.choices.number(chat, part.actions))
            self.out(f"— 机器人({'私聊' if private else '群'}{',互动卡片' if card else ''},标题“{part.title}”)—")
            self.out(part.text)
            if card:  # a card's buttons, as DingTalk draws them under its text
                for row in part.actions:
                    self.out("  ".join(f"［{a.label}］" for a in row))
                self.buttons = {a.label: a for row in part.actions for a in row}
            self.out("")
        return Sent()

    async def send_image(self, target: int | str, image: bytes, caption: Message, *,
                         private: bool = False) -> Sent | None:
        await self.send(target, caption, private=private)
        self.out(f"[图片] {len(image)} 字节\n")
        return Sent()

    async def send_file(self, target: int | str, path: Path, *, private: bool = False) -> Sent | None:
        self.out(f"[文件] {path.name} → {path}\n")
        return Sent()


async def chat_session(settings: Settings, *, campaign: str, unit: str | None, group: bool,
                       lines: Iterable[str], out: Callable[[str], None] = print, role: str = "liaison") -> None:
    """One console identity (``bot.fakes.console.identity``: a unit's liaison officer, the office,
    or a new person) as a DingTalk staff id; each line a robot message from them."""
    engine = open_store(settings)
    clock = SystemClock()
    with Session(engine) as session:
        camp = pick_campaign(session, campaign, settings)
        who = identity(session, camp.slug, unit, role)
        sender, chat = f"console-{who.user_id}", f"cidConsole{-who.group_id}=="
        if role != "new":
            unit_id = (who.user_id - BASE_ID - camp.id * 100_000) // 10
            people.add_officer(session=session, campaign_id=camp.id, unit_id=unit_id, user_id=sender,
                               name=who.name, role=role, now=clock.now(), channel=CHANNEL)
        if group:
            chats.bind_chat(session=session, campaign_id=camp.id, chat_id=chat,
                            kind="office" if role == "office" else "liaison", title=group_title(who),
                            by_user_id=sender, now=clock.now(), channel=CHANNEL)
        session.commit()
    services = Services(settings=settings, engine=engine, clock=clock)
    choices = Choices(services)
    box = Printed(services, choices, out)
    face = Face(services, box, choices)
    out(to_text(render("console_banner", who=who, group=group, files="", others=others(who, CHANNEL),
                       face=CHANNEL)) + "\n")
    where = dict(conversation_id=chat if group else sender, private=not group, sender=sender, nick=who.name)
    for n, raw in zip(itertools.count(1), lines, strict=False):
        line = raw.strip()
        if line in ("exit", "quit", "退出"):
            break
        if line and line in box.buttons:  # a card's button, pressed by its label
            action = box.buttons[line]
            await face.handle(RobotMessage(msg_id=f"console-{n}", **where, kind=CARD, text=action.label,
                                           callback=action.encode()))
        elif line:
            await face.handle(RobotMessage(msg_id=f"console-{n}", **where, kind="text", text=line))


def run_chat(settings: Settings, *, campaign: str | None, unit: str | None, group: bool,
             role: str = "liaison") -> int:
    """Entry point of ``liaison-bot chat --channel dingtalk``."""
    import sys

    from bot.fakes.console import _stdin_lines

    lines = _stdin_lines(print) if sys.stdin.isatty() else (line for line in sys.stdin)
    asyncio.run(chat_session(settings, campaign=campaign or settings.default_campaign, unit=unit, group=group,
                             lines=lines, role=role))
    return 0
