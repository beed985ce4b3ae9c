"""Layer 3: the real polling loop against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bot.app import build_application
from bot.fakeserver import FakeBotApiServer
from bot.settings import Settings
from knowledge import people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.loader import load_all
from knowledge.units import UnitDirectory
from tests.conftest import new_engine

USER, GROUP = 8001, -1008001


@pytest.fixture
async def running():
    engine = new_engine()
    clock = FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, "hejin")
        unit = UnitDirectory.load(s, camp).resolve("统计局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=USER, name="李四", now=clock.now())
        people.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="联络员群",
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
