"""The loader validates before it writes, names what is wrong, and is idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from bot.cli import main
from knowledge.loader import LoadError, data_dir, load_all
from knowledge.models import Campaign, Correction, Indicator, IndicatorUnit, Task, Unit, UnitName
from tests.conftest import fresh_url, new_engine

TABLES = (Campaign, Unit, UnitName, Indicator, IndicatorUnit, Task, Correction)


def counts(session: Session) -> dict[str, int]:
    return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def test_load_twice_changes_nothing():
    engine = new_engine()
    with Session(engine) as s:
        first = load_all(s)
        s.commit()
        before = counts(s)
        ids = {i.no: i.id for i in s.exec(select(Indicator))}
    with Session(engine) as s:
        second = load_all(s)
        s.commit()
        assert all(r.changed for r in first) and not any(r.changed for r in second)
        assert counts(s) == before
        assert {i.no: i.id for i in s.exec(select(Indicator))} == ids


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in ("hejin.yaml",):
        shutil.copy(data_dir() / name, tmp_path / name)
    return tmp_path


def edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def load_problems(directory: Path) -> list[str]:
    with pytest.raises(LoadError) as err, Session(new_engine()) as s:
        load_all(s, directory)
    assert err.value.path.endswith(".yaml")
    return err.value.problems


def _ind(doc: dict, no: int) -> dict:
    return next(i for i in doc["indicators"] if i["no"] == no)


@pytest.mark.parametrize("change,expected", [
    (lambda d: _ind(d, 12).pop("title"), "指标 12: title: 缺少必填字段"),
    (lambda d: _ind(d, 12).update(points=4), "指标 12: points: 评分项合计 3 ≠ 指标分值 4"),
    (lambda d: _ind(d, 13).update(no=12), "指标 12: no: 编号 12 重复"),
    (lambda d: _ind(d, 7).update(units=["市气象局"]), "指标 7: units.0: 单位“市气象局”"),
    (lambda d: d["campaign"].update(date="2023-13-45"), "campaign: date"),
    (lambda d: _ind(d, 7).update(points=3), "“促进发展/发展质量”三级指标合计 11 ≠ 二级指标 10"),
    (lambda d: d["tasks"][2]["units"].append("市宇宙局"), "任务 3: units.7: 单位“市宇宙局”"),
    (lambda d: _ind(d, 7).update(points=1.25), "指标 7: points: 分值只能是整数或 0.5 的倍数"),
    (lambda d: d["campaign"].update(reminders={"send_at": "9点"}), "campaign: reminders.send_at"),
    (lambda d: d["campaign"].update(reminders={"brief": "everything"}), "campaign: reminders.brief"),
    (lambda d: d["campaign"].update(reminders={"before": [14, "x"]}), "campaign: reminders.before"),
])
def test_broken_yaml_names_file_item_and_field(data_copy, change, expected):
    edit(data_copy / "hejin.yaml", change)
    problems = load_problems(data_copy)
    assert any(expected in p for p in problems), problems


def test_broken_yaml_writes_nothing(data_copy):
    edit(data_copy / "hejin.yaml", lambda d: _ind(d, 3).pop("units"))
    engine = new_engine()
    with Session(engine) as s, pytest.raises(LoadError):
        load_all(s, data_copy)
    with Session(engine) as s:
        assert counts(s)["Campaign"] == 0


def test_yaml_syntax_error_has_line(data_copy):
    (data_copy / "hejin.yaml").write_text("campaign: [unclosed\n", encoding="utf-8")
    problems = load_problems(data_copy)
    assert "YAML" in problems[0] and "行" in problems[0]


def test_cli_check_reports_without_traceback(data_copy, capsys):
    edit(data_copy / "hejin.yaml", lambda d: _ind(d, 12).update(points=4))
    assert main(["check", "--dir", str(data_copy)]) == 1
    err = capsys.readouterr().err
    lines = (data_copy / "hejin.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("  national_no: 13")  # indicator 12 (national 13): its points line is the one reported
    line = next(n for n, text in enumerate(lines[start:], start + 1) if text.startswith("  points:"))
    assert f"hejin.yaml: 第 {line} 行: 指标 12: points" in err and "Traceback" not in err


def test_cli_check_ok_and_reports_national_gap(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "全国第5项 快递业务同比增速: 本表没有(omits_national 已声明,本表少 2 分)" in out
    assert "本表 40 项 98 分" in out


def test_campaigns_dir_adds_a_city_and_needs_no_national_copy(tmp_path, monkeypatch, capsys):
    """A deployment's own folder (CAMPAIGNS_DIR) holds just the city file; it loads beside the shipped ones
    and stays loaded across commands."""
    own = tmp_path / "campaigns"
    own.mkdir()
    doc = yaml.safe_load((data_dir() / "yancheng.yaml").read_text(encoding="utf-8"))
    doc["campaign"]["slug"] = "yctest"
    (own / "yctest.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    monkeypatch.setenv("CAMPAIGNS_DIR", str(own))
    assert main(["check"]) == 0
    assert main(["check", "--dir", str(own)]) == 0
    assert main(["ask", "--campaign", "yctest", "第3项"]) == 0
    assert main(["ask", "--campaign", "hejin", "第3项"]) == 0
    assert "网络交易经营者数量占市场主体比重" in capsys.readouterr().out


def test_a_file_that_drops_units_loads_over_the_old_one(tmp_path):
    """A city file whose units changed (here: Yancheng's draft, 31 units where the shipped file has
    42) loads over the stored campaign: the units no longer named are dropped only after the
    indicators, tasks and leading group that pointed at them are rewritten (before, a foreign-key
    error), and a unit an officer belongs to is kept."""
    import re

    from sqlmodel import Session, select

    from knowledge.campaigns import get_campaign
    from knowledge.draft import draft_plan
    from knowledge.models import Officer, Unit
    from tests.conftest import campaigns_engine

    seed = Path(__file__).parent / "seeds" / "002_cc65fc064bb31cd3.txt"
    text = draft_plan(seed.read_text(encoding="utf-8"), slug="yancheng", source_file=seed.name).yaml()
    text = re.sub(r"'TODO: [^']*'", "已核对", text)
    (tmp_path / "yancheng.yaml").write_text(text, encoding="utf-8")
    engine = campaigns_engine()
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        kept = s.exec(select(Unit).where(Unit.campaign_id == camp.id, Unit.name == "东台市")).one()
        s.add(Officer(campaign_id=camp.id, unit_id=kept.id, external_id="7", name="某", status="active"))
        s.commit()
        [report] = load_all(s, tmp_path)
        s.commit()
        assert report.error is None and report.changed
        names = set(s.exec(select(Unit.name).where(Unit.campaign_id == camp.id)))
    assert "东台市" in names  # an officer's unit stays
    assert len(names) < 42


def test_an_unchanged_file_is_not_checked_again_at_start(monkeypatch):
    """Every command and the bot call ``load_all`` at start; a file stored as it is now was checked
    when it was loaded, so its full check (the slow, line-tracking parse) is not run again."""
    import knowledge.validation
    from tests.conftest import campaigns_engine

    def no_check(path):
        raise AssertionError(f"{path} checked again")

    engine = campaigns_engine()
    monkeypatch.setattr(knowledge.validation, "inspect_file", no_check)
    with Session(engine) as s:
        reports = load_all(s)
    assert {r.slug for r in reports} == {"hejin", "yancheng"} and not any(r.changed for r in reports)
