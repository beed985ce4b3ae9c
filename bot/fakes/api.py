"""A local stand-in for the Telegram Bot API: the offline chat, tests and benchmarks use it.

``LocalBotApi`` keeps the state of a tiny Telegram (users, chats, messages, files, pending
updates) and answers Bot API methods with the same envelopes and errors as the real server
(HTML is validated, length and callback_data limits enforced, blocked users answer 403,
migrated groups 400 with ``migrate_to_chat_id``). ``LocalRequest`` plugs it into
python-telegram-bot in place of the network; ``bot.fakes.server`` serves it over HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.fakes.html import html_error, utf16_len, visible_text

BOT = {"id": 7000001, "is_bot": True, "first_name": "联络员助手", "username": "liaison_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_DOWNLOAD = 20 * 1024 * 1024
# getWebhookInfo's last_error_message for what bot.fakes.webhook saw (Telegram's wording)
WEBHOOK_FAILURES = {"refused": "Connection refused", "reset": "Connection reset by peer",
                    "lost": "Connection reset by peer", "timeout": "Read timeout expired"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


class LocalBotApi:
    """The state and methods of a fake Bot API server."""

    def __init__(self, *, big_files: bool = False) -> None:
        self.big_files = big_files
        self.users: dict[int, dict] = {}
        self.chats: dict[int, dict] = {}
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.admins: set[tuple[int, int]] = set()
        self.calls: list[tuple[str, dict]] = []
        self.files: dict[str, dict] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._sent: list[dict] = []
        self.answered_callbacks: list[dict] = []
        self._failures: dict[str, list[tuple[int, str, dict | None]]] = {}
        self._timeouts: dict[str, list[bool]] = {}
        self._new_update = asyncio.Event()
        self._new_sent = asyncio.Event()
        self.commands: dict[str, list] = {}
        # setWebhook: url, secret_token, allowed_updates; None while the bot polls (see bot.fakes.webhook)
        self.webhook: dict | None = None
        self.webhook_error: tuple[int, str] | None = None  # last_error_date, last_error_message
        self.webhook_wake = asyncio.Event()  # an update or a webhook change: the pusher looks again

    # ---- set-up helpers -------------------------------------------------------------------
    def add_user(self, user_id: int, first_name: str, username: str | None = None) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self.users[user_id] = user
        self.chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": first_name,
                                        **({"username": username} if username else {})})
        return user

    def group_chat(self, chat_id: int, title: str, type: str = "group") -> dict:  # noqa: A002
        self.chats[chat_id] = {"id": chat_id, "type": type, "title": title}
        return self.chats[chat_id]

    def fail_next(self, method: str, code: int, description: str, parameters: dict | None = None) -> None:
        """Make the next call of ``method`` fail (429 with retry_after, 500 …)."""
        self._failures.setdefault(method, []).append((code, description, parameters))

    def time_out_next(self, method: str, *, delivered: bool) -> None:
        """Make the next call of ``method`` time out: after it was carried out (``delivered``: the
        answer was lost on the way back) or before it reached the API (connecting)."""
        self._timeouts.setdefault(method, []).append(delivered)

    def _user(self, user_id: int) -> dict:
        return self.users.get(user_id) or self.add_user(user_id, f"用户{user_id}")

    def _chat(self, chat_id: int) -> dict:
        return self.chats.get(chat_id) or (self._user(chat_id) and self.chats[chat_id])

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _push(self, update: dict) -> dict:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()
        self.webhook_wake.set()
        return update

    def _message(self, chat_id: int, user_id: int, **fields: Any) -> dict:  # noqa: ANN401
        return {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
                "chat": self._chat(chat_id), "from": self._user(user_id), **fields}

    # ---- updates users send ---------------------------------------------------------------
    def push_message(self, chat_id: int, user_id: int, text: str, *, reply_to_message_id: int | None = None,
                     entities: list | None = None, key: str = "message") -> dict:
        """A text message as Telegram delivers it (command and mention entities included)."""
        msg = self._message(chat_id, user_id, text=text)
        if entities is None:
            entities = []
            if text.startswith("/"):
                entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])})
            mention = "@" + BOT["username"]
            at = text.find(mention)
            if at >= 0:
                entities.append({"type": "mention", "offset": utf16_len(text[:at]), "length": len(mention)})
        if entities:
            msg["entities"] = entities
        if reply_to_message_id is not None:
            original = next((m for m in reversed(self._sent) if m["chat_id"] == chat_id
                             and m["message_id"] == reply_to_message_id), None)
            msg["reply_to_message"] = ({"message_id": reply_to_message_id, "date": msg["date"],
                                        "chat": msg["chat"], "from": BOT, "text": original["text"]}
                                       if original else {"message_id": reply_to_message_id, "date": msg["date"],
                                                         "chat": msg["chat"], "text": ""})
        return self._push({key: msg})

    def push_edited_message(self, chat_id: int, user_id: int, text: str) -> dict:
        update = self.push_message(chat_id, user_id, text, key="edited_message")
        update["edited_message"]["edit_date"] = int(time.time())
        return update

    def push_channel_post(self, chat_id: int, text: str) -> dict:
        self.chats.setdefault(chat_id, {"id": chat_id, "type": "channel", "title": "频道"})
        msg = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
               "chat": self.chats[chat_id], "text": text}
        return self._push({"channel_post": msg})

    def push_sticker(self, chat_id: int, user_id: int) -> dict:
        sticker = {"file_id": "STK1", "file_unique_id": "stk1", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False}
        return self._push({"message": self._message(chat_id, user_id, sticker=sticker)})

    def store_file(self, data: bytes | Path, *, prefix: str = "documents", name: str = "file") -> dict:
        """A file users can send; a ``Path`` stays on disk and is served from there in chunks
        (benchmarks send files of hundreds of MB), bytes are kept in memory."""
        if isinstance(data, Path):
            size, digest = data.stat().st_size, hashlib.sha256(str(data.resolve()).encode()).hexdigest()[:16]
        else:
            size, digest = len(data), hashlib.sha256(data).hexdigest()[:16]
        file_id = f"F{digest}{len(self.files)}"
        entry = {"file_id": file_id, "file_unique_id": digest, "file_size": size,
                 "file_path": f"{prefix}/file_{len(self.files)}_{digest}", "data": data}
        self.files[file_id] = entry
        return entry

    def push_document(self, chat_id: int, user_id: int, data: bytes | Path, file_name: str, mime_type: str,
                      caption: str | None = None, media_group_id: str | None = None) -> dict:
        f = self.store_file(data, name=file_name)
        doc = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"], "file_size": f["file_size"],
               "file_name": file_name, "mime_type": mime_type}
        extra: dict[str, Any] = {"document": doc}
        if caption:
            extra["caption"] = caption
        if media_group_id:
            extra["media_group_id"] = media_group_id
        return self._push({"message": self._message(chat_id, user_id, **extra)})

    def push_photo(self, chat_id: int, user_id: int, data: bytes, caption: str | None = None,
                   media_group_id: str | None = None) -> dict:
        f = self.store_file(data, prefix="photos", name="photo.jpg")
        sizes = [{"file_id": f["file_id"], "file_unique_id": f["file_unique_id"], "width": 1280,
                  "height": 960, "file_size": len(data)}]
        extra: dict[str, Any] = {"photo": sizes}
        if caption:
            extra["caption"] = caption
        if media_group_id:
            extra["media_group_id"] = media_group_id
        return self._push({"message": self._message(chat_id, user_id, **extra)})

    def push_callback(self, chat_id: int, user_id: int, message_id: int, data: str) -> dict:
        original = next((m for m in reversed(self._sent) if m["chat_id"] == chat_id
                         and m["message_id"] == message_id), None)
        message = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": BOT, "text": (original or {}).get("text", "")}
        query = {"id": str(next(self._update_ids) * 7), "from": self._user(user_id),
                 "chat_instance": str(chat_id), "data": data, "message": message}
        return self._push({"callback_query": query})

    def push_migration(self, old_chat_id: int, new_chat_id: int, user_id: int = 1) -> dict:
        self.migrated[old_chat_id] = new_chat_id
        title = self.chats.get(old_chat_id, {}).get("title", "群")
        self.group_chat(new_chat_id, title, "supergroup")
        return self._push({"message": self._message(old_chat_id, user_id, migrate_to_chat_id=new_chat_id)})

    # ---- what the bot did -----------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[dict]:
        return [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]

    async def wait_for_sent(self, count: int, timeout: float = 5.0, chat_id: int | None = None) -> list[dict]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.sent(chat_id)) < count:
            self._new_sent.clear()
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"expected {count} messages, got {len(self.sent(chat_id))}")
            try:
                await asyncio.wait_for(self._new_sent.wait(), left)
            except TimeoutError:
                pass
        return self.sent(chat_id)

    def file_bytes(self, file_path: str) -> bytes | Path | None:
        """The content of a stored file: its bytes, or the ``Path`` it is served from."""
        return next((f["data"] for f in self.files.values() if f["file_path"] == file_path), None)

    # ---- the API ----------------------------------------------------------------------------
    async def handle(self, method: str, params: dict) -> dict:
        """Answer one Bot API call with its JSON envelope."""
        self.calls.append((method, params))
        failures = self._failures.get(method)
        try:
            if failures:
                code, description, parameters = failures.pop(0)
                raise ApiError(code, description, parameters)
            handler = getattr(self, "m_" + method.lower(), None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            return {"ok": True, "result": result}
        except ApiError as exc:
            out: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                out["parameters"] = exc.parameters
            return out

    def m_getme(self, _p: dict) -> dict:
        return BOT

    def m_logout(self, _p: dict) -> bool:
        return True

    m_close = m_setchatmenubutton = m_sendchataction = m_logout
    m_deletemycommands = m_logout

    # ---- webhooks, as Telegram keeps them --------------------------------------------------
    def m_setwebhook(self, p: dict) -> bool:
        url = str(p.get("url") or "")
        if not url:  # Telegram: an empty url removes the webhook
            return self.m_deletewebhook(p)
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if _flag(p.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook = {"url": url, "secret_token": str(secret) if secret else None,
                        "allowed_updates": _load(p.get("allowed_updates")),
                        "max_connections": int(p.get("max_connections") or 40)}
        self.webhook_error = None
        self.webhook_wake.set()
        return True

    def m_deletewebhook(self, p: dict) -> bool:
        if _flag(p.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook = None
        self.webhook_wake.set()
        return True

    def m_getwebhookinfo(self, _p: dict) -> dict:
        info: dict[str, Any] = {"url": self.webhook["url"] if self.webhook else "", "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"] is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook and self.webhook_error:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    def next_webhook_update(self) -> dict | None:
        """The oldest pending update, while a webhook is set: Telegram pushes them in order."""
        return self._updates[0] if self.webhook and self._updates else None

    def webhook_answered(self, update_id: int, status: int | str) -> None:
        """An update is pending until the webhook answers 200; anything else is the last error."""
        if status == 200:
            self._updates = [u for u in self._updates if u["update_id"] != update_id]
        else:
            reason = (f"Wrong response from the webhook: {status}" if isinstance(status, int)
                      else WEBHOOK_FAILURES.get(status, status))
            self.webhook_error = (int(time.time()), reason)

    def m_setmycommands(self, p: dict) -> bool:
        scope = p.get("scope")
        key = json.dumps(_load(scope), sort_keys=True) if scope else "default"
        self.commands[key] = _load(p.get("commands")) or []
        return True

    def m_getmycommands(self, p: dict) -> list:
        scope = p.get("scope")
        return self.commands.get(json.dumps(_load(scope), sort_keys=True) if scope else "default", [])

    async def m_getupdates(self, p: dict) -> list:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and float(p.get("timeout") or 0) > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), min(float(p["timeout"]), 2.0))
            except TimeoutError:
                return []
        return self._updates[:limit]

    def _check_target(self, chat_id: int) -> dict:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self.migrated[chat_id]})
        if chat_id not in self.chats:
            if chat_id > 0:
                return self._chat(chat_id)
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _check_text(self, text: str, parse_mode: str | None) -> None:
        if parse_mode and parse_mode.upper() == "HTML" and (err := html_error(text)):
            raise ApiError(400, f"Bad Request: can't parse entities: {err}")
        visible = visible_text(text, parse_mode).strip()
        if not visible:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long")

    def _check_markup(self, markup: Any) -> dict | None:  # noqa: ANN401
        markup = _load(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _record(self, method: str, chat: dict, message_id: int, **fields: Any) -> dict:  # noqa: ANN401
        # Telegram echoes only inline keyboards in the returned message (not ForceReply etc.).
        msg = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT,
               **{k: v for k, v in fields.items() if v is not None and k != "parse_mode"
                  and (k != "reply_markup" or "inline_keyboard" in v)}}
        self._sent.append({"method": method, "chat_id": chat["id"], "message_id": message_id,
                           "text": fields.get("text") or fields.get("caption") or "",
                           "parse_mode": fields.get("parse_mode"), "reply_markup": fields.get("reply_markup")})
        self._new_sent.set()
        return msg

    def m_sendmessage(self, p: dict) -> dict:
        chat = self._check_target(int(p["chat_id"]))
        text = str(p.get("text", ""))
        self._check_text(text, p.get("parse_mode"))
        markup = self._check_markup(p.get("reply_markup"))
        msg = self._record("sendMessage", chat, self._next_message_id(chat["id"]), text=text,
                           parse_mode=p.get("parse_mode"), reply_markup=markup)
        quoted = _load(p.get("reply_parameters")) or {}
        self._sent[-1]["reply_to"] = quoted.get("message_id") or p.get("reply_to_message_id")
        return msg

    def m_editmessagetext(self, p: dict) -> dict:
        chat = self._check_target(int(p["chat_id"]))
        text = str(p.get("text", ""))
        self._check_text(text, p.get("parse_mode"))
        markup = self._check_markup(p.get("reply_markup"))
        return self._record("editMessageText", chat, int(p["message_id"]), text=text,
                            parse_mode=p.get("parse_mode"), reply_markup=markup)

    def m_editmessagereplymarkup(self, p: dict) -> dict:
        chat = self._check_target(int(p["chat_id"]))
        return self._record("editMessageReplyMarkup", chat, int(p["message_id"]),
                            reply_markup=self._check_markup(p.get("reply_markup")))

    def m_deletemessage(self, _p: dict) -> bool:
        return True

    def m_answercallbackquery(self, p: dict) -> bool:
        self.answered_callbacks.append(p)
        return True

    def m_getchat(self, p: dict) -> dict:
        return self._check_target(int(p["chat_id"]))

    def m_getchatmember(self, p: dict) -> dict:
        key = (int(p["chat_id"]), int(p["user_id"]))
        return {"status": "administrator" if key in self.admins else "member",
                "user": self._user(int(p["user_id"])), "can_be_edited": False}

    def _send_media(self, method: str, p: dict, field: str) -> dict:
        chat = self._check_target(int(p["chat_id"]))
        caption = p.get("caption")
        if caption:
            self._check_text(str(caption), p.get("parse_mode"))
        sent = {"file_id": f"SENT{len(self._sent)}", "file_unique_id": f"sent{len(self._sent)}"}
        media = [{**sent, "width": 1280, "height": 720}] if field == "photo" else sent
        msg = self._record(method, chat, self._next_message_id(chat["id"]), caption=caption,
                           parse_mode=p.get("parse_mode"), **{field: media})
        uploads = p.get("_uploads") or {}
        upload = uploads.get(field) or next(iter(uploads.values()), None)
        if upload:  # what was uploaded, so the console can save it where the user can open it
            self._sent[-1]["file"] = {"name": upload[0], "data": upload[1]}
        return msg

    def m_senddocument(self, p: dict) -> dict:
        return self._send_media("sendDocument", p, "document")

    def m_sendphoto(self, p: dict) -> dict:
        return self._send_media("sendPhoto", p, "photo")

    def m_sendmediagroup(self, p: dict) -> list:
        chat = self._check_target(int(p["chat_id"]))
        return [self._record("sendMediaGroup", chat, self._next_message_id(chat["id"]), text="")]

    def m_getfile(self, p: dict) -> dict:
        f = self.files.get(str(p.get("file_id")))
        if f is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if f["file_size"] > MAX_DOWNLOAD and not self.big_files:
            raise ApiError(400, "Bad Request: file is too big")
        return {k: v for k, v in f.items() if k != "data"}


def _flag(value: Any) -> bool:  # noqa: ANN401
    """A boolean parameter: True in-process, "true" as form data."""
    return value is True or str(value).lower() in ("true", "1")


def _load(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


class LocalRequest(BaseRequest):
    """python-telegram-bot's request layer, answered by a ``LocalBotApi`` instead of the network."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,  # noqa: ANN401
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:  # noqa: ANN401
        if "/file/bot" in url:
            data = self.api.file_bytes(unquote(url.split("/file/bot", 1)[1].split("/", 1)[1]))
            data = data.read_bytes() if isinstance(data, Path) else data
            return (200, data) if data is not None else (404, b"Not Found")
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data and request_data.multipart_data:
            params["_uploads"] = {part: (name, content if isinstance(content, bytes) else content.read(), *rest)
                                  for part, (name, content, *rest) in request_data.multipart_data.items()}
        timeouts = self.api._timeouts.get(name)
        if timeouts:
            delivered = timeouts.pop(0)
            if delivered:
                await self.api.handle(name, params)
            raise TimedOut() from (httpx.ReadTimeout("read") if delivered else httpx.ConnectTimeout("connect"))
        envelope = await self.api.handle(name, params)
        status = 200 if envelope["ok"] else envelope["error_code"]
        return status, json.dumps(envelope, ensure_ascii=False).encode()
