"""A small HTTP server that speaks the Bot API on 127.0.0.1, backed by ``LocalBotApi``.

End-to-end tests and benchmarks point the real polling loop at it with ``TELEGRAM_BASE_URL``;
once the bot calls ``setWebhook``, ``bot.fakes.webhook`` pushes the updates to it instead.
It understands JSON, form-encoded and multipart bodies (python-telegram-bot sends form data,
and multipart when uploading files) and keeps connections alive; long polling waits without
blocking other requests because each connection is its own task.
"""

from __future__ import annotations

import asyncio
import json
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.fakes.api import LocalBotApi
from bot.fakes.webhook import WebhookPusher


def _ok(data: object) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(data).encode()


def _decode(value: str) -> object:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApiServer:
    """``async with FakeBotApiServer() as server:`` then use ``server.base_url``."""

    def __init__(self, api: LocalBotApi | None = None, host: str = "127.0.0.1", port: int = 0,
                 webhook_retry: tuple[float, float] = (0.2, 2.0)) -> None:
        self.api = api or LocalBotApi()
        # while the bot has set a webhook, updates are pushed to it (seconds: first retry, ceiling)
        self.webhook = WebhookPusher(self.api, retry=webhook_retry)
        self.host, self.port = host, port
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self.drop_next: list[str] = []  # methods whose next request gets its connection dropped
        self.delay: dict[str, float] = {}  # seconds to wait before answering a method (timeouts)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self.webhook.start()

    async def stop(self) -> None:
        await self.webhook.stop()
        if self._server:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()

    async def __aenter__(self) -> FakeBotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task:
            self._tasks.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in
                           (line.split(":", 1) for line in lines[1:] if ":" in line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                method_name = urlsplit(target).path.rsplit("/", 1)[-1]
                if method_name in self.drop_next:
                    self.drop_next.remove(method_name)
                    break  # close without answering: a dropped connection
                if method_name in self.delay:
                    await asyncio.sleep(self.delay[method_name])
                status, ctype, payload = await self._dispatch(method, target, headers, body)
                if isinstance(payload, Path):  # a file kept on disk (the /file/bot branch): sent in chunks
                    await _send_file(writer, payload)
                    continue
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(payload)}\r\n"
                             "Connection: keep-alive\r\n\r\n".encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            if task:
                self._tasks.discard(task)

    async def _dispatch(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, str, bytes]:
        path = urlsplit(target).path
        if path.startswith("/_control/"):  # for benchmarks that run the server in its own process
            return self._control(path.rsplit("/", 1)[-1], json.loads(body or b"{}"))
        if path.startswith("/file/bot"):
            data = self.api.file_bytes(unquote(path.split("/", 3)[3]) if path.count("/") >= 3 else "")
            return (200, "application/octet-stream", data) if data is not None else (404, "text/plain", b"Not Found")
        if not path.startswith("/bot"):
            return 404, "text/plain", b"Not Found"
        name = path.rsplit("/", 1)[-1]
        params = dict(parse_qsl(urlsplit(target).query))
        ctype = headers.get("content-type", "")
        if "json" in ctype and body:
            params.update(json.loads(body))
        elif "x-www-form-urlencoded" in ctype:
            params.update({k: _decode(v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)})
        elif "multipart/form-data" in ctype:
            msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + body)
            for part in msg.iter_parts():
                field = part.get_param("name", header="content-disposition")
                content = part.get_payload(decode=True) or b""
                params[field] = content if part.get_filename() else _decode(content.decode())
        envelope = await self.api.handle(name, params)
        status = 200 if envelope["ok"] else envelope["error_code"]
        return status, "application/json", json.dumps(envelope, ensure_ascii=False).encode()

    def _control(self, action: str, data: dict) -> tuple[int, str, bytes]:
        """push (a batch of private messages) and count (messages the bot sent)."""
        if action == "push":
            for chat_id, user_id, text in data["messages"]:
                self.api.add_user(user_id, f"用户{user_id}") if user_id not in self.api.users else None
                self.api.push_message(chat_id, user_id, text)
            return _ok({"pushed": len(data["messages"])})
        if action == "count":
            return _ok({"sent": len(self.api.sent())})
        return 404, "text/plain", b"Not Found"


async def _send_file(writer: asyncio.StreamWriter, path: Path) -> None:
    """Answer with the file at ``path``, 1 MB at a time, so the fake never holds a big file in memory."""
    writer.write(f"HTTP/1.1 200 X\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Length: {path.stat().st_size}\r\nConnection: keep-alive\r\n\r\n".encode())
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            writer.write(chunk)
            await writer.drain()


async def _serve_forever(port: int) -> None:
    server = FakeBotApiServer(port=port)
    await server.start()
    print(server.base_url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":  # python -m bot.fakes.server PORT: a standalone fake for benchmarks
    import sys

    asyncio.run(_serve_forever(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
