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
