"""Faults from Telegram: 429 with retry_after, 5xx, dropped connections — and a SIGKILL in the
middle of a burst of submissions. Nothing acknowledged is lost, nothing is sent twice."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.app import build_application
from bot.fakes.server import FakeBotApiServer
from bot.outbox import deliver, run_due
from bot.settings import Settings
from knowledge.models import Evidence, EvidenceFile, OutboxMessage, ReminderLog
from tests.botkit import office_harness
from tests.conftest import campaigns_engine, loaded_url
from tests.test_e2e_evidence import OFFICE, USER, seed

PDF = b"%PDF-1.4 fault test"


@pytest.fixture
async def h(tmp_path):
    harness = await office_harness(tmp_path, USER)
    yield harness
    await harness.app.shutdown()


async def test_429_is_waited_out_by_the_rate_limiter(tmp_path):
    engine = campaigns_engine()
    from bot.fakes.api import LocalBotApi, LocalRequest
    api = LocalBotApi()
    settings = Settings(_env_file=None, evidence_dir=tmp_path)
    app = build_application(settings, engine=engine, request=LocalRequest(api), rate_limit=True, reminders=False)
    await app.initialize()
    try:
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1})
        from telegram import Update
        await app.process_update(Update.de_json(api.push_message(4, 4, "/help"), app.bot))
        assert [m for m in api.sent(4) if "联络员助手" in m["text"]]
        assert [m for m, _ in api.calls].count("sendMessage") == 2
    finally:
        await app.shutdown()


async def test_5xx_on_download_stores_nothing_and_apologises(h):
    h.api.fail_next("getFile", 502, "Bad Gateway")
    await h.feed(h.api.push_document(USER, USER, PDF, "a.pdf", "application/pdf", caption="#1 材料"))
    assert "抱歉" in h.api.sent(USER)[-1]["text"]
    with h.services.session() as s:
        assert s.exec(select(Evidence)).all() == []
    await h.feed(h.api.push_document(USER, USER, PDF, "a.pdf", "application/pdf", caption="#1 材料"))
    assert "已收到材料" in h.api.sent(USER)[-1]["text"]


async def test_5xx_during_reminders_is_retried_once_later(h):
    from knowledge.timeline import set_due, set_phases
    with h.services.session() as s:
        from knowledge.campaigns import get_campaign
        camp = get_campaign(s, "hejin")
        set_phases(s, camp, [("推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=h.clock.now())
        set_due(s, camp, 1, date(2026, 12, 21), by=1, now=h.clock.now())
    h.api.group_chat(-3, "群")
    h.bind(-3)
    h.api.fail_next("sendMessage", 502, "Bad Gateway")
    await run_due(h.app.bot, h.services)  # does not raise
    assert not [m for m in h.api.sent(-3) if "截止" in m["text"]]
    with h.services.session() as s:  # the claim is done; its row waits for the retry
        assert {r.status for r in s.exec(select(ReminderLog)) if r.key.endswith(":group")} == {"sent"}
        assert {r.status for r in s.exec(select(OutboxMessage)) if r.target == "-3"} == {"pending"}
    h.clock.advance(seconds=6)  # past the first backoff (5 s): the outbox's pass retries it
    await deliver(h.app.bot, h.services)
    await run_due(h.app.bot, h.services)
    await deliver(h.app.bot, h.services)
    assert len([m for m in h.api.sent(-3) if "截止" in m["text"]]) == 1


async def test_dropped_connection_during_polling_and_sending(tmp_path):
    url = loaded_url(tmp_path)
    seed(url)
    from knowledge.db import make_engine
    async with FakeBotApiServer() as server:
        server.api.add_user(USER, "李四")
        settings = Settings(_env_file=None, telegram_bot_token="1:DROP", telegram_base_url=server.base_url,
                            telegram_base_file_url=server.base_file_url, evidence_dir=tmp_path / "ev")
        app = build_application(settings, engine=make_engine(url), reminders=False)
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            server.drop_next.append("getUpdates")
            server.api.push_message(USER, USER, "第1项指标")
            sent = await server.api.wait_for_sent(1, chat_id=USER, timeout=20)
            assert "网上零售额同比增速" in sent[-1]["text"]
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


# Seconds a new ``liaison-bot run`` may take to start and answer: the suite runs on every core
# (-n auto), so a process starts beside other tests; the wait ends at the answer, not at this.
START = 90


async def test_sigkill_in_a_burst_loses_nothing_acknowledged(tmp_path):
    url = loaded_url(tmp_path)
    seed(url)
    async with FakeBotApiServer() as server:
        api = server.api
        api.add_user(USER, "李四")
        api.group_chat(OFFICE, "办公室")
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:BURST", "TELEGRAM_BASE_URL": server.base_url,
               "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": url,
               "EVIDENCE_DIR": str(tmp_path / "evidence"), "DATA_DIR": str(tmp_path)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", "run", env=env,
            cwd=Path(__file__).parent.parent, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        blobs = [PDF + os.urandom(2000) for _ in range(12)]
        try:
            for i, blob in enumerate(blobs):
                api.push_document(USER, USER, blob, f"材料{i}.pdf", "application/pdf", caption=f"#{(1, 2, 4, 5)[i % 4]} 第{i}份")
            await api.wait_for_sent(3, chat_id=USER, timeout=START)
        finally:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        receipts = [int(m.group(1)) for msg in api.sent(USER) if (m := re.search(r"已收到材料 <b>#(\d+)", msg["text"]))]
        assert len(receipts) >= 3
        from knowledge.db import make_engine
        with Session(make_engine(url)) as s:
            for rid in receipts:
                ev = s.get(Evidence, rid)
                [f] = s.exec(select(EvidenceFile).where(EvidenceFile.evidence_id == rid)).all()
                assert ev.status == "submitted"
                assert hashlib.sha256(Path(f.stored_path).read_bytes()).hexdigest() == f.sha256
            shas = [f.sha256 for f in s.exec(select(EvidenceFile))]
            assert len(shas) == len(set(shas))
