"""What the question path keeps between questions (issue 15's latency work) never outlives what
it was read from: the targets behind "哪些单位还没交材料" follow a reload of the campaign YAML and
every submission and review; an indicator card's due date follows the office's dates and a
shifted timeline. Replies are built without ``ReplyCache``, so only these caches are under test."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import yaml
from sqlmodel import Session, select

from bot.replies import answer_typed
from knowledge import timeline
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.loader import data_dir, load_all
from knowledge.models import Evidence, Indicator
from knowledge.projection import as_of
from knowledge.units import UnitDirectory
from tests.conftest import campaigns_engine, new_engine

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def _owed_targets(session: Session, slug: str, no: int) -> tuple[set[str], Decimal]:
    camp = get_campaign(session, slug)
    directory = UnitDirectory.load(session, camp)
    digest, _ = as_of(session, camp, directory, TODAY)
    targets = [t for t in digest.targets if t.indicator.no == no]
    return {directory.units[u].name for t in targets for u in t.units}, sum((t.confirmed for t in targets), Decimal(0))


def test_targets_follow_a_reload_of_the_campaign_yaml(tmp_path: Path):
    shutil.copy(data_dir() / "hejin.yaml", tmp_path / "hejin.yaml")
    engine = new_engine()
    with Session(engine) as s:
        load_all(s, tmp_path)
        s.commit()
    with Session(engine) as s:
        units, _ = _owed_targets(s, "hejin", 7)
    assert units == {"税务局"}
    path = tmp_path / "hejin.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(i for i in doc["indicators"] if i["no"] == 7)["units"].append("市统计局")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with Session(engine) as s:
        load_all(s, tmp_path)
        s.commit()
    with Session(engine) as s:
        units, _ = _owed_targets(s, "hejin", 7)
    assert units == {"税务局", "统计局"}


def test_owe_all_follows_every_submission_and_review():
    engine = campaigns_engine()

    def owe_all() -> str:
        with Session(engine) as s:
            camp = get_campaign(s, "hejin")
            return answer_typed(s, camp, UnitDirectory.load(s, camp), "哪些单位还没交材料", Asker(), TODAY).text

    first = owe_all()
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 7)).one()
        tax = UnitDirectory.load(s, camp).resolve("税务局").unit
        points = ind.points
        s.add(Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=tax.id, status="submitted", created_at=NOW))
        s.commit()
    submitted = owe_all()
    assert submitted != first
    with Session(engine) as s:
        ev = s.exec(select(Evidence)).one()
        ev.status, ev.awarded_points = "accepted", points
        s.add(ev)
        s.commit()
        assert _owed_targets(s, "hejin", 7)[1] == points
    accepted = owe_all()
    assert accepted not in (first, submitted)
    with Session(engine) as s:  # a review undone: nothing of it stays in what is kept
        s.delete(s.exec(select(Evidence)).one())
        s.commit()
        assert _owed_targets(s, "hejin", 7)[1] == 0
    assert owe_all() == first


def test_an_indicator_card_follows_the_office_dates_and_a_shifted_timeline():
    engine = campaigns_engine()

    def card() -> str:
        with Session(engine) as s:
            camp = get_campaign(s, "yancheng")
            return answer_typed(s, camp, UnitDirectory.load(s, camp), "/ind 3", Asker(), TODAY).text

    assert "材料截止</b>：2023-12-31（推定：文件未规定材料截止日期" in card()
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        timeline.shift(s, camp, date(2026, 1, 1), by=None, now=NOW)
        s.commit()
    shifted = card()
    assert "2023-12-31" not in shifted and "（推定：按办公室时间表中" in shifted
    with Session(engine) as s:  # the office's choice of the phase whose end is the default date
        camp = get_campaign(s, "yancheng")
        row = timeline.state(s, camp)
        row.evidence_phase_no = 4
        s.add(row)
        s.commit()
    chosen = card()
    assert chosen != shifted and "“评估验收”阶段结束日" in chosen
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        timeline.set_due(s, camp, 3, date(2026, 12, 1), by=None, now=NOW)
        s.commit()
    assert "材料截止</b>：2026-12-01（领导小组办公室设定）" in card()


def test_leaders_tasks_and_indicator_lists_follow_a_reload(tmp_path: Path):
    """The leading group, the task rows and links, and the indicator list are kept per data
    version (``duties.kept``): a reload that changes them shows in the next answer."""
    shutil.copy(data_dir() / "hejin.yaml", tmp_path / "hejin.yaml")
    engine = new_engine()
    questions = ("谁是组长", "第3项任务", "哪些指标要用国家网络交易监管平台的数据")

    def replies() -> list[str]:
        with Session(engine) as s:
            load_all(s, tmp_path)
            s.commit()
        with Session(engine) as s:
            camp = get_campaign(s, "hejin")
            directory = UnitDirectory.load(s, camp)
            return [answer_typed(s, camp, directory, q, Asker(), TODAY).text for q in questions]

    leaders, task, source = replies()
    assert "王云" in leaders and "促进线上线下融合发展" in task and "市教育局" in task
    path = tmp_path / "hejin.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    head = doc["leading_group"][0]
    head["name"] = head["name_as_written"] = "王大云"
    task3 = next(t for t in doc["tasks"] if t["seq"] == 3)
    task3["title"] = "促进线上线下深度融合"
    task3["units"].remove("市教育局")
    platform = [i for i in doc["indicators"] if any("国家网络交易监管平台" in x for x in i.get("sources", []))]
    assert platform and all(i["title"] in source for i in platform)
    platform[0]["sources"] = ["创建对象提供"]  # the source reply lists one indicator fewer
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    leaders2, task2, source2 = replies()
    assert "王大云" in leaders2 and "王云" not in leaders2
    assert "促进线上线下深度融合" in task2 and "市教育局" not in task2
    assert platform[0]["title"] not in source2 and all(i["title"] in source2 for i in platform[1:])
