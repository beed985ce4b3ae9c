""""Not stated" is a value: `units: []` with `units_not_stated: true` says 原文未列明 and counts no unit."""

from __future__ import annotations

import re
from datetime import date

import yaml
from sqlmodel import Session, select

from bot.cli import main
from knowledge.campaigns import get_campaign
from knowledge.loader import data_dir, load_all
from knowledge.models import Indicator, IndicatorUnit, Task, TaskUnit
from knowledge.units import UnitDirectory
from knowledge.validation import inspect_file
from reminders.digest import build
from tests.conftest import fresh_url, new_engine


def not_stated_hejin(folder):
    doc = yaml.safe_load((data_dir() / "hejin.yaml").read_text(encoding="utf-8"))
    ind = next(i for i in doc["indicators"] if i["no"] == 1)
    ind["units"], ind["units_not_stated"] = [], True
    doc["tasks"][0]["units"], doc["tasks"][0]["units_not_stated"] = [], True
    folder.mkdir(exist_ok=True)
    path = folder / "hejin.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_empty_units_need_the_flag(tmp_path):
    path = not_stated_hejin(tmp_path)
    text = re.sub(r"\n *units_not_stated: true", "", path.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")
    errors = inspect_file(path).errors
    assert any("units 为空:原文未列明责任单位时请写 units: [] 并加 units_not_stated: true" in e
               and e.startswith("第 ") for e in errors), errors


def test_not_stated_loads_with_no_unit_rows_and_no_phantom_in_the_digest(tmp_path):
    not_stated_hejin(tmp_path / "data")
    engine = new_engine()
    with Session(engine) as s:
        load_all(s, tmp_path / "data")
        s.commit()
        camp = get_campaign(s, "hejin")
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 1)).one()
        assert s.exec(select(IndicatorUnit).where(IndicatorUnit.indicator_id == ind.id)).all() == []
        task = s.exec(select(Task).where(Task.campaign_id == camp.id, Task.seq == 1)).one()
        assert s.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all() == []
        directory = UnitDirectory.load(s, camp)
        digest, _ = build(s, camp, directory, date(2023, 6, 1))
        assert all(not t.units for t in digest.targets if t.indicator.no == 1)
        owed = sum(len(t.units - t.delivered) for t in digest.targets)
        assert sum(u["owed"] for u in digest.units) == owed  # every owed item belongs to a real unit
        names = {u.name for u in directory.units.values()}
        assert all(u["unit"] in names for u in digest.units)


def test_answers_say_not_stated(tmp_path, monkeypatch, capsys):
    not_stated_hejin(tmp_path / "campaigns")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    monkeypatch.setenv("CAMPAIGNS_DIR", str(tmp_path / "campaigns"))
    assert main(["ask", "--campaign", "hejin", "第1项"]) == 0
    out = capsys.readouterr().out
    assert "责任单位</b>：原文未列明" in out or "责任单位：原文未列明" in out, out
    assert "— 牵头" not in out
    assert main(["ask", "--campaign", "hejin", "第1项谁负责"]) == 0
    out = capsys.readouterr().out
    assert "原文未列明" in out and "— 牵头" not in out, out
    assert main(["ask", "--campaign", "hejin", "第1项任务"]) == 0
    out = capsys.readouterr().out
    assert "原文未列明" in out and "— 牵头" not in out, out
