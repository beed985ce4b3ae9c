"""National versions: 2022 rebuilt from both city tables, 2026 known only by its floor and cycle;
a campaign's pass rule comes from one function, which answers, digest and export all read."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import yaml
from sqlmodel import Session

from bot.cli import main
from knowledge.campaigns import get_campaign
from knowledge.export import export_campaign
from knowledge.loader import data_dir, load_all
from knowledge.national import pass_rule, version
from knowledge.projection import to_json
from knowledge.units import UnitDirectory, normalize
from reminders.digest import build
from tests.conftest import fresh_url, new_engine


def city(slug: str) -> dict:
    return yaml.safe_load((data_dir() / f"{slug}.yaml").read_text(encoding="utf-8"))


def test_2022_is_typed_cached_and_complete():
    v = version("2022")
    assert v is version("2022")
    assert v.transcribed and len(v.indicators) == 41
    assert sum(n.points for n in v.indicators) == 100
    assert (v.pass_rule.total, v.pass_rule.level1_rate, v.cycle.years) == (Decimal(85), 0.75, 2)
    for n in v.indicators:
        assert n.rule and n.methods and n.sources, n.national_no
        if n.scoring == "items":
            assert sum(it.points for it in n.items) == n.points, n.national_no


def test_2026_knows_only_its_floor_and_cycle():
    v = version("2026")
    assert not v.transcribed and v.indicators == []
    assert v.pass_rule.level1_rate == 0.80 and v.cycle.years == 3 and v.cycle.at_least


def test_2022_agrees_with_both_cities_where_they_agree():
    """Levels, points, nature, methods, sources, scoring and item counts are the cities' common text."""
    v = version("2022")
    tables = {slug: {i["national_no"]: i for i in city(slug)["indicators"]} for slug in ("hejin", "yancheng")}
    for n in v.indicators:
        rows = [t[n.national_no] for t in tables.values() if n.national_no in t]
        for row in rows:
            assert (row["level1"], row["level2"], row["nature"], row["scoring"]) == (
                n.level1, n.level2, n.nature, n.scoring)
            assert (Decimal(str(row["points"])), row["methods"], row["sources"], len(row["items"])) == (
                n.points, n.methods, n.sources, len(n.items))
        if len(rows) == 2 and normalize(rows[0]["title"]) == normalize(rows[1]["title"]):
            assert normalize(n.title) == normalize(rows[0]["title"]), n.national_no


def test_every_choice_between_the_cities_is_commented():
    text = (data_dir() / "national" / "2022.yaml").read_text(encoding="utf-8")
    tables = {slug: {i["national_no"]: i for i in city(slug)["indicators"]} for slug in ("hejin", "yancheng")}
    differ = {no for no in tables["yancheng"] if no not in tables["hejin"] or any(
        tables["hejin"][no][f] != tables["yancheng"][no][f] for f in ("title", "rule", "items"))}
    commented = {int(m) for m in re.findall(r"^# 第 (\d+) 项 ", text, re.M)}
    assert differ <= commented, differ - commented


def test_one_pass_rule_for_answers_digest_and_export(tmp_path, monkeypatch, capsys):
    """A campaign whose document states its own rule (80, 70%): every reader says 80 and 70%."""
    text = (data_dir() / "hejin.yaml").read_text(encoding="utf-8")
    text = re.sub(r"  pass_rule_text: .*\n", "  pass_rule:\n    total: 80\n    level1_rate: 0.7\n"
                  "  pass_rule_text: 本评估指标体系合格标准为:总分≥80分,且每个一级指标得分率≥70%。\n", text)
    own = tmp_path / "campaigns"
    own.mkdir()
    (own / "hejin.yaml").write_text(text, encoding="utf-8")
    engine = new_engine()
    with Session(engine) as s:
        load_all(s, own)
        s.commit()
        camp = get_campaign(s, "hejin")
        rule = pass_rule(camp)
        assert (rule.total, rule.level1_rate, rule.source) == (Decimal(80), 0.7, "campaign")
        digest, _ = build(s, camp, UnitDirectory.load(s, camp), date(2023, 6, 1))
        j = to_json(digest, UnitDirectory.load(s, camp), "2023-06-01")
        assert (j["pass"]["total"], j["pass"]["level1_rate"]) == (80, 0.7)
        assert export_campaign(session=s, campaign=camp)["pass_rule"]["total"] == 80
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    monkeypatch.setenv("CAMPAIGNS_DIR", str(own))
    assert main(["ask", "--campaign", "hejin", "促进发展一级指标"]) == 0
    assert main(["ask", "--campaign", "hejin", "合格标准是什么"]) == 0
    out = capsys.readouterr().out
    assert "该一级指标得分率≥70%" in out and "总分≥80分" in out and "85" not in out and "75%" not in out


def test_shipped_cities_follow_2022():
    with Session(new_engine()) as s:
        load_all(s)
        for slug in ("hejin", "yancheng"):
            rule = pass_rule(get_campaign(s, slug))
            assert (rule.total, rule.level1_rate, rule.source) == (Decimal(85), 0.75, "national:2022")
