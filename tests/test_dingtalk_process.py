"""``liaison-bot run --channel dingtalk`` as a process against the fake DingTalk gateway, as
deployed: an officer asks which indicators are theirs, submits a file, the office approves it
in its group, a reminder reaches the liaison group at its slot — and none of it happens twice
after the process is stopped and started again. Replies with buttons are interactive cards
(``DINGTALK_CARD_TEMPLATE_ID``): the officer picks and submits, and the office approves, by pressing
card buttons whose callbacks come back through the stream. Offline; SQLite, or PostgreSQL with
TEST_DATABASE_URL.

The process's clock starts at the reminder's slot (a Thursday, 09:05 in Shanghai) and runs on:
the wrapper below moves ``SystemClock`` and then calls the console script's ``main`` itself.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.fakes.dingtalk import FakeDingTalk
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.models import Evidence, InboxUpdate
from knowledge.timeline import set_due, set_phases
from knowledge.units import UnitDirectory
from tests.conftest import fresh_url
from tests.test_dingtalk import PDF, card_with

ROOT = Path(__file__).parent.parent
SLOT = datetime(2026, 12, 10, 1, 5, tzinfo=UTC)
OFFICER, REVIEWER, ADMIN = "manager4711", "staff-office-2", "staff-admin-9"
GROUP, OFFICE = "cidYanchengLiaison==", "cidYanchengOffice=="
RUN = """
import sys, time
from datetime import datetime, timedelta
import knowledge.clock as clock
start, t0 = datetime.fromisoformat(sys.argv[1]), time.monotonic()
clock.SystemClock.now = lambda self: start + timedelta(seconds=time.monotonic() - t0)
from bot.cli import main
sys.exit(main(["run", "--channel", "dingtalk"]))
"""


def seed(url: str) -> int:
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, "yancheng")
        # The directory before the phases change: loading it builds the campaign's lexicon, which
        # this test process keeps by campaign id and data hash (other tests' stores share both).
        unit = UnitDirectory.load(s, camp).resolve("市监局").unit
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=SLOT)
        for no in (12, 13, 14):
            set_due(s, camp, no, date(2026, 12, 21), by=1, now=SLOT)
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=OFFICER, name="赵联络",
                           now=SLOT, channel="dingtalk")
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=REVIEWER, name="钱审核",
                           role="office", now=SLOT, channel="dingtalk")
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="联络员群",
                        by_user_id=ADMIN, now=SLOT, channel="dingtalk")
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=OFFICE, kind="office", title="办公室群",
                        by_user_id=ADMIN, now=SLOT, channel="dingtalk")
        s.commit()
    engine.dispose()
    return 12


async def start(dt: FakeDingTalk, url: str, data: Path) -> asyncio.subprocess.Process:
    g = dt.gateway
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "DATA_DIR": str(data),
           "DEFAULT_CAMPAIGN": "yancheng", "DINGTALK_CLIENT_ID": g.client_id, "DINGTALK_CLIENT_SECRET": g.secret,
           "DINGTALK_ROBOT_CODE": g.robot_code, "DINGTALK_OPENAPI_ENDPOINT": dt.endpoint,
           "DINGTALK_ADMIN_USER_IDS": ADMIN, "DINGTALK_CARD_TEMPLATE_ID": "tpl-liaison", "TELEGRAM_BOT_TOKEN": ""}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", RUN, SLOT.isoformat(), env=env, cwd=data,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=open(data / "bot.log", "ab"))
    for _ in range(600):
        if dt.gateway.connections:
            return proc
        if proc.returncode is not None:
            raise AssertionError((data / "bot.log").read_text())
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot never connected")


async def stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(proc.wait(), 30)


def texts(dt: FakeDingTalk, conversation: str = "", user: str = "") -> list[str]:
    """What reached a group or a person: markdown messages and cards' text."""
    return [m.text for m in dt.gateway.to(conversation, user)] + \
        [c.params.get("markdown", "") for c in dt.cards_to(conversation, user)]


def said(dt: FakeDingTalk, text: str, conversation: str = "", user: str = "") -> bool:
    return any(text in t for t in texts(dt, conversation, user))


def reminders(dt: FakeDingTalk) -> list[str]:
    return [t for t in texts(dt, conversation=GROUP) if "截止" in t]


def answers(dt: FakeDingTalk) -> list[str]:
    """What the officer was sent besides their private reminder (``reminder_private.j2`` opens with
    ⏰ or ❗): that one goes out in the same pass as the group's, so it may arrive before the stop
    or, still pending then, after the restart — once either way."""
    return [t for t in texts(dt, user=OFFICER) if not t.startswith(("⏰", "❗"))]


async def test_the_dingtalk_face_as_a_process(tmp_path):
    url = fresh_url(tmp_path)
    seed(url)
    async with FakeDingTalk() as dt:
        dt.gateway.templates.add("tpl-liaison")
        proc = await start(dt, url, tmp_path)
        try:
            dt.push(sender=OFFICER, text="我们单位负责哪些指标")
            await dt.wait_for(lambda s: said(dt, "第12项", user=OFFICER), 30)
            assert said(dt, "市场监督管理局", user=OFFICER)
            dt.push(sender=OFFICER, text="/submit 12")  # indicator 12 is scored item by item: pick the first
            await dt.wait_for(lambda s: card_with(dt, "评分项", user=OFFICER))
            items = card_with(dt, "评分项", user=OFFICER)
            dt.press(items, items.buttons[0]["text"], user=OFFICER)
            await dt.wait_for(lambda s: said(dt, "提交材料", user=OFFICER))
            dt.push(sender=OFFICER, file=("网络市场监管工作方案.pdf", PDF))
            await dt.wait_for(lambda s: card_with(dt, "1 个文件", user=OFFICER))
            dt.press(card_with(dt, "1 个文件", user=OFFICER), "提交", user=OFFICER)
            await dt.wait_for(lambda s: card_with(dt, "待审核材料", conversation=OFFICE))
            dt.press(card_with(dt, "待审核材料", conversation=OFFICE), "通过(满分)", user=REVIEWER)  # the office approves
            await dt.wait_for(lambda s: said(dt, "已通过审核", user=OFFICER))
            await dt.wait_for(lambda s: reminders(dt), 30)  # the minute job's first pass, at the slot
        finally:
            assert await stop(proc) == 0
        before = len(answers(dt))
        asked = dt.push(sender=OFFICER, text="第12项指标")  # while the bot is down: delivered on reconnect
        proc = await start(dt, url, tmp_path)
        try:
            await dt.wait_for(lambda s: any("第12项" in t for t in answers(dt)[before:]), 30)
            await asyncio.sleep(8)  # past the restarted minute job's first pass and two outbox passes
        finally:
            assert await stop(proc) == 0
    assert len(reminders(dt)) == 1
    assert sum("已通过审核" in t for t in texts(dt, user=OFFICER)) == 1
    assert sum("待审核材料" in t for t in texts(dt, conversation=OFFICE)) == 1
    assert len(answers(dt)) == before + 1  # the question asked while the bot was down, answered once
    assert len(texts(dt, user=OFFICER)) - len(answers(dt)) <= 1  # the private reminder, never twice
    assert dt.gateway.unacked == {}
    assert "s3cret" not in (tmp_path / "bot.log").read_text()  # the secret is never logged
    engine = make_engine(url)
    with Session(engine) as s:
        assert s.exec(select(Evidence)).one().status == "accepted"
        statuses = [r.status for r in s.exec(select(InboxUpdate).where(InboxUpdate.channel == "dingtalk"))]
        assert statuses == ["done"] * 7, statuses  # each message (and press) stored once, finished once
        assert sum("card" in r.raw for r in s.exec(select(InboxUpdate))) == 3  # three buttons pressed
    assert re.search(r"msg\d+", asked)
