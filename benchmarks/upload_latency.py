"""How long an officer waits for /help while ten others upload big files (issue 14: concurrency).

The real bot (``liaison-bot run`` in its own process) polls the fake Bot API server, which runs
in this process and serves each file from disk over HTTP (``MAX_DOWNLOAD_MB=2000``, the HTTP
streaming path). Ten officers of ten units each send one file of ``MB`` megabytes at once; while
those are downloading, an eleventh person sends /help five times, 0.3 s apart, and each reply's
wait is measured from the moment the update was queued at the fake to the reply's arrival.
Updates of one chat stay in order, so the eleventh person's chat is the only one measured.

Run: .venv/bin/python -m benchmarks.upload_latency [MB] [--bot-dir DIR]   (default 40 MB each)
(``--bot-dir``: run the bot from another checkout, e.g. the code before concurrency, to compare.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from benchmarks.big_file import big_pdf
from benchmarks.common import backend, bench_url
from bot.fakes.api import LocalBotApi
from bot.fakes.server import FakeBotApiServer
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.db import make_engine
from knowledge.duties import unit_duties
from knowledge.loader import load_all
from knowledge.migrate import upgrade
from knowledge.units import UnitDirectory

OFFICE, ASKER = -31_000, 31_999
UNITS = ["统计局", "商务局", "工信局", "发改局", "财政局", "公安局", "教育局", "司法局", "人社局", "自然资源局",
         "交通运输局", "农业农村局"]


def seed(url: str, count: int = 10) -> dict[int, int]:
    """``count`` officers, each of a unit answering for some indicator: user id → indicator no."""
    engine = make_engine(url)
    upgrade(engine)
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    plan: dict[int, int] = {}
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, "hejin")
        directory = UnitDirectory.load(s, camp)
        for name in UNITS:
            unit = directory.resolve(name).unit
            duties = unit and unit_duties(session=s, campaign=camp, directory=directory, unit_id=unit.id).indicators
            if not duties or len(plan) == count:
                continue
            user = 31_001 + len(plan)
            people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=user, name=f"联络员{user}",
                               now=now)
            plan[user] = duties[0].no
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=OFFICE, kind="office", title="办公室",
                        by_user_id=None, now=now)
        s.commit()
    return plan


async def reply_after(api: LocalBotApi, seen: int, timeout: float = 120) -> float:
    """Seconds until the asker's chat has more than ``seen`` messages."""
    start = time.perf_counter()
    while len(api.sent(ASKER)) <= seen:
        if time.perf_counter() - start > timeout:
            raise TimeoutError("no answer to /help")
        await asyncio.sleep(0.002)
    return time.perf_counter() - start


async def main(size_mb: int, bot_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = bench_url(tmp)
        plan = seed(url)
        files = {user: Path(tmp) / f"{user}.pdf" for user in plan}
        for path in files.values():
            big_pdf(path, size_mb)
        async with FakeBotApiServer(api=LocalBotApi(big_files=True)) as server:
            api = server.api
            api.group_chat(OFFICE, "办公室")
            for user in [*plan, ASKER]:
                api.add_user(user, f"用户{user}")
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:UPLOADS", "TELEGRAM_BASE_URL": server.base_url,
                   "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": url, "DATA_DIR": tmp,
                   "EVIDENCE_DIR": str(Path(tmp) / "evidence"), "MAX_DOWNLOAD_MB": "2000", "LOG_LEVEL": "WARNING",
                   "UNIT_QUOTA_MB": "100000", "UPLOAD_MB_PER_HOUR": "100000", "PYTHONPATH": str(bot_dir)}
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env, cwd=bot_dir)
            try:
                api.push_message(ASKER, ASKER, "/help")
                await reply_after(api, 0)  # started and idle
                await asyncio.sleep(6)  # past the first reminder tick
                start = time.perf_counter()
                for user, no in plan.items():
                    api.push_document(user, user, files[user], "材料.pdf", "application/pdf", caption=f"#{no} 材料")
                waits = []
                for _ in range(5):
                    await asyncio.sleep(0.3)
                    seen = len(api.sent(ASKER))
                    api.push_message(ASKER, ASKER, "/help")
                    waits.append(await reply_after(api, seen))
                arrivals = []
                while len(arrivals) < len(plan):
                    got = sum("已收到材料" in m["text"] for u in plan for m in api.sent(u))
                    arrivals += [time.perf_counter() - start] * (got - len(arrivals))
                    await asyncio.sleep(0.01)
                uploads = arrivals[-1]
            finally:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()
    print(f"{backend()}: {len(plan)} uploads of {size_mb} MB each, all receipted in {uploads:.1f} s "
          f"(first after {arrivals[0]:.1f} s)")
    print("/help during the uploads, seconds to the reply: " + ", ".join(f"{w:.3f}" for w in waits)
          + f" (median {statistics.median(waits):.3f}, max {max(waits):.3f})")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("mb", type=int, nargs="?", default=40)
    parser.add_argument("--bot-dir", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    asyncio.run(main(args.mb, args.bot_dir.resolve()))
