"""A test harness for layer 2: the real Application from build_application, with the Bot API
answered in process by LocalBotApi, updates fed through ``app.process_update``."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.fakes.api import LocalBotApi, LocalRequest
from bot.settings import Settings
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.units import UnitDirectory

ADMIN = 900001
OFFICE_CHAT = -1009000
GROUP = -1001000


@dataclass
class Harness:
    app: Application
    api: LocalBotApi
    clock: FakeClock
    seen: int = field(default=0)

    @property
    def services(self):  # noqa: ANN201
        return self.app.bot_data["services"]

    async def feed(self, update: dict) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def say(self, chat_id: int, user_id: int, text: str, **kw) -> list[dict]:
        """Send a message as a user and return what the bot sent in reply."""
        await self.feed(self.api.push_message(chat_id, user_id, text, **kw))
        return self.new()

    async def press(self, chat_id: int, user_id: int, message_id: int, data: str) -> list[dict]:
        await self.feed(self.api.push_callback(chat_id, user_id, message_id, data))
        return self.new()

    def new(self) -> list[dict]:
        out = self.api.sent()[self.seen:]
        self.seen += len(out)
        return out

    def register(self, user_id: int, unit: str, slug: str = "hejin", role: str = "liaison",
                 name: str = "测试联络员") -> None:
        with self.services.session() as s:
            camp = get_campaign(s, slug)
            unit_ref = UnitDirectory.load(s, camp).resolve(unit).unit
            people.add_officer(session=s, campaign_id=camp.id, unit_id=unit_ref.id, user_id=user_id,
                               name=name, role=role, now=self.clock.now())

    def bind(self, chat_id: int, kind: str = "liaison", slug: str = "hejin") -> None:
        with self.services.session() as s:
            camp = get_campaign(s, slug)
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=chat_id, kind=kind, title="测试群",
                             by_user_id=ADMIN, now=self.clock.now())


async def make_harness(engine, clock: FakeClock, evidence_dir=None, api: LocalBotApi | None = None) -> Harness:  # noqa: ANN001
    """``api``: the fake Telegram to talk to (another harness's, for a second process of one bot)."""
    import tempfile

    api = api or LocalBotApi()
    settings = Settings(_env_file=None, admin_user_ids=str(ADMIN), office_chat_id=OFFICE_CHAT,
                        evidence_dir=evidence_dir or tempfile.mkdtemp(prefix="evidence-"))
    app = build_application(settings, engine=engine, clock=clock, request=LocalRequest(api),
                            rate_limit=False)
    await app.initialize()
    return Harness(app, api, clock)


async def office_harness(tmp_path, user: int, unit: str = "统计局") -> Harness:  # noqa: ANN001
    """Hejin with the office chat bound and one officer of ``unit``, at 2026-12-10 09:05 Beijing."""
    from datetime import UTC, datetime

    from tests.conftest import campaigns_engine

    harness = await make_harness(campaigns_engine(), FakeClock(datetime(2026, 12, 10, 1, 5, tzinfo=UTC)), tmp_path)
    harness.api.group_chat(OFFICE_CHAT, "办公室")
    harness.bind(OFFICE_CHAT, kind="office")
    harness.register(user, unit)
    return harness


def text_of(messages: list[dict]) -> str:
    """The texts the bot sent, one after another."""
    return "\n".join(m["text"] for m in messages)
