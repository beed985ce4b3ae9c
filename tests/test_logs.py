"""Logs never carry the token; JSON logs are one object per line."""

import json
import logging

from bot.logs import JsonFormatter, MaskTokens


def test_token_is_masked_and_json_is_valid():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "POST https://api/bot%s/getMe",
                               ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",), None)
    MaskTokens().filter(record)
    line = JsonFormatter().format(record)
    assert "AAHdq" not in line and json.loads(line)["msg"] == "POST https://api/bot<token>/getMe"


def test_the_scheduler_and_migrations_stay_quiet(monkeypatch):
    """`run` logs at INFO, but not APScheduler's two lines a minute; the console only warnings."""
    from bot.fakes import console
    from bot.logs import setup

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    level = root.level
    try:
        setup("INFO", "text")
        assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
        assert logging.getLogger("bot.outbox").isEnabledFor(logging.INFO)
        monkeypatch.setattr(console, "Console", None)  # stop right after the logging is set
        try:
            console.run_local_chat(None, campaign="x", unit=None, group=False)  # type: ignore[arg-type]
        except TypeError:
            pass
        assert not logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)
    finally:
        root.setLevel(level)
        logging.getLogger("apscheduler").setLevel(logging.NOTSET)
