"""The DingTalk outbox: ``reminders.outbox.Outbox`` over the robot OpenAPI.

A row's ``target`` is a conversation: a group's ``openConversationId`` or, with ``private``, a
person's staff id. What a failure means for the row, decided once, as ``bot.outbox`` does for
Telegram:

- a person batchSend lists as invalid (left the organisation, not a user of the app): like
  Telegram's ``Forbidden`` — ``private_ok`` off, the row ``unreachable``, its fallback written;
- a group DingTalk refuses (the robot was removed, the conversation is gone): the chat is marked
  unreachable;
- throttling (429, a QPS code, ``flowControlledStaffIdList``) → try again in a minute; 5xx,
  connection failures and timeouts before the request left → try again later;
- a read timeout: DingTalk has the request and almost always delivers it, so it counts as sent
  with a note — sending again would say it twice.

Pictures and files (the digest's chart, /export's 台账 and evidence package) are uploaded first
(``api.OpenApi.upload``, the older API's host ``DINGTALK_OAPI_ENDPOINT``), then sent by media id;
an upload that fails sends nothing and the row is tried again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path

import httpx

from bot.context import Services
from channels.dingtalk import CHANNEL
from channels.dingtalk.api import DingTalkError, OpenApi
from channels.dingtalk.markdown import TTL, Choices, Part, message_parts, numbered
from knowledge import chats, conversation, people
from knowledge.messages import Message
from reminders.outbox import DeliveryDeferred, Sent, flush

log = logging.getLogger(__name__)
NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout, httpx.ConnectError)


class DingTalkOutbox:
    """Rows and replies out to DingTalk conversations."""

    channel = CHANNEL

    def __init__(self, api: OpenApi, services: Services, choices: Choices) -> None:
        self.api, self.services, self.choices = api, services, choices

    async def send(self, target: int | str, message: Message, *, private: bool = False,
                   reply_to: int | None = None) -> Sent | None:
        """``Sent`` when DingTalk took every part; None when the conversation cannot be reached."""
        chat = str(target)
        return await self.send_parts(chat, message_parts(message), private)

    async def send_parts(self, chat: str, parts: list[Part], private: bool) -> Sent | None:
        return await self._each(chat, private, parts)

    async def _each(self, chat: str, private: bool, messages: list[Part | tuple[str, dict]]) -> Sent | None:
        """Send each part (a card when it has buttons and cards are on, else markdown with its
        buttons as numbered choices) or (``msgKey``, ``msgParam``) in order; what DingTalk's
        answers mean, judged here."""
        ids: list[int | str] = []
        for item in messages:
            try:
                if isinstance(item, Part):
                    part = item
                    if part.actions and self.services.settings.dingtalk_cards_on:
                        sent = await self.send_card(chat, part, private)
                        if sent:
                            ids.append(sent)
                            continue
                    if part.actions:  # no card: the buttons as numbered choices, stored before they are shown
                        part = numbered(part, self.choices.number(chat, part.actions))
                    key, param = "sampleMarkdown", {"title": part.title, "text": part.text}
                else:
                    key, param = item
                if private:
                    result = await self.api.send_private_as(chat, key, param)
                    if chat in result.invalid:
                        return self._gone(chat, private, "not a user of the app")
                    if chat in result.throttled:
                        raise DeliveryDeferred("DingTalk held the message back (flow control)", 60)
                    ids.append(result.key)
                else:
                    ids.append(await self.api.send_group_as(chat, key, param))
            except DingTalkError as exc:
                if exc.throttled:
                    raise DeliveryDeferred(str(exc), 60) from exc
                if exc.passing:
                    raise DeliveryDeferred(str(exc)) from exc
                log.error("DingTalk refused a message to %s: %s", chat, exc)
                return self._gone(chat, private, exc.code)
            except httpx.TimeoutException as exc:
                if isinstance(exc, NOT_SENT):
                    raise DeliveryDeferred(f"{type(exc).__name__}") from exc
                log.warning("no answer from DingTalk for a message to %s; taken as delivered", chat)
                return Sent(ids, "timed out waiting for DingTalk's answer; assumed delivered")
            except httpx.HTTPError as exc:
                raise DeliveryDeferred(f"{type(exc).__name__}") from exc
        return Sent(ids)

    async def _upload(self, data: bytes, name: str, kind: str) -> str:
        """The media id of an upload; a failure is never the conversation's fault, so it is tried again."""
        try:
            return await self.api.upload(data, name, kind)
        except DingTalkError as exc:
            raise DeliveryDeferred(f"media upload: {exc}") from exc
        except httpx.HTTPError as exc:
            raise DeliveryDeferred(f"media upload: {type(exc).__name__}") from exc

    async def send_card(self, chat: str, part: Part, private: bool) -> str:
        """``part`` as an interactive card (its text, one button per action carrying the action's data,
        as Telegram's ``callback_data``); the card's id — or "" when DingTalk refuses the card (4xx), so
        the caller sends numbered choices instead. Where the card went and what its buttons do are
        stored before it is sent: a press after a restart is understood."""
        track = uuid.uuid4().hex
        actions = [[a.label, a.encode()] for row in part.actions for a in row]
        with self.services.session() as session:
            conversation.remember(session, CHANNEL, chat, f"card:{track}", {"private": private, "actions": actions},
                                  now=self.services.clock.now(), ttl=TTL)
        params = {"title": part.title, "markdown": part.text,
                  "buttons": json.dumps([{"text": label, "action": data, "row": r}
                                         for r, row in enumerate(part.actions)
                                         for label, data in ((a.label, a.encode()) for a in row)],
                                        ensure_ascii=False)}
        try:
            await self.api.send_card(chat, private, track, self.services.settings.dingtalk_card_template_id, params)
        except DingTalkError as exc:
            if exc.passing or exc.status == 401 or not 400 <= exc.status < 500:
                raise
            log.warning("DingTalk refused a card to %s (%s); its buttons go as numbered choices", chat, exc)
            with self.services.session() as session:
                conversation.forget(session, CHANNEL, chat, f"card:{track}")
            return ""
        return track

    def _gone(self, chat: str, private: bool, why: str) -> None:
        log.info("DingTalk conversation %s unreachable (%s)", chat, why)
        with self.services.session() as session:
            if private:
                people.set_private_ok(session=session, user_id=chat, ok=False, channel=CHANNEL)
            else:
                chats.mark_chat_status(session=session, chat_id=chat, status="unreachable",
                                       now=self.services.clock.now(), channel=CHANNEL)
        return None

    async def send_image(self, target: int | str, image: bytes, caption: Message, *,
                         private: bool = False) -> Sent | None:
        """The digest's chart: uploaded (a failed upload sends nothing and is tried again), then
        its caption and the picture (``sampleImageMsg``: DingTalk's pictures carry no caption)."""
        media = await self._upload(image, "digest-chart.png", "image")
        chat = str(target)
        return await self._each(chat, private, [*message_parts(caption), ("sampleImageMsg", {"photoURL": media})])

    async def send_file(self, target: int | str, path: Path, *, private: bool = False) -> Sent | None:
        """A file the office asked for (the 台账, the evidence package), as ``sampleFile``; the
        caller keeps files over ``UPLOAD_LIMIT`` on the server (``export_too_big``)."""
        media = await self._upload(await asyncio.to_thread(path.read_bytes), path.name, "file")
        kind = path.suffix.lstrip(".").lower() or "file"
        return await self._each(str(target), private, [("sampleFile", {"mediaId": media, "fileName": path.name,
                                                                        "fileType": kind})])


async def deliver(box: DingTalkOutbox, keys: list[str] | None = None) -> int:
    """Send what the outbox holds (only ``keys`` and their fallbacks, when given)."""
    return await flush(box, box.services, keys)
