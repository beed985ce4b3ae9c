"""doctor, backup and restore from the command line."""

from __future__ import annotations

import pytest

from bot.cli import main
from tests.conftest import fresh_url


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return tmp_path


def test_doctor_reports_each_check(env, capsys):
    assert main(["load"]) == 0
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert "✔ 数据库迁移" in out and "✔ 材料目录" in out and "✔ 时区" in out and "未设置 TELEGRAM_BOT_TOKEN" in out
    assert code == 1  # without a token the bot cannot run in production: a failed check


def test_doctor_says_what_waits_in_the_queues_and_fails_on_messages_given_up(env, capsys):
    from datetime import UTC, datetime

    from sqlmodel import Session

    from bot.settings import Settings
    from knowledge import outbox
    from knowledge.db import make_engine
    from knowledge.messages import say

    assert main(["load"]) == 0
    main(["doctor"])
    assert "✔ 收发队列: 收到的消息 0 条未处理完;待发送 0 条" in capsys.readouterr().out
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with Session(make_engine(Settings().db_url)) as s:
        outbox.put(s, [outbox.Outgoing("t:1", 5, say("refused", reason="x"))], now)
        [row_id] = outbox.due(s, now, ["t:1"])
        outbox.later(s, row_id, now.replace(year=2027), "502")  # three days of errors are long past
        s.commit()
    main(["doctor"])
    out = capsys.readouterr().out
    assert "✘ 收发队列" in out and "多次失败已放弃 1 条" in out


def test_doctor_does_not_create_a_mistyped_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/typo/liaison.db")
    assert main(["doctor"]) == 1
    assert "不存在" in capsys.readouterr().out and not (tmp_path / "typo").exists()


@pytest.mark.parametrize("url,says", [("nonsense", "DATABASE_URL 格式不对"),
                                      ("postgresql+psycopg://u:secret@127.0.0.1:1/db", "无法连接数据库"),
                                      ("mysql://x@localhost/db", "驱动未安装")])
def test_bad_database_url_is_one_sentence_without_the_password(tmp_path, monkeypatch, capsys, url, says):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["units", "--campaign", "hejin"]) == 2
    err = capsys.readouterr().err
    assert says in err and "secret" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_restore_refuses_a_file_that_is_not_a_backup(env, capsys):
    (env / "bad.tar.gz").write_bytes(b"garbage")
    assert main(["restore", str(env / "bad.tar.gz"), "--force"]) == 2
    assert "不是有效的备份文件" in capsys.readouterr().err


def test_backup_and_restore_roundtrip(env, capsys, monkeypatch):
    if "postgresql" in fresh_url(env):
        pytest.skip("pg_dump round trip is exercised by the operations guide, not here")
    assert main(["officers", "add", "--campaign", "hejin", "--unit", "统计局", "--user-id", "7"]) == 0
    evidence = env / "data" / "evidence" / "ab"
    evidence.mkdir(parents=True)
    (evidence / "file").write_bytes(b"evidence")
    archive = env / "b.tar.gz"
    assert main(["backup", "--out", str(archive)]) == 0
    assert main(["officers", "revoke", "--campaign", "hejin", "--user-id", "7"]) == 0
    (evidence / "file").unlink()
    assert main(["restore", str(archive)]) == 2  # refuses to overwrite without --force
    assert main(["restore", str(archive), "--force"]) == 0
    capsys.readouterr()
    assert main(["officers", "list", "--campaign", "hejin"]) == 0
    assert "active" in capsys.readouterr().out
    assert (evidence / "file").read_bytes() == b"evidence"
