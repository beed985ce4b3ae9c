"""The fake Bot API server's side of a webhook: it pushes pending updates the way Telegram does.

While ``setWebhook`` has set a URL, every pending update is POSTed to it as JSON, oldest first,
one at a time, with ``X-Telegram-Bot-Api-Secret-Token`` when a secret was given. An update stays
pending until the webhook answers 200: a refused or reset connection, a timeout or any other
status is retried after a backoff that doubles up to a ceiling (Telegram's own schedule is
longer; tests set short ones).

Tests watch ``deliveries`` — one ``(update_id, status)`` per attempt, the status being the HTTP
code or ``"refused"``, ``"reset"``, ``"timeout"``, ``"lost"`` — and may set ``after_send``: it is
called with the update right after the request was written and before the answer is read, so a
test can kill the bot "before the 200". When it returns True the answer is not read at all
(``"lost"``): as far as this server knows, the bot never answered, so the update is redelivered.

The client is written on asyncio streams, not httpx, because only there does "sent, answer
not yet read" exist as a point in the code.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from bot.fakes.api import LocalBotApi

AfterSend = Callable[[dict], Awaitable[bool | None] | bool | None]


class WebhookPusher:
    """Delivers ``api``'s pending updates to the webhook it has been given."""

    def __init__(self, api: LocalBotApi, *, retry: tuple[float, float] = (0.2, 2.0), timeout: float = 10.0) -> None:
        self.api = api
        self.first_retry, self.max_retry = retry
        self.timeout = timeout
        self.deliveries: list[tuple[int, int | str]] = []
        self.after_send: AfterSend | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def attempts(self, update_id: int) -> list[int | str]:
        """The statuses of every attempt to deliver one update, in order."""
        return [status for uid, status in self.deliveries if uid == update_id]

    async def wait_for(self, update_id: int, status: int | str = 200, timeout: float = 20.0) -> list[int | str]:
        """Until an attempt to deliver ``update_id`` ended with ``status``; its attempts so far."""
        deadline = asyncio.get_running_loop().time() + timeout
        while status not in self.attempts(update_id):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"update {update_id}: attempts {self.attempts(update_id)}, no {status}")
            await asyncio.sleep(0.02)
        return self.attempts(update_id)

    async def _run(self) -> None:
        delay = self.first_retry
        while True:
            self.api.webhook_wake.clear()
            hook, update = self.api.webhook, self.api.next_webhook_update()
            if hook is None or update is None:
                await self.api.webhook_wake.wait()
                continue
            status = await self._post(hook, update)
            self.deliveries.append((update["update_id"], status))
            self.api.webhook_answered(update["update_id"], status)
            if status == 200:
                delay = self.first_retry
                continue
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry)

    async def _post(self, hook: dict, update: dict) -> int | str:
        """One attempt: the HTTP status, or what went wrong with the connection."""
        parts = urlsplit(hook["url"])
        body = json.dumps(update, ensure_ascii=False).encode()
        head = [f"POST {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
                f"Host: {parts.netloc}", "Content-Type: application/json", f"Content-Length: {len(body)}",
                "Connection: close"]
        if hook.get("secret_token"):
            head.append(f"X-Telegram-Bot-Api-Secret-Token: {hook['secret_token']}")
        https = parts.scheme == "https"
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                parts.hostname, parts.port or (443 if https else 80), ssl=True if https else None), self.timeout)
        except TimeoutError:
            return "timeout"
        except OSError:
            return "refused"
        try:
            writer.write("\r\n".join(head).encode() + b"\r\n\r\n" + body)
            await writer.drain()
            if self.after_send is not None:
                lose = self.after_send(update)
                if (await lose if inspect.isawaitable(lose) else lose):
                    return "lost"
            line = await asyncio.wait_for(reader.readline(), self.timeout)
            return int(line.split()[1]) if line else "reset"
        except TimeoutError:
            return "timeout"
        except (OSError, ValueError, IndexError):
            return "reset"
        finally:
            writer.close()
