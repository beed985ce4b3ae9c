"""Receipts, review cards and outcomes once a submission or review is committed: Telegram
failing (502, 429, Forbidden, timeouts) delays them, never loses or doubles them, and the officer
is never told it failed. And the inbox: stored before it is queued, processed once, in order."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select
from telegram import Update

from bot import outbox as face
from bot.inbox import ChatOrderedProcessor, DurableQueue
from knowledge import inbox
from knowledge.clock import FakeClock
from knowledge.loader import load_all
from knowledge.models import InboxUpdate, OutboxMessage
from tests.botkit import OFFICE_CHAT, make_harness
from tests.conftest import new_engine

USER = 8301
PDF = b"%PDF-1.4 outbox test"


@pytest.fixture
async def h(tmp_path):
    engine = new_engine()
    with Session(engine) as s:
        load_all(s)
        s.commit()
    harness = await make_harness(engine, FakeClock(datetime(2026, 12, 10, 1, 5, tzinfo=UTC)), tmp_path)
    harness.api.group_chat(OFFICE_CHAT, "办公室")
    harness.bind(OFFICE_CHAT, kind="office")
    harness.register(USER, "统计局")
    yield harness
    await harness.app.shutdown()


def receipts(h) -> list[str]:  # noqa: ANN001
    return [m["text"] for m in h.api.sent(USER) if "已收到材料" in m["text"]]


def apologies(h) -> list[str]:  # noqa: ANN001
    return [m["text"] for m in h.api.sent(USER) if "抱歉" in m["text"] or "出错" in m["text"]]


def cards(h) -> list[str]:  # noqa: ANN001
    return [m["text"] for m in h.api.sent(OFFICE_CHAT) if "待审核材料" in m["text"]]


def rows(h, status: str | None = None) -> list[OutboxMessage]:  # noqa: ANN001
    with h.services.session() as s:
        query = select(OutboxMessage)
        return [r for r in s.exec(query) if status is None or r.status == status]


async def submit(h, n: int = 1) -> None:  # noqa: ANN001
    await h.feed(h.api.push_document(USER, USER, PDF + bytes([n]), f"a{n}.pdf", "application/pdf", caption="#1 材料"))


async def later(h, seconds: float) -> None:  # noqa: ANN001
    h.clock.advance(seconds=seconds)
    await face.deliver(h.app.bot, h.services)


async def test_receipt_502_is_retried_not_apologised_for(h):
    h.api.fail_next("sendMessage", 502, "Bad Gateway")
    await submit(h)
    assert receipts(h) == [] and apologies(h) == []
    assert len(cards(h)) == 1  # the office's card is its own row: it is not held up
    await later(h, 1)
    assert receipts(h) == []  # backing off
    await later(h, 10)
    assert len(receipts(h)) == 1 and apologies(h) == []
    await later(h, 600)
    assert len(receipts(h)) == 1 and len(cards(h)) == 1
    assert {r.status for r in rows(h)} == {"sent"}


async def test_429_four_times_waits_as_long_as_telegram_says(h):
    for _ in range(4):
        h.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", {"retry_after": 30})
    await submit(h)  # receipt and card both get 429s (the harness has no rate limiter to wait them out)
    for _ in range(3):
        await later(h, 31)
    await later(h, 31)
    assert len(receipts(h)) == 1 and len(cards(h)) == 1 and apologies(h) == []
    [receipt] = [r for r in rows(h) if r.key.startswith("receipt:")]
    assert receipt.attempts >= 2


async def test_429_is_not_retried_before_retry_after(h):
    h.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 40", {"retry_after": 40})
    await submit(h)
    await later(h, 30)
    assert receipts(h) == []
    await later(h, 11)
    assert len(receipts(h)) == 1


async def test_timeout_after_telegram_took_it_is_not_sent_again(h):
    h.api.time_out_next("sendMessage", delivered=True)
    await submit(h)
    await later(h, 600)
    assert len(receipts(h)) == 1 and apologies(h) == []
    [receipt] = [r for r in rows(h) if r.key.startswith("receipt:")]
    assert receipt.status == "sent" and "assumed delivered" in receipt.error


async def test_timeout_before_it_left_is_sent_later_once(h):
    h.api.time_out_next("sendMessage", delivered=False)
    await submit(h)
    assert receipts(h) == []
    await later(h, 10)
    await later(h, 600)
    assert len(receipts(h)) == 1 and apologies(h) == []


async def test_office_chat_that_removed_the_bot_does_not_touch_the_officer(h):
    h.api.blocked.add(OFFICE_CHAT)  # 403 for every message to the office chat
    await submit(h)
    assert len(receipts(h)) == 1 and apologies(h) == []
    statuses = {r.key.split(":")[0]: r.status for r in rows(h)}
    assert statuses == {"receipt": "sent", "card": "unreachable"}
    await later(h, 600)
    assert len(receipts(h)) == 1  # nothing is retried for a chat that said no


async def test_receipt_to_an_officer_who_blocked_the_bot_is_not_retried(h):
    h.api.blocked.add(USER)
    await submit(h)
    assert len(cards(h)) == 1
    assert {r.key.split(":")[0]: r.status for r in rows(h)} == {"receipt": "unreachable", "card": "sent"}


async def test_outcome_falls_back_to_the_group_once_when_private_fails(h):
    from tests.botkit import ADMIN, GROUP

    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    await submit(h)
    card = next(m for m in h.api.sent(OFFICE_CHAT) if "待审核材料" in m["text"])
    eid = int(re.search(r"#(\d+)", card["text"]).group(1))
    h.api.blocked.add(USER)  # the officer blocked the bot since
    await h.feed(h.api.push_callback(OFFICE_CHAT, ADMIN, card["message_id"], f"rv:{eid}:a"))
    notices = [m for m in h.api.sent(GROUP) if f"#{eid}" in m["text"]]
    confirmations = [m for m in h.api.sent(OFFICE_CHAT) if f"#{eid}" in m["text"] and "已通过" in m["text"]]
    assert len(notices) == 1 and len(confirmations) == 1
    await later(h, 600)
    assert len([m for m in h.api.sent(GROUP) if f"#{eid}" in m["text"]]) == 1
    assert {r.key: r.status for r in rows(h) if r.key.startswith("outcome:")} == {
        f"outcome:{eid}:office": "sent", f"outcome:{eid}:private": "unreachable",
        f"outcome:{eid}:group:{GROUP}": "sent"}


async def test_durable_queue_stores_first_and_drops_an_update_seen_before(h):
    queue = DurableQueue()
    queue.services = h.services
    raw = h.api.push_message(USER, USER, "/help")
    update = Update.de_json(raw, h.app.bot)
    await queue.put(update)
    with h.services.session() as s:
        [row] = s.exec(select(InboxUpdate)).all()
        assert row.status == "pending" and row.update_id == update.update_id
    await queue.put(Update.de_json(raw, h.app.bot))  # delivered again (a webhook retry)
    assert queue.qsize() == 1
    fresh = DurableQueue()  # a new process: the unfinished update is queued again, not stored again
    fresh.services = h.services
    assert fresh.replay(h.app) == 1 and fresh.qsize() == 1
    with h.services.session() as s:
        inbox.done(s, "telegram", update.update_id, h.clock.now())
        s.commit()
    again = DurableQueue()
    again.services = h.services
    assert again.replay(h.app) == 0


async def test_processor_orders_one_chat_and_lets_others_pass(h):
    processor = ChatOrderedProcessor(h.services)
    seen: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        if wait:
            await gate.wait()
        seen.append(name)

    def update(chat: int, uid: int) -> Update:
        return Update.de_json(h.api.push_message(chat, chat, "hi"), h.app.bot)

    a1, a2, b1 = update(1, 1), update(1, 2), update(2, 3)
    tasks = [asyncio.create_task(processor.process_update(a1, work("a1", wait=True))),
             asyncio.create_task(processor.process_update(a2, work("a2"))),
             asyncio.create_task(processor.process_update(b1, work("b1")))]
    await asyncio.sleep(0.05)
    assert seen == []  # b1 waits for the store's turn a1 holds … unless a1 gives it up
    gate.set()
    await asyncio.gather(*tasks)
    assert seen.index("a1") < seen.index("a2")
