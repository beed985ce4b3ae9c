"""``liaison-bot chat``: the real Application, offline, in a terminal.

Every Bot API call is answered by ``LocalBotApi``. Each typed line becomes a message from one
console identity (``Identity``): a liaison officer of a unit, the office, or a new person who
has not registered — one Telegram user id per campaign, role and unit, so the officer of 商务局
in Yancheng and the one of 统计局 in Hejin are different people. Replies are printed as plain
text; inline buttons as numbered choices of *that* reply only (a button labelled "4. …" is
number 4); files the bot sends are saved under ``DATA_DIR/console/``; ``/file PATH [说明]``
sends a file as a Telegram document would.

The loop reads a line with no event loop running, so one Ctrl-C stops it at once.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session
from telegram import Update

from bot import outbox
from bot.app import build_application, post_init
from bot.cli.common import CliError
from bot.fakes.api import LocalBotApi, LocalRequest
from bot.render import render, to_text
from bot.settings import Settings
from bot.store import open_store
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import SystemClock
from knowledge.models import Campaign
from knowledge.units import UnitDirectory

ROLES = ("liaison", "office", "new")
BASE_ID = 10_000_000  # console users: BASE_ID + campaign × 100 000 + unit × 10 + role
NEW_BASE_ID = 90_000_000  # a new person each time: the first id with no officer row
NUMBERED = re.compile(r"^(\d{1,3})\.\s*")  # a button that carries its own number ("4. 新增规模以上…")


@dataclass(frozen=True)
class Identity:
    """Who the console user is: one Telegram user per campaign, role and unit."""

    user_id: int
    name: str
    role: str  # liaison | office | new
    slug: str
    city: str
    unit: str  # "" for a new person
    group_id: int


def identity(session: Session, slug: str, unit: str | None, role: str) -> Identity:
    """The console user for ``role`` in campaign ``slug`` (registered here, unless new)."""
    if role not in ROLES:
        raise CliError(f"--as 只能是 {'、'.join(ROLES)}")
    camp = get_campaign(session, slug)
    group_id = -(1_000_000_000 + camp.id * 10 + (1 if role == "office" else 0))
    if role == "new":
        user_id = NEW_BASE_ID + 1
        while people.officer_of(session=session, user_id=user_id) is not None:
            user_id += 1
        return Identity(user_id, f"新用户{user_id - NEW_BASE_ID}", role, camp.slug, camp.city, "", group_id)
    unit_id, unit_name = pick_unit(session, camp, unit, office=role == "office")
    name = "办公室试用人员" if role == "office" else "试用联络员"
    return Identity(BASE_ID + camp.id * 100_000 + unit_id * 10 + (1 if role == "office" else 0), name, role,
                    camp.slug, camp.city, unit_name, group_id)


def pick_unit(session: Session, camp: Campaign, unit: str | None, *, office: bool = False) -> tuple[int, str]:
    """The unit named, else the office's unit (office) or the lead unit of the first indicator."""
    directory = UnitDirectory.load(session, camp)
    if unit:
        res = directory.resolve(unit)
        if res.unit is None or res.unit.is_group:
            hint = "、".join(s.unit.name for s in res.suggestions if not s.unit.is_group)
            raise CliError(f"没有找到单位“{unit}”" + (f"。您是不是要找:{hint}" if hint else ""))
        return res.unit.id, res.unit.name
    if office and camp.office_unit_id and (ref := directory.units.get(camp.office_unit_id)):
        return ref.id, ref.name
    from knowledge.duties import all_indicators, indicator_view

    first = all_indicators(session=session, campaign=camp)[0]
    lead = indicator_view(session=session, campaign=camp, directory=directory, no=first.no).units[0].unit
    return lead.id, lead.name


def _enrol(session: Session, who: Identity, group: bool, now: object) -> None:
    """Register the console user (liaison or office) and bind the console group, idempotently."""
    camp = get_campaign(session, who.slug)
    if who.role != "new":
        unit_id = (who.user_id - BASE_ID - camp.id * 100_000) // 10
        people.add_officer(session=session, campaign_id=camp.id, unit_id=unit_id, user_id=who.user_id,
                           name=who.name, role=who.role, now=now)
    if group:
        chats.bind_chat(session=session, campaign_id=camp.id, chat_id=who.group_id,
                        kind="office" if who.role == "office" else "liaison",
                        title=group_title(who), by_user_id=who.user_id, now=now)


def group_title(who: Identity) -> str:
    return "办公室群(本地试用)" if who.role == "office" else "联络员群(本地试用)"


def label_keys(labels: list[str], taken: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    """The number to type for each button, and the label shown: a label that carries its own
    number ("4. 新增…") is that number, so typing what one reads presses what one meant; the
    other buttons take the smallest numbers left (``taken``: those an earlier keyboard of the same
    turn holds)."""
    own = [NUMBERED.match(label) for label in labels]
    numbers = [int(m.group(1)) for m in own if m]
    if len(set(numbers)) != len(numbers):  # two buttons claim one number: count them instead
        own = [None] * len(labels)
    used = {int(m.group(1)) for m in own if m}
    keys: list[tuple[int, str]] = []
    free = (n for n in range(1, 10_000) if n not in used and n not in taken)
    for label, m in zip(labels, own, strict=True):
        keys.append((int(m.group(1)), label[m.end():]) if m else (next(free), label))
    return keys


class Console:
    """One conversation: the application, the fake API, and the last reply's buttons."""

    def __init__(self, settings: Settings, *, campaign: str, unit: str | None, group: bool, role: str,
                 out: Callable[[str], None] = print) -> None:
        self.settings, self.group, self.out = settings, group, out
        self.engine = open_store(settings)
        self.clock = SystemClock()
        with Session(self.engine) as session:
            self.who = identity(session, campaign, unit, role)
            _enrol(session, self.who, group, self.clock.now())
            session.commit()
        self.api = LocalBotApi()
        self.api.add_user(self.who.user_id, self.who.name)
        self.chat_id = self.who.group_id if group else self.who.user_id
        if group:
            self.api.group_chat(self.who.group_id, group_title(self.who))
        self.app = build_application(settings, engine=self.engine, clock=self.clock,
                                     request=LocalRequest(self.api), rate_limit=False)
        self.files = settings.data_dir / "console"
        self.choices: dict[int, tuple[int, str]] = {}  # number → (message id, callback data)
        self.seen = 0

    async def start(self) -> None:
        await self.app.initialize()
        await post_init(self.app)
        self.seen = len(self.api.sent())
        self.out(to_text(render("console_banner", who=self.who, group=self.group, files=str(self.files),
                                others=others(self.who))) + "\n")

    async def stop(self) -> None:
        await self.app.shutdown()

    async def say(self, line: str) -> bool:
        """One typed line; False when the user wants to leave."""
        line = line.strip()
        if line in ("exit", "quit", "退出"):
            return False
        if not line:
            return True
        if line.isdigit() and int(line) in self.choices:
            message_id, data = self.choices[int(line)]
            update = self.api.push_callback(self.chat_id, self.who.user_id, message_id, data)
        elif line == "/file" or line.startswith("/file "):
            update = self._file(line[len("/file"):].strip())
            if update is None:
                return True
        else:
            text = line if (not self.group or line.startswith("/")) else f"@{self.app.bot.username} {line}"
            update = self.api.push_message(self.chat_id, self.who.user_id, text)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await outbox.deliver(self.app.bot, self.app.bot_data["services"])  # what the outbox job would send
        self._show()
        return True

    def _file(self, rest: str) -> dict | None:
        """``/file PATH [说明]``: the file as a document, captioned like one sent from Telegram."""
        try:
            parts = shlex.split(rest)
        except ValueError:
            parts = rest.split()
        if not parts:
            self.out("用法:/file 文件路径 [说明],例如 /file ~/材料.pdf #12 第一季度台账\n")
            return None
        path = Path(parts[0]).expanduser()
        if not path.is_file():
            self.out(f"找不到文件:{path}\n")
            return None
        caption = " ".join(parts[1:]) or None
        if caption and self.group and "@" not in caption:
            caption = f"@{self.app.bot.username} {caption}"
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return self.api.push_document(self.chat_id, self.who.user_id, path, path.name, mime, caption)

    def _show(self) -> None:
        """Print this turn's messages in our chat; only their buttons can be pressed next."""
        sent = self.api.sent()
        messages = [m for m in sent[self.seen:] if m["chat_id"] == self.chat_id]
        self.seen = len(sent)
        self.choices = {}
        for m in messages:
            self.out("— 机器人 —")
            if "file" in m:
                saved = self._save(m["file"])
                self.out(f"[文件] {saved.name} → {saved}")
            if m.get("text"):
                self.out(to_text(m["text"]))
            rows = (m.get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = [b for row in rows for b in row if b.get("callback_data")]
            taken = set(self.choices)
            labels = [b.get("text", "") for b in buttons]
            for (number, label), button in zip(label_keys(labels, taken), buttons, strict=True):
                while number in taken:  # a second keyboard's own "4. …" taken already: count on by 100
                    number += 100
                taken.add(number)
                self.choices[number] = (m["message_id"], button["callback_data"])
                self.out(f"  [{number}] {label}")
            self.out("")

    def _save(self, file: dict) -> Path:
        """Write a file the bot sent under ``DATA_DIR/console/``, never over an earlier one."""
        self.files.mkdir(parents=True, exist_ok=True)
        name = Path(str(file["name"])).name
        data = file["data"]
        if mimetypes.guess_type(name)[0] is None:  # a photo uploaded as bytes is named after its type
            name = "图片.png" if data[:4] == b"\x89PNG" else "图片.jpg" if data[:2] == b"\xff\xd8" else name or "文件"
        target, n = self.files / name, 1
        while target.exists():
            target, n = self.files / f"{Path(name).stem}-{n}{Path(name).suffix}", n + 1
        target.write_bytes(data if isinstance(data, bytes) else bytes(data))
        return target


def others(who: Identity, face: str = "telegram") -> list[tuple[str, str]]:
    """How to be someone else: (command, who that is)."""
    base = f"liaison-bot chat --campaign {who.slug}" + (" --channel dingtalk" if face == "dingtalk" else "")
    return [(f"{base} --unit 单位名", "另一个单位的联络员"), (f"{base} --as office", "领导小组办公室"),
            (f"{base} --as new", "未登记的新用户(试用登记流程)"), (f"{base} --group", "在联络员群里")]


def _stdin_lines(out: Callable[[str], None]) -> Iterable[str]:
    while True:
        try:
            yield input("您> ")
        except EOFError:  # Ctrl-D: end the prompt's line, then leave
            out("")
            return


def run_local_chat(settings: Settings, *, campaign: str | None, unit: str | None, group: bool,
                   role: str = "liaison") -> int:
    """Entry point of ``liaison-bot chat`` and of ``run`` without a token."""
    root = logging.getLogger()
    root.setLevel(logging.WARNING)  # no INFO lines (alembic, the scheduler) between replies
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:  # also for loggers that set their own level (bm25s: DEBUG)
        handler.setLevel(logging.WARNING)
    lines = _stdin_lines(print) if sys.stdin.isatty() else (line for line in sys.stdin)
    console = Console(settings, campaign=campaign or settings.default_campaign, unit=unit, group=group, role=role)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(console.start())
        for line in lines:  # read with no loop running: Ctrl-C raises here at once
            if not loop.run_until_complete(console.say(line)):
                break
    except KeyboardInterrupt:
        print()
    finally:
        loop.run_until_complete(console.stop())
        loop.close()
    return 0
