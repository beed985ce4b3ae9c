"""Reminders, catch-ups and digests through the durable outbox: a failed chat is retried alone,
a catch-up stays one catch-up, a digest is not lost for the week, overdue reminders go on
weekly while something is owed (issue 14, items 2 and 6)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from bot.outbox import deliver, run_due, weekly
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.models import Evidence, Indicator, OutboxMessage, ReminderAck, ReminderLog, Unit
from knowledge.timeline import set_due, set_phases
from reminders.calendar import WorkCalendar
from reminders.planner import plan_slot
from tests.botkit import GROUP, OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine
from tests.test_reminders_send import FGW, SJ, at, yancheng_harness

GROUP2 = -1002000


@pytest.fixture
async def h(tmp_path):
    harness = await yancheng_harness(tmp_path, {GROUP: "联络员群", GROUP2: "联络员二群"})
    yield harness
    await harness.app.shutdown()


def deadline(h, chat: int, text: str = "2026-12-21 截止") -> list[dict]:
    return [m for m in h.api.sent(chat) if text in m["text"]]


def notes(h, name: str) -> list[dict]:
    return [m for m in h.api.sent(OFFICE_CHAT) if "无法收到私信" in m["text"] and name in m["text"]]


def rows(h, prefix: str = "") -> list[OutboxMessage]:
    with h.services.session() as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith(prefix))
                           .order_by(OutboxMessage.id)))


async def test_502_on_one_of_two_groups_retries_that_group_alone(h):
    h.clock.set(at(date(2026, 12, 10)))  # 7 working days before 12-21
    h.api.fail_next("sendMessage", 502, "Bad Gateway")  # the first group's notice
    await run_due(h.app.bot, h.services)
    counts = {chat: len(deadline(h, chat)) for chat in (GROUP, GROUP2)}
    assert sorted(counts.values()) == [0, 1]
    failed = next(chat for chat, n in counts.items() if n == 0)
    [private] = deadline(h, SJ)  # the private note is not held up by a group's outage
    assert re.search(r"第12项 \S", private["text"])  # titles survive the row's JSON
    with h.services.session() as s:  # the claim is done: delivery is the rows' business now
        assert {r.status for r in s.exec(select(ReminderLog)) if r.kind == "deadline"} == {"sent"}
    h.clock.advance(seconds=2)
    await deliver(h.app.bot, h.services)  # not due yet (5 s backoff)
    assert len(deadline(h, failed)) == 0
    h.clock.advance(seconds=4)
    await deliver(h.app.bot, h.services)
    h.clock.advance(minutes=15)  # nothing is stale any more, whoever ticks
    await run_due(h.app.bot, h.services)
    await deliver(h.app.bot, h.services)
    assert len(deadline(h, GROUP)) == 1 and len(deadline(h, GROUP2)) == 1 and len(deadline(h, SJ)) == 1


async def test_429_retry_after_is_waited_out(h):
    h.clock.set(at(date(2026, 12, 10)))
    h.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", {"retry_after": 30})
    await run_due(h.app.bot, h.services)
    [waiting] = [r for r in rows(h, "reminder:") if r.status == "pending"]
    assert waiting.next_at >= h.clock.now() + timedelta(seconds=30)
    h.clock.advance(seconds=25)
    await deliver(h.app.bot, h.services)
    await run_due(h.app.bot, h.services)
    assert [r.status for r in rows(h, "reminder:") if r.id == waiting.id] == ["pending"]
    h.clock.advance(seconds=6)
    await deliver(h.app.bot, h.services)
    assert [r.status for r in rows(h, "reminder:") if r.id == waiting.id] == ["sent"]
    assert len(deadline(h, int(waiting.target))) == 1


async def test_ack_button_of_a_row_signs_the_reminder(h):
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    [msg] = deadline(h, GROUP2)
    await h.press(GROUP2, FGW, msg["message_id"], msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    with h.services.session() as s:
        [ack] = s.exec(select(ReminderAck)).all()
        assert s.get(ReminderLog, ack.reminder_id).key.endswith(":deadline:2026-12-21:7:group")


async def test_forbidden_private_reminder_is_unreachable_and_reported_once_that_week(h):
    h.api.blocked.add(SJ)
    h.clock.set(at(date(2026, 12, 16)))  # 3 working days ahead
    await run_due(h.app.bot, h.services)
    [private] = [r for r in rows(h, "reminder:") if r.target == str(SJ)]
    assert private.status == "unreachable"
    [note] = notes(h, "王五")
    assert "赵六" in note["text"]  # found together (赵六 never started the bot): one note naming both
    h.clock.set(at(date(2026, 12, 18)))  # 1 working day ahead, same week
    await run_due(h.app.bot, h.services)
    assert len(deadline(h, GROUP)) == 2 and len(notes(h, "王五")) == 1 and len(notes(h, "赵六")) == 1
    h.clock.set(at(date(2026, 12, 22)))  # overdue, the next week: told again
    await run_due(h.app.bot, h.services)
    assert len(notes(h, "王五")) == 2


async def test_unreachable_found_on_a_later_retry_is_reported(h):
    h.clock.set(at(date(2026, 12, 10)))
    for _ in range(3):  # both groups' notices and 王五's private note meet an outage
        h.api.fail_next("sendMessage", 502, "Bad Gateway")
    await run_due(h.app.bot, h.services)
    assert notes(h, "赵六") and not notes(h, "王五")
    h.api.blocked.add(SJ)  # meanwhile 王五 blocks the bot
    h.clock.advance(seconds=6)
    await deliver(h.app.bot, h.services)  # the outbox's pass: marks it, knows nothing of notes
    assert [r.status for r in rows(h, "reminder:") if r.target == str(SJ)] == ["unreachable"]
    h.clock.advance(minutes=1)
    await run_due(h.app.bot, h.services)  # the next tick finds it
    await run_due(h.app.bot, h.services)
    [note] = notes(h, "王五")
    assert "赵六" not in note["text"] and len(notes(h, "赵六")) == 1
    assert len(deadline(h, GROUP)) == 1 and len(deadline(h, GROUP2)) == 1


async def test_catch_up_that_fails_once_stays_one_catch_up(h):
    h.clock.set(at(date(2026, 12, 4)))
    await run_due(h.app.bot, h.services)  # records the last tick
    h.clock.set(at(date(2026, 12, 21), hour=10))  # down for two weeks (deadline day: nothing of its own)
    h.api.fail_next("sendMessage", 502, "Bad Gateway")
    await run_due(h.app.bot, h.services)
    catch = {chat: [m for m in h.api.sent(chat) if "补发提醒" in m["text"]] for chat in (GROUP, GROUP2, OFFICE_CHAT)}
    assert sorted(len(v) for v in catch.values()) == [0, 1, 1]
    for minutes in (1, 11, 30):  # retries, and long after the old ten-minute stale window
        h.clock.advance(minutes=minutes)
        await run_due(h.app.bot, h.services)
        await deliver(h.app.bot, h.services)
    for chat in (GROUP, GROUP2, OFFICE_CHAT):
        [one] = [m for m in h.api.sent(chat) if "补发提醒" in m["text"]]
        assert "截止提醒" in one["text"]
        assert [m for m in h.api.sent(chat) if "补发提醒" not in m["text"] and "截止" in m["text"]] == []
    with h.services.session() as s:
        logs = list(s.exec(select(ReminderLog)))
    [summary] = [r for r in logs if r.kind == "catchup"]
    folded = [r.id for r in logs if r.status == "folded"]
    assert folded and sorted(summary.payload["folded"]) == sorted(folded)


async def test_claims_from_before_the_outbox_are_sent_once_through_rows(h):
    """Old claims ("claimed", no rows): today's is sent as itself (签收 keeps its id), older ones
    become one catch-up — not one message each."""
    with h.services.session() as s:
        camp = get_campaign(s, "yancheng")
        units = {str(u.id): [12] for u in s.exec(select(Unit).where(Unit.campaign_id == camp.id,
                                                                   Unit.name == "市场监督管理局"))}
        base = {"kind": "deadline", "chat": "group", "phase": "", "start": None, "deadline": "2026-12-21",
                "week": None, "units": units, "unit_names": ["市场监督管理局"]}
        for key, slot, n in (("old:a", date(2026, 12, 1), 14), ("old:b", date(2026, 12, 4), 11),
                             ("old:c", date(2026, 12, 9), 7)):
            s.add(ReminderLog(campaign_id=camp.id, key=f"yancheng:{key}:group", kind="deadline", slot=slot,
                              payload={**base, "slot": slot.isoformat(), "workdays_left": n},
                              claimed_at=at(date(2026, 12, 9), 8)))
    h.clock.set(at(date(2026, 12, 9), hour=11))  # today is 12-09; no reminder of its own is due
    await run_due(h.app.bot, h.services)
    await run_due(h.app.bot, h.services)
    for chat in (GROUP, GROUP2):
        assert len([m for m in h.api.sent(chat) if "7 个工作日" in m["text"]]) == 1
        [summary] = [m for m in h.api.sent(chat) if "补发提醒" in m["text"]]
        assert "2 条提醒" in summary["text"]
        assert len([m for m in h.api.sent(chat) if "截止" in m["text"]]) == 2
    with h.services.session() as s:
        assert {r.status for r in s.exec(select(ReminderLog).where(ReminderLog.key.startswith("yancheng:old:")))} \
            == {"sent", "folded"}


async def test_digest_that_fails_is_sent_on_retry_once(tmp_path):
    engine = campaigns_engine()
    h = await make_harness(engine, FakeClock(at(date(2026, 9, 28), minute=5)), tmp_path / "ev")
    try:
        h.api.group_chat(OFFICE_CHAT, "办公室")
        h.api.group_chat(GROUP, "联络员群")
        h.bind(OFFICE_CHAT, kind="office", slug="yancheng")
        h.bind(GROUP, slug="yancheng")
        h.api.fail_next("sendMessage", 502, "Bad Gateway")  # the office's digest
        assert await weekly(h.app.bot, h.services) == 1
        assert not [m for m in h.api.sent(OFFICE_CHAT) if "周报" in m["text"]]
        assert [m for m in h.api.sent(GROUP) if "通报" in m["text"]]
        charts = [r for r in rows(h, "digest:") if r.image]
        assert all(r.image.startswith(str(tmp_path / "ev" / "outbox")) for r in charts)
        h.clock.advance(minutes=1)
        assert await weekly(h.app.bot, h.services) == 0  # claimed once: not built again
        await deliver(h.app.bot, h.services)  # the outbox's pass retries it
        assert len([m for m in h.api.sent(OFFICE_CHAT) if "周报" in m["text"]]) == 1
        h.clock.advance(hours=2)
        await run_due(h.app.bot, h.services)
        await deliver(h.app.bot, h.services)
        assert await weekly(h.app.bot, h.services) == 0
        assert len([m for m in h.api.sent(OFFICE_CHAT) if "周报" in m["text"]]) == 1
        assert len([m for m in h.api.sent(GROUP) if "通报" in m["text"]]) == 1
        photos = [m for m in h.api.sent(OFFICE_CHAT) if m["method"] == "sendPhoto"]
        assert len(photos) == len(charts) <= 1
        assert {r.status for r in rows(h, "digest:")} == {"sent"}
    finally:
        await h.app.shutdown()


async def test_overdue_reminders_go_on_weekly_after_eight_weeks_while_owed(h):
    h.clock.set(at(date(2027, 2, 23)))  # week 9 after the first overdue day (12-22)
    await run_due(h.app.bot, h.services)
    [group] = [m for m in h.api.sent(GROUP) if "已逾期" in m["text"]]
    assert "9 周" in group["text"] and f"tg://user?id={SJ}" in group["text"]
    assert [m for m in h.api.sent(OFFICE_CHAT) if "逾期督办" in m["text"] and "9 周" in m["text"]]


def test_overdue_weeks_stop_when_covered_at_the_campaign_end_or_at_a_cap():
    engine = campaigns_engine()
    cal = WorkCalendar()
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=at(date(2026, 11, 1)))
        set_due(s, camp, 12, date(2026, 12, 21), by=1, now=at(date(2026, 11, 1)))
        from knowledge.units import UnitDirectory
        d = UnitDirectory.load(s, camp)

        def weeks(day: date) -> set:
            return {p.week for p in plan_slot(s, camp, d, day, cal) if p.kind == "overdue"}

        assert weeks(date(2026, 12, 22)) == {0} and weeks(date(2026, 12, 29)) == {1}
        assert weeks(date(2027, 2, 23)) == {9} and weeks(date(2027, 6, 29)) == {27}
        assert weeks(date(2027, 2, 24)) == set()  # not a weekly slot
        camp.extra = {**(camp.extra or {}), "reminders": {"overdue_weeks": 8}}
        assert weeks(date(2027, 2, 16)) == {8} and weeks(date(2027, 2, 23)) == set()
        camp.extra = {k: v for k, v in camp.extra.items() if k != "reminders"}
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 1, 31))], by=1, now=at(date(2026, 11, 1)))
        assert weeks(date(2027, 1, 26)) == {5} and weeks(date(2027, 2, 23)) == set()  # the campaign has ended
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=at(date(2026, 11, 1)))
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 12)).one()
        for unit in set(d.units) & {u for p in plan_slot(s, camp, d, date(2027, 2, 23), cal) for u in p.units}:
            s.add(Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=unit, status="accepted",
                           created_at=at(date(2027, 2, 1))))
        s.flush()
        assert weeks(date(2027, 2, 23)) == set()  # covered: nobody is reminded
