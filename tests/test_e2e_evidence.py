"""Layer 3 for evidence: uploads over HTTP, getFile and download, receipt, review, notice —
and a bot process killed right after a receipt loses nothing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.app import build_application
from bot.fakes.server import FakeBotApiServer
from bot.settings import Settings
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import make_engine
from knowledge.models import Evidence, EvidenceFile
from knowledge.units import UnitDirectory
from tests.conftest import loaded_url

USER, ADMIN, OFFICE = 8101, 8999, -1008999
PDF = b"%PDF-1.4 " + os.urandom(100 * 1024)
JPG = b"\xff\xd8\xff\xe0" + os.urandom(50 * 1024)


def seed(url: str) -> None:
    """On the loaded store at ``url`` (``loaded_url``): 李四 of 统计局 and the office chat."""
    engine = make_engine(url)
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        unit = UnitDirectory.load(s, camp).resolve("统计局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=USER, name="李四", now=now)
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=OFFICE, kind="office", title="办公室",
                         by_user_id=ADMIN, now=now)
        s.commit()


async def test_upload_review_notice_over_http(tmp_path):
    url = loaded_url(tmp_path)
    seed(url)
    async with FakeBotApiServer() as server:
        api = server.api
        api.add_user(USER, "李四")
        api.group_chat(OFFICE, "办公室")
        settings = Settings(_env_file=None, telegram_bot_token="1:E2E", telegram_base_url=server.base_url,
                            telegram_base_file_url=server.base_file_url, admin_user_ids=str(ADMIN),
                            evidence_dir=tmp_path / "evidence", database_url=url)
        app = build_application(settings, engine=make_engine(url), clock=FakeClock(datetime(2026, 11, 24, 1, tzinfo=UTC)))
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            api.push_document(USER, USER, PDF, "培训通知.pdf", "application/pdf", caption="#1 电商培训通知")
            receipt = (await api.wait_for_sent(1, chat_id=USER))[-1]
            assert "已收到材料" in receipt["text"]
            api.push_photo(USER, USER, JPG, caption="#2 现场照片")
            await api.wait_for_sent(2, chat_id=USER)
            assert [m for m, _ in api.calls].count("getFile") == 2
            cards = await api.wait_for_sent(2, chat_id=OFFICE)
            first = cards[0]
            button = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            api.push_callback(OFFICE, ADMIN, first["message_id"], button)
            notice = (await api.wait_for_sent(3, chat_id=USER))[-1]
            assert "已通过审核" in notice["text"]
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    with Session(make_engine(url)) as s:
        files = list(s.exec(select(EvidenceFile)))
        assert sorted(f.sha256 for f in files) == sorted(hashlib.sha256(d).hexdigest() for d in (PDF, JPG))
        assert [e.status for e in s.exec(select(Evidence).order_by(Evidence.id))] == ["accepted", "submitted"]


async def _start_bot(env: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=Path(__file__).parent.parent,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


# Seconds a new ``liaison-bot run`` may take to start and answer: the suite runs on every core
# (-n auto), so a process starts beside other tests; the wait ends at the answer, not at this.
START = 90


async def test_kill_after_receipt_loses_nothing(tmp_path):
    url = loaded_url(tmp_path)
    seed(url)
    async with FakeBotApiServer() as server:
        api = server.api
        api.add_user(USER, "李四")
        api.group_chat(OFFICE, "办公室")
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:KILL", "TELEGRAM_BASE_URL": server.base_url,
               "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": url,
               "EVIDENCE_DIR": str(tmp_path / "evidence"), "DATA_DIR": str(tmp_path)}
        proc = await _start_bot(env)
        try:
            api.push_document(USER, USER, PDF, "台账.pdf", "application/pdf", caption="#4 新增规模以上经营者")
            await api.wait_for_sent(1, chat_id=USER, timeout=START)
        finally:
            proc.send_signal(signal.SIGKILL)  # right after the receipt
            await proc.wait()
        with Session(make_engine(url)) as s:
            [ev] = s.exec(select(Evidence)).all()
            [f] = s.exec(select(EvidenceFile)).all()
            assert ev.status == "submitted"
            assert hashlib.sha256(Path(f.stored_path).read_bytes()).hexdigest() == f.sha256
        proc = await _start_bot(env)  # and the bot carries on
        try:
            api.push_message(USER, USER, "/status")
            status = (await api.wait_for_sent(2, chat_id=USER, timeout=START))[-1]
            assert f"#{ev.id}" in status["text"] and "待审核" in status["text"]
        finally:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
