"""Webhook mode as deployed: ``liaison-bot run`` itself, against the fake Bot API server, which
pushes updates to the path of ``WEBHOOK_URL`` the way Telegram does (retrying until a 200).

The settings rules (path from the URL, https, a secret) are checked on ``bot.webhook`` directly;
everything else goes through a real process started as the deployment starts it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.fakes.server import FakeBotApiServer
from bot.settings import Settings
from bot.webhook import WebhookSettingError, webhook_options, webhook_path
from tests.conftest import fresh_url
from tests.test_processes import free_port

ROOT = Path(__file__).parent.parent
USER = 5  # also an admin, so the bot answers its indicator questions without registration
SECRET = "s3cret-Token_42"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
HELP = "可以直接问我"  # in the /help reply
ANSWER_12 = "建立健全协同监管"  # in the reply to “第12项指标” (Hejin)
FAST = (0.05, 0.3)  # the fake's redelivery backoff: first retry, ceiling (seconds)


# ---- the settings -------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "path"), [
    ("https://bot.example.gov.cn/telegram", "telegram"),
    ("https://bot.example.gov.cn/telegram/", "telegram"),
    ("https://bot.example.gov.cn/", ""),
    ("https://bot.example.gov.cn", ""),
    ("https://bot.example.gov.cn:8443/hooks/liaison?from=tg#x", "hooks/liaison"),
    ("http://127.0.0.1:9000/telegram", "telegram"),
    ("http://localhost/telegram", "telegram"),
])
def test_the_path_is_the_path_of_webhook_url(url, path):
    assert webhook_path(url) == path


@pytest.mark.parametrize(("url", "says"), [
    ("http://bot.example.gov.cn/telegram", "https://"),
    ("https://bot.example.gov.cn:9000/telegram", "端口 9000"),
    ("bot.example.gov.cn/telegram", "不是完整的网址"),
    ("ftp://bot.example.gov.cn/telegram", "不是完整的网址"),
    ("https://bot.example.gov.cn/tele%20gram", "只能包含"),
])
def test_a_webhook_url_telegram_would_not_use_is_refused(url, says):
    with pytest.raises(WebhookSettingError, match=re.escape(says)):
        webhook_path(url)


def test_webhook_mode_needs_a_secret_telegram_accepts():
    def settings(**extra: str) -> Settings:
        return Settings(_env_file=None, webhook_url="https://bot.example.gov.cn/telegram", **extra)

    with pytest.raises(WebhookSettingError, match="必须设置 WEBHOOK_SECRET"):
        webhook_options(settings())
    with pytest.raises(WebhookSettingError, match="必须设置 WEBHOOK_SECRET"):
        webhook_options(settings(webhook_secret=" "))
    with pytest.raises(WebhookSettingError, match="只能包含字母"):
        webhook_options(settings(webhook_secret="two words"))
    opts = webhook_options(settings(webhook_secret=SECRET, webhook_listen="0.0.0.0"))
    assert opts == {"listen": "0.0.0.0", "port": 8443, "url_path": "telegram", "secret_token": SECRET,
                    "webhook_url": "https://bot.example.gov.cn/telegram"}


def test_the_path_is_matched_literally_by_ptbs_route():
    """PTB routes ``rf"{url_path}/?"`` as a regular expression: a dot must not match any character."""
    settings = Settings(_env_file=None, webhook_url="https://h.example.cn/v1.0/hook", webhook_secret=SECRET)
    route = "/" + str(webhook_options(settings)["url_path"]) + "/?"
    assert re.fullmatch(route, "/v1.0/hook") and re.fullmatch(route, "/v1.0/hook/")
    assert not re.fullmatch(route, "/v1x0/hook")


# ---- the fake server keeps webhooks as Telegram does ----------------------------------------
async def test_the_fake_refuses_getupdates_while_a_webhook_is_set():
    async with FakeBotApiServer(webhook_retry=FAST) as server:
        async with Bot("1:FAKE", base_url=server.base_url) as bot:
            dead = f"http://127.0.0.1:{free_port()}/telegram"  # nobody listens: every push is refused
            with pytest.raises(BadRequest, match="(?i)https url must be provided"):
                await bot.set_webhook("http://bot.example.gov.cn/telegram")
            assert await bot.set_webhook(dead, secret_token=SECRET, allowed_updates=["message"])
            update = server.api.push_message(USER, USER, "/help")
            await server.webhook.wait_for(update["update_id"], "refused")
            with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
                await bot.get_updates()
            info = await bot.get_webhook_info()
            assert (info.url, info.pending_update_count, info.allowed_updates) == (dead, 1, ("message",))
            assert info.last_error_message == "Connection refused"
            assert await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""
            assert [u.update_id for u in await bot.get_updates()] == [update["update_id"]]  # still pending


# ---- liaison-bot run -------------------------------------------------------------------------
def inbox_done(url: str, update_id: int) -> bool:
    """Whether the bot's inbox has marked ``update_id`` done (read from its store, as it is)."""
    from sqlalchemy import text

    from knowledge.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT status FROM inboxupdate WHERE update_id = :u"),
                                {"u": update_id}).scalar() == "done"
    finally:
        engine.dispose()


def bot_env(tmp_path: Path, server: FakeBotApiServer, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return {**env, "TELEGRAM_BOT_TOKEN": "1:HOOK", "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url, "DATABASE_URL": fresh_url(tmp_path),
            "DATA_DIR": str(tmp_path), "ADMIN_USER_IDS": str(USER),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": SECRET, **extra}


async def start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """``liaison-bot run``, as the Dockerfile and the systemd unit start it; its output goes to ``log``."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env, cwd=ROOT,
                                                    stdout=out, stderr=out)


async def until(check: Callable[[], object], log: Path, timeout: float = 90.0) -> object:
    """Poll ``check`` until it holds; the long ``timeout`` is for a process starting beside other
    tests (the suite runs on every core), the poll ends as soon as it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the bot did not get there; its log:\n" + log.read_text(errors="replace")[-3000:])
        await asyncio.sleep(0.05)
    return value


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def replies(server: FakeBotApiServer, needle: str) -> list[dict]:
    return [m for m in server.api.sent(USER) if needle in m["text"]]


async def test_run_answers_on_the_path_of_webhook_url_and_only_with_the_secret(tmp_path):
    port, log = free_port(), tmp_path / "bot.log"
    async with FakeBotApiServer(webhook_retry=FAST) as server:
        proc = await start_bot(bot_env(tmp_path, server, port), log)
        try:
            hook = await until(lambda: server.api.webhook, log)
            assert hook["url"] == f"http://127.0.0.1:{port}/telegram" and hook["secret_token"] == SECRET
            assert hook["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
            update = server.api.push_message(USER, USER, "/help")
            assert (await server.webhook.wait_for(update["update_id"]))[-1] == 200
            await until(lambda: replies(server, HELP), log)
            # Forged: the same question Telegram would answer, posted around the secret or the path.
            forged = {"update_id": 90_000, "message": {**update["message"], "message_id": 999, "text": "第12项指标"}}
            forged["message"].pop("entities", None)
            base, body = f"http://127.0.0.1:{port}", json.dumps(forged)
            json_type = {"Content-Type": "application/json"}
            async with httpx.AsyncClient() as client:
                assert (await client.post(base + "/", content=body, headers={**json_type, HEADER: SECRET})).status_code == 404
                assert (await client.post(base + "/telegram", content=body, headers={**json_type, HEADER: "wrong"})).status_code == 403
                assert (await client.post(base + "/telegram", content=body, headers=json_type)).status_code == 403
            # The same text through Telegram's path is answered — once: none of the forged ones was taken.
            real = server.api.push_message(USER, USER, "第12项指标")
            await server.webhook.wait_for(real["update_id"])
            await until(lambda: replies(server, ANSWER_12), log)
            await asyncio.sleep(0.5)
            assert len(replies(server, ANSWER_12)) == 1
        finally:
            await stop_bot(proc)


async def test_run_refuses_webhook_mode_without_a_secret(tmp_path):
    async with FakeBotApiServer() as server:
        env = bot_env(tmp_path, server, free_port())
        del env["WEBHOOK_SECRET"]
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env, cwd=ROOT,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 2
        assert "必须设置 WEBHOOK_SECRET" in err.decode()
        assert server.api.calls == []  # refused before a word to Telegram


@pytest.mark.parametrize("kill_at", [
    "sent",  # right after the POST was written: the bot may not even have read it
    "answered",  # it took the update and replied; its 200 never reached Telegram
])
async def test_killed_before_the_200_the_update_is_redelivered_and_answered_once(tmp_path, kill_at):
    port = free_port()
    async with FakeBotApiServer(webhook_retry=FAST) as server:
        env = bot_env(tmp_path, server, port)
        first = await start_bot(env, tmp_path / "first.log")
        try:
            await until(lambda: server.api.webhook, tmp_path / "first.log")
            ready = server.api.push_message(USER, USER, "/help")
            await server.webhook.wait_for(ready["update_id"])
            await until(lambda: replies(server, HELP), tmp_path / "first.log")
            # and marked done: under load the mark can lag the reply, and a kill in between answers
            # this /help again after the restart (the known limit), which is not what is tested here
            await until(lambda: inbox_done(env["DATABASE_URL"], ready["update_id"]), tmp_path / "first.log")

            async def kill(update: dict) -> bool | None:
                if update["update_id"] != target["update_id"]:
                    return None
                server.webhook.after_send = None
                if kill_at == "answered":  # the bot took it and replied; its 200 never reaches Telegram
                    await until(lambda: replies(server, ANSWER_12), tmp_path / "first.log")
                    # and marked it done: a kill between the reply and that mark answers again after
                    # the restart (the known limit of questions, docs/architecture.md); this case is
                    # the redelivery of an update the inbox has finished
                    await until(lambda: inbox_done(env["DATABASE_URL"], target["update_id"]), tmp_path / "first.log")
                first.kill()  # SIGKILL
                await first.wait()
                return True  # the answer is not read: for the server, the bot never said 200

            target = server.api.push_message(USER, USER, "第12项指标")
            server.webhook.after_send = kill
            await server.webhook.wait_for(target["update_id"], "lost")
        finally:
            await stop_bot(first)
        second = await start_bot(env, tmp_path / "second.log")
        try:
            attempts = await server.webhook.wait_for(target["update_id"], 200, timeout=90)
            assert attempts[0] == "lost" and "refused" in attempts and attempts[-1] == 200  # redelivered
            # A later update from the same chat is answered after it: by then a second answer would be there.
            later = server.api.push_message(USER, USER, "/help")
            await server.webhook.wait_for(later["update_id"])
            await until(lambda: len(replies(server, HELP)) == 2, tmp_path / "second.log")
        finally:
            await stop_bot(second)
        answers = replies(server, ANSWER_12)
        assert answers, "the redelivered update was never answered"
        # Exactly once: the redelivery carries an update id the inbox has stored already.
        assert len(answers) == 1, f"answered {len(answers)} times"
