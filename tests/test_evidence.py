"""Evidence: submission flows, storage, review, status and the refusals that change nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from knowledge.clock import FakeClock
from knowledge.files import FileRejected, check_file, safe_name
from knowledge.models import AuditLog, Evidence, EvidenceFile
from tests.botkit import ADMIN, GROUP, OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine

USER = 5101
PDF = b"%PDF-1.4 test evidence " + b"x" * 1000


@pytest.fixture
async def h(tmp_path):
    async for harness in evidence_harness(tmp_path):
        yield harness


async def evidence_harness(tmp_path):
    """The real application with both cities loaded, an office chat and one 统计局 officer."""
    engine = campaigns_engine()
    harness = await make_harness(engine, FakeClock(datetime(2026, 11, 24, 1, tzinfo=UTC)), tmp_path / "ev")
    harness.api.group_chat(OFFICE_CHAT, "办公室")
    harness.bind(OFFICE_CHAT, kind="office")
    harness.register(USER, "统计局")
    yield harness
    await harness.app.shutdown()


def rows(h, model):
    with h.services.session() as s:
        return list(s.exec(select(model)))


async def send_doc(h, data=PDF, name="电商培训通知.pdf", mime="application/pdf", caption="#1 电商培训通知", chat=USER, **kw):
    await h.feed(h.api.push_document(chat, USER, data, name, mime, caption=caption, **kw))
    return h.new()


async def test_captioned_document_is_stored_committed_and_carded(h, tmp_path):
    out = await send_doc(h)
    receipt = [m for m in out if m["chat_id"] == USER][-1]["text"]
    assert "已收到材料" in receipt and "#1" in receipt
    [ev] = rows(h, Evidence)
    [f] = rows(h, EvidenceFile)
    assert (ev.status, f.name, f.size) == ("submitted", "电商培训通知.pdf", len(PDF))
    assert f.sha256 == hashlib.sha256(PDF).hexdigest()
    assert Path(f.stored_path).read_bytes() == PDF and str(tmp_path / "ev") in f.stored_path
    assert any("待审核材料" in m["text"] for m in h.api.sent(OFFICE_CHAT))


async def test_duplicate_file_is_recognised(h):
    await send_doc(h)
    out = await send_doc(h, caption="#1 再发一次")
    assert "已经提交过" in out[-1]["text"]
    assert len(rows(h, Evidence)) == 1


@pytest.mark.parametrize("name,mime,size,caption,expect", [
    ("病毒.exe", "application/x-msdownload", 100, "#1", "不支持"),
    ("大文件.pdf", "application/pdf", 25 * 1024 * 1024, "#1", "超过了"),
    ("报告.pdf", "application/pdf", 100, "#99 不存在", "没有第99项"),
    ("报告.pdf", "application/pdf", 100, "#7 税收", "不是第7项指标"),
])
async def test_refusals_change_nothing(h, name, mime, size, caption, expect):
    data = b"a" * size
    out = await send_doc(h, data=data, name=name, mime=mime, caption=caption)
    assert expect in out[-1]["text"]
    assert rows(h, Evidence) == []


async def test_uncaptioned_file_gets_instructions(h):
    out = await send_doc(h, caption=None)
    assert "#12" in out[-1]["text"] and rows(h, Evidence) == []


async def test_album_is_one_submission(h):
    await send_doc(h, caption="#2 一组照片", media_group_id="alb1")
    await send_doc(h, data=PDF + b"2", name="第二页.pdf", caption=None, media_group_id="alb1")
    [ev] = rows(h, Evidence)
    assert len(rows(h, EvidenceFile)) == 2 and ev.media_group_id == "alb1"


async def test_guided_flow_with_item_and_review_reject_then_accept_new_version(h):
    h.register(USER, "市监局")  # 第10项 has three scoring items
    out = await h.say(USER, USER, "/submit")
    buttons = [b for row in out[-1]["reply_markup"]["inline_keyboard"] for b in row]
    pick = next(b for b in buttons if b["text"].startswith("10."))
    out = await h.press(USER, USER, out[-1]["message_id"], pick["callback_data"])
    item2 = out[-1]["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    await h.press(USER, USER, out[-1]["message_id"], item2)
    await send_doc(h, caption=None)
    out = await h.say(USER, USER, "认领处置率 100%,见附件")
    ok = out[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    out = await h.press(USER, USER, out[-1]["message_id"], ok)
    receipt = [m for m in out if m["chat_id"] == USER][-1]["text"]
    assert "已收到材料" in receipt and "评分项2" in receipt
    [ev] = rows(h, Evidence)
    assert ev.note == "认领处置率 100%,见附件"
    card = [m for m in h.api.sent(OFFICE_CHAT) if "待审核材料" in m["text"]][-1]
    # a liaison officer cannot review
    await h.press(OFFICE_CHAT, USER, card["message_id"], f"rv:{ev.id}:a")
    assert h.api.answered_callbacks[-1].get("show_alert")
    out = await h.press(OFFICE_CHAT, ADMIN, card["message_id"], f"rv:{ev.id}:r")
    prompt = out[-1]
    out = await h.say(OFFICE_CHAT, ADMIN, "缺少盖章", reply_to_message_id=prompt["message_id"])
    assert "已退回" in out[0]["text"]
    assert "缺少盖章" in h.api.sent(USER)[-1]["text"]
    # pressing accept on the old card now changes nothing
    await h.press(OFFICE_CHAT, ADMIN, card["message_id"], f"rv:{ev.id}:a")
    assert "无需再审核" in h.api.answered_callbacks[-1]["text"]
    # new version supersedes? rejected one stays rejected until a new one arrives
    await send_doc(h, data=PDF + b"v2", caption="#10-2 补充盖章版")
    evs = rows(h, Evidence)
    assert [e.status for e in evs] == ["superseded", "submitted"]
    out = await h.press(OFFICE_CHAT, ADMIN, card["message_id"], f"rv:{evs[1].id}:p")
    out = await h.say(OFFICE_CHAT, ADMIN, "２", reply_to_message_id=out[-1]["message_id"])
    assert "不能超过" in out[-1]["text"]
    out = await h.say(OFFICE_CHAT, ADMIN, "0.5", reply_to_message_id=h.api.sent(OFFICE_CHAT)[-2]["message_id"])
    assert "记 0.5 分" in out[0]["text"]
    out = await h.say(USER, USER, "/status")
    assert "第10项-2" in out[-1]["text"] and "0.5/1 分" in out[-1]["text"]
    actions = [a.action for a in rows(h, AuditLog) if a.action.startswith("evidence.")]
    assert actions == ["evidence.submit", "evidence.reject", "evidence.supersede", "evidence.submit", "evidence.accept"]


async def test_notice_falls_back_to_group_when_private_blocked(h):
    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    await send_doc(h)
    [ev] = rows(h, Evidence)
    h.api.blocked.add(USER)
    card = [m for m in h.api.sent(OFFICE_CHAT) if "待审核材料" in m["text"]][-1]
    await h.press(OFFICE_CHAT, ADMIN, card["message_id"], f"rv:{ev.id}:a")
    group_msgs = h.api.sent(GROUP)
    assert group_msgs and f"tg://user?id={USER}" in group_msgs[-1]["text"] and "已通过" in group_msgs[-1]["text"]


async def test_withdraw_before_review(h):
    await send_doc(h)
    [ev] = rows(h, Evidence)
    out = await h.say(4444, 4444, f"/withdraw {ev.id}")  # a stranger: the access table (WITHDRAW needs an officer)
    assert "只有审核通过的联络员" in out[-1]["text"] and rows(h, Evidence)[0].status == "submitted"
    out = await h.say(USER, USER, f"/withdraw {ev.id}")
    assert "已撤回" in out[-1]["text"] and rows(h, Evidence)[0].status == "withdrawn"


def test_file_names_are_sanitised():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("a<b>\x00c.pdf") == "a_b_c.pdf"
    assert check_file("报告..pdf", "application/pdf", 10, 100) == "报告.pdf"
    with pytest.raises(FileRejected):
        check_file("x.sh", None, 10, 100)


async def test_figures_and_score(h):
    out = await h.say(USER, USER, "/figure 1 2023 网上零售额 100")
    assert "已记录" in out[-1]["text"]
    await h.say(USER, USER, "/figure 1 2024 网上零售额 １２０，５亿元 来源 统计公报")
    out = await h.say(USER, USER, "/figure 1 2024 全国网零增速 7.2%")
    assert "超过,得1分" in out[-1]["text"] and "1 分" in out[-1]["text"]
    out = await h.say(USER, USER, "/figure 7 2024 电子商务纳税额 5")
    assert "不是第7项指标" in out[-1]["text"]
    out = await h.say(USER, USER, "/figure 1 2024 市场主体 5")
    assert "可以填写" in out[-1]["text"]
    from knowledge.models import Figure
    assert {(f.key, f.year, f.value) for f in rows(h, Figure)} == {
        ("online_retail", 2023, "100"), ("online_retail", 2024, "120.5"), ("national_online_growth", 2024, "7.2")}


async def test_group_caption_with_mention(h):
    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    out = await send_doc(h, caption="@liaison_test_bot #1 电商培训通知", chat=GROUP)
    assert any("已收到材料" in m["text"] for m in out if m["chat_id"] == GROUP)
