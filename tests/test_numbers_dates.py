"""Numbers and dates officers type: one reader for numbers, bounded; dates within the campaign's
years. Bad input gets a polite answer and changes nothing; an old out-of-range row stops nothing."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from knowledge.campaigns import get_campaign
from knowledge.messages import Action
from knowledge.models import AuditLog, Indicator, IndicatorDue, Phase
from knowledge.numbers import MAX_ID, read_id, read_number
from knowledge.timeline import DateOutOfRange, date_bounds, read_day, set_due
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar
from reminders.planner import plan_slot
from tests.botkit import ADMIN, OFFICE_CHAT, text_of
from tests.test_cli import cli  # noqa: F401  (the fixture)

USER = 5101
HUGE = "9" * 20


@pytest.mark.parametrize(("text", "value"), [
    ("12", 12), ("１２", 12), ("十二", 12), ("#12", 12), ("两", 2), ("一二三", 123), (" 7 ", 7),
    (str(MAX_ID), MAX_ID), ("٣", 3),  # Arabic-Indic: a decimal digit int() reads
    ("²", 2),  # folded by NFKC like every message on the question path
    ("0", None), ("零", None), (HUGE, None), (str(MAX_ID + 1), None), ("2.5", None), ("-3", None),
    ("1万", None), ("abc", None), ("", None), ("\x00", None), ("²³⁴" * 5, None), ("十万亿亿", None),
])
def test_read_number(text, value):
    assert read_number(text) == value


def test_read_number_bounds_and_ids():
    assert read_number("0", low=0) == 0 and read_number("61", low=0, high=60) is None
    assert read_id("12") == 12 and read_id("0") == 0
    assert read_id("１２") is None and read_id("²") is None and read_id(HUGE) is None


@pytest.mark.parametrize(("data", "args"), [
    ("rv:12:a", (12, "a")), ("apv:3:0", (3, 0)), ("reg:p:1:0", ("p", 1, 0)), ("sb:i:1:12", ("i", 1, 12)),
    ("ack:5", (5,)), ("i:1:12", (1, 12)),
    (f"rv:{HUGE}:a", None), (f"ack:{HUGE}", None), (f"apv:{HUGE}:1", None), ("ack:²", None), ("i:１:2", None),
    ("rv:a:12", None), ("ack:", None), ("ack", None), ("nope:1", None), ("i:1", None), ("rv:1:z", None),
    ("reg:p:1", None), ("reg:c:1", ("c", 1)), ("sb:i:1", None), ("sb:t:1:12", None), ("sb:t:1:12:2", ("t", 1, 12, 2)),
    ("sb:ok:1", ("ok", 1)), ("setup:1:l", (1, "l")), ("setup:1:x", None),
])
def test_action_parse_takes_only_bounded_ids(data, args):
    action = Action.parse(data)
    assert (action.args if action else None) == args


@pytest.mark.parametrize(("text", "said"), [
    (f"/withdraw {HUGE}", "用法：/withdraw"), ("/withdraw ²", "没有找到您提交的材料 #2"), ("/score ²", "第2项"),
    (f"/score {HUGE}", "/score"), ("/mute ²", "暂停"), (f"/mute {HUGE}", "用法：/mute"), (f"/ind {HUGE}", "/ind"),
    ("/ind 0", "/ind"), (f"/due {HUGE} 2027-03-31", "用法：/due"), ("/due ²³ 2027-03-31", "已设置：第23项指标")])
async def test_commands_answer_bad_numbers_politely(h, text, said):
    """²: ``isdigit()`` but not ``int()``; 20 digits: beyond SQLite's integers. Both used to raise."""
    h.register(USER, "统计局")
    h.api.group_chat(OFFICE_CHAT, "办公室")
    h.bind(OFFICE_CHAT, kind="office")
    user = ADMIN if text.startswith("/due") else USER
    out = await h.say(user, user, text)
    assert said in text_of(out), text_of(out)
    assert not [m for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]], "no error report"


@pytest.mark.parametrize("data", [f"rv:{HUGE}:a", f"apv:{HUGE}:1", f"ack:{HUGE}", f"i:1:{HUGE}", "ack:١٢"])
async def test_buttons_with_huge_ids_are_stale(h, data):
    h.api.group_chat(OFFICE_CHAT, "办公室")
    h.bind(OFFICE_CHAT, kind="office")
    await h.press(OFFICE_CHAT, ADMIN, 1, data)
    assert "按钮已经失效" in h.api.answered_callbacks[-1]["text"]
    assert not h.api.sent(OFFICE_CHAT), "no error report"


def test_read_day():
    assert read_day("2027-03-31") == read_day("2027/3/31") == read_day("2027年3月31日") == read_day("２０２７-03-31") \
        == date(2027, 3, 31)
    for bad in ("2027-02-30", "soon", "", "20270331x", "0000-01-01"):
        with pytest.raises(ValueError):
            read_day(bad)


def test_date_bounds_follow_the_document_and_today(store):
    camp = get_campaign(store, "yancheng")  # document of 2023-06-30
    assert date_bounds(camp, date(2026, 11, 24)) == (date(2022, 1, 1), date(2036, 12, 31))
    assert date_bounds(camp, date(2023, 1, 1)) == (date(2022, 1, 1), date(2033, 12, 31))
    with pytest.raises(DateOutOfRange):
        set_due(store, camp, 12, date(9999, 12, 31), by=1, now=datetime(2026, 11, 24, tzinfo=UTC))


def _timeline_rows(h) -> tuple[int, int, int, list]:
    with h.services.session() as s:
        return (s.exec(select(func.count()).select_from(IndicatorDue)).one(),
                s.exec(select(func.count()).select_from(AuditLog)).one(),
                s.exec(select(func.count()).select_from(Phase)).one(),
                [(p.start, p.end) for p in s.exec(select(Phase).order_by(Phase.id))])


@pytest.mark.parametrize("text", ["/due 12 9999-12-31", "/due 12 0001-01-01", "/phase shift 9999-12-31",
                                  "/phase shift 2099-01-01", "/phase set 动员 2026-12-01 9999-12-31",
                                  "/phase set 动员 0001-01-01 2026-12-31"])
async def test_dates_outside_the_campaign_are_refused_and_change_nothing(h, text):
    await h.say(ADMIN, ADMIN, "/phase set 动员 2026-12-01 2026-12-31; 推进 2027-01-01 2027-06-30")
    before = _timeline_rows(h)
    out = await h.say(ADMIN, ADMIN, text)
    assert "不在河津市创建工作的合理时间范围内（2022-01-01 至 2036-12-31），没有保存" in text_of(out)
    assert _timeline_rows(h) == before
    out = await h.say(ADMIN, ADMIN, "/due 12 2027年3月31日")
    assert text_of(out) == "已设置：第12项指标 2027-03-31 截止。"


def test_cli_refuses_dates_outside_the_campaign(cli):  # noqa: F811
    assert cli("load")[0] == 0
    code, _, err = cli("due", "set", "--campaign", "hejin", "--indicator", "12", "--date", "9999-12-31")
    assert code == 2 and "不在本创建工作的合理时间范围内" in err
    code, _, err = cli("due", "set", "--campaign", "hejin", "--indicator", HUGE, "--date", "2027-03-31")
    assert code == 2 and "没有第" in err
    code, _, err = cli("phases", "set", "--campaign", "hejin", "--phase", "动员:2026-12-01:9999-12-31")
    assert code == 2 and "合理时间范围" in err
    assert cli("phases", "set", "--campaign", "hejin", "--phase", "动员:2026-12-01:2026-12-31")[0] == 0
    code, _, err = cli("phases", "shift", "--campaign", "hejin", "--start", "9999-01-01")
    assert code == 2 and "合理时间范围" in err
    code, out, _ = cli("phases", "list", "--campaign", "hejin")
    assert "2026-12-01 至 2026-12-31" in out


async def test_an_old_out_of_range_row_stops_no_reminder(h, caplog):
    """Rows stored before dates were checked: the planner leaves them out, warns once, and
    everything else is still reminded of; /reminders still answers."""
    await h.say(ADMIN, ADMIN, "/phase set 推进 2026-11-02 2026-12-31")
    await h.say(ADMIN, ADMIN, "/due 12 2026-12-08")
    with h.services.session() as s:
        camp = get_campaign(s, "hejin")
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 13)).one()
        s.add(IndicatorDue(indicator_id=ind.id, due=date(9999, 12, 31), at=h.clock.now()))
        s.add(Phase(campaign_id=camp.id, no=9, name="旧", start=date(1, 1, 1), end=date(9999, 12, 31), source="office"))
        s.commit()
        directory, calendar = UnitDirectory.load(s, camp), WorkCalendar()
        with caplog.at_level(logging.WARNING, logger="reminders.planner"):
            plans = [p for d in range(14) for p in plan_slot(s, camp, directory, date(2026, 11, 25) + timedelta(d),
                                                            calendar)]
    assert any(p.deadline == date(2026, 12, 8) for p in plans), "the good due date is still reminded of"
    warned = [r.getMessage() for r in caplog.records if "outside" in r.getMessage()]
    assert len(warned) == 2 and any("9999-12-31 of indicator 13" in w for w in warned)
    h.register(USER, "统计局")
    out = await h.say(USER, USER, "/reminders")
    assert out and "出错" not in text_of(out)
    assert not [m for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]
