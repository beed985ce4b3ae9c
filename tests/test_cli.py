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


# DEFAULT_CAMPAIGN: every subcommand that takes --campaign (issue 17)

@pytest.mark.parametrize("argv", [
    ["units"], ["indicators"], ["export", "--json"], ["digest", "--format", "json"], ["reminders", "--json"],
    ["phases", "list", "--json"], ["due", "list"], ["officers", "list"], ["ask", "第1项谁负责"],
])
def test_every_campaign_command_runs_on_default_campaign(cli, monkeypatch, argv):
    monkeypatch.setenv("DEFAULT_CAMPAIGN", "yancheng")
    code, out, err = cli(*argv)
    assert code == 0, err
    assert "required" not in err and "必填" not in err
    code_named, out_named, _ = cli(*argv, "--campaign", "yancheng") if argv[0] != "ask" else \
        cli("ask", "--campaign", "yancheng", argv[1])
    assert code_named == 0 and out == out_named  # the same as naming it
    if argv[0] in ("units", "officers"):
        assert "盐城" in out and "河津" not in out
    if argv[0] == "export":
        assert json.loads(out)["campaign"] == "yancheng"
    if argv[0] == "due":
        assert "2023-12-31" in out  # Yancheng's plan (Hejin has no timeline)


def test_default_campaign_unset_is_hejin_or_the_only_one_loaded(tmp_path, monkeypatch):
    import shutil

    from sqlmodel import Session

    from bot.cli.common import pick_campaign
    from bot.settings import Settings
    from knowledge.db import create_schema, make_engine
    from knowledge.loader import campaign_files, load_all

    monkeypatch.delenv("DEFAULT_CAMPAIGN", raising=False)
    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)
    files = {p.stem: p for p in campaign_files()}
    only = tmp_path / "only"
    only.mkdir()
    with Session(engine) as session:
        shutil.copy(files["yancheng"], only)
        load_all(session, only)
        session.commit()
        assert pick_campaign(session, None, Settings()).slug == "yancheng"  # the only one loaded
        monkeypatch.setenv("DEFAULT_CAMPAIGN", "hejin")  # named but not loaded: say so
        with pytest.raises(LookupError, match="hejin"):
            pick_campaign(session, None, Settings())
        shutil.copy(files["hejin"], only)
        load_all(session, only)
        session.commit()
        monkeypatch.delenv("DEFAULT_CAMPAIGN")
        assert pick_campaign(session, None, Settings()).slug == "hejin"  # the documented default
        assert pick_campaign(session, "yancheng", Settings()).slug == "yancheng"


# argparse speaks Chinese

def _usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法: liaison-bot") and "错误: " in err
    for english in ("usage:", "error:", "the following", "invalid choice", "required", "argument", "choose from"):
        assert english not in err, (english, err)
    return err


def test_argparse_messages_are_chinese(cli, capsys):
    assert "缺少必填的参数:命令(load / db" in _usage_error(capsys)
    assert "没有“frobnicate”这个命令,可选:load、db" in _usage_error(capsys, "frobnicate")
    assert "缺少必填的参数:命令(add / import / list / revoke 之一)" in _usage_error(capsys, "officers")
    assert "缺少必填的参数:--unit" in _usage_error(capsys, "officers", "add")
    assert "缺少必填的参数:问题" in _usage_error(capsys, "ask")
    assert "--format 不能是“pdf”,可选:text、json、png、xlsx、zip" in _usage_error(capsys, "digest", "--format", "pdf")
    assert "--indicator:“x”不是整数" in _usage_error(capsys, "due", "set", "--indicator", "x", "--date", "1")
    assert "--campaign 后面要跟一个值" in _usage_error(capsys, "units", "--campaign")
    assert "不认识的参数:--bogus" in _usage_error(capsys, "units", "--bogus")
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法: liaison-bot") and "选项:" in out and "显示帮助并退出" in out and "命令:" in out
    assert "show this help" not in out and "options:" not in out and "positional arguments" not in out


# every subcommand says what it did

def test_empty_lists_say_so(cli):
    code, out, _ = cli("chats", "list")
    assert code == 0 and "还没有绑定任何群" in out and "/setup" in out
    code, out, _ = cli("officers", "list")
    assert code == 0 and "河津市还没有登记联络员" in out
    code, out, _ = cli("due", "list", "--campaign", "hejin")
    assert code == 0 and "还没有截止日期" in out


def test_digest_out_says_where_it_wrote(cli, tmp_path):
    for fmt in ("text", "json"):
        target = tmp_path / f"digest.{fmt}"
        code, out, err = cli("digest", "--format", fmt, "--out", str(target))
        assert code == 0 and out == "" and f"已写入 {target}" in err and target.stat().st_size > 0


def test_phases_shift_with_a_bad_date_gives_shifts_syntax(cli):
    code, _, err = cli("phases", "shift", "--start", "2026-13-01")
    assert code == 2 and "日期“2026-13-01”不对:月份应为 1 到 12" in err
    assert "phases shift --start 2026-12-01" in err and "名称:开始日期" not in err
    code, _, err = cli("phases", "shift", "--start", "2027-02-29")
    assert code == 2 and "2027 年 2 月只有 28 天" in err
    code, _, err = cli("phases", "set", "--phase", "动员部署:2026-12-01")
    assert code == 2 and "不是一个阶段" in err and "名称:开始日期:结束日期" in err
    code, _, err = cli("due", "set", "--indicator", "3", "--date", "明天")
    assert code == 2 and "日期“明天”不对:不是日期" in err and "due set --indicator 12 --date 2027-03-31" in err
    code, out, _ = cli("phases", "set", "--phase", "动员部署:2026-12-01:2026-12-31", "--phase", "创建:2027-01-01:2027-06-30")
    assert code == 0 and out.startswith("已设置 2 个阶段:")
    code, out, _ = cli("phases", "shift", "--start", "2027-01-04")
    assert code == 0 and out.startswith("时间表已改从 2027-01-04 开始:")
    code, out, _ = cli("due", "set", "--indicator", "3", "--date", "2027-03-31")
    assert code == 0 and out.startswith("已设定:第3项 截止 2027-03-31。")


def test_an_integrity_error_is_not_called_a_connection_problem(capsys):
    """A write the database refuses is a bug to report, not "无法连接数据库"."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    from bot.cli.common import failure

    exc = IntegrityError("INSERT …", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed"))
    assert failure(exc, None) == 1
    err = capsys.readouterr().err
    assert "无法连接" not in err and "数据完整性约束" in err and "FOREIGN KEY" in err
