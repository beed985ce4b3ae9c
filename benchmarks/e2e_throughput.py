"""End-to-end messages per second through the real polling loop and the fake Bot API server,
for this bot and for a bare python-telegram-bot echo bot measured in the same run.

The rate limiter is off for both: it enforces Telegram's own caps (≈30 msg/s), which would
measure Telegram, not the code. Run: .venv/bin/python -m benchmarks.e2e_throughput [N] [--same-reply] [--cold]
(``--same-reply``: the control bot answers each question with exactly the reply this bot sends
for it, same HTML and same buttons, looked up from a table, so the ratio isolates this bot's
own work from the size of its replies; ``--cold``: the bot keeps no replies, so every question
is built from the store).
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
from bot.delivery import keyboard
from bot.replies import Reply, answer_typed
from bot.settings import Settings
from knowledge import people
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.units import UnitDirectory

QUESTIONS = ["我们单位负责哪些指标", "第12项指标", "网上零售额同比增速谁负责", "/find 跨境电商", "评估验收什么时候"]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def same_reply_bot(replies: dict[str, Reply]):  # noqa: ANN201
    """The control: answers each question with the reply liaison-bot sends for it, from a table."""
    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        r = replies[update.effective_message.text]
        await update.effective_message.reply_html(r.text, reply_markup=keyboard(r.buttons))
    return reply


async def measure(app, control: str, users: list[int], n: int) -> float:  # noqa: ANN001
    """Push n questions to the server (its own process) and wait until n replies were sent."""
    import httpx

    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    async with httpx.AsyncClient() as client:
        before = (await client.post(f"{control}/count", json={})).json()["sent"]
        start = time.perf_counter()
        msgs = [(users[i % len(users)], users[i % len(users)], QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
        await client.post(f"{control}/push", json={"messages": msgs})
        while (await client.post(f"{control}/count", json={})).json()["sent"] < before + n:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - start
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    return n / elapsed


async def main(n: int, same: bool = False, cold: bool = False) -> None:
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
            directory = UnitDirectory.load(s, camp)
            replies = {q: answer_typed(s, camp, directory, q, Asker(unit=directory.units[unit.id]),
                                       clock.now().date(), "") for q in QUESTIONS}
        # The fake server runs in its own process, so its work (parsing and checking replies)
        # is not charged to either bot.
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.fakes.server", "0",
                                                    stdout=asyncio.subprocess.PIPE)
        base_url = (await proc.stdout.readline()).decode().strip()
        root = base_url.removesuffix("/bot")
        control = f"{root}/_control"
        try:
            settings = Settings(_env_file=None, telegram_bot_token="1:BENCH", telegram_base_url=base_url,
                                telegram_base_file_url=f"{root}/file/bot")
            echo_app = ApplicationBuilder().token("1:BENCH").base_url(base_url).build()
            echo_app.add_handler(MessageHandler(filters.TEXT, same_reply_bot(replies) if same else echo))
            echo_rate = await measure(echo_app, control, users, n)
            ours = build_application(settings, engine=engine, clock=clock, rate_limit=False, reminders=False)
            if cold:
                ours.bot_data["services"].replies = None
            our_rate = await measure(ours, control, users, n)
        finally:
            proc.kill()
            await proc.wait()
    print(f"messages: {n}")
    print(f"echo bot:    {echo_rate:7.1f} msg/s")
    print(f"liaison-bot: {our_rate:7.1f} msg/s   ratio {our_rate / echo_rate:.2f}")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 500, same="--same-reply" in sys.argv, cold="--cold" in sys.argv))
