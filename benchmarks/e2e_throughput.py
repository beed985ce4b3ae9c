"""End-to-end messages per second through the real polling loop and the fake Bot API server,
for this bot and for a bare python-telegram-bot echo bot measured in the same run.

The rate limiter is off for both: it enforces Telegram's own caps (≈30 msg/s), which would
measure Telegram, not the code. Run: .venv/bin/python -m benchmarks.e2e_throughput [N]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime

from sqlmodel import Session
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from benchmarks.common import bench_url
from bot.app import build_application
from bot.fakeserver import FakeBotApiServer
from bot.settings import Settings
from knowledge import people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.units import UnitDirectory

QUESTIONS = ["我们单位负责哪些指标", "第12项指标", "网上零售额同比增速谁负责", "/find 跨境电商", "评估验收什么时候"]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def measure(app, server: FakeBotApiServer, users: list[int], n: int) -> float:  # noqa: ANN001
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    before = len(server.api.sent())
    start = time.perf_counter()
    for i in range(n):
        uid = users[i % len(users)]
        server.api.push_message(uid, uid, QUESTIONS[i % len(QUESTIONS)])
    await server.api.wait_for_sent(before + n, timeout=300)
    elapsed = time.perf_counter() - start
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    return n / elapsed


async def main(n: int) -> None:
    users = list(range(10_001, 10_051))
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(bench_url(tmp))
        create_schema(engine)
        clock = FakeClock(datetime(2026, 11, 24, 1, tzinfo=UTC))
        with Session(engine) as s:
            load_all(s)
            camp = get_campaign(s, "hejin")
            unit = UnitDirectory.load(s, camp).resolve("统计局").unit
            for uid in users:
                people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=uid, now=clock.now())
            s.commit()
        async with FakeBotApiServer() as server:
            for uid in users:
                server.api.add_user(uid, f"用户{uid}")
            settings = Settings(_env_file=None, telegram_bot_token="1:BENCH", telegram_base_url=server.base_url,
                                telegram_base_file_url=server.base_file_url)
            echo_app = (ApplicationBuilder().token("1:BENCH").base_url(server.base_url)
                        .base_file_url(server.base_file_url).build())
            echo_app.add_handler(MessageHandler(filters.TEXT, echo))
            echo_rate = await measure(echo_app, server, users, n)
            ours = build_application(settings, engine=engine, clock=clock, rate_limit=False)
            our_rate = await measure(ours, server, users, n)
    print(f"messages: {n}")
    print(f"echo bot:    {echo_rate:7.1f} msg/s")
    print(f"liaison-bot: {our_rate:7.1f} msg/s   ratio {our_rate / echo_rate:.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
