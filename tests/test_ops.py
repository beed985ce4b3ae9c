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
    assert "✔ 数据库迁移" in out and "✔ 材料目录" in out and "未设置 TELEGRAM_BOT_TOKEN" in out
    assert code == 0


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
