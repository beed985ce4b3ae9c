"""Layer 2: the real Application from build_application, Bot API answered in process."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from knowledge.models import AuditLog, Chat, Officer
from tests.botkit import ADMIN, GROUP, OFFICE_CHAT, text_of
from tests.conftest import campaigns_engine

USER = 5001


@pytest.fixture(scope="module")
def seeded_engine():
    engine = campaigns_engine()
    return engine


async def test_private_question_from_registered_officer(h):
    h.register(USER, "统计局")
    out = await h.say(USER, USER, "我们单位负责哪些指标")
    assert "牵头的指标</b>：4 项" in text_of(out)
    assert out[-1]["parse_mode"] == "HTML"


async def test_stranger_in_private_is_told_how_to_register(h):
    out = await h.say(4242, 4242, "第12项指标")
    assert "/start" in text_of(out) and "登记" in text_of(out)


async def test_unbound_group_explains_setup(h):
    h.api.group_chat(-777, "某群")
    out = await h.say(-777, USER, "/ind 12")
    assert "/setup" in text_of(out)


async def test_group_question_needs_mention(h):
    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    h.register(USER, "发改委")
    assert await h.say(GROUP, USER, "大家好") == []
    out = await h.say(GROUP, USER, "@liaison_test_bot 第12项指标")
    assert "建立健全协同监管" in text_of(out)
    out = await h.say(GROUP, USER, "/my@liaison_test_bot")
    assert "第29项" in text_of(out)
    # A client that sends the mention as plain text, without a mention entity, still reaches us;
    # another bot's name does not.
    out = await h.say(GROUP, USER, "@liaison_test_bot 第12项指标", entities=[])
    assert "建立健全协同监管" in text_of(out)
    assert await h.say(GROUP, USER, "@liaison_test_bot_two 第12项指标", entities=[]) == []


async def test_indicator_forms_and_range(h):
    h.register(USER, "统计局")
    for q in ("/ind 12", "十二号指标", "第１２项", "12"):
        assert "建立健全协同监管" in text_of(await h.say(USER, USER, q)), q
    out = await h.say(USER, USER, "/ind 99")
    assert "1–40" in text_of(out)


async def test_unknown_unit_offers_buttons_and_button_opens_unit(h):
    h.register(USER, "统计局")
    out = await h.say(USER, USER, "/unit 管理局")
    markup = out[-1]["reply_markup"]
    data = markup["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("u:") and len(data.encode()) <= 64
    out = await h.press(USER, USER, out[-1]["message_id"], data)
    assert "住房和城乡建设管理局</b>" in text_of(out)


async def test_html_in_question_is_escaped(h):
    h.register(USER, "统计局")
    out = await h.say(USER, USER, "<b>气象局</b>&有哪些指标")
    assert out and all("<b>气象局" not in m["text"] for m in out)


async def test_registration_approval_flow(h):
    h.api.group_chat(OFFICE_CHAT, "办公室")
    h.bind(OFFICE_CHAT, kind="office")
    h.api.add_user(6001, "王芳", "wangfang")
    out = await h.say(6001, 6001, "/start")
    assert "请选择您所在城市" in text_of(out)
    pick = out[-1]["reply_markup"]["inline_keyboard"][0][0]
    assert pick["text"] == "河津市"
    out = await h.press(6001, 6001, out[-1]["message_id"], pick["callback_data"])
    assert "请选择您所在的单位" in text_of(out)
    out = await h.say(6001, 6001, "统计局")
    data = out[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await h.press(6001, 6001, out[-1]["message_id"], data)
    card = [m for m in h.api.sent(OFFICE_CHAT) if "联络员登记申请" in m["text"]][-1]
    approve = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    # a liaison officer may not approve
    h.register(7001, "发改委")
    await h.press(OFFICE_CHAT, 7001, card["message_id"], approve)
    assert h.api.answered_callbacks[-1].get("show_alert")
    with h.services.session() as s:
        assert s.exec(select(Officer).where(Officer.external_id == "6001")).one().status == "pending"
    out = await h.press(OFFICE_CHAT, ADMIN, card["message_id"], approve)
    assert "已通过" in text_of(out)
    assert "已通过" in text_of(h.api.sent(6001))
    # pressed twice: nothing changes, polite alert
    await h.press(OFFICE_CHAT, ADMIN, card["message_id"], approve)
    assert "已经处理过" in h.api.answered_callbacks[-1]["text"]
    out = await h.say(6001, 6001, "/my")
    assert "统计局" in text_of(out)
    with h.services.session() as s:
        actions = [a.action for a in s.exec(select(AuditLog))]
    assert "officer.request" in actions and "officer.approve" in actions


async def test_setup_binds_group_and_migration_keeps_it(h):
    h.api.group_chat(-555, "新群")
    out = await h.say(-555, USER, "/setup")
    assert "只有领导小组办公室" in text_of(out)
    out = await h.say(-555, ADMIN, "/setup")
    data = out[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    out = await h.press(-555, ADMIN, out[-1]["message_id"], data)
    assert "联络员群" in text_of(out)
    await h.feed(h.api.push_migration(-555, -100555))
    with h.services.session() as s:
        assert s.exec(select(Chat).where(Chat.external_id == "-100555")).one().kind == "liaison"


async def test_bad_inputs_never_crash(h):
    h.register(USER, "统计局")
    for update in (h.api.push_sticker(USER, USER), h.api.push_edited_message(USER, USER, "第1项"),
                   h.api.push_channel_post(-100999, "频道消息")):
        await h.feed(update)
    for text in ("", "😀😀😀", "x" * 10_000, "/nosuchcommand", "/ind", "/ind abc", "/unit", "/find"):
        if text:
            await h.say(USER, USER, text)
    sent = h.new()
    assert all(m["text"] for m in sent)
    assert not [m for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]


async def test_error_handler_reports_to_office(h, monkeypatch):
    h.register(USER, "统计局")
    h.api.group_chat(OFFICE_CHAT, "办公室")

    def boom(*a, **k):
        raise RuntimeError("数据库坏了 <x>")
    monkeypatch.setattr("knowledge.ask.dispatch.COMPOSERS", {k: boom for k in __import__("knowledge.ask.dispatch", fromlist=["x"]).COMPOSERS})
    out = await h.say(USER, USER, "我们单位负责哪些指标")
    assert "抱歉" in text_of(out)
    reports = [m["text"] for m in h.api.sent(OFFICE_CHAT) if "RuntimeError" in m["text"]]
    assert len(reports) == 1
    # The officer can quote the same error id the office got (and the log holds).
    error_id = re.search(r"错误编号 (?:<code>)?([0-9a-f]{8})", reports[0]).group(1)
    assert f"错误编号 {error_id}" in text_of(out)


async def test_long_answer_is_split(h):
    h.register(USER, "各成员单位" if False else "统计局")
    h.register(USER + 1, "统计局")
    out = await h.say(USER, USER, "/unit 各成员单位")
    assert all(len(m["text"]) <= 4096 for m in out)
