"""Kept replies (``bot.replies.ReplyCache``): a repeated question is not rebuilt, and a kept reply
never outlives what it was built from — the timeline, the day, the asker's unit; replies that
read the roster or submissions are never kept. Through the real Application (layer 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event
from sqlmodel import Session

from bot.replies import ReplyCache, answer_typed
from knowledge import timeline
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.units import UnitDirectory
from tests.botkit import text_of

USER, OTHER = 7001, 7002


def count_statements(engine) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def change(h, fn) -> None:  # noqa: ANN001
    """A change made beside the bot (as the CLI does from another process): its own session."""
    with Session(h.services.engine) as s:
        fn(s, get_campaign(s, "yancheng"))
        s.commit()


async def test_a_repeated_question_is_not_rebuilt(h):
    h.register(USER, "统计局")
    first = text_of(await h.say(USER, USER, "我们单位负责哪些指标"))
    seen = count_statements(h.services.engine)
    again = text_of(await h.say(USER, USER, "我们单位负责哪些指标"))
    assert again == first and "牵头的指标</b>：4 项" in again
    # Only whether a /submit flow is open, who is asking and the timeline are read: the draft,
    # the officer, then phases, due dates and state in one statement (``timeline_key``).
    assert len(seen) == 3, seen
    assert "submitdraft" in seen[0]


async def test_each_unit_gets_its_own_answer(h):
    h.register(USER, "统计局")
    h.register(OTHER, "税务局")
    mine = text_of(await h.say(USER, USER, "我们单位负责哪些指标"))
    theirs = text_of(await h.say(OTHER, OTHER, "我们单位负责哪些指标"))
    assert mine != theirs and "税务" in theirs and "税务" not in mine.split("\n")[0]


async def test_a_due_date_set_elsewhere_counts_at_once(h):
    h.register(USER, "发改委", slug="yancheng")
    before = text_of(await h.say(USER, USER, "/ind 3"))
    assert "材料截止</b>：2023-12-31（推定：文件未规定材料截止日期" in before and "该日期已过" in before
    change(h, lambda s, c: timeline.set_due(s, c, 3, date(2026, 12, 1), by=None, now=h.clock.now()))
    after = text_of(await h.say(USER, USER, "/ind 3"))
    assert "材料截止</b>：2026-12-01（领导小组办公室设定）" in after and "已过" not in after
    # The next day past it, the same card says it is overdue.
    h.clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    assert "已过截止日期，请尽快补交" in text_of(await h.say(USER, USER, "/ind 3"))


async def test_a_shifted_timeline_shows_at_once(h):
    h.register(USER, "发改委", slug="yancheng")
    assert "2024-04-01 至 2024-06-30" in text_of(await h.say(USER, USER, "评估验收什么时候"))
    change(h, lambda s, c: timeline.shift(s, c, date(2026, 12, 1), by=None, now=h.clock.now()))
    after = text_of(await h.say(USER, USER, "评估验收什么时候"))
    assert "2024" not in after and "2027" in after


async def test_roster_answers_are_never_kept(h):
    h.register(USER, "统计局")
    assert "新来的" not in text_of(await h.say(USER, USER, "统计局的联络员是谁"))
    h.register(OTHER, "统计局", name="新来的")
    assert "新来的" in text_of(await h.say(USER, USER, "统计局的联络员是谁"))


def test_changed_documents_are_another_key(store):
    camp = get_campaign(store, "hejin")
    directory = UnitDirectory.load(store, camp)
    cache = ReplyCache()
    first = answer_typed(store, camp, directory, "/ind 12", Asker(), date(2026, 11, 24), cache=cache)
    answer_typed(store, camp, directory, "/ind 12", Asker(), date(2026, 11, 24), cache=cache)
    assert len(cache) == 1
    edited = camp.model_copy(update={"data_hash": "another"})
    again = answer_typed(store, edited, directory, "/ind 12", Asker(), date(2026, 11, 24), cache=cache)
    assert len(cache) == 2 and again.text == first.text
    # What the caller does to its copy does not reach the kept reply.
    again.intent = "detail"
    assert answer_typed(store, camp, directory, "/ind 12", Asker(), date(2026, 11, 24), cache=cache).intent == "indicator"


async def test_submission_answers_are_never_kept(h):
    h.register(USER, "统计局")
    before = text_of(await h.say(USER, USER, "我们单位还欠哪些材料"))
    await h.feed(h.api.push_document(USER, USER, b"%PDF-1.4 test", "统计报表.pdf", "application/pdf",
                                     caption="#1 统计报表"))
    h.new()
    after = text_of(await h.say(USER, USER, "我们单位还欠哪些材料"))
    assert after != before
    assert text_of(await h.say(USER, USER, "/status")) != before


async def test_due_line_says_who_set_the_date(h):
    h.register(USER, "发改委", slug="yancheng")
    h.register(OTHER, "统计局")
    assert "材料截止</b>：文件未规定具体日期" in text_of(await h.say(OTHER, OTHER, "第12项什么时候交"))
    # A timeline the office shifted is the office's: once past, the card asks for late submission.
    change(h, lambda s, c: timeline.shift(s, c, date(2026, 1, 1), by=None, now=h.clock.now()))
    card = text_of(await h.say(USER, USER, "/ind 3"))
    assert "（推定：按办公室时间表中“全面推进”阶段结束日）。已过截止日期，请尽快补交" in card and "文件未规定材料截止" not in card
