"""Layer 3: the real polling loop against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bot.app import build_application
from bot.fakes.server import FakeBotApiServer
from bot.settings import Settings
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.units import UnitDirectory
from tests.conftest import campaigns_engine

USER, GROUP = 8001, -1008001


@pytest.fixture
async def running():
    engine = campaigns_engine()
    clock = FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        unit = UnitDirectory.load(s, camp).resolve("统计局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=USER, name="李四", now=clock.now())
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="联络员群",
                         by_user_id=1, now=clock.now())
        s.commit()
    async with FakeBotApiServer() as server:
        settings = Settings(_env_file=None, telegram_bot_token="123456:TEST",
                            telegram_base_url=server.base_url, telegram_base_file_url=server.base_file_url)
        app = build_application(settings, engine=engine, clock=clock)
        server.api.add_user(USER, "李四")
        server.api.group_chat(GROUP, "联络员群")
        await app.initialize()
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield server.api
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def test_private_group_and_button_over_http(running):
    api = running
    api.push_message(USER, USER, "我们单位负责哪些指标")
    sent = await api.wait_for_sent(1, chat_id=USER)
    assert "牵头的指标" in sent[-1]["text"]

    api.push_message(GROUP, USER, "@liaison_test_bot 第12项指标")
    sent = await api.wait_for_sent(1, chat_id=GROUP)
    card = sent[-1]
    assert "建立健全协同监管" in card["text"]
    button = card["reply_markup"]["inline_keyboard"][0][1]
    api.push_callback(GROUP, USER, card["message_id"], button["callback_data"])
    sent = await api.wait_for_sent(2, chat_id=GROUP)
    assert button["text"] in sent[-1]["text"]
    assert any(m == "setMyCommands" for m, _ in api.calls)


async def test_reminder_over_http_mentions_exactly_the_owing_officers(tmp_path):
    from datetime import date

    from bot.outbox import run_due
    from knowledge.timeline import set_due, set_phases

    engine = campaigns_engine()
    clock = FakeClock(datetime(2026, 12, 10, 1, 5, tzinfo=UTC))  # 09:05 Beijing, 7 working days before
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        d = UnitDirectory.load(s, camp)
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=clock.now())
        set_due(s, camp, 12, date(2026, 12, 21), by=1, now=clock.now())
        for uid, unit in ((71, "市监局"), (72, "发改委"), (73, "邮管局")):
            people.add_officer(session=s, campaign_id=camp.id, unit_id=d.resolve(unit).unit.id, user_id=uid,
                               name=f"官员{uid}", now=clock.now())
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="联络员群",
                         by_user_id=1, now=clock.now())
        s.commit()
    async with FakeBotApiServer() as server:
        server.api.group_chat(GROUP, "联络员群")
        settings = Settings(_env_file=None, telegram_bot_token="1:REM", telegram_base_url=server.base_url,
                            telegram_base_file_url=server.base_file_url, evidence_dir=tmp_path)
        app = build_application(settings, engine=engine, clock=clock, reminders=False)
        await app.initialize()
        try:
            await run_due(app.bot, app.bot_data["services"])
            await run_due(app.bot, app.bot_data["services"])  # a second tick sends nothing new
        finally:
            await app.shutdown()
        [msg] = [m for m in server.api.sent(GROUP) if "截止" in m["text"]]
        assert "tg://user?id=71" in msg["text"] and "tg://user?id=72" in msg["text"]
        assert "tg://user?id=73" not in msg["text"]
