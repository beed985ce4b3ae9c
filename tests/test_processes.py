"""Real processes: two senders on one database never send a reminder twice; webhook mode works."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from sqlmodel import Session

from bot.app import build_application
from bot.fakes.server import FakeBotApiServer
from bot.settings import Settings
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import make_engine
from knowledge.timeline import set_due, set_phases
from knowledge.units import UnitDirectory
from tests.conftest import fresh_url, loaded_url

GROUP = -1004242
SENDER = """
import asyncio, sys
from datetime import datetime
from telegram import Bot
from bot.context import Services
from bot.outbox import deliver, run_due
from bot.settings import Settings
from knowledge.clock import FakeClock
from knowledge.db import make_engine

async def main(url, base, now):
    bot = Bot("1:PROC", base_url=base)
    async with bot:
        services = Services(settings=Settings(_env_file=None), engine=make_engine(url),
                            clock=FakeClock(datetime.fromisoformat(now)))
        await run_due(bot, services)
        await deliver(bot, services)  # what the bot's outbox pass does: rows failed or left by a crash

asyncio.run(main(*sys.argv[1:]))
"""


async def test_two_processes_one_database_send_each_reminder_once(tmp_path):
    url = loaded_url(tmp_path)
    engine = make_engine(url)
    now = datetime(2026, 12, 10, 1, 5, tzinfo=UTC)
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=now)
        for no in (12, 13, 14):
            set_due(s, camp, no, date(2026, 12, 21), by=1, now=now)
        unit = UnitDirectory.load(s, camp).resolve("市监局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=81, name="王五", now=now)
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="群", by_user_id=1,
                         now=now)
        s.commit()
    async with FakeBotApiServer() as server:
        server.api.group_chat(GROUP, "群")
        procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", SENDER, url, server.base_url,
                                                      now.isoformat(), cwd=Path(__file__).parent.parent)
                 for _ in range(2)]
        assert [await p.wait() for p in procs] == [0, 0]
        reminders = [m for m in server.api.sent(GROUP) if "截止" in m["text"]]
        assert len(reminders) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_with_secret(tmp_path):
    engine = make_engine(loaded_url(tmp_path))
    port = free_port()
    async with FakeBotApiServer() as server:
        settings = Settings(_env_file=None, telegram_bot_token="1:HOOK", telegram_base_url=server.base_url,
                            telegram_base_file_url=server.base_file_url, admin_user_ids="5")
        app = build_application(settings, engine=engine, clock=FakeClock(datetime(2026, 12, 1, tzinfo=UTC)),
                                reminders=False)
        await app.initialize()
        await app.start()
        await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="telegram",
                                        webhook_url=f"http://127.0.0.1:{port}/telegram", secret_token="s3cret")
        try:
            update = server.api.push_message(5, 5, "第12项指标")
            async with httpx.AsyncClient() as client:
                bad = await client.post(f"http://127.0.0.1:{port}/telegram", content=json.dumps(update),
                                        headers={"content-type": "application/json"})
                assert bad.status_code == 403  # no secret: refused
                ok = await client.post(f"http://127.0.0.1:{port}/telegram", content=json.dumps(update),
                                       headers={"content-type": "application/json",
                                                "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
                assert ok.status_code == 200
            sent = await server.api.wait_for_sent(1, chat_id=5)
            assert "建立健全协同监管" in sent[-1]["text"]
            assert any(m == "setWebhook" for m, _ in server.api.calls)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def test_sigkill_during_a_reminder_run_loses_nothing(tmp_path):
    """Killed while sending: every claimed reminder is delivered by the next run; only the one
    in flight at the kill may arrive twice (Telegram has no idempotency key)."""
    url = loaded_url(tmp_path)
    engine = make_engine(url)
    now = datetime(2026, 12, 10, 1, 5, tzinfo=UTC)
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=now)
        for no, day in ((12, 11), (13, 15), (14, 21)):  # 1, 3 and 7 working days after 12-10
            set_due(s, camp, no, date(2026, 12, day), by=1, now=now)
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="群", by_user_id=1,
                         now=now)
        s.commit()
    async with FakeBotApiServer() as server:
        server.api.group_chat(GROUP, "群")
        server.delay["sendMessage"] = 0.4
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", SENDER, url, server.base_url,
                                                    now.isoformat(), cwd=Path(__file__).parent.parent)
        await server.api.wait_for_sent(1, chat_id=GROUP, timeout=90)  # a process starting beside other tests
        proc.kill()
        await proc.wait()
        server.delay.clear()
        later = datetime(2026, 12, 10, 1, 20, tzinfo=UTC)  # after the ten-minute stale-claim window
        for _ in range(2):
            p = await asyncio.create_subprocess_exec(sys.executable, "-c", SENDER, url, server.base_url,
                                                     later.isoformat(), cwd=Path(__file__).parent.parent)
            assert await p.wait() == 0
        texts = [m["text"] for m in server.api.sent(GROUP) if "截止" in m["text"]]
        for deadline in ("2026-12-11", "2026-12-15", "2026-12-21"):
            sent = [t for t in texts if deadline in t]
            assert 1 <= len(sent) <= 2, (deadline, len(sent))
        assert len(texts) <= 4  # at most the one in flight repeated
    from sqlmodel import select

    from knowledge.models import ReminderLog
    with Session(make_engine(url)) as s:
        assert {r.status for r in s.exec(select(ReminderLog)) if r.key.endswith(":group")} == {"sent"}


async def test_send_timeout_keeps_the_reminder_for_a_retry(tmp_path):
    from telegram.request import HTTPXRequest

    from bot.outbox import run_due
    url = loaded_url(tmp_path)
    engine = make_engine(url)
    now = datetime(2026, 12, 10, 1, 5, tzinfo=UTC)
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=now)
        set_due(s, camp, 12, date(2026, 12, 21), by=1, now=now)
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="群", by_user_id=1,
                         now=now)
        s.commit()
    clock = FakeClock(now)
    async with FakeBotApiServer() as server:
        server.api.group_chat(GROUP, "群")
        settings = Settings(_env_file=None, telegram_bot_token="1:TO", telegram_base_url=server.base_url,
                            telegram_base_file_url=server.base_file_url)
        app = build_application(settings, engine=engine, clock=clock, reminders=False, rate_limit=False,
                                request=HTTPXRequest(read_timeout=0.3, write_timeout=0.3))
        await app.initialize()
        try:
            server.delay["sendMessage"] = 1.0
            await run_due(app.bot, app.bot_data["services"])  # times out, does not raise
            server.delay.clear()
            clock.advance(minutes=11)
            await run_due(app.bot, app.bot_data["services"])
            await asyncio.sleep(1.2)  # let the slow first answer land in the fake server
        finally:
            await app.shutdown()
        texts = [m["text"] for m in server.api.sent(GROUP) if "截止" in m["text"]]
        assert 1 <= len(texts) <= 2  # the timed-out one may have been delivered; the retry surely is


def test_processes_started_together_on_a_new_store_all_work(tmp_path):
    """The bot and a command started at once on an empty store: one creates it, the others wait
    (before, all but one failed with "table campaign already exists")."""
    import os
    import subprocess

    env = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": fresh_url(tmp_path)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "ask", "--campaign", "hejin", "第1项"], env=env,
                              cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in results]
    assert all("网上零售额同比增速" in out for out, _ in results)
