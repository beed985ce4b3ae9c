"""The 317 questions through both faces: the DingTalk face gives the same answers as Telegram.

Each question of ``tests/questions/*.yaml`` is asked on Telegram (the real Application, in
process) and on DingTalk (the real ``Face``, its sends captured), by a member of the asking
unit in a private chat — registered with the office's role, so that questions about every unit's
submissions are answered as the question set expects, not refused — or, for a question asked
without a unit, by an admin in the campaign's bound group. Compared: the reply's facts as the question set expects them
(``tests.test_questions.check`` on the reply the DingTalk face sent), its text as a reader sees
it (Telegram HTML and DingTalk markdown both reduced to plain text), and its buttons (label and
action) against DingTalk's numbered choices.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
import pytest_asyncio

from bot.markup import to_text
from bot.replies import Reply
from bot.settings import Settings
from channels.dingtalk.face import Face
from channels.dingtalk.frames import RobotMessage
from channels.dingtalk.markdown import Choices, numbered
from channels.dingtalk.outbox import DingTalkOutbox
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.units import UnitDirectory
from tests.botkit import ADMIN, make_harness
from tests.conftest import campaigns_engine
from tests.test_questions import CASES, check

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # the question set's day (10:00 in Shanghai)
GROUPS = {"hejin": -1001001, "yancheng": -1001002}
LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]])*)\]\([^)]*\)")


def plain_markdown(md: str) -> str:
    """DingTalk markdown as a reader sees it: links by their text, emphasis gone, escapes undone."""
    text = LINK.sub(lambda m: m.group(1), md.replace("  \n", "\n"))
    return re.sub(r"\\(.)|\*\*|\*|```|`", lambda m: m.group(1) or "", text)


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n") if line.strip()]


class Captured(DingTalkOutbox):
    """The face's sends, kept instead of sent."""

    def __init__(self, services, choices) -> None:  # noqa: ANN001
        super().__init__(api=None, services=services, choices=choices)  # type: ignore[arg-type]
        self.parts: list = []

    async def send_parts(self, chat, parts, private):  # noqa: ANN001, ANN201
        self.parts += [numbered(p, self.choices.number(chat, p.actions)) if p.actions else p for p in parts]


class Both:
    """One store, one clock; the Telegram application and the DingTalk face over them."""

    def __init__(self, harness, face: Face, box: Captured) -> None:  # noqa: ANN001
        self.tg, self.face, self.box = harness, face, box
        self.users: dict[tuple[str, str], int] = {}
        self.replies: list = []

    def asker(self, slug: str, unit: str | None) -> int:
        if unit is None:
            return ADMIN
        if (slug, unit) not in self.users:
            user = 700000 + len(self.users)
            self.tg.register(user, unit, slug, role="office")
            with self.tg.services.session() as s:
                camp = get_campaign(s, slug)
                unit_id = UnitDirectory.load(s, camp).resolve(unit).unit.id
                people.add_officer(session=s, campaign_id=camp.id, unit_id=unit_id, user_id=str(user),
                                   role="office", now=NOW, channel="dingtalk")
            self.users[(slug, unit)] = user
        return self.users[(slug, unit)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def both():
    engine = campaigns_engine()
    clock = FakeClock(NOW)
    harness = await make_harness(engine, clock)
    username = harness.app.bot.username
    for slug, group in GROUPS.items():
        harness.api.group_chat(group, slug)
        harness.bind(group, slug=slug)
        with harness.services.session() as s:
            chats.bind_chat(session=s, campaign_id=get_campaign(s, slug).id, chat_id=f"cid{group}", kind="liaison",
                            title=slug, by_user_id=str(ADMIN), now=NOW, channel="dingtalk")
    services = harness.services
    services.settings = Settings(_env_file=None, dingtalk_admin_user_ids=str(ADMIN), admin_user_ids=str(ADMIN))
    choices = Choices(services)
    box = Captured(services, choices)
    face = Face(services, box, choices)
    pair = Both(harness, face, box)
    original = face.reply

    async def keep(msg, reply):  # noqa: ANN001, ANN202
        pair.replies.append(reply)
        await original(msg, reply)

    face.reply = keep
    pair.username = username
    yield pair
    await harness.app.shutdown()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("slug,case", CASES, ids=[f"{s}:{c['q']}" for s, c in CASES])
async def test_the_same_answer_on_both_faces(both, slug, case):
    user = both.asker(slug, case.get("asker"))
    group = GROUPS[slug] if case.get("asker") is None else None
    q = case["q"]
    telegram_text = q if group is None or q.startswith("/") else f"@{both.username} {q}"
    telegram_text = telegram_text.replace("@liaison_bot", f"@{both.username}")  # the set's own bot name
    sent = await both.tg.say(group or user, user, telegram_text)
    assert sent, f"Telegram said nothing to {q!r}"
    both.box.parts.clear()
    both.replies.clear()
    chat = f"cid{group}" if group else str(user)
    await both.face.handle(RobotMessage(msg_id=f"m-{slug}-{q}", conversation_id=chat, private=group is None,
                                        sender=str(user), nick="测试", kind="text", text=q))
    [reply] = both.replies
    assert isinstance(reply, Reply), reply
    assert check(reply, case) == [], reply.text  # the facts the question set expects
    telegram = lines("\n".join(to_text(m["text"]) for m in sent))
    dingtalk_md = "\n".join(p.text for p in both.box.parts)
    body, _, shown = dingtalk_md.partition("  \n  \n[\\[选")
    assert lines(plain_markdown(body)) == telegram
    buttons = [(b["text"], b["callback_data"]) for row in (sent[-1].get("reply_markup") or {}).get(
        "inline_keyboard", []) for b in row]
    numbers = [unquote(n) for n in re.findall(r"content=([^)]+)\)", dingtalk_md)]
    picked = [both.face.choices.pick(chat, n) for n in numbers]
    assert [(a.label, a.encode()) for a in picked] == buttons
