"""Short replies for a group chat: the answer first, a few lines, and a button for the rest.

Leading-group, phase and pass-rule questions answer in at most six lines with a MORE button
("查看全部成员", "查看完整时间表", "查看指标体系"); pressing it (through the real Application) shows
the whole. Indicator cards print each scoring rule once and keep every fact; unit cards fold how
groups were expanded into one line; every count says what it counts; a due date the document
does not set says that it was inferred, from which phase, and whether it has passed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from bot.markup import to_text
from bot.render import render_message
from bot.replies import answer_typed
from knowledge import timeline
from knowledge.ask import Asker, Scope
from knowledge.ask.cards import items_beyond_rule
from knowledge.ask.dispatch import opened
from knowledge.campaigns import get_campaign
from knowledge.duties import unit_duties
from knowledge.messages import MORE_WHAT, Action, ActionKind
from knowledge.models import Indicator, IndicatorItem, LeadingGroupMember, Phase
from knowledge.units import UnitDirectory
from tests.botkit import GROUP, text_of
from tests.conftest import campaigns_engine
from tests.test_questions import CASES, run_case

TODAY = date(2026, 11, 24)
USER = 7101
LIMIT = 6  # lines a short reply may take


def ask(store: Session, slug: str, text: str, unit: str | None = None, today: date = TODAY):
    camp = get_campaign(store, slug)
    directory = UnitDirectory.load(store, camp)
    asker = Asker(unit=directory.resolve(unit).unit) if unit else Asker()
    return answer_typed(store, camp, directory, text, asker, today)


def lines(reply) -> list[str]:  # noqa: ANN001
    return to_text(reply.text).splitlines()


def assert_short(reply, label: str, what: str, store: Session, slug: str) -> None:  # noqa: ANN001
    """At most six lines, and one button: ``label``, showing ``what`` of this campaign."""
    assert len(lines(reply)) <= LIMIT, reply.text
    camp = get_campaign(store, slug)
    assert reply.buttons == [[(label, f"m:{camp.id}:{what}")]], reply.buttons


# --- Leading group ------------------------------------------------------------------------

LEADERS = [  # (campaign, question, asker, what the first line must say)
    ("hejin", "领导小组组长是谁", None, "组长：王云（市长）"),
    ("hejin", "创建领导小组谁挂帅", None, "组长：王云"),
    ("hejin", "办公室设在哪里", None, "<b>领导小组办公室</b>：领导小组下设办公室，办公室设在市市场监管局"),
    ("hejin", "办公室主任是谁", None, "主任由市市场监管局局长兼任"),
    ("hejin", "消协在领导小组里吗", None, "<b>消费者协会</b>不在领导小组名单中"),
    ("hejin", "我们局长在领导小组名单里吗", "税务局", "<b>税务局</b>是领导小组成员单位：卫波（成员，市税务局局长）"),
    ("yancheng", "领导小组组长是谁", None, "组长：汤如军（市政府副市长）"),
    ("yancheng", "领导小组成员有哪些", None, "（共 30 人）"),
    ("yancheng", "统计局在领导小组里是谁", None, "<b>统计局</b>是领导小组成员单位：王鸿章（成员，市统计局副局长）"),
    ("yancheng", "海关在领导小组里吗", None, "<b>盐城海关</b>是领导小组成员单位"),
]


@pytest.mark.parametrize("slug,question,unit,first", LEADERS, ids=[f"{s}:{q}" for s, q, _, _ in LEADERS])
def test_leading_group_answers_first_in_a_few_lines(store, slug, question, unit, first):
    reply = ask(store, slug, question, unit)
    assert reply.intent == "leaders"
    assert first in reply.text.splitlines()[0], reply.text
    assert_short(reply, "查看全部成员", "members", store, slug)
    # The full list is behind the button, not in the reply: 成员 appear only by count.
    assert reply.text.count("成员：") == 0


def test_the_liaison_rule_comes_right_after_the_office(store):
    reply = ask(store, "hejin", "联络员一般由谁来当")
    assert reply.text.splitlines()[1].startswith("联络员：各成员单位对口业务股室负责人为联络员")


# --- Phases -------------------------------------------------------------------------------

PHASES = [  # (question, today, what the first line must say)
    ("评估验收什么时候", TODAY, "<b>评估验收</b>阶段：2024-04-01 至 2024-06-30（原文“20244-6月”）〔已结束〕"),
    ("总结提升阶段什么时候开始", TODAY, "<b>总结提升</b>阶段：2024-01-01 至 2024-03-31"),
    ("自评报告哪个阶段交", TODAY, "<b>评估验收</b>阶段"),
    ("什么时候截止", TODAY, "4 个阶段已全部结束，最后的“评估验收”阶段于 2024-06-30 结束"),
    ("/phase", TODAY, "4 个阶段已全部结束"),
    ("各阶段的时间节点", date(2023, 8, 1), "当前阶段：<b>全面推进</b>（共 4 个阶段的第 2 个）：2023-06-01 至 2023-12-31"),
    ("实施步骤", date(2023, 4, 1), "下一阶段：<b>动员部署</b>（共 4 个阶段的第 1 个）：2023-05-01 至 2023-06-30"),
]


@pytest.mark.parametrize("question,today,first", PHASES, ids=[q for q, _, _ in PHASES])
def test_phase_questions_answer_the_phase_in_a_few_lines(store, question, today, first):
    reply = ask(store, "yancheng", question, today=today)
    assert reply.intent == "phase"
    assert first in reply.text.splitlines()[0], reply.text
    assert_short(reply, "查看完整时间表", "phases", store, "yancheng")
    # The timetable's texts stay behind the button, but for the phase asked about.
    texts = [p.text for p in store.exec(select(Phase).where(Phase.campaign_id == get_campaign(store, "yancheng").id))]
    assert sum(t in reply.text for t in texts) <= 1


def test_a_plan_without_dates_says_so_in_two_lines(store):
    reply = ask(store, "hejin", "什么时候截止")
    assert len(lines(reply)) <= 2 and "用两年时间" in reply.text
    assert reply.buttons == []  # there is no timetable to show


# --- The pass rule ------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["hejin", "yancheng"])
@pytest.mark.parametrize("question", ["合格线是多少", "多少分算过", "总分多少分才算达标"])
def test_the_pass_rule_as_the_document_states_it(store, slug, question):
    reply = ask(store, slug, question)
    assert reply.intent == "overview"
    rule = get_campaign(store, slug).pass_rule_text
    assert rule and reply.text.splitlines()[0] == f"<b>合格标准</b>：{rule.rstrip('。')}。"
    assert_short(reply, "查看指标体系", "overview", store, slug)
    assert "主要任务" not in reply.text  # the rest of the overview is behind the button


# --- MORE pressed -------------------------------------------------------------------------

async def pressed(h, slug: str, question: str, label: str) -> str:  # noqa: ANN001
    """Ask ``question`` in private as a registered officer, press the button ``label`` under the reply."""
    h.register(USER, "统计局", slug=slug)
    [reply] = await h.say(USER, USER, question)
    [[button]] = reply["reply_markup"]["inline_keyboard"]
    assert button["text"] == label
    return text_of(await h.press(USER, USER, reply["message_id"], button["callback_data"]))


async def test_pressing_more_shows_every_member(h):
    text = await pressed(h, "yancheng", "领导小组组长是谁", "查看全部成员")
    with h.services.session() as s:
        members = list(s.exec(select(LeadingGroupMember).where(
            LeadingGroupMember.campaign_id == get_campaign(s, "yancheng").id)))
    assert len(members) == 30
    for m in members:
        assert f"{m.role}：{m.name or m.name_as_written}" in text, m
    assert "朱友明 — 市新闻出版局(市版权局)副局长" in text and "顾硕同志兼任办公室主任" in text


async def test_pressing_more_shows_the_whole_timetable(h):
    text = await pressed(h, "yancheng", "评估验收什么时候", "查看完整时间表")
    with h.services.session() as s:
        phases = list(s.exec(select(Phase).where(Phase.campaign_id == get_campaign(s, "yancheng").id)))
    for p in phases:
        assert p.text in text and f"（原文“{p.period_as_written}”）" in text
    assert "（推定：文件未规定材料截止日期;该日期已过）" in text


async def test_pressing_more_shows_the_indicator_system(h):
    text = await pressed(h, "hejin", "合格线是多少", "查看指标体系")
    assert "发展规模 10 分;发展质量 10 分" in text and "主要任务：21 项" in text and "总分≥85分" in text


async def test_a_more_button_of_another_campaign_or_an_unknown_word_is_stale(h):
    h.api.group_chat(GROUP, "联络员群")
    h.bind(GROUP)
    with h.services.session() as s:
        yancheng = get_campaign(s, "yancheng").id
    for data in (f"m:{yancheng}:members", f"m:{yancheng}:everything"):
        alerts = len(h.api.answered_callbacks)
        out = await h.press(GROUP, USER, 1, data)
        said = text_of(out) + "".join(a.get("text", "") for a in h.api.answered_callbacks[alerts:])
        assert "过期" in said or "失效" in said, (data, said)


def test_more_buttons_fit_telegram_and_read_back():
    for what in MORE_WHAT:
        action = Action("查看", ActionKind.MORE, (999_999, what))
        assert len(action.encode().encode()) <= 64
        assert Action.parse(action.encode()) == Action("", ActionKind.MORE, (999_999, what))
    assert Action.parse("m:1:bogus") is None and Action.parse("m:1") is None and Action.parse("m:x:members") is None


# --- Indicator cards: each scoring rule once ----------------------------------------------

def bare(text: str) -> str:
    """An item's text without its closing punctuation (the rule ends each with ; or 。)."""
    return re.sub(r"[。;;]+$", "", text)


def fragments(store: Session, slug: str) -> dict[str, set[int]]:
    """Each scoring rule's text (a sentence of a rule, an item), and the indicators it belongs to."""
    out: dict[str, set[int]] = {}
    camp = get_campaign(store, slug)
    for ind in store.exec(select(Indicator).where(Indicator.campaign_id == camp.id)):
        items = store.exec(select(IndicatorItem).where(IndicatorItem.indicator_id == ind.id))
        texts = [re.sub(r"^\d+\.|[;;。]?(\(\d+(\.\d+)?分\))?[;;。]?$", "", line.strip()) for line in ind.rule.splitlines()]
        for text in texts + [bare(i.text) for i in items]:
            if len(text) >= 8:
                out.setdefault(text, set()).add(ind.no)
    return out


def test_no_reply_to_the_question_sets_repeats_a_scoring_rule(store):
    rules = {slug: fragments(store, slug) for slug in ("hejin", "yancheng")}
    repeated = []
    for slug, case in CASES:
        reply = run_case(store, slug, case)
        shown = {i["no"] for i in reply.indicators}
        for text, nos in rules[slug].items():
            if reply.text.count(text) > max(1, len(nos & shown)):
                repeated.append((slug, case["q"], text))
    assert repeated == []


@pytest.mark.parametrize("slug", ["hejin", "yancheng"])
def test_indicator_cards_keep_every_fact(store, slug):
    camp = get_campaign(store, slug)
    directory = UnitDirectory.load(store, camp)
    for ind in store.exec(select(Indicator).where(Indicator.campaign_id == camp.id)):
        text = answer_typed(store, camp, directory, f"/ind {ind.no}", Asker(), TODAY).text
        for line in ind.rule.splitlines():
            assert line.strip() in text, (ind.no, line)
        for item in store.exec(select(IndicatorItem).where(IndicatorItem.indicator_id == ind.id)):
            assert bare(item.text) in text, (ind.no, item.no)
            if item.points is not None:
                assert re.search(re.escape(bare(item.text)) + rf"[^\n]{{0,2}}\({item.points:g}分\)", text), (ind.no, item.no)


def test_items_the_rule_does_not_state_are_still_listed(store):
    camp = get_campaign(store, "hejin")
    ind = store.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 12)).one()
    items = list(store.exec(select(IndicatorItem).where(IndicatorItem.indicator_id == ind.id)))
    assert items_beyond_rule(ind.rule, items) == []
    other = IndicatorItem(indicator_id=ind.id, no=4, text="另有一条文中没有的评分要求", points=Decimal(1))
    wrong_points = IndicatorItem(indicator_id=ind.id, no=5, text=items[0].text, points=Decimal(2))
    assert items_beyond_rule(ind.rule, [*items, other, wrong_points]) == [other, wrong_points]


# --- Unit cards, and counts that say what they count --------------------------------------

def test_a_unit_card_folds_the_group_notes_into_one_line_with_buttons(store):
    reply = ask(store, "yancheng", "商务局有哪些指标")
    notes = [line for line in lines(reply) if line.startswith("注：")]
    assert notes == ["注：经“领导小组”“各有关部门”参与的部分按组合的成员单位展开;“各有关部门”的成员文件未列出，系推定。"
                     "依据见组合的单位卡片（下方按钮）。"]
    assert [label for row in reply.buttons for label, _ in row] == ["领导小组", "各有关部门"]
    assert all(code.startswith("u:") for row in reply.buttons for _, code in row)


def test_a_group_card_says_its_own_basis_once(store):
    reply = ask(store, "yancheng", "各有关部门有哪些指标")
    notes = [line for line in lines(reply) if line.startswith("注：")]
    assert notes == ["注：成员单位的依据——文件未列出“各有关部门”的范围;按领导小组成员单位展开"]


def test_what_units_owe_says_what_it_counts(store):
    camp = get_campaign(store, "hejin")
    directory = UnitDirectory.load(store, camp)
    reply = ask(store, "hejin", "哪些单位还没交材料")
    assert "按评分项计：分项打分的指标每个评分项算一项，其余指标整体算一项" in reply.text
    row = next(line for line in lines(reply) if line.startswith(" • 市场监督管理局："))
    owed, total, indicators = map(int, re.search(r"未交评分项 (\d+)/(\d+)（涉及 (\d+) 项指标）", row).groups())
    duties = unit_duties(session=store, campaign=camp, directory=directory,
                         unit_id=directory.resolve("市场监督管理局").unit.id)
    nos = {d.no for d in duties.indicators}
    inds = {i.no: i for i in store.exec(select(Indicator).where(Indicator.campaign_id == camp.id))}
    expected = sum((len(store.exec(select(IndicatorItem.id).where(IndicatorItem.indicator_id == inds[no].id)).all())
                    if inds[no].scoring == "items" else 0) or 1 for no in nos)
    assert (owed, total, indicators) == (expected, expected, len(nos))  # nothing submitted yet


# --- Dates the document does not set ------------------------------------------------------

def test_an_indicator_card_says_its_date_is_inferred_and_past(store):
    reply = ask(store, "yancheng", "/ind 10", "商务局")
    assert "<b>材料截止</b>：2023-12-31（推定：文件未规定材料截止日期，按“全面推进”阶段结束日）。该日期已过" in reply.text


def test_a_unit_card_says_its_date_is_inferred_and_past_when_opened(store):
    reply = ask(store, "yancheng", "商务局有哪些指标")
    assert "<b>材料截止</b>：2023-12-31（推定：文件未规定材料截止日期，按“全面推进”阶段结束日）" in reply.text
    camp = get_campaign(store, "yancheng")
    directory = UnitDirectory.load(store, camp)
    unit = directory.resolve("商务局").unit
    message = opened(Scope(store, camp, directory, Asker(), TODAY), Action("", ActionKind.OPEN_UNIT, (camp.id, unit.id)))
    assert "按“全面推进”阶段结束日），已过" in render_message(message)


def test_when_answers_resting_on_an_inferred_date_say_so(store):
    assert ask(store, "yancheng", "我们材料最晚啥时候交", "文化广电和旅游局").answered_from == "inferred"
    assert ask(store, "yancheng", "什么时候截止").answered_from == "inferred"
    assert ask(store, "yancheng", "评估验收什么时候").answered_from == "document"  # the document's own dates
    assert ask(store, "hejin", "什么时候截止").answered_from == "not_in_document"  # no date at all: the plan is silent


def test_dates_the_office_set_are_not_called_inferred():
    with Session(campaigns_engine()) as s:
        camp = get_campaign(s, "yancheng")
        timeline.set_due(s, camp, 10, date(2027, 3, 31), by=None, now=datetime(2026, 11, 24, tzinfo=UTC))
        card = ask(s, "yancheng", "/ind 10").text
        assert "2027-03-31（领导小组办公室设定）" in card and "推定" not in card
        timeline.shift(s, camp, date(2026, 6, 1), by=None, now=datetime(2026, 11, 24, tzinfo=UTC))
        card = ask(s, "yancheng", "/ind 11").text
        assert "（推定：按办公室时间表中“全面推进”阶段结束日）" in card and "文件未规定材料截止" not in card
        phases = ask(s, "yancheng", "什么时候截止")
        assert "（推定：按办公室时间表" in phases.text and phases.answered_from == "inferred"
