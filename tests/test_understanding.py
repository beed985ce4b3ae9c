"""Reading a question by its meaning, not its form: typed homophones, traditional characters,
counts that open with the number, units set side by side, and questions the plan does not answer."""

from __future__ import annotations

import pytest

from tests.test_questions import run_case


def ask(store, slug, q, asker=None):
    return run_case(store, slug, {"q": q, **({"asker": asker} if asker else {})})


def first_line(reply) -> str:
    return reply.text.splitlines()[0]


@pytest.mark.parametrize("typed,meant", [
    ("工信句负责啥", "工信局负责啥"),  # 句/局: ju
    ("市场监官局有哪些指表", "市场监管局有哪些指标"),  # 官/管, 表/标
    ("网上另售额谁负责", "网上零售额谁负责"),  # 另/零: a title's word
])
def test_homophone_typos_of_plan_terms_are_repaired(store, typed, meant):
    from knowledge.campaigns import get_campaign
    from knowledge.units import UnitDirectory

    camp = get_campaign(store, "hejin")
    lexicon = UnitDirectory.load(store, camp).lexicon
    assert lexicon.repair(typed) == meant


@pytest.mark.parametrize("text", ["网上零售额同比增速是统计局负责吗", "邮政管理局有指标吗", "我们作为牵头单位的那几项",
                                  "主要任务分几块"])
def test_right_text_is_left_alone(store, text):
    from knowledge.campaigns import get_campaign
    from knowledge.units import UnitDirectory

    lexicon = UnitDirectory.load(store, get_campaign(store, "hejin")).lexicon
    assert lexicon.repair(text) == text


def test_typed_unit_gets_its_card(store):
    assert ask(store, "hejin", "工信句负责啥").units == ["工业和信息化和科技局"]


def test_traditional_characters(store):
    reply = ask(store, "hejin", "第15號指標怎麼評分")
    assert [i["no"] for i in reply.indicators] == [15]


def test_counts_open_with_the_number(store):
    assert "25" in first_line(ask(store, "hejin", "领导小组一共几个成员"))
    assert "1</b> 位" in first_line(ask(store, "hejin", "副组长有几位"))
    reply = ask(store, "hejin", "住建局的任务有几条")
    assert reply.intent == "count" and "主要任务 <b>5</b> 项是文件直接列名的" in first_line(reply)
    assert "另通过" in first_line(reply)  # and how many through a group
    assert "“规范监管”下共有 <b>9</b> 项" in first_line(ask(store, "hejin", "规范监管下面有几个指标"))


def test_count_of_the_askers_lead_points(store):
    reply = ask(store, "hejin", "我们作为牵头单位的那几项加起来几分", asker="统计局")
    assert "牵头的指标共 4 项，合计 <b>8</b> 分" in first_line(reply)


def test_two_units_compared_both_ways(store):
    reply = ask(store, "yancheng", "商务局和工信局各管几项，有什么不同")
    assert reply.intent == "compare"
    lines = reply.text.splitlines()
    assert lines[0].startswith("<b>商务局</b>：指标") and lines[1].startswith("<b>工业和信息化局</b>：指标")
    assert "只有商务局有的指标" in reply.text and "只有工业和信息化局有的指标" in reply.text


@pytest.mark.parametrize("slug,q", [("hejin", "材料要不要纸质版"), ("hejin", "各区县分数怎么摊"),
                                    ("yancheng", "加班有没有补助"), ("hejin", "12345热线相关的指标")])
def test_questions_the_plan_does_not_answer_say_so(store, slug, q):
    reply = ask(store, slug, q)
    assert reply.answered_from == "not_in_document"
    assert first_line(reply).endswith("的文件没有写明这一点" + first_line(reply).split("这一点", 1)[1])
    assert "领导小组办公室" in reply.text


@pytest.mark.parametrize("q", ["直播带货相关指标", "快递业务同比增速怎么算分", "经费从哪里出"])
def test_questions_the_plan_does_answer_are_not_refused(store, q):
    assert ask(store, "hejin", q).answered_from != "not_in_document"


def test_what_one_unit_answers_for_alone(store):
    reply = ask(store, "hejin", "只有市监局一家负责的指标有哪些")
    assert [i["no"] for i in reply.indicators] == [10, 18, 26, 27]
    assert "共 <b>4</b> 项" in first_line(reply)


def test_the_unit_with_most_direct_listings_comes_first(store):
    reply = ask(store, "hejin", "哪些单位负责的指标最多")
    assert reply.intent == "count" and reply.units[0] == "交通运输局"


def test_the_lexicon_follows_phases_the_office_renames(tmp_path):
    """Phase names are part of the plan's vocabulary but not of the file's hash: after
    ``phases set`` renames one, the lexicon of the same loaded file must be rebuilt."""
    from datetime import UTC, date, datetime

    from sqlmodel import Session

    from knowledge.campaigns import get_campaign
    from knowledge.timeline import set_phases
    from knowledge.units import UnitDirectory
    from tests.conftest import campaigns_engine

    with Session(campaigns_engine()) as session:
        camp = get_campaign(session, "hejin")
        before = UnitDirectory.load(session, camp).lexicon
        set_phases(session, camp, [("材料冲刺阶段", date(2026, 12, 1), date(2026, 12, 31))], by=None,
                   now=datetime(2026, 12, 1, tzinfo=UTC))
        session.commit()
        after = UnitDirectory.load(session, camp).lexicon
        assert after is not before
        assert UnitDirectory.load(session, camp).lexicon is after  # unchanged phases: kept
