"""Cold start of ``liaison-bot``: a subcommand imports what it needs when it needs it.

Timings are in ``benchmarks/cli_start.py`` (written down, not asserted); what is tested here is
the cause: which heavy modules a process has loaded once a command has run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from knowledge.db import make_engine
from knowledge.migrate import at_head, head, head_in_files, upgrade
from tests.conftest import fresh_url

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("telegram", "matplotlib", "openpyxl", "apscheduler", "alembic", "cn2an", "bm25s", "pypinyin")

PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[1:-1])
except SystemExit as exc:  # --help
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.argv[-1].split() if m in sys.modules)}), file=sys.stderr)
"""


def _loaded(tmp_path: Path, *argv: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "DEFAULT_"))}
    env.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", PROBE, *argv, " ".join(HEAVY)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_help_and_ask_load_nothing_heavy(tmp_path):
    assert _loaded(tmp_path, "--help") == {"code": 0, "loaded": []}
    _loaded(tmp_path, "db", "upgrade")  # the first command of a new store migrates it (Alembic)
    # a question with digits only: no Telegram, charts, spreadsheets, scheduler, migrations,
    # Chinese-numeral reader, search index or pinyin tables
    assert _loaded(tmp_path, "ask", "第12项谁负责") == {"code": 0, "loaded": []}
    # what a question needs is loaded when it needs it
    assert "cn2an" in _loaded(tmp_path, "ask", "第十二项谁负责")["loaded"]


def test_head_in_files_is_alembics_head(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    assert head_in_files() == head(engine)
    assert not at_head(engine)  # a new store
    upgrade(engine)
    assert at_head(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    assert not at_head(engine)  # an older store still goes through Alembic
