"""`check` is strict and read-only: each mistake of issue 16 is caught with a Chinese message that
names the file and the line; a broken file is skipped and named, the others keep working."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from knowledge.loader import LoadError, data_dir, read_campaign
from knowledge.validation import inspect_file
from tests.conftest import fresh_url

HEJIN = (data_dir() / "hejin.yaml").read_text(encoding="utf-8")
ENGLISH = re.compile(r"\b(Input|should|valid|Field|required|Extra|inputs|permitted|differs|missing)\b")


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first ``needle`` at or after character ``start``."""
    return text[: text.index(needle, start)].count("\n") + 1


def indicator_block(text: str, no: int) -> int:
    """Where ``- 'no': <no>`` of the indicators section starts."""
    return text.index(f"- 'no': {no}\n", text.index("\nindicators:\n"))


def write(tmp_path: Path, text: str, name: str = "hejin.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    result = inspect_file(path)
    for message in result.errors + result.warnings:
        assert not ENGLISH.search(message), message  # Chinese, not pydantic's English
    return result.errors


def has(errors: list[str], line: int, *parts: str) -> bool:
    return any(e.startswith(f"第 {line} 行: ") and all(p in e for p in parts) for e in errors)


def test_shipped_files_pass():
    for name in ("hejin", "yancheng"):
        result = inspect_file(data_dir() / f"{name}.yaml")
        assert result.ok and not result.warnings, result.errors + result.warnings


def test_no_key_unquoted_is_a_key(tmp_path):
    """SCHEMA.md's own example writes `- no: 1`: YAML 1.1 reads `no` as false; check reads the key."""
    text = HEJIN.replace("- 'no': ", "- no: ").replace("\n  'no': ", "\n  no: ")
    assert "'no'" not in text
    assert errors_of(write(tmp_path, text)) == []


def test_misspelt_key_is_an_error_with_did_you_mean(tmp_path):
    start = indicator_block(HEJIN, 7)
    at = HEJIN.index("  rule:", start)
    text = HEJIN[:at] + "  rul:" + HEJIN[at + len("  rule:"):]
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "  rul:"), "指标 7: rul", "未知字段“rul”", "您是不是要写 “rule”"), errors


def test_points_differing_from_national_are_errors_unless_explained(tmp_path):
    start = indicator_block(HEJIN, 1)
    at = HEJIN.index("  points: 2\n", start)
    text = HEJIN[:at] + "  points: 3\n" + HEJIN[at + len("  points: 2\n"):]
    # rule text stays; scoring whole: only the national comparison and the level sums object
    errors = errors_of(write(tmp_path, text))
    line = line_of(text, "  points: 3\n", start)
    assert has(errors, line, "指标 1: points", "分值 3 与全国指标体系(2022 版)第 1 项的 2 分不同"), errors
    explained = text + ("- where: indicator 1 points\n  as_written: '3'\n  corrected: '3'\n"
                        "  why: 测试:原文如此\n")
    assert not [e for e in errors_of(write(tmp_path, explained)) if "全国指标体系" in e]


def test_swapped_national_no_is_caught(tmp_path):
    a, b = indicator_block(HEJIN, 1), indicator_block(HEJIN, 2)
    text = HEJIN[:a] + HEJIN[a:b].replace("national_no: 1\n", "national_no: 2\n") \
        + HEJIN[b:].replace("national_no: 2\n", "national_no: 1\n", 1)
    errors = errors_of(write(tmp_path, text))
    line = line_of(text, "  title: 网上零售额同比增速\n", a)
    assert has(errors, line, "指标 1: title", "标题与全国指标体系(2022 版)第 2 项", "与全国第 1 项相同",
               "national_no 是否写错"), errors


def test_unit_one_homophone_off_gets_did_you_mean(tmp_path):
    start = indicator_block(HEJIN, 1)
    at = HEJIN.index("  - 市统计局\n", start)
    text = HEJIN[:at] + "  - 市统记局\n" + HEJIN[at + len("  - 市统计局\n"):]
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "市统记局"), "指标 1: units.0", "单位“市统记局”",
               "您是不是要写 “市统计局”(同音字“记”应为“计”)"), errors


def test_unit_one_character_missing_gets_did_you_mean(tmp_path):
    start = indicator_block(HEJIN, 1)
    at = HEJIN.index("  - 市统计局\n", start)
    text = HEJIN[:at] + "  - 市统局\n" + HEJIN[at + len("  - 市统计局\n"):]
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "  - 市统局"), "您是不是要写 “市统计局”(少了“计”字)"), errors


def test_yaml_syntax_error_names_its_line_not_the_end(tmp_path):
    at = HEJIN.index("  methods:\n  - 数据比对\n", indicator_block(HEJIN, 3))
    text = HEJIN[:at] + "  methods: [数据比对, 资料审查\n" + HEJIN[at:].split("\n", 3)[3]
    errors = errors_of(write(tmp_path, text))
    line = line_of(text, "  methods: [数据比对, 资料审查")
    assert len(errors) == 1 and errors[0].startswith(f"第 {line} 行: YAML 语法错误"), errors
    assert "没有闭合" in errors[0]
    tab = HEJIN.replace("  province: 山西省", "\tprovince: 山西省")
    errors = errors_of(write(tmp_path, tab))
    assert errors[0].startswith(f"第 {line_of(tab, chr(9))} 行: YAML 语法错误") and "制表符" in errors[0], errors


def test_duplicate_key_is_an_error(tmp_path):
    text = HEJIN.replace("  province: 山西省\n", "  province: 山西省\n  province: 山西\n")
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "  province: 山西\n"), "campaign: province", "键重复"), errors


@pytest.mark.parametrize("insert,expected", [
    ("  pass_rule:\n    total: 80\n    level1_rate: 0.7\n", "原文写总分≥85分,而本方案的 pass_rule 是总分≥80分"),
    ("", None),
])
def test_pass_rule_cannot_contradict_itself(tmp_path, insert, expected):
    text = HEJIN.replace("  pass_rule_text:", insert + "  pass_rule_text:")
    errors = errors_of(write(tmp_path, text))
    if expected is None:
        assert errors == []
        return
    assert has(errors, line_of(text, "  pass_rule_text:"), "campaign: pass_rule_text", expected), errors
    assert any("得分率≥75%,而本方案的 pass_rule 是≥70%" in e for e in errors), errors
    no_text = re.sub(r"  pass_rule_text: .*\n", "", text)
    errors = errors_of(write(tmp_path, no_text))
    assert has(errors, line_of(no_text, "  pass_rule:"), "campaign: pass_rule", "没有写原文 pass_rule_text"), errors


def test_pass_rule_text_must_agree_with_the_national_version(tmp_path):
    text = re.sub(r"  pass_rule_text: .*\n", "  pass_rule_text: 合格标准为:总分≥80分,且每个一级指标得分率≥70%。\n", HEJIN)
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "  pass_rule_text:"), "而全国指标体系 2022 版是总分≥85分"), errors


def test_campaign_naming_2026_is_refused_in_chinese(tmp_path):
    text = HEJIN.replace("national_version: '2022'", "national_version: '2026'")
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "national_version"), "campaign: national_version", "2026 版", "尚未录入"), errors
    unknown = HEJIN.replace("national_version: '2022'", "national_version: '2019'")
    assert has(errors_of(write(tmp_path, unknown)), line_of(unknown, "national_version"), "没有全国指标体系版本“2019”")


def test_todo_values_are_warnings_with_their_line_and_block_loading(tmp_path):
    text = HEJIN.replace("  date: '2023-04-10'", "  date: 'TODO: 原文未能识别日期'") \
        .replace("  name: 郝红霞\n", "  name: 'TODO: 姓名无法识别'\n")
    path = write(tmp_path, text)
    result = inspect_file(path)
    assert result.ok and result.todos == 2, result.errors
    assert any(w.startswith(f"第 {line_of(text, 'TODO: 原文未能识别日期')} 行: campaign: date: 待补") for w in result.warnings)
    assert any(w.startswith(f"第 {line_of(text, 'TODO: 姓名无法识别')} 行: 领导小组成员第 2 项: name: 待补")
               for w in result.warnings), result.warnings
    with pytest.raises(LoadError) as err:
        read_campaign(path)
    assert "2 处 TODO 待补" in err.value.problems[-1]


def test_todo_in_a_required_date_leaves_the_entry_out_with_a_warning(tmp_path):
    yc = (data_dir() / "yancheng.yaml").read_text(encoding="utf-8")
    text = yc.replace("  start: 2023-07-01", "  start: 'TODO: 原文“20237月”'", 1) if "  start: 2023-07-01" in yc \
        else re.sub(r"  start: '?(\d{4}-\d\d-\d\d)'?", "  start: 'TODO: 日期无法识别'", yc, count=1)
    result = inspect_file(write(tmp_path, text, "yancheng.yaml"))
    assert result.ok, result.errors
    assert any("阶段 1: start: 待补" in w for w in result.warnings), result.warnings
    assert any("阶段 1: 含有待补的必填项(TODO)" in w for w in result.warnings), result.warnings


def test_pydantic_errors_are_translated(tmp_path):
    text = HEJIN.replace("  region: 中部", "  region: 华中").replace("  title: 网上零售额同比增速\n", "  title: [a, b]\n", 1)
    errors = errors_of(write(tmp_path, text))
    assert has(errors, line_of(text, "  region: 华中"), "campaign: region", "应为以下之一:东部、中部、西部(现在是“华中”)")
    assert has(errors, line_of(text, "  title: [a, b]"), "指标 1: title", "应为文字"), errors


def test_check_never_writes_the_database(tmp_path, monkeypatch, capsys):
    db = tmp_path / "never.db"
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.delenv("CAMPAIGNS_DIR", raising=False)
    assert main(["check"]) == 0
    assert not db.exists()
    out = capsys.readouterr().out
    assert "hejin.yaml: 通过校验" in out and "yancheng.yaml: 通过校验" in out


def test_a_broken_campaign_file_is_skipped_and_named(tmp_path, monkeypatch, capsys):
    own = tmp_path / "campaigns"
    own.mkdir()
    (own / "third.yaml").write_text("campaign:\n  slug: third\n  city: [\n", encoding="utf-8")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    monkeypatch.setenv("CAMPAIGNS_DIR", str(own))
    assert main(["ask", "--campaign", "hejin", "第3项"]) == 0
    captured = capsys.readouterr()
    assert "网络交易经营者数量占市场主体比重" in captured.out
    assert "third.yaml 未能加载" in captured.err
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert f"{own / 'third.yaml'}: 第 3 行: YAML 语法错误" in err
    main(["doctor"])
    out = capsys.readouterr().out
    assert "✘ 方案文件" in out and "third.yaml 未能加载,机器人已跳过它" in out
    assert main(["load"]) == 1  # loads the others, says which one it left out
    captured = capsys.readouterr()
    assert "hejin：" in captured.out and "yancheng：" in captured.out
    assert "third: 未加载(文件有错误,其余方案照常加载)" in captured.err


def test_answers_without_liaison_and_change_rules(tmp_path, monkeypatch, capsys):
    own = tmp_path / "campaigns"
    own.mkdir()
    doc = yaml.safe_load(HEJIN)
    doc["office"].pop("liaison_rule")
    doc["office"].pop("change_rule")
    (own / "hejin.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    monkeypatch.setenv("CAMPAIGNS_DIR", str(own))
    for question in ("组长是谁", "办公室设在哪", "领导小组有哪些成员"):
        assert main(["ask", "--campaign", "hejin", question]) == 0, question
    out = capsys.readouterr().out
    assert "王云" in out and "联络员:" not in out and "成员变动" not in out
