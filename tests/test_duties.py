"""The questions officers ask, answered from the store."""

from __future__ import annotations

from knowledge.duties import indicator_view, unit_duties
from knowledge.national import national_check
from knowledge.search import search


def duties(ctx, store, name):
    camp, directory = ctx
    unit = directory.resolve(name).unit
    return unit_duties(session=store, campaign=camp, directory=directory, unit_id=unit.id)


def test_hejin_statistics_bureau(hejin, store):
    d = duties(hejin, store, "统计局")
    assert [x.no for x in d.lead] == [1, 2, 4, 5]
    assert d.support == []
    assert {x.no for x in d.member} >= {11, 12, 31, 40}
    assert all(x.via for x in d.member)
    assert d.points(d.lead) == 8
    assert {t.no for t in d.tasks} == {8, 9, 10, 12, 20, 21}


def test_hejin_market_regulation(hejin, store):
    d = duties(hejin, store, "市监局")
    assert [x.no for x in d.lead] == [3, 8, 10, 18, 20, 23, 24, 25, 26, 27]
    assert [x.no for x in d.support] == [5, 6, 19]
    assert {t.no for t in d.tasks if t.role == "牵头"} == {7, 11, 14, 15, 18, 19}


def test_direct_listing_beats_group(hejin, store):
    d = duties(hejin, store, "农业农村局")
    roles = {x.no: x.role for x in d.indicators}
    assert roles[12] == "配合"  # listed by name after the joint-meeting group
    assert roles[31] == "成员"


def test_yancheng_county_carries_all_tasks(yancheng, store):
    d = duties(yancheng, store, "东台市")
    assert len(d.tasks) == 13
    assert d.tasks[0].role == "成员" and d.tasks[1].role == "落实"


def test_yancheng_post_bureau(yancheng, store):
    d = duties(yancheng, store, "邮管局")
    assert [x.no for x in d.lead] == [5]
    assert 7 in [x.no for x in d.support]


def test_indicator_view(hejin, store):
    camp, directory = hejin
    view = indicator_view(session=store, campaign=camp, directory=directory, no=12)
    assert view.indicator.points == 3 and len(view.items) == 3
    assert view.units[0].role == "牵头" and view.units[0].members
    unit = directory.resolve("统计局").unit
    assert view.role_of(directory, unit.id).role == "成员"
    assert indicator_view(session=store, campaign=camp, directory=directory, no=41) is None


def test_search(hejin, yancheng, store):
    hits = search(session=store, campaign=hejin[0], query="跨境电商")
    assert hits and hits[0].kind in ("indicator", "task")
    assert 9 in [h.no for h in hits if h.kind == "indicator"]
    hits = search(session=store, campaign=yancheng[0], query="快递")
    assert hits[0].kind == "indicator" and hits[0].no == 5
    assert search(session=store, campaign=yancheng[0], query="   ") == []


def test_national_check_hejin_missing_express(hejin, store):
    report = national_check(session=store, campaign=hejin[0])
    missing = [d for d in report if d["status"] == "missing"]
    assert [(d["no"], d["title"]) for d in missing] == [(5, "快递业务同比增速")]
