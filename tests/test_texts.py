"""What the bot says to people: the greeting, /status, /reminders with and without a timeline,
/phase shift with no phases (no command-line names inside the bot)."""

from __future__ import annotations

from tests.botkit import ADMIN, text_of

USER = 4201


async def test_the_greeting_greets_the_person_not_the_unit(h):
    h.api.add_user(USER, "王小明")
    h.register(USER, "统计局", name="统计局")  # a roster that put the unit in the name column
    text = text_of(await h.say(USER, USER, "/start"))
    assert text.startswith("您好\uff0c王小明\uff01") and "“统计局”的联络员" in text
    h.register(USER + 1, "税务局", name="李娜")
    assert text_of(await h.say(USER + 1, USER + 1, "/start")).startswith("您好\uff0c李娜\uff01")


async def test_status_opens_with_totals_and_is_short(h):
    h.register(USER, "统计局")
    text = text_of(await h.say(USER, USER, "/status"))
    head, totals, *rest = text.splitlines()
    assert "统计局" in head and totals.startswith("共 42 项") and "已交 0 项" in totals and "未交 42 项" in totals
    assert len(rest) <= 4, text


async def test_reminders_say_why_nothing_is_due(h):
    h.register(USER, "统计局")
    before = text_of(await h.say(USER, USER, "/reminders"))
    assert "时间表还没有设置" in before
    set_it = "/phase set 动员部署 2027-03-01 2027-03-31; 全面推进 2027-04-01 2027-06-30"
    assert "2027-03-01" in text_of(await h.say(ADMIN, ADMIN, set_it))
    after = text_of(await h.say(USER, USER, "/reminders"))
    assert "时间表还没有设置" not in after and "最近的截止日期是 2027-06-30" in after, after


async def test_phase_shift_without_phases_names_the_bot_command(h):
    text = text_of(await h.say(ADMIN, ADMIN, "/phase shift 2027-01-01"))
    assert "/phase set" in text and "phases set" not in text
