"""Topic search: jieba words and BM25, every item that holds the topic term, honest misses.

What an item "holds" is read here straight from the store's text (folded the same way), not
from the index, so a rule of the search that breaks shows as a difference from the document.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.replies import answer_typed
from knowledge.ask import Asker
from knowledge.ask.cards import search_reply
from knowledge.ask.who import who_reply
from knowledge.models import Indicator, IndicatorItem, Task
from knowledge.search import CLOSE, search
from knowledge.search_index import index_of
from knowledge.text import fold, words_of


def holding(store, camp, term: str) -> set[tuple[str, int]]:
    """Every indicator and task whose written text contains ``term`` (case and script folded)."""
    term = fold(term)
    found = set()
    for ind in store.exec(select(Indicator).where(Indicator.campaign_id == camp.id)):
        items = store.exec(select(IndicatorItem.text).where(IndicatorItem.indicator_id == ind.id)).all()
        if term in fold(" ".join([ind.title, ind.rule, *items, *(ind.sources or [])])):
            found.add(("indicator", ind.no))
    for task in store.exec(select(Task).where(Task.campaign_id == camp.id)):
        if term in fold(task.title + task.text):
            found.add(("task", task.seq))
    return found


def kinds(hits) -> set[tuple[str, int]]:
    return {(h.kind, h.no) for h in hits}


def ask(store, ctx, text: str):
    camp, directory = ctx
    return answer_typed(store, camp, directory, text, Asker(), date(2026, 11, 24))


def test_yancheng_5g_every_task_that_holds_it(store, yancheng):
    camp, _ = yancheng
    about = holding(store, camp, "5G")
    assert about == {("task", 3), ("task", 12)}  # (一)3 scenic-area coverage, (四)2 the network itself
    for query in ("5G", "5G建设", "5G网络建设", "5G相关的任务"):
        hits = search(session=store, campaign=camp, query=query, limit=1)  # the topic is not cut by the limit
        assert {(h.kind, h.no) for h in hits if h.topic} == about, query
        assert all(h.close for h in hits if h.topic)
    reply = ask(store, yancheng, "5G建设是谁的任务")
    assert reply.intent == "who" and {("task", t["no"]) for t in reply.tasks} == about
    units = {u for h in search(session=store, campaign=camp, query="5G") for u in h.units}
    assert set(reply.units) == units and "文化广电和旅游局" in units and "盐城通管办" in units
    assert "写到“5G”的主要任务" in reply.text  # neither task writes "5G建设": the reply says what they hold


def test_rare_words_rank_first_and_the_topic_is_all_there(store, yancheng):
    hits = search(session=store, campaign=yancheng[0], query="5G网络建设", tasks_only=True)
    assert hits[0].no == 12 and hits[0].phrase  # writes "5G网络建设" whole
    assert 3 in [h.no for h in hits]  # "5G网络覆盖": holds the topic term, so it is listed
    assert hits[0].score > 0 and all(h.units for h in hits)


def test_hejin_has_no_5g(store, hejin):
    camp, directory = hejin
    assert holding(store, camp, "5G") == set()  # the Hejin rules never mention 5G
    hits = search(session=store, campaign=camp, query="5G建设")
    assert not any(h.close or h.topic for h in hits)  # "建设" alone is in many items and is not the topic
    reply = who_reply(store, camp, directory, "5G建设", wants="tasks")
    assert reply.template == "search" and reply.data["hits"] == [] and "没有找到" in ask(store, hejin, "5G建设是谁的任务").text


def test_topic_terms_of_the_plan(store, hejin, yancheng):
    for ctx, term in ((hejin, "直播"), (hejin, "跨境"), (hejin, "投诉"), (yancheng, "跨境"), (yancheng, "信用"),
                      (yancheng, "农村电商"), (yancheng, "直播")):
        camp = ctx[0]
        about = holding(store, camp, term)
        assert about, term
        hits = search(session=store, campaign=camp, query=f"{term}相关的内容", limit=3)
        assert {(h.kind, h.no) for h in hits if h.topic} == about, term


def test_the_plan_terms_are_words(store, hejin, yancheng):
    index_of(store, hejin[0]), index_of(store, yancheng[0])
    assert words_of("跨境电商谁牵头")[0] == "跨境电商"  # a title's term, without its verb (大力做强)
    assert "首违不罚" in words_of("首违不罚怎么落实")  # a quoted term of a task's text
    assert "12315" in words_of("12315投诉处理") and "5g" in words_of("5G网络")


def test_traditional_characters_search_as_simplified(store, hejin, yancheng):
    for ctx, written, simple in ((yancheng, "5G網絡建設", "5G网络建设"), (hejin, "跨境電商", "跨境电商"),
                                 (hejin, "消費投訴", "消费投诉"), (yancheng, "直播電商", "直播电商")):
        got = search(session=store, campaign=ctx[0], query=written)
        want = search(session=store, campaign=ctx[0], query=simple)
        assert got and [(h.kind, h.no, h.close) for h in got] == [(h.kind, h.no, h.close) for h in want], written
    assert ("indicator", 9) in kinds(search(session=store, campaign=hejin[0], query="跨境電商"))


def test_misses_are_honest(store, hejin, yancheng):
    for ctx in (hejin, yancheng):
        assert search(session=store, campaign=ctx[0], query="加班补助") == []  # no word of it is in the plan
        assert not any(h.close for h in search(session=store, campaign=ctx[0], query="年终奖怎么发"))
    # "互联网" is in Hejin's plan, "医院" is not: the hits share a word but none is about it ...
    hits = search(session=store, campaign=hejin[0], query="互联网医院")
    assert hits and not any(h.close for h in hits) and all(h.coverage < CLOSE for h in hits)
    # ... while Yancheng's task (二)3 writes "互联网医院".
    assert [h.no for h in search(session=store, campaign=yancheng[0], query="互联网医院") if h.close] == [7]


def test_funds_are_in_the_budget_item(store, hejin, yancheng):
    # "经费从哪里出": the plans do not say where the money comes from, but one scoring item says the
    # funds go into the local budget (经费列入本级预算); that item is the one close hit.
    for ctx, no in ((hejin, 38), (yancheng, 39)):
        assert holding(store, ctx[0], "经费") == {("indicator", no)}
        hits = search(session=store, campaign=ctx[0], query="经费从哪里出")
        assert [(h.kind, h.no) for h in hits if h.close] == [("indicator", no)]


def test_search_reply_lists_units_per_item(store, yancheng):
    reply = search_reply(store, yancheng[0], "跨境电商")
    rows = reply.data["hits"]
    assert rows and all(r["units"] for r in rows) and all("close" in r for r in rows)
    task = next(r for r in rows if r["kind"] == "task" and r["no"] == 5)
    assert task["units"] == ["商务局", "税务局", "交通运输局", "盐城海关"]


def test_index_is_kept_per_campaign_and_data_version(store, hejin):
    camp = hejin[0]
    first = index_of(store, camp)
    assert index_of(store, camp) is first
    changed = camp.model_copy(update={"data_hash": camp.data_hash + "x"})
    other = index_of(store, changed)
    assert other is not first and [d.no for d in other.docs] == [d.no for d in first.docs]
    assert len([d for d in first.docs if d.kind == "indicator"]) == 40 and len(first.docs) == 61
