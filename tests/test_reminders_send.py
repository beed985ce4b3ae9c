"""Sending reminders: once per key across restarts and processes, only to owing units,
blocked officers reported, migrated groups followed, catch-up folded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from bot.outbox import run_due
from knowledge import people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.models import OutboxMessage, ReminderAck, ReminderLog
from knowledge.timeline import set_due, set_phases
from tests.botkit import GROUP, OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine

SJ, FGW = 6101, 6102  # officers of 市场监管局 and 发改委 (both owe indicator 12 in Yancheng)


def at(day: date, hour: int = 9, minute: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, minute, tzinfo=UTC)  # 09:01 Beijing


async def yancheng_harness(tmp_path, groups: dict[int, str]):  # noqa: ANN001, ANN201
    """Yancheng with its timeline, indicator 12 due 2026-12-21, ``groups`` bound as liaison
    groups, the office chat, and officers of 市监局 (private chat started) and 发改委."""
    engine = campaigns_engine()
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=at(date(2026, 11, 1)))
        set_due(s, camp, 12, date(2026, 12, 21), by=1, now=at(date(2026, 11, 1)))
        s.commit()
    harness = await make_harness(engine, FakeClock(at(date(2026, 12, 9))), tmp_path)
    for chat, title in (*groups.items(), (OFFICE_CHAT, "办公室")):
        harness.api.group_chat(chat, title)
        harness.bind(chat, kind="office" if chat == OFFICE_CHAT else "liaison", slug="yancheng")
    harness.register(SJ, "市监局", slug="yancheng", name="王五")
    harness.register(FGW, "发改委", slug="yancheng", name="赵六")
    with harness.services.session() as s:
        people.set_private_ok(session=s, user_id=SJ, ok=True)
    return harness


@pytest.fixture
async def h(tmp_path):
    harness = await yancheng_harness(tmp_path, {GROUP: "联络员群"})
    yield harness
    await harness.app.shutdown()


def deadline_messages(h, chat):
    return [m for m in h.api.sent(chat) if "2026-12-21 截止" in m["text"]]


async def test_group_reminder_mentions_owing_officers_once(h):
    h.clock.set(at(date(2026, 12, 10)))  # 7 working days before 12-21
    await run_due(h.app.bot, h.services)
    [msg] = deadline_messages(h, GROUP)
    assert f"tg://user?id={SJ}" in msg["text"] and f"tg://user?id={FGW}" in msg["text"]
    assert "7 个工作日" in msg["text"]
    assert len(deadline_messages(h, SJ)) == 1  # started the bot: private note too
    assert any("赵六" in m["text"] and "无法收到私信" in m["text"] for m in h.api.sent(OFFICE_CHAT))
    # a restart (new sender, same database) sends nothing again
    await run_due(h.app.bot, h.services)
    assert len(deadline_messages(h, GROUP)) == 1


async def test_two_processes_send_each_reminder_once(h):
    from bot.context import Services
    other = Services(settings=h.services.settings, engine=h.services.engine, clock=h.clock)
    h.clock.set(at(date(2026, 12, 10)))
    import asyncio
    await asyncio.gather(run_due(h.app.bot, h.services), run_due(h.app.bot, other))
    assert len(deadline_messages(h, GROUP)) == 1
    with h.services.session() as s:
        keys = [r.key for r in s.exec(select(ReminderLog))]
    assert len(keys) == len(set(keys))


async def test_holiday_and_before_nine_send_nothing(h):
    h.clock.set(at(date(2026, 12, 10), hour=8, minute=30))
    assert await run_due(h.app.bot, h.services) == 0
    h.clock.set(at(date(2026, 12, 12)))  # Saturday
    await run_due(h.app.bot, h.services)
    assert deadline_messages(h, GROUP) == []


async def test_downtime_is_folded_into_one_catch_up(h):
    h.clock.set(at(date(2026, 12, 4)))
    await run_due(h.app.bot, h.services)  # records the last tick
    h.clock.set(at(date(2026, 12, 21), hour=10))  # down for two weeks
    await run_due(h.app.bot, h.services)
    catch = [m for m in h.api.sent(GROUP) if "补发提醒" in m["text"]]
    assert len(catch) == 1 and "截止提醒" in catch[0]["text"]


async def test_ack_and_migrated_group(h):
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    [msg] = deadline_messages(h, GROUP)
    data = msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await h.press(GROUP, SJ, msg["message_id"], data)
    await h.press(GROUP, 999, msg["message_id"], data)  # a stranger cannot sign
    with h.services.session() as s:
        assert len(list(s.exec(select(ReminderAck)))) == 1
    h.api.migrated[GROUP] = -100777  # the group became a supergroup
    h.api.group_chat(-100777, "联络员群")
    h.clock.set(at(date(2026, 12, 16)))  # 3 working days before
    await run_due(h.app.bot, h.services)
    assert [m for m in h.api.sent(-100777) if "3 个工作日" in m["text"]]


async def test_delivered_unit_gets_nothing(h):
    from knowledge.models import Evidence, Indicator, Unit
    with h.services.session() as s:
        camp = get_campaign(s, "yancheng")
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 12)).one()
        sj = s.exec(select(Unit).where(Unit.campaign_id == camp.id, Unit.name == "市场监督管理局")).one()
        s.add(Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=sj.id, status="accepted",
                       created_at=h.clock.now()))
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    [msg] = deadline_messages(h, GROUP)
    assert f"tg://user?id={SJ}" not in msg["text"] and f"tg://user?id={FGW}" in msg["text"]
    assert deadline_messages(h, SJ) == []


async def test_pause_stops_everything(h):
    h.register(1, "市监局", slug="yancheng", role="office")
    await h.say(OFFICE_CHAT, 1, "/pause")
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    assert deadline_messages(h, GROUP) == []


async def test_blocked_officer_is_reported_and_crashed_claim_sent_once(h):
    h.api.blocked.add(SJ)
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    assert any("王五" in m["text"] and "无法收到私信" in m["text"] for m in h.api.sent(OFFICE_CHAT))
    # a claim written before the outbox and left by a crash (claimed, no rows) is delivered once
    # after ten minutes, through rows
    with h.services.session() as s:
        row = s.exec(select(ReminderLog).where(ReminderLog.key.endswith(":group"))).first()
        row.status = "claimed"
        s.add(row)
        for sent in s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith(f"reminder:{row.id}:"))):
            s.delete(sent)
    before = len(deadline_messages(h, GROUP))
    h.clock.advance(minutes=5)
    await run_due(h.app.bot, h.services)
    assert len(deadline_messages(h, GROUP)) == before
    h.clock.advance(minutes=10)
    await run_due(h.app.bot, h.services)
    await run_due(h.app.bot, h.services)
    assert len(deadline_messages(h, GROUP)) == before + 1


async def test_reminders_command_and_mute(h):
    out = await h.say(SJ, SJ, "/reminders")
    assert "2026-12-21" in out[-1]["text"] and "第12" in out[-1]["text"]
    await h.say(SJ, SJ, "/mute 7")
    assert "暂停私信提醒 7 天" in h.api.sent(SJ)[-1]["text"]
    assert any("王五" in m["text"] and "暂停" in m["text"] for m in h.api.sent(OFFICE_CHAT))
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    assert deadline_messages(h, SJ) == [] and deadline_messages(h, GROUP)


async def test_office_sees_who_has_not_acknowledged(h):
    h.register(1, "市监局", slug="yancheng", role="office")
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    [msg] = deadline_messages(h, GROUP)
    await h.press(GROUP, SJ, msg["message_id"], msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    out = await h.say(OFFICE_CHAT, 1, "/acks")
    assert "1/2 个单位未签收 — 发展和改革委员会" in out[-1]["text"]


async def test_whole_indicator_evidence_delivers_every_item(h):
    """Evidence for indicator 12 as a whole (no item named) means 市监局 owes none of its items."""
    from knowledge.models import Evidence, Indicator, Unit
    with h.services.session() as s:
        camp = get_campaign(s, "yancheng")
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 12)).one()
        assert ind.scoring == "items"
        sj = s.exec(select(Unit).where(Unit.campaign_id == camp.id, Unit.name == "市场监督管理局")).one()
        s.add(Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=sj.id, status="accepted",
                       awarded_points=Decimal("2.5"), created_at=h.clock.now()))
    h.clock.set(at(date(2026, 12, 22)))  # the day after the deadline: overdue
    await run_due(h.app.bot, h.services)
    overdue = [m for m in h.api.sent(GROUP) if "已逾期" in m["text"]]
    assert overdue and f"tg://user?id={SJ}" not in overdue[-1]["text"]
    assert "请尽快用 /submit 补交材料" in overdue[-1]["text"] and "截止前" not in overdue[-1]["text"]
    from reminders.weekly import digest_data
    with h.services.session() as s:
        camp_id = get_campaign(s, "yancheng").id
    data = digest_data(h.services, camp_id, date(2026, 12, 22))["json"]
    assert not [o for o in data["overdue"] if o["no"] == 12 and o["unit"] == "市场监督管理局"]
    from knowledge.status import unit_status
    with h.services.session() as s:
        camp = get_campaign(s, "yancheng")
        d = h.services.directory(s, camp)
        rows = [r for r in unit_status(session=s, campaign=camp, directory=d, unit_id=d.resolve("市监局").unit.id)
                if r.no == 12]
    assert [(r.item_no, r.state, r.awarded, r.max_points) for r in rows] == [(None, "accepted", Decimal("2.5"), 3)]


async def test_roster_officer_known_by_username_is_mentioned(h):
    from knowledge import people
    with h.services.session() as s:
        camp = get_campaign(s, "yancheng")
        unit = h.services.directory(s, camp).resolve("发改委").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, username="@fgw_li", name="李四",
                           now=h.clock.now())
    h.clock.set(at(date(2026, 12, 10)))
    await run_due(h.app.bot, h.services)
    [msg] = deadline_messages(h, GROUP)
    assert "@fgw_li" in msg["text"]


async def test_unreachable_officers_are_reported_once_a_week(h):
    h.clock.set(at(date(2026, 12, 16)))  # 3 working days ahead
    await run_due(h.app.bot, h.services)
    h.clock.set(at(date(2026, 12, 18)))  # 1 working day ahead, same ISO week
    await run_due(h.app.bot, h.services)
    reports = [m for m in h.api.sent(OFFICE_CHAT) if "无法收到私信" in m["text"] and "赵六" in m["text"]]
    assert len(deadline_messages(h, GROUP)) == 2 and len(reports) == 1


async def test_phase_notice_sent_early_says_when_the_phase_starts(h):
    with h.services.session() as s:
        camp = get_campaign(s, "yancheng")
        set_phases(s, camp, [("全面推进", date(2026, 6, 1), date(2026, 10, 5)),
                             ("总结提升", date(2026, 10, 6), date(2026, 11, 29))], by=1, now=h.clock.now())
    h.clock.set(at(date(2026, 9, 30)))  # 10-06 follows the National Day holiday: the notice goes out before it
    await run_due(h.app.bot, h.services)
    [notice] = [m for m in h.api.sent(GROUP) if "总结提升" in m["text"]]
    assert "将于 2026-10-06 进入“总结提升”阶段" in notice["text"]
