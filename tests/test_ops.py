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
        [row_id] = outbox.due(s, now, "telegram", ["t:1"])
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


def test_backup_without_out_goes_to_data_dir_backups_in_local_time(env, capsys, monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Shanghai")
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    made = list((env / "data" / "backups").glob("liaison-backup-*.tar.gz"))
    assert len(made) == 1 and str(made[0]) in out
    from datetime import UTC, datetime, timedelta
    stamp = datetime.strptime(made[0].name[len("liaison-backup-"):-len(".tar.gz")], "%Y%m%d-%H%M%S")
    # named in Beijing time (UTC+8), not UTC
    assert abs(stamp - (datetime.now(UTC) + timedelta(hours=8)).replace(tzinfo=None)) < timedelta(minutes=5)
    assert not list(env.glob("liaison-backup-*"))  # not in the current folder


def test_restore_refuses_while_a_bot_runs_unless_forced(env, capsys):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from bot.running import running_bot
    from bot.settings import Settings

    if "postgresql" in fresh_url(env):
        pytest.skip("the SQLite round trip; the lock is the same file either way")
    assert main(["backup", "--out", str(env / "b.tar.gz")]) == 0
    root = Path(__file__).resolve().parent.parent
    # the real `liaison-bot run`: without a token it is the local chat, waiting for input
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=env, stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "PYTHONPATH": str(root)})
    try:
        deadline = time.monotonic() + 90
        while running_bot(Settings()) is None:
            assert bot.poll() is None and time.monotonic() < deadline, "run never took its lock"
            time.sleep(0.2)
        capsys.readouterr()
        assert main(["restore", str(env / "b.tar.gz")]) == 2
        err = capsys.readouterr().err
        assert f"机器人正在运行(进程 {bot.pid}),恢复会覆盖" in err and "请先停止机器人再恢复" in err
        assert "警告" not in err
        assert main(["restore", str(env / "b.tar.gz"), "--force"]) == 0
        assert "警告:机器人正在运行" in capsys.readouterr().err
    finally:
        bot.kill()
        bot.wait()
    assert running_bot(Settings()) is None  # the lock goes with the process, however it ended
    assert main(["restore", str(env / "b.tar.gz"), "--force"]) == 0
    assert "警告" not in capsys.readouterr().err


def test_restore_on_postgresql_is_quiet_and_shows_psql_only_when_it_fails(tmp_path, monkeypatch, capsys):
    import subprocess

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://liaison:pw@127.0.0.1:1/liaison")
    chatter = "SET\n" * 90 + 'NOTICE:  table "x" does not exist, skipping\n'
    fail = {"psql": False, "pg_dump": False}

    def fake_run(argv, check=False, env=None, capture_output=False, text=False, **kw):  # noqa: ANN001, ANN202
        assert capture_output and check, "pg_dump/psql output must be captured"
        if argv[0] == "pg_dump" and fail["pg_dump"]:
            raise subprocess.CalledProcessError(1, argv, output="", stderr="pg_dump: error: connection refused\n")
        if argv[0] == "pg_dump":
            from pathlib import Path
            Path(argv[argv.index("-f") + 1]).write_text("-- dump\n")
        if argv[0] == "psql" and fail["psql"]:
            raise subprocess.CalledProcessError(3, argv, output=chatter, stderr='ERROR:  relation "campaign" is bad\n')
        return subprocess.CompletedProcess(argv, 0, chatter, "")
    monkeypatch.setattr("bot.cli.ops.subprocess.run", fake_run)
    fail["pg_dump"] = True
    assert main(["backup", "--out", str(tmp_path / "b.tar.gz")]) == 2
    assert "pg_dump 失败" in capsys.readouterr().err
    assert not (tmp_path / "b.tar.gz").exists()  # no half archive left behind
    fail["pg_dump"] = False
    assert main(["backup", "--out", str(tmp_path / "b.tar.gz")]) == 0
    assert "SET" not in "".join(capsys.readouterr())
    assert main(["restore", str(tmp_path / "b.tar.gz")]) == 0
    out = capsys.readouterr()
    assert "SET" not in out.out + out.err and out.out.strip().startswith("已从")
    fail["psql"] = True
    assert main(["restore", str(tmp_path / "b.tar.gz")]) == 2
    err = capsys.readouterr().err
    assert "psql 失败(退出码 3)" in err and 'relation "campaign" is bad' in err and err.count("SET") <= 15


def test_the_running_lock_lies_beside_the_sqlite_file_else_in_data_dir(tmp_path, monkeypatch):
    from bot.running import lock_path
    from bot.settings import Settings

    monkeypatch.setenv("DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x/liaison.db?timeout=5")
    assert lock_path(Settings()) == tmp_path / "x" / "liaison.db.running"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@h/db")
    assert lock_path(Settings()) == tmp_path / "d" / "bot.running"
    monkeypatch.delenv("DATABASE_URL")
    assert lock_path(Settings()) == tmp_path / "d" / "liaison.db.running"
