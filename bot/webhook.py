"""Webhook mode as deployed: what ``liaison-bot run`` hands python-telegram-bot, checked first.

Why this exists: PTB's webhook server (``telegram/ext/_utils/webhookhandler.py``) routes only
``/<url_path>/?`` to its ``TelegramHandler``; every other path is tornado's 404. So the path
Telegram posts to — the path of ``WEBHOOK_URL``, which the reverse proxy passes through — must
be given as ``url_path``, or every update is lost. The handler checks the
``X-Telegram-Bot-Api-Secret-Token`` header (403 when missing or wrong) only when a
``secret_token`` is given; without one, anyone who learns the public URL can post forged
updates that carry any user id, an office admin's included. So webhook mode refuses to start
without ``WEBHOOK_SECRET`` rather than warn: a warning in a log nobody reads leaves the door
open, and generating a secret takes one command.

Telegram only posts to HTTPS URLs on ports 443, 80, 88 or 8443; an address on this machine
(127.0.0.1, localhost) may use plain HTTP, for tests and a local fake Bot API server.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from telegram.constants import SUPPORTED_WEBHOOK_PORTS

from bot.cli.common import CliError
from bot.settings import Settings

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Telegram's rule for secret_token (setWebhook): 1–256 characters, A-Z a-z 0-9 _ -
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# PTB puts url_path into a tornado route (a regular expression): plain path characters only.
PATH = re.compile(r"[A-Za-z0-9._~/-]*")
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class WebhookSettingError(CliError):
    """WEBHOOK_* settings that would lose or expose updates; printed in Chinese, exit code 2."""


def webhook_path(url: str) -> str:
    """The path Telegram will post to, as PTB's ``url_path``: ``https://host/telegram`` →
    ``telegram``, ``https://host/`` → ``""``; the query and fragment are not part of it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookSettingError(f"WEBHOOK_URL“{url}”不是完整的网址,应写成 https://域名/路径,"
                                  "例如 https://bot.example.gov.cn/telegram")
    path = parts.path.strip("/")
    if not PATH.fullmatch(path):
        raise WebhookSettingError(f"WEBHOOK_URL 的路径“/{path}”只能包含字母、数字和 - _ . ~ /")
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        raise WebhookSettingError(f"WEBHOOK_URL“{url}”必须以 https:// 开头:Telegram 只向 HTTPS 地址推送更新"
                                  "(只有本机地址 127.0.0.1 / localhost 可用 http,用于测试)")
    if not local and (parts.port or 443) not in SUPPORTED_WEBHOOK_PORTS:
        raise WebhookSettingError(f"WEBHOOK_URL 的端口 {parts.port} 不可用:Telegram 只向端口 "
                                  f"{'、'.join(map(str, SUPPORTED_WEBHOOK_PORTS))} 推送更新")
    return path


def webhook_options(settings: Settings) -> dict[str, object]:
    """The keyword arguments for ``Application.run_webhook``, or a Chinese error saying what to fix."""
    path = webhook_path(settings.webhook_url)
    secret = settings.webhook_secret.get_secret_value().strip() if settings.webhook_secret else ""
    if not secret:
        raise WebhookSettingError("webhook 模式必须设置 WEBHOOK_SECRET:没有密钥,任何知道网址的人都能伪造消息"
                                  f"(包括冒充办公室管理员)。可以这样生成一个:{MAKE_SECRET}")
    if not SECRET.fullmatch(secret):
        raise WebhookSettingError("WEBHOOK_SECRET 只能包含字母、数字、_ 和 -,长度 1–256(Telegram 的要求)。"
                                  f"可以这样生成一个:{MAKE_SECRET}")
    return {"listen": settings.webhook_listen, "port": settings.webhook_port,
            "url_path": re.escape(path), "webhook_url": settings.webhook_url.strip(), "secret_token": secret}
