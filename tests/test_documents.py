"""The store holds what the documents say: counts, points, units in order, corrections."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from sqlmodel import Session

from knowledge.campaigns import get_campaign
from knowledge.export import export_campaign
from tests import expected as E


def nf(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.fixture(scope="module")
def exports(loaded_engine) -> dict[str, dict]:
    with Session(loaded_engine) as s:
        return {slug: export_campaign(session=s, campaign=get_campaign(s, slug))
                for slug in ("hejin", "yancheng")}


@pytest.mark.parametrize("slug,count,total", [("hejin", 40, 98), ("yancheng", 41, 100)])
def test_indicator_counts_and_totals(exports, slug, count, total):
    inds = exports[slug]["indicators"]
    assert [i["no"] for i in inds] == list(range(1, count + 1))
    assert sum(Decimal(str(i["points"])) for i in inds) == total


@pytest.mark.parametrize("slug,table", [("hejin", E.HEJIN_INDICATORS), ("yancheng", E.YANCHENG_INDICATORS)])
def test_every_indicator_matches_independent_transcription(exports, slug, table):
    got = {i["no"]: i for i in exports[slug]["indicators"]}
    for no, (level1, points, units) in table.items():
        ind = got[no]
        assert (ind["level1"], ind["points"], [u["as_written"] for u in ind["units"]]) == (
            level1, points, units), f"{slug} indicator {no}"
        assert ind["units"][0]["role"] == "牵头"
        assert all(u["role"] == "配合" for u in ind["units"][1:])


@pytest.mark.parametrize("slug,titles", [("hejin", E.HEJIN_TITLES), ("yancheng", E.YANCHENG_TITLES)])
def test_titles(exports, slug, titles):
    got = {i["no"]: nf(i["title"]) for i in exports[slug]["indicators"]}
    for no, title in titles.items():
        assert got[no] == nf(title)


def test_level_points_as_declared(exports):
    for slug in ("hejin", "yancheng"):
        declared = {(i["level1"], i["level1_points"]) for i in exports[slug]["indicators"]}
        assert declared == {("促进发展", 20), ("规范监管", 25), ("优化服务", 20), ("探索创新", 20),
                            ("综合保障", 15)}
    level = {lv["name"]: lv["table"] for lv in exports["hejin"]["totals"]["level1"]}
    assert level == {"促进发展": 18, "规范监管": 25, "优化服务": 20, "探索创新": 20, "综合保障": 15}


def test_items_add_up_and_any_one(exports):
    for slug in ("hejin", "yancheng"):
        for ind in exports[slug]["indicators"]:
            if ind["scoring"] == "items":
                assert sum(Decimal(str(it["points"])) for it in ind["items"]) == Decimal(str(ind["points"]))
    hejin = {i["no"]: i for i in exports["hejin"]["indicators"]}
    assert [hejin[n]["scoring"] for n in (27, 28, 29, 30)] == ["any_one"] * 4
    assert [it["points"] for it in hejin[32]["items"]] == [2, 1]
    assert len(hejin[10]["items"]) == 3 and hejin[10]["nature"] == "定性+定量"


def test_hejin_tasks(exports):
    tasks = exports["hejin"]["tasks"]
    assert [t["no"] for t in tasks] == list(range(1, 22))
    for t in tasks:
        assert [u["as_written"] for u in t["units"]] == E.HEJIN_TASKS[t["no"]], f"task {t['no']}"
    assert tasks[0]["title"] == "加大政策扶持力度"
    assert nf(tasks[13]["title"]) == "落实公平竞争审查制度"


def test_yancheng_tasks_and_phases(exports):
    tasks = exports["yancheng"]["tasks"]
    assert len(tasks) == 13
    for t in tasks:
        no, units = E.YANCHENG_TASKS[t["seq"]]
        assert t["no"] == no
        assert [u["as_written"] for u in t["units"]] == units, f"task {t['seq']}"
    phases = [(p["name"], p["start"], p["end"]) for p in exports["yancheng"]["phases"]]
    assert phases == E.YANCHENG_PHASES
    assert exports["hejin"]["phases"] == []


def test_open_lists_marked(exports):
    opened = {i["no"] for i in exports["yancheng"]["indicators"] if i["units_open"]}
    assert opened == E.YANCHENG_OPEN


def test_campaign_headers(exports):
    h, y = exports["hejin"], exports["yancheng"]
    assert (h["city"], h["region"], h["doc_number"], h["date"]) == ("河津市", "中部", "河政发〔2023〕7号", "2023-04-10")
    assert (y["city"], y["region"], y["doc_number"], y["date"]) == ("盐城市", "东部", "盐政办发〔2023〕27号", "2023-06-30")
    for data in (h, y):
        assert {k: data["pass_rule"][k] for k in ("total", "level1_rate")} == {"total": 85, "level1_rate": 0.75}
        assert data["pass_rule"]["source"] == "national:2022"
        assert data["office"]["unit"] in ("市场监督管理局",)


def test_hejin_tianjin_corrections_visible(exports):
    fixed = {c["where"] for c in exports["hejin"]["corrections"] if "天津市" in c["as_written"]}
    for no in (11, 12, 13, 14, 15, 16, 17, 28, 35, 37, 38):
        assert any(f"indicator {no} " in w + " " for w in fixed), no
    tianjin = [u for i in exports["hejin"]["indicators"] for u in i["units"] if "天津" in u["as_written"]]
    assert len(tianjin) == 11 and {u["unit"] for u in tianjin} == {"河津市网络市场监管局际联席会议各成员单位"}


def test_yancheng_damage_corrected_visibly(exports):
    corr = exports["yancheng"]["corrections"]
    as_written = " ".join(c["as_written"] for c in corr)
    for damaged in ("2023630", "20235-6月", "20236-12月", "20241-3月", "20244-6月"):
        assert damaged in as_written
    lg = {m["name_as_written"]: m for m in exports["yancheng"]["leading_group"]}
    assert lg["硕"]["name"] == "顾硕"
    assert len(exports["yancheng"]["leading_group"]) == 30


def test_national_check(exports):
    assert exports["hejin"]["national_check"][0] == {
        "no": 5, "title": "快递业务同比增速", "status": "missing", "points": 2,
        "level1": "促进发展", "level2": "发展规模"}
    assert not [d for d in exports["hejin"]["national_check"] if d["status"] in ("missing", "extra", "points_differ")
                and d["no"] != 5]
    assert [d for d in exports["yancheng"]["national_check"] if d["status"] != "title_differs"] == []
    assert exports["hejin"]["totals"]["table_total"] == 98
    assert exports["hejin"]["totals"]["national_total"] == 100


def test_leading_group_corrections_point_at_the_people_they_name(exports):
    """'leading_group 2,5,…' counts from 1, and each position holds the name the entry quotes."""
    for slug in ("hejin", "yancheng"):
        members = exports[slug]["leading_group"]
        for c in exports[slug]["corrections"]:
            if not c["where"].startswith("leading_group "):
                continue
            positions = [int(p) for p in c["where"].split()[1].split(",")]
            for pos in positions:
                assert members[pos - 1]["name_as_written"] in c["as_written"], (slug, c["where"], pos)


def test_leading_group_keeps_unit_and_position_as_written(exports):
    lg = {m["name"]: m for m in exports["yancheng"]["leading_group"]}
    assert lg["朱友明"]["unit_as_written"] == "市新闻出版局(市版权局)"
    assert lg["朱友明"]["position_as_written"] == "市新闻出版局(市版权局)副局长"
    assert lg["顾硕"]["position_as_written"] == "市市场监管局局长"
    assert lg["韩玉军"]["position_as_written"] == "市口岸办副主任、市商务局党委委员"


def test_yancheng_score_marks_repaired_everywhere(exports):
    """Every '(N分)' the flattening cut to a bare digit is restored, with a correction for each."""
    rules = {i["no"]: i["rule"] for i in exports["yancheng"]["indicators"]}
    assert rules[35].endswith("重点工作。(2分)")
    assert "100%;(1分)" in rules[11] and "%。(1分)" not in rules[17]
    wheres = {c["where"] for c in exports["yancheng"]["corrections"]}
    assert "indicator 35 rule" in wheres and "indicators 11, 17, 18, 19, 25 rule" in wheres
