"""Logging for operations: plain text by default, one JSON object per line with LOG_FORMAT=json.

The bot token never appears: httpx request lines (which contain it) are kept at WARNING, and
a filter masks anything that looks like a token in every record.
"""

from __future__ import annotations

import json
import logging
import re

TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class MaskTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = TOKEN.sub("<token>", str(record.msg))
        if record.args:
            record.args = tuple(TOKEN.sub("<token>", str(a)) if isinstance(a, str) else a for a in record.args)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = TOKEN.sub("<token>", self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def setup(level: str, fmt: str) -> None:
    """Configure the root logger once, for ``liaison-bot run``."""
    handler = logging.StreamHandler()
    handler.addFilter(MaskTokens())
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # two INFO lines a minute per job otherwise
