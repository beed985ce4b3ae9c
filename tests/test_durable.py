"""Nothing an officer sends is lost, nothing the bot must send goes twice: the durable inbox and
outbox, checked against a real ``liaison-bot run`` killed with SIGKILL in the middle of a burst."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.fakes.server import FakeBotApiServer
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.db import make_engine
from knowledge.duties import unit_duties
from knowledge.models import Evidence, EvidenceFile, InboxUpdate, OutboxMessage
from knowledge.units import UnitDirectory
from tests.conftest import loaded_url

ROOT = Path(__file__).parent.parent
OFFICE, ADMIN = -1008999, 8999
OFFICERS = [8200 + i for i in range(10)]
PDF = b"%PDF-1.4 burst\n"
UNITS = ["统计局", "商务局", "工信局", "发改局", "财政局", "公安局", "教育局", "司法局", "人社局", "自然资源局"]


def seed(url: str) -> dict[int, list[int]]:
    """On the loaded store at ``url`` (``loaded_url``): ten officers of ten units and the office chat; each officer's first four indicators."""
    engine = make_engine(url)
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    plan: dict[int, list[int]] = {}
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        directory = UnitDirectory.load(s, camp)
        units = [u for name in UNITS if (u := directory.resolve(name).unit) is not None]
        units = [u for u in units if len(unit_duties(session=s, campaign=camp, directory=directory,
                                                     unit_id=u.id).indicators) >= 4]
        for user, unit in zip(OFFICERS, units, strict=False):
            people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=user, name=f"联络员{user}",
                               now=now)
            duties = unit_duties(session=s, campaign=camp, directory=directory, unit_id=unit.id)
            plan[user] = [d.no for d in duties.indicators[:4]]
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=OFFICE, kind="office", title="办公室",
                        by_user_id=ADMIN, now=now)
        s.commit()
    return plan


async def start(env: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", "run", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


def receipts(api, users) -> Counter:  # noqa: ANN001
    """Receipts per submission id, over all officers' private chats."""
    found: Counter = Counter()
    for user in users:
        for msg in api.sent(user):
            if m := re.search(r"已收到材料 <b>#(\d+)", msg["text"]):
                found[int(m.group(1))] += 1
    return found


def cards(api) -> Counter:  # noqa: ANN001
    return Counter(int(m.group(1)) for msg in api.sent(OFFICE) if (m := re.search(r"待审核材料 #(\d+)", msg["text"])))


async def wait_until(check, timeout: float) -> bool:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


@pytest.mark.parametrize("kill_after", [(0, 4, 11, 23, 31)])
async def test_sigkill_during_a_burst_every_document_stored_receipted_and_carded_once(tmp_path, kill_after):
    url = loaded_url(tmp_path)
    plan = seed(url)
    users = list(plan)
    async with FakeBotApiServer() as server:
        api = server.api
        api.group_chat(OFFICE, "办公室")
        for user in users:
            api.add_user(user, f"联络员{user}")
        for round_ in range(4):  # 40 documents, interleaved the way a busy morning sends them
            for user in users:
                blob = PDF + f"{user}-{round_}".encode() + os.urandom(64)
                api.push_document(user, user, blob, f"材料{round_}.pdf", "application/pdf",
                                  caption=f"#{plan[user][round_]} 第{round_}份")
        total = 4 * len(users)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "1:BURST", "TELEGRAM_BASE_URL": server.base_url,
               "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": url,
               "EVIDENCE_DIR": str(tmp_path / "evidence"), "DATA_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}
        for point in kill_after:  # each run is killed once it has receipted `point` more documents
            proc = await start(env)
            before = sum(receipts(api, users).values())
            try:
                if point == 0:  # as soon as it has asked for updates: the batch is fetched, nothing done
                    await wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), 30)
                else:
                    goal = min(before + point, total)
                    await wait_until(lambda goal=goal: sum(receipts(api, users).values()) >= goal, 30)
            finally:
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
            api.calls.clear()
        proc = await start(env)  # the last run finishes the work
        try:
            assert await wait_until(lambda: len(receipts(api, users)) >= total and len(cards(api)) >= total, 90)
            await asyncio.sleep(1.5)  # anything sent twice would arrive now
        finally:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
    got, carded = receipts(api, users), cards(api)
    with Session(make_engine(url)) as s:
        evidence = s.exec(select(Evidence)).all()
        files = s.exec(select(EvidenceFile)).all()
        unfinished = s.exec(select(InboxUpdate).where(InboxUpdate.status == "pending")).all()
        undelivered = s.exec(select(OutboxMessage).where(OutboxMessage.status != "sent")).all()
    assert len(evidence) == total and len(files) == total
    assert len({f.sha256 for f in files}) == total
    assert all(Path(f.stored_path).exists() for f in files)
    assert sorted(got) == sorted(e.id for e in evidence)
    assert sorted(carded) == sorted(e.id for e in evidence)
    assert unfinished == [] and undelivered == []
    # Telegram cannot say whether a message it took arrived, so a kill between Telegram taking a
    # message and the row being marked sent has it sent again after the restart. One message is in
    # flight at a time (``Services.sending``), so each kill can double at most one message.
    twice = sum(n - 1 for n in got.values()) + sum(n - 1 for n in carded.values())
    assert max(got.values()) <= 2 and max(carded.values()) <= 2
    assert twice <= len(kill_after), f"more messages sent twice than there were kills: {got} {carded}"
    print(f"burst: {total} documents, {len(kill_after)} kills, {twice} messages sent twice")
