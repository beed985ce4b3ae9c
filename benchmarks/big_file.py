"""Peak memory of the bot while it receives one big evidence file (issue 14: bounded memory).

The real bot (``liaison-bot run`` in its own process, as deployed) polls the fake Bot API
server, which runs in this process and serves the file from disk in chunks over HTTP
(``TELEGRAM_BASE_FILE_URL`` points at it, so the bot takes its HTTP streaming path), with a
self-hosted-size limit (``MAX_DOWNLOAD_MB=2000``). The bot's resident memory is read from
``/proc/<pid>/status``: once idle (after it answered a /help), then its high-water mark
(``VmHWM``, reset through ``/proc/<pid>/clear_refs`` after the idle reading) once the receipt
for the file has arrived; a 10 ms sampler of ``VmRSS`` cross-checks it. Idle means after the
first reminder tick (it loads the calendar and the plans once, about 40 MB, and would otherwise
be counted against the download).

Run: .venv/bin/python -m benchmarks.big_file [MB] [--bot-dir DIR]      (default 300 MB)
(``--bot-dir``: run the bot from another checkout, e.g. the code before streaming, to compare.)
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from benchmarks.common import backend, bench_url
from bot.fakes.api import LocalBotApi
from bot.fakes.server import FakeBotApiServer
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.db import make_engine
from knowledge.loader import load_all
from knowledge.migrate import upgrade
from knowledge.models import EvidenceFile
from knowledge.units import UnitDirectory

USER, OFFICE = 30_001, -30_000
MB = 1024 * 1024


def seed(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)  # as the bot's own start does, so a bot of another checkout finds its schema
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, "hejin")
        unit = UnitDirectory.load(s, camp).resolve("统计局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=USER, name="李四", now=now)
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=OFFICE, kind="office", title="办公室",
                        by_user_id=None, now=now)
        s.commit()


def big_pdf(path: Path, size_mb: int) -> str:
    """A file that is a PDF by its bytes, ``size_mb`` MB of random data; its SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        for i in range(size_mb):
            chunk = (b"%PDF-1.4 big evidence\n" if i == 0 else b"") + os.urandom(MB)
            chunk = chunk[:MB]
            fh.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


async def sample(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], status_kb(pid, "VmRSS"))
        except (OSError, KeyError):
            return
        await asyncio.sleep(0.01)


async def settled(pid: int) -> int:
    """The bot's RSS once it is idle: past its first reminder tick (5 s after start, which loads
    the calendar and the plans once) and unchanged within 1 MB for three seconds."""
    await asyncio.sleep(8)
    last = status_kb(pid, "VmRSS")
    for _ in range(60):
        await asyncio.sleep(3)
        now = status_kb(pid, "VmRSS")
        if abs(now - last) <= 1024:
            return now
        last = now
    return last


def receipts(api: LocalBotApi) -> int:
    return len([m for m in api.sent(USER) if "已收到材料" in m["text"]])


async def main(size_mb: int, bot_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = bench_url(tmp)
        seed(url)
        source = Path(tmp) / "big.pdf"
        digest = big_pdf(source, size_mb)
        async with FakeBotApiServer(api=LocalBotApi(big_files=True)) as server:
            api = server.api
            api.add_user(USER, "李四")
            api.group_chat(OFFICE, "办公室")
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:BIGFILE", "TELEGRAM_BASE_URL": server.base_url,
                   "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": url, "DATA_DIR": tmp,
                   "EVIDENCE_DIR": str(Path(tmp) / "evidence"), "MAX_DOWNLOAD_MB": "2000", "LOG_LEVEL": "WARNING",
                   "PYTHONPATH": str(bot_dir)}
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env, cwd=bot_dir)
            try:
                api.push_message(USER, USER, "/help")
                await api.wait_for_sent(1, chat_id=USER, timeout=120)
                idle = await settled(proc.pid)
                Path(f"/proc/{proc.pid}/clear_refs").write_text("5")  # the high-water mark starts again here
                peak, stop = [idle], asyncio.Event()
                sampler = asyncio.create_task(sample(proc.pid, peak, stop))
                start = time.perf_counter()
                api.push_document(USER, USER, source, "大文件.pdf", "application/pdf", caption="#1 大文件")
                while receipts(api) < 1:
                    await asyncio.sleep(0.05)
                    if time.perf_counter() - start > 900:
                        raise TimeoutError("no receipt in 15 minutes")
                elapsed = time.perf_counter() - start
                hwm = status_kb(proc.pid, "VmHWM")
                stop.set()
                await sampler
            finally:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()
        with Session(make_engine(url)) as s:
            [f] = s.exec(select(EvidenceFile)).all()
        assert f.sha256 == digest and f.size == size_mb * MB, "the stored file is not the one sent"
    print(f"{backend()}: one {size_mb} MB file over HTTP, received in {elapsed:.1f} s "
          f"({size_mb / elapsed:.0f} MB/s), stored with the same SHA-256")
    print(f"bot RSS idle {idle / 1024:.0f} MB; peak (VmHWM) {hwm / 1024:.0f} MB = {(hwm - idle) / 1024:.1f} MB above idle;"
          f" sampled peak {(peak[0] - idle) / 1024:.1f} MB above idle")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("mb", type=int, nargs="?", default=300)
    parser.add_argument("--bot-dir", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    asyncio.run(main(args.mb, args.bot_dir.resolve()))
