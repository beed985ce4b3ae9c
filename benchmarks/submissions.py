"""Evidence submissions per second end to end: 100 KB documents through the real polling loop,
getFile, download over HTTP, storage with fsync, commit, receipt and the office card.

Run: .venv/bin/python -m benchmarks.submissions [N]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from benchmarks.common import bench_url
from bot.app import build_application
from bot.fakes.server import FakeBotApiServer
from bot.settings import Settings
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.units import UnitDirectory


async def main(n: int) -> None:
    users = list(range(20_001, 20_021))
    with tempfile.TemporaryDirectory() as tmp:
        url = bench_url(tmp)
        engine = make_engine(url)
        create_schema(engine)
        clock = FakeClock(datetime(2026, 11, 24, 1, tzinfo=UTC))
        with Session(engine) as s:
            load_all(s)
            camp = get_campaign(s, "hejin")
            unit = UnitDirectory.load(s, camp).resolve("统计局").unit
            for uid in users:
                people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=uid, now=clock.now())
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-1, kind="office", title="办公室",
                             by_user_id=None, now=clock.now())
            s.commit()
        async with FakeBotApiServer() as server:
            server.api.group_chat(-1, "办公室")
            settings = Settings(_env_file=None, telegram_bot_token="1:B", telegram_base_url=server.base_url,
                                telegram_base_file_url=server.base_file_url, evidence_dir=Path(tmp) / "ev")
            app = build_application(settings, engine=engine, clock=clock, rate_limit=False)
            await app.initialize()
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            start = time.perf_counter()
            for i in range(n):
                uid = users[i % len(users)]
                server.api.push_document(uid, uid, os.urandom(100 * 1024), f"材料{i}.pdf", "application/pdf",
                                         caption=f"#{(1, 2, 4, 5)[i % 4]} 材料{i}")
            await server.api.wait_for_sent(n, chat_id=-1, timeout=600)
            elapsed = time.perf_counter() - start
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    print(f"submissions: {n} × 100 KB, {n / elapsed:.1f} per second ({elapsed:.1f} s)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
