"""The digest's numbers, checked one by one on a small campaign state built by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from knowledge.campaigns import get_campaign
from knowledge.models import Evidence, Indicator, IndicatorItem
from knowledge.projection import compute, to_json
from knowledge.units import UnitDirectory
from tests.conftest import campaigns_engine

NOW = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.fixture
def store():
    engine = campaigns_engine()
    with Session(engine) as s:
        yield s


def add(s, camp, d, no, unit, status, points=None, item=None):
    ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == no)).one()
    item_id = None
    if item:
        item_id = s.exec(select(IndicatorItem).where(IndicatorItem.indicator_id == ind.id,
                                                     IndicatorItem.no == item)).one().id
    s.add(Evidence(campaign_id=camp.id, indicator_id=ind.id, item_id=item_id, unit_id=d.resolve(unit).unit.id,
                   status=status, awarded_points=points, created_at=NOW))
    s.flush()


def test_empty_campaign(store):
    camp = get_campaign(store, "yancheng")
    d = UnitDirectory.load(store, camp)
    dig = compute(store, camp, d, date(2026, 11, 24), {})
    j = to_json(dig, d, "2026-11-24")
    assert j["score"] == {"confirmed": 0, "projected": 0, "max": 100, "national_max": 100}
    assert j["pass"] == {"total": 85, "level1_rate": 0.75, "confirmed": False, "projected": False}
    assert sum(g["points"] for g in j["gap_plan"]) >= 85


def test_hand_built_state_every_number(store):
    camp = get_campaign(store, "yancheng")
    d = UnitDirectory.load(store, camp)
    add(store, camp, d, 1, "市监局", "accepted", Decimal(2))
    add(store, camp, d, 2, "市监局", "accepted", Decimal("1.5"))
    add(store, camp, d, 11, "市监局", "accepted", Decimal(1), item=1)
    add(store, camp, d, 11, "市监局", "submitted", item=2)
    add(store, camp, d, 12, "发改委", "rejected")
    dig = compute(store, camp, d, date(2026, 11, 24), {12: date(2026, 11, 1)})
    j = to_json(dig, d, "2026-11-24")
    assert j["score"]["confirmed"] == 4.5 and j["score"]["projected"] == 5.5
    lv = {x["name"]: x for x in j["level1"]}
    assert lv["促进发展"] == {"name": "促进发展", "points": 20, "table_points": 20, "confirmed": 3.5,
                          "projected": 3.5, "rate": 0.175, "projected_rate": 0.175, "ok": False,
                          "projected_ok": False}
    assert (lv["规范监管"]["confirmed"], lv["规范监管"]["projected"]) == (1, 2)
    units = {u["unit"]: u for u in j["units"]}
    assert units["发展和改革委员会"]["rejected"] == 1 and units["市场监督管理局"]["accepted"] == 3
    assert {"no": 12, "item": 1, "unit": "发展和改革委员会", "due": "2026-11-01"} in j["overdue"]
    # units without officers come first
    assert all(u["officers"] == 0 for u in j["units"])


def test_hejin_98_point_table(store):
    camp = get_campaign(store, "hejin")
    d = UnitDirectory.load(store, camp)
    j = to_json(compute(store, camp, d, date(2026, 11, 24), {}), d, "x")
    assert j["score"]["max"] == 98
    assert {x["name"]: x["table_points"] for x in j["level1"]}["促进发展"] == 18


def test_campaign_that_passes(store):
    camp = get_campaign(store, "yancheng")
    d = UnitDirectory.load(store, camp)
    for ind in store.exec(select(Indicator).where(Indicator.campaign_id == camp.id)):
        store.add(Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=d.resolve("市监局").unit.id,
                           status="accepted", awarded_points=ind.points, created_at=NOW))
    store.flush()
    j = to_json(compute(store, camp, d, date(2026, 11, 24), {}), d, "x")
    assert j["score"]["confirmed"] == 100 and j["pass"]["confirmed"] and j["gap_plan"] == []
