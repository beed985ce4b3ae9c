"""Receipts, review cards and outcomes once a submission or review is committed: Telegram
failing (502, 429, Forbidden, timeouts) delays them, never loses or doubles them, and the officer
is never told it failed. And the inbox: stored before it is queued, processed once, in order."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import select
from telegram import Update

from bot import outbox as face
from bot.inbox import ChatOrderedProcessor, DurableQueue
from knowledge import inbox
from knowledge.models import InboxUpdate, OutboxMessage
from tests.botkit import OFFICE_CHAT, office_harness

USER = 8301
PDF = b"%PDF-1.4 outbox test"


@pytest.fixture
async def h(tmp_path):
    harness = await office_harness(tmp_path, USER)
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


async def test_in_a_group_the_receipt_quotes_the_file_and_in_private_it_does_not(h):
    from tests.botkit import GROUP

    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    raw = h.api.push_document(GROUP, USER, PDF, "a.pdf", "application/pdf", caption="#1 材料")
    await h.feed(raw)
    [receipt] = [m for m in h.api.sent(GROUP) if "已收到材料" in m["text"]]
    assert receipt["reply_to"] == raw["message"]["message_id"]
    await submit(h, 2)
    assert [m["reply_to"] for m in h.api.sent(USER) if "已收到材料" in m["text"]] == [None]


async def test_a_message_held_back_behind_a_failed_one_keeps_its_place(h):
    from knowledge import outbox as store
    from knowledge.messages import say
    from knowledge.outbox import Outgoing

    with h.services.session() as s:
        store.put(s, [Outgoing("test:first", USER, say("refused", reason="第一条")),
                      Outgoing("test:second", USER, say("refused", reason="第二条"))], h.clock.now())
    h.api.fail_next("sendMessage", 502, "Bad Gateway")
    await later(h, 0)  # the first fails; the second is held back behind it
    await later(h, 2)  # the first waits out its backoff: so does the second
    assert [m["text"] for m in h.api.sent(USER)] == []
    await later(h, 5)
    assert ["第一条" in m["text"] for m in h.api.sent(USER)] == [True, False]


async def test_durable_queue_stores_first_and_drops_an_update_seen_before(h):
    queue = DurableQueue(h.services)
    raw = h.api.push_message(USER, USER, "/help")
    update = Update.de_json(raw, h.app.bot)
    await queue.put(update)
    with h.services.session() as s:
        [row] = s.exec(select(InboxUpdate)).all()
        assert row.status == "pending" and row.update_id == update.update_id
    await queue.put(Update.de_json(raw, h.app.bot))  # delivered again (a webhook retry)
    assert queue.qsize() == 1
    fresh = DurableQueue(h.services)  # a new process: the unfinished update is queued again, not stored again
    assert fresh.replay(h.app) == 1 and fresh.qsize() == 1
    with h.services.session() as s:
        inbox.done(s, "telegram", update.update_id, h.clock.now())
        s.commit()
    again = DurableQueue(h.services)
    assert again.replay(h.app) == 0


async def test_processor_orders_one_chat_and_lets_others_pass(h):
    processor = ChatOrderedProcessor(h.services)
    seen: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, download: bool = False) -> None:
        if download:  # what a file download does: waits for the network without the store's turn
            async with h.services.turn.released():
                await gate.wait()
        seen.append(name)

    def update(chat: int) -> Update:
        return Update.de_json(h.api.push_message(chat, chat, "hi"), h.app.bot)

    a1, a2, b1 = update(1), update(1), update(2)
    tasks = [asyncio.create_task(processor.process_update(a1, work("a1", download=True))),
             asyncio.create_task(processor.process_update(a2, work("a2"))),
             asyncio.create_task(processor.process_update(b1, work("b1")))]
    await asyncio.sleep(0.05)
    assert seen == ["b1"]  # another chat is answered during the download; the same chat waits its turn
    gate.set()
    await asyncio.gather(*tasks)
    assert seen == ["b1", "a1", "a2"]


async def test_a_submission_marks_its_update_done_in_its_own_transaction(h):
    """Were the mark left to the processor, a crash between the commit and the mark would have
    the update processed again on start, and the officer told the file was a duplicate."""
    raw = h.api.push_document(USER, USER, PDF, "a.pdf", "application/pdf", caption="#1 材料")
    update = Update.de_json(raw, h.app.bot)
    await DurableQueue(h.services).put(update)  # stored as the polling loop stores it
    await h.app.process_update(update)  # the handlers alone, without the processor's own mark
    with h.services.session() as s:
        [row] = s.exec(select(InboxUpdate)).all()
        assert row.status == "done"


async def test_an_album_item_after_a_restart_joins_its_submission(h):
    await h.feed(h.api.push_document(USER, USER, PDF + b"1", "a.pdf", "application/pdf", caption="#1 材料",
                                     media_group_id="album-7"))
    h.app.chat_data[USER].clear()  # what a restart does to the album's memory
    await h.feed(h.api.push_document(USER, USER, PDF + b"2", "b.pdf", "application/pdf", media_group_id="album-7"))
    with h.services.session() as s:
        from knowledge.models import Evidence, EvidenceFile

        [evidence] = s.exec(select(Evidence)).all()
        assert len(s.exec(select(EvidenceFile).where(EvidenceFile.evidence_id == evidence.id)).all()) == 2


async def test_messages_a_stopped_process_was_sending_go_out_after_a_restart(h):
    h.api.time_out_next("sendMessage", delivered=False)
    await submit(h)
    with h.services.session() as s:
        [receipt] = [r for r in s.exec(select(OutboxMessage)) if r.key.startswith("receipt:")]
        from knowledge import outbox as store

        store.claim(s, receipt.id, h.clock.now(), "telegram")  # taken by a process that then died
    await later(h, 10)  # past the first attempt's backoff
    assert receipts(h) == []  # still "sending": no other sender touches it before it is stale
    face.reclaim(h.services)  # the new process's start
    await later(h, 0)
    assert len(receipts(h)) == 1


async def test_a_submit_flow_survives_a_restart_between_the_file_and_submit(h, tmp_path):
    """The flow says "已收到:1 个文件": that file and note are in the store, not in the process."""
    from knowledge.models import Evidence, EvidenceFile
    from tests.botkit import make_harness

    out = await h.say(USER, USER, "/submit")
    await h.press(USER, USER, out[-1]["message_id"], "sb:i:1:1")
    await h.feed(h.api.push_document(USER, USER, PDF + b"flow", "流程.pdf", "application/pdf"))
    got = await h.say(USER, USER, "见附件说明")
    assert "1 个文件" in got[-1]["text"] and "1 条文字或链接" in got[-1]["text"]
    again = await make_harness(h.services.engine, h.clock, h.services.settings.evidence_path, h.api)  # a new process
    try:
        await again.feed(h.api.push_callback(USER, USER, got[-1]["message_id"], "sb:ok:1"))
        with again.services.session() as s:
            [evidence] = s.exec(select(Evidence)).all()
            [f] = s.exec(select(EvidenceFile)).all()
            assert evidence.note == "见附件说明" and f.name == "流程.pdf"
        assert any("已收到材料" in m["text"] for m in h.api.sent(USER))
    finally:
        await again.app.shutdown()
