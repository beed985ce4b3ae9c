"""Evidence at its edges: albums, captions that only look like indicator numbers, review inputs
that are not numbers, names that are not safe HTML, group flows shared by several officers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge import evidence as ev
from knowledge.ask.grammar import parse_caption
from knowledge.files import safe_name
from knowledge.models import Evidence, EvidenceFile
from tests.botkit import ADMIN, GROUP, OFFICE_CHAT
from tests.test_evidence import PDF, USER, evidence_harness, rows, send_doc

OTHER = 5202


@pytest.fixture
async def h(tmp_path):
    async for harness in evidence_harness(tmp_path):
        yield harness


@pytest.mark.parametrize("caption,expected", [
    ("#12 电商培训通知", (12, None, "电商培训通知")),
    ("#12-2 通知", (12, 2, "通知")),
    ("第12项 材料", (12, None, "材料")),
    ("十二号指标 材料", (12, None, "材料")),
    ("第4季度统计报表", None),
    ("第2024年工作总结", None),
    ("#1000 太大", None),
])
def test_captions_name_an_indicator_only_when_they_say_so(caption, expected):
    assert parse_caption(caption) == expected


async def test_quarter_report_caption_is_not_filed_under_indicator_4(h):
    out = await send_doc(h, name="统计报表.pdf", caption="第4季度统计报表")
    assert rows(h, Evidence) == [] and "#12" in out[-1]["text"]


async def test_album_is_one_receipt_and_one_card_listing_every_file(h):
    await send_doc(h, caption="#2 一组材料", media_group_id="alb")
    await send_doc(h, data=PDF + b"2", name="第二页.pdf", caption=None, media_group_id="alb")
    await send_doc(h, data=PDF + b"3", name="第三页.pdf", caption=None, media_group_id="alb")
    [e] = rows(h, Evidence)
    assert len(rows(h, EvidenceFile)) == 3
    sent = h.api.sent()
    receipts = [m for m in sent if m["chat_id"] == USER and m["method"] == "sendMessage"]
    cards = [m for m in sent if m["chat_id"] == OFFICE_CHAT and m["method"] == "sendMessage"]
    assert len(receipts) == 1 and len(cards) == 1
    edits = [m for m in sent if m["method"] == "editMessageText"]
    last_card = [m for m in edits if m["chat_id"] == OFFICE_CHAT][-1]["text"]
    assert "第二页.pdf" in last_card and "第三页.pdf" in last_card
    assert "第三页.pdf" in [m for m in edits if m["chat_id"] == USER][-1]["text"]


async def test_album_caption_on_a_later_item_keeps_the_earlier_files(h):
    out = await send_doc(h, name="封面.pdf", caption=None, media_group_id="alb2")
    assert out == []  # waits for the caption instead of refusing
    await send_doc(h, data=PDF + b"2", name="正文.pdf", caption="#2 材料", media_group_id="alb2")
    [e] = rows(h, Evidence)
    assert sorted(f.name for f in rows(h, EvidenceFile)) == ["封面.pdf", "正文.pdf"]


async def test_album_items_for_different_indicators_are_separate_submissions(h):
    await send_doc(h, caption="#1 甲", media_group_id="alb3")
    await send_doc(h, data=PDF + b"2", name="乙.pdf", caption="#2 乙", media_group_id="alb3")
    submissions = rows(h, Evidence)
    assert len(submissions) == 2 and len({e.indicator_id for e in submissions}) == 2


@pytest.mark.parametrize("reply", ["NaN", "Infinity", "1e400", "sNaN"])
async def test_points_that_are_not_numbers_are_refused(h, reply):
    await send_doc(h)
    [e] = rows(h, Evidence)
    out = await h.press(OFFICE_CHAT, ADMIN, 1, f"rv:{e.id}:p")
    prompt = [m for m in out if m["chat_id"] == OFFICE_CHAT][-1]
    assert "分数" in prompt["text"] and prompt["reply_markup"]["force_reply"]
    out = await h.say(OFFICE_CHAT, ADMIN, reply, reply_to_message_id=prompt["message_id"])
    assert "不是分数" in out[-1]["text"]
    assert rows(h, Evidence)[0].status == "submitted"


def test_minus_zero_reads_as_zero():
    assert str(ev.parse_points("-0")) == "0" and ev.parse_points("１．５") == Decimal("1.5")


async def accept_from_blocked_officer(h, name: str) -> list[dict]:
    """An officer submits, then blocks the bot; the office accepts. What the bot sent then."""
    h.register(OTHER, "统计局", name=name)
    await h.feed(h.api.push_document(OTHER, OTHER, PDF, "材料.pdf", "application/pdf", caption="#1 材料"))
    h.new()
    h.api.blocked.add(OTHER)
    [e] = rows(h, Evidence)
    return await h.press(OFFICE_CHAT, ADMIN, 1, f"rv:{e.id}:a")


async def test_group_notice_escapes_the_officer_name(h):
    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    out = await accept_from_blocked_officer(h, "<b>张&三</b>")
    notices = [m for m in out if m["chat_id"] == GROUP]
    assert notices and "&lt;b&gt;张&amp;三&lt;/b&gt;" in notices[-1]["text"] and "已通过审核" in notices[-1]["text"]


async def test_office_is_told_when_nobody_can_be_told(h):
    out = await accept_from_blocked_officer(h, "王五")
    assert any("无法通知提交人" in m["text"] for m in out if m["chat_id"] == OFFICE_CHAT)


async def test_review_list_says_how_many_more_wait(h):
    targets = ["1", "2", "4", "5", "9", "11-1", "11-2", "11-3", "12-1", "12-2", "12-3", "13-1"]
    for i, target in enumerate(targets):  # twelve different targets: none supersedes another
        await send_doc(h, data=PDF + str(i).encode(), name=f"材料{i}.pdf", caption=f"#{target} 第{i}份")
    out = await h.say(OFFICE_CHAT, ADMIN, "/review")
    assert len([m for m in out if "待审核材料" in m["text"]]) == 10
    assert "还有 2 条待审核" in out[-1]["text"]


async def test_group_picker_belongs_to_whoever_opened_it(h):
    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    h.register(OTHER, "发改委")
    out = await h.say(GROUP, USER, "/submit")
    picker = out[-1]
    refused = await h.press(GROUP, OTHER, picker["message_id"], "sb:i:1:1")
    assert refused == [] and "其他联络员" in h.api.answered_callbacks[-1]["text"]
    await h.press(GROUP, USER, picker["message_id"], "sb:i:1:1")
    note = await h.say(GROUP, USER, "@liaison_test_bot 培训通知见链接 https://example.org/a")
    assert "1 条文字或链接" in note[-1]["text"]


def test_long_and_invisible_file_names():
    assert safe_name("长" * 300 + ".pdf").endswith(".pdf") and len(safe_name("长" * 300 + ".pdf")) == 120
    assert safe_name("a\u202egpj.exe.pdf") == "agpj.exe.pdf"
    assert safe_name("x\x85y\u200b.pdf") == "xy.pdf"


async def test_big_file_without_a_size_gets_the_size_message(h):
    data = b"a" * (21 * 1024 * 1024)
    update = h.api.push_document(USER, USER, data, "大文件.pdf", "application/pdf", caption="#1 大文件")
    del update["message"]["document"]["file_size"]
    await h.feed(update)
    out = h.new()
    assert "MB 的上限" in out[-1]["text"] and rows(h, Evidence) == []


async def test_unbound_group_explains_binding_for_submit_and_review(h):
    h.api.group_chat(-4242, "没绑定的群")
    for command in ("/submit", "/review"):
        out = await h.say(-4242, USER, command)
        assert "/setup" in out[-1]["text"], command


async def test_button_for_a_missing_submission_says_so(h):
    out = await h.press(OFFICE_CHAT, ADMIN, 1, "rv:9999:a")
    assert out == [] and "没有材料 #9999" in h.api.answered_callbacks[-1]["text"]


async def test_withdrawing_twice_says_it_is_already_withdrawn(h):
    await send_doc(h)
    [e] = rows(h, Evidence)
    await h.say(USER, USER, f"/withdraw {e.id}")
    out = await h.say(USER, USER, f"/withdraw {e.id}")
    assert "已经撤回过了" in out[-1]["text"]


async def test_a_refusal_quoting_html_from_the_user_is_sent_safely(h):
    """Domain refusals quote what was typed ("“<b”不是一个数字。"); the reply must still be valid HTML."""
    await send_doc(h)
    [e] = rows(h, Evidence)
    prompt = [m for m in await h.press(OFFICE_CHAT, ADMIN, 1, f"rv:{e.id}:p") if m["chat_id"] == OFFICE_CHAT][-1]
    out = await h.say(OFFICE_CHAT, ADMIN, "<b>&", reply_to_message_id=prompt["message_id"])
    assert "“&lt;b&gt;&amp;”不是分数" in out[-1]["text"]


async def test_a_question_in_the_middle_of_submit_is_answered_and_the_flow_kept(h):
    """"第10项要什么材料" typed while /submit gathers evidence asks the bot; it is not a note. The
    answer comes, the flow says where it stands, and a note and 提交 afterwards still work."""
    out = await h.say(USER, USER, "/submit")
    await h.press(USER, USER, out[-1]["message_id"], "sb:i:1:1")
    asked = await h.say(USER, USER, "第1项要交什么材料？")
    assert any("网上零售额同比增速" in m["text"] for m in asked), asked  # the indicator's card
    assert "没有记作材料" in asked[-1]["text"] and "0 条文字或链接" in asked[-1]["text"]
    note = await h.say(USER, USER, "统计公报见 https://example.org/gb.pdf，请审核")
    assert "1 条文字或链接" in note[-1]["text"]
    done = await h.press(USER, USER, note[-1]["message_id"], "sb:ok:1")
    stored = rows(h, Evidence)
    assert [e.note for e in stored] == ["统计公报见 https://example.org/gb.pdf，请审核"], (stored, done)


@pytest.mark.parametrize("text,asks", [
    ("第10项要什么材料", True), ("截止是哪天？", True), ("这个算数吗", True), ("谁审核呢", True),
    ("附件为第10项佐证材料", False), ("https://example.org/a 这个行吗", False), ("培训通知见链接", False),
    ("2023年网上零售额12.3亿元", False),
])
def test_what_reads_as_a_question_during_submit(text, asks):
    from knowledge.drafts import is_question

    assert is_question(text) is asks
