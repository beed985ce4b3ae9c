"""The command line: the export contract, the unit listing and clear errors."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from tests.conftest import fresh_url


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_export_json_contract(cli):
    code, out, _ = cli("export", "--campaign", "hejin", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"campaign", "city", "region", "pass_rule", "indicators", "tasks", "phases",
            "corrections", "national_check"} <= set(data)
    first = data["indicators"][0]
    assert {k: first[k] for k in ("no", "level1", "level1_points", "level2", "level2_points",
                                  "nature", "title", "points")} == {
        "no": 1, "level1": "促进发展", "level1_points": 20, "level2": "发展规模",
        "level2_points": 10, "nature": "定量", "title": "网上零售额同比增速", "points": 2}
    assert first["units"][0] == {"as_written": "市统计局", "unit": "统计局", "role": "牵头",
                                 "kind": "department"}
    assert set(data["tasks"][0]) >= {"no", "section", "title", "units"}
    assert set(data["corrections"][0]) >= {"where", "as_written", "corrected", "why"}


def test_unknown_campaign_exit_2(cli):
    code, _, err = cli("export", "--campaign", "tianjin", "--json")
    assert code == 2 and "tianjin" in err and "hejin" in err


def test_unknown_unit_exit_2_with_suggestions(cli):
    code, _, err = cli("indicators", "--campaign", "hejin", "--unit", "气象局")
    assert code == 2 and "没有找到" in err
    code, _, err = cli("indicators", "--campaign", "hejin", "--unit", "市场局监管")
    assert code in (0, 2)


def test_indicators_of_unit(cli):
    code, out, _ = cli("indicators", "--campaign", "hejin", "--unit", "发改委")
    assert code == 0 and "牵头的指标" in out and "第29项" in out
    code, out, _ = cli("indicators", "--campaign", "yancheng", "--unit", "邮管局", "--json")
    data = json.loads(out)
    assert data["unit"] == "邮政管理局" and [d["no"] for d in data["lead"]] == [5]


def test_units_listing(cli):
    code, out, _ = cli("units", "--campaign", "yancheng", "--json")
    names = {u["name"] for u in json.loads(out)["units"]}
    assert {"市场监督管理局", "商务局", "领导小组", "各有关部门", "东台市"} <= names


def test_load_is_idempotent(cli):
    assert cli("load")[0] == 0
    code, out, _ = cli("load")
    assert code == 0 and "无变化" in out
