"""Secrets and permissions: no password on a command line, owner-only files, no server paths in
the office's error reports, and no control characters from a roster into the store."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.cli import main
from knowledge.campaigns import get_campaign
from knowledge.db import create_schema, make_engine
from knowledge.models import Officer
from knowledge.roster import RosterError, import_roster
from knowledge.units import UnitDirectory
from reminders.weekly import export_files
from tests.botkit import OFFICE_CHAT
from tests.conftest import fresh_url, loaded_url

PG = "postgresql+psycopg://liaison:s3cr%40t@127.0.0.1:1/liaison"


@pytest.fixture(autouse=True)
def wide_umask():
    """The default umask of most servers; without the fix, files come out 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def ran(monkeypatch):
    """subprocess.run as bot.cli.ops calls it: argv and environment kept, the dump file written."""
    calls: list[tuple[list[str], dict]] = []

    def fake_run(argv, check=False, env=None, **kw):  # noqa: ANN001, ANN202
        calls.append((list(argv), dict(env or os.environ)))
        if argv[0] == "pg_dump":
            Path(argv[argv.index("-f") + 1]).write_text("-- dump\n")
    monkeypatch.setattr("bot.cli.ops.subprocess.run", fake_run)
    return calls


def test_backup_and_restore_pass_the_password_in_the_environment(tmp_path, monkeypatch, ran):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", PG)
    archive = tmp_path / "b.tar.gz"
    assert main(["backup", "--out", str(archive)]) == 0
    assert mode(archive) == 0o600
    assert main(["restore", str(archive), "--force"]) == 0
    assert [argv[0] for argv, _ in ran] == ["pg_dump", "psql"]
    for argv, env in ran:
        assert not any("s3cr" in a for a in argv), argv
        assert env["PGPASSWORD"] == "s3cr@t"
        assert argv[-1] == "postgresql://liaison@127.0.0.1:1/liaison"


def test_sqlite_database_and_backup_are_owner_only(tmp_path, monkeypatch):
    if "postgresql" in fresh_url(tmp_path):
        pytest.skip("the SQLite file's mode")
    db = tmp_path / "data" / "liaison.db"
    engine = make_engine(f"sqlite:///{db}")
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("create table t(x)"))
        conn.execute(text("insert into t values (1)"))
        assert mode(db) == 0o600 and mode(Path(f"{db}-wal")) == 0o600
    engine.dispose()
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    archive = tmp_path / "b.tar.gz"
    assert main(["backup", "--out", str(archive)]) == 0
    assert mode(archive) == 0o600
    db.unlink()
    assert main(["restore", str(archive)]) == 0
    assert mode(db) == 0o600


async def test_exports_are_owner_only(h, tmp_path):
    with h.services.session() as s:
        camp_id = get_campaign(s, "hejin").id
    files = export_files(h.services, camp_id, date(2026, 11, 24), tmp_path / "exports")
    assert mode(files["xlsx"]) == 0o600 and mode(files["zip"]) == 0o600


async def test_office_error_report_has_the_id_and_cause_but_no_traceback_or_path(h, monkeypatch, caplog):
    from tests.test_bot_flow import USER
    h.register(USER, "统计局")
    h.api.group_chat(OFFICE_CHAT, "办公室")

    def boom(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise FileNotFoundError(2, "No such file", "/var/lib/liaison-bot/data/secret.db")
    import knowledge.ask.dispatch as dispatch
    monkeypatch.setattr(dispatch, "COMPOSERS", {k: boom for k in dispatch.COMPOSERS})
    out = await h.say(USER, USER, "我们单位负责哪些指标")
    assert "抱歉" in out[-1]["text"]
    [report] = [m["text"] for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]
    assert "FileNotFoundError" in report and "No such file" in report
    shown = re.sub(r"<[^>]+>", "", report)  # what the office reads: the markup's own </b> is no path
    assert "Traceback" not in shown and "/" not in shown and "secret.db" not in shown
    error_id = report.split("<code>")[1].split("</code>")[0]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info and "secret.db" in str(logged[0].exc_info[1])


@pytest.mark.parametrize("bad", ["张\x00三", "李四\x07", "王\u0085五"])
def test_control_characters_in_a_roster_are_refused_with_the_row_and_nothing_imported(tmp_path, bad):
    """On SQLite (which would store a NUL) and PostgreSQL (which fails the connection on one)."""
    engine = make_engine(loaded_url(tmp_path))
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        directory = UnitDirectory.load(s, camp)
        path = tmp_path / "roster.csv"
        path.write_text(f"单位,姓名,Telegram\n统计局,赵一,1001\n发改委,{bad},1002\n", encoding="utf-8")
        with pytest.raises(RosterError) as err:
            import_roster(session=s, campaign=camp, directory=directory, path=path, by_user_id=None,
                          now=datetime(2026, 11, 24, tzinfo=UTC))
        [problem] = err.value.problems
        assert problem.startswith("第 3 行") and "控制字符" in problem and "姓名" in problem
        s.rollback()
        assert s.exec(select(Officer)).first() is None
    engine.dispose()


def test_control_characters_in_an_xlsx_roster_are_refused(tmp_path):
    from openpyxl import Workbook
    engine = make_engine(loaded_url(tmp_path))
    wb = Workbook()
    wb.active.append(["单位", "姓名", "Telegram"])
    wb.active.append(["统计局", "赵\n一", 1001])  # Alt+Enter in a cell: a line break inside the name
    wb.save(tmp_path / "roster.xlsx")
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        with pytest.raises(RosterError) as err:
            import_roster(session=s, campaign=camp, directory=UnitDirectory.load(s, camp),
                          path=tmp_path / "roster.xlsx", by_user_id=None, now=datetime(2026, 11, 24, tzinfo=UTC))
        assert err.value.problems[0].startswith("第 2 行") and "U+000A" in err.value.problems[0]
    engine.dispose()

