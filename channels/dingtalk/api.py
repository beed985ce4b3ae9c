"""The DingTalk OpenAPI calls the face makes, with httpx, judged by what DingTalk answers.

- ``/v1.0/oauth2/accessToken`` (``appKey`` = client id, ``appSecret``): a token for two hours,
  kept until five minutes before it expires, dropped on a 401.
- ``/v1.0/robot/messageFiles/download`` (``downloadCode``, ``robotCode``): a short-lived
  ``downloadUrl``, then streamed.
- ``/v1.0/robot/groupMessages/send`` (``openConversationId``) and
  ``/v1.0/robot/oToMessages/batchSend`` (``userIds``): ``msgKey`` ``sampleMarkdown`` with
  ``msgParam`` a JSON *string*. batchSend answers 200 with ``invalidStaffIdList`` (left the
  organisation, or not a user of the app) and ``flowControlledStaffIdList`` (rate-limited).
- Files the bot sends (the digest's chart, the 台账, the evidence package) are uploaded first to
  the older API (``oapi``: ``POST /media/upload?access_token=…&type=image|file``, the file as the
  multipart field ``media``; it answers ``{"errcode": 0, "media_id"}``), then sent with ``msgKey``
  ``sampleImageMsg`` (``{"photoURL": media_id}``) or ``sampleFile`` (``{"mediaId", "fileName",
  "fileType"}``) — as ``dingtalk_stream``'s ``upload_to_dingtalk``, with the same token. That one
  call carries the token in its URL (the old API has no header for it): httpx's request lines are
  kept at WARNING (``bot.logs``) and its errors are reported by type only.
- ``/v1.0/card/instances`` then ``/v1.0/card/instances/deliver``: an interactive card from the
  app's template (``DINGTALK_CARD_TEMPLATE_ID``), its buttons calling back on the Stream.

DingTalk refuses with an HTTP status and ``{"code", "message"}``; some refusals come as 200 with
a non-zero ``errcode`` — both become ``DingTalkError``. The secret and the token never reach a
log: neither is in a URL, and errors carry DingTalk's code and message only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from dataclasses import dataclass, field

import httpx

from knowledge.files import Incoming

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=5.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=5.0, pool=5.0)
CHUNK = 256 * 1024
PER_CHAT_PER_MINUTE = 20  # DingTalk's documented ceiling for a robot in one conversation
UPLOAD_LIMIT = 20 * 1024 * 1024  # DingTalk's media upload takes files and pictures up to 20 MB
UPLOAD_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=120.0, pool=5.0)


class DingTalkError(Exception):
    """DingTalk refused a call: ``status`` (HTTP), ``code`` (its error code), its message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def throttled(self) -> bool:
        return self.status == 429 or "qps" in self.code.lower() or "throttl" in self.code.lower() \
            or "flowcontrol" in self.code.lower()

    @property
    def passing(self) -> bool:
        """A failure that may pass: the servers, or a limit."""
        return self.throttled or self.status >= 500


@dataclass
class BatchResult:
    """What batchSend said: the query key, and whom it could not reach or had to hold back."""

    key: str
    invalid: list[str] = field(default_factory=list)
    throttled: list[str] = field(default_factory=list)


class OpenApi:
    """One app's robot on one OpenAPI endpoint."""

    def __init__(self, endpoint: str, client_id: str, secret: str, robot_code: str,
                 client: httpx.AsyncClient | None = None, oapi: str = "https://oapi.dingtalk.com") -> None:
        self.endpoint, self.oapi = endpoint.rstrip("/"), oapi.rstrip("/")
        self.client_id, self._secret, self.robot_code = client_id, secret, robot_code or client_id
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT)
        self._token: tuple[str, float] | None = None
        self._sent: dict[str, deque[float]] = {}

    async def close(self) -> None:
        await self._client.aclose()

    async def token(self) -> str:
        if self._token and time.monotonic() < self._token[1]:
            return self._token[0]
        body = await self._post("/v1.0/oauth2/accessToken", {"appKey": self.client_id, "appSecret": self._secret},
                                auth=False)
        self._token = (body["accessToken"], time.monotonic() + int(body.get("expireIn", 7200)) - 300)
        return self._token[0]

    async def _post(self, path: str, payload: dict, *, auth: bool = True) -> dict:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["x-acs-dingtalk-access-token"] = await self.token()
        response = await self._client.post(self.endpoint + path, content=json.dumps(payload), headers=headers)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 401:
            self._token = None
        if response.status_code != 200 or body.get("errcode") not in (None, 0):
            raise DingTalkError(response.status_code, str(body.get("code") or body.get("errcode") or ""),
                                str(body.get("message") or body.get("errmsg") or "")[:200])
        return body

    async def open_connection(self, topics: list[str]) -> dict:
        """``/v1.0/gateway/connections/open``: the WebSocket endpoint and its one-time ticket."""
        return await self._post("/v1.0/gateway/connections/open", {
            "clientId": self.client_id, "clientSecret": self._secret, "ua": "liaison-bot",
            "subscriptions": [{"type": "CALLBACK", "topic": t} for t in topics]}, auth=False)

    async def download(self, download_code: str, incoming: Incoming) -> None:
        """Stream the file a message's ``downloadCode`` names into ``incoming``."""
        body = await self._post("/v1.0/robot/messageFiles/download",
                                {"downloadCode": download_code, "robotCode": self.robot_code})
        async with self._client.stream("GET", body["downloadUrl"], timeout=DOWNLOAD_TIMEOUT) as response:
            if response.status_code != 200:
                raise DingTalkError(response.status_code, "download", "the file could not be fetched")
            async for chunk in response.aiter_bytes(CHUNK):
                incoming.write(chunk)

    async def send_group(self, conversation: str, title: str, text: str) -> str:
        return await self.send_group_as(conversation, "sampleMarkdown", {"title": title, "text": text})

    async def send_private(self, user: str, title: str, text: str) -> BatchResult:
        return await self.send_private_as(user, "sampleMarkdown", {"title": title, "text": text})

    async def send_group_as(self, conversation: str, key: str, param: dict) -> str:
        """A group message of any ``msgKey`` (``sampleFile``, ``sampleImageMsg``)."""
        await self._pace(conversation)
        body = await self._post("/v1.0/robot/groupMessages/send", {
            "robotCode": self.robot_code, "openConversationId": conversation, "msgKey": key,
            "msgParam": json.dumps(param, ensure_ascii=False)})
        return str(body.get("processQueryKey", ""))

    async def upload(self, data: bytes, name: str, kind: str) -> str:
        """``media_id`` of ``data`` uploaded as ``kind`` (``image`` or ``file``) named ``name``."""
        token = await self.token()
        mime = "image/png" if kind == "image" else "application/octet-stream"
        try:
            response = await self._client.post(self.oapi + "/media/upload", params={"access_token": token, "type": kind},
                                               data={"type": kind}, files={"media": (name, data, mime)},
                                               timeout=UPLOAD_TIMEOUT)
        except httpx.HTTPError as exc:  # its text may hold the URL, and so the token
            raise type(exc)(f"media upload failed: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 401:
            self._token = None
        if response.status_code != 200 or body.get("errcode") not in (None, 0) or not body.get("media_id"):
            raise DingTalkError(response.status_code, str(body.get("errcode") or body.get("code") or "upload"),
                                str(body.get("errmsg") or body.get("message") or "")[:200])
        return str(body["media_id"])

    async def send_private_as(self, user: str, key: str, param: dict) -> BatchResult:
        """A private message of any ``msgKey`` through batchSend."""
        await self._pace(user)
        body = await self._post("/v1.0/robot/oToMessages/batchSend", {
            "robotCode": self.robot_code, "userIds": [user], "msgKey": key,
            "msgParam": json.dumps(param, ensure_ascii=False)})
        return BatchResult(str(body.get("processQueryKey", "")), list(body.get("invalidStaffIdList") or []),
                           list(body.get("flowControlledStaffIdList") or []))

    async def send_card(self, chat: str, private: bool, track: str, template: str, params: dict[str, str]) -> None:
        """An interactive card (``dingtalk_stream.card_replier``'s two steps): create the instance from
        ``template`` with ``params`` (strings; its buttons call back through the Stream,
        ``callbackType`` STREAM), then deliver it to the group or the person's chat with the robot."""
        await self._pace(chat)
        await self._post("/v1.0/card/instances", {
            "cardTemplateId": template, "outTrackId": track, "callbackType": "STREAM",
            "cardData": {"cardParamMap": params},
            "imGroupOpenSpaceModel": {"supportForward": False}, "imRobotOpenSpaceModel": {"supportForward": False}})
        deliver: dict = {"outTrackId": track, "userIdType": 1}
        if private:
            deliver |= {"openSpaceId": f"dtv1.card//IM_ROBOT.{chat}", "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT"}}
        else:
            deliver |= {"openSpaceId": f"dtv1.card//IM_GROUP.{chat}",
                        "imGroupOpenDeliverModel": {"robotCode": self.robot_code}}
        body = await self._post("/v1.0/card/instances/deliver", deliver)
        failed = [r for r in (body.get("result") or []) if isinstance(r, dict) and r.get("success") is False]
        if failed:  # delivered to no one: as a refusal, so the buttons go out as numbered choices
            raise DingTalkError(400, "card.deliver", str(failed[0].get("errorMsg", ""))[:200])

    async def _pace(self, target: str) -> None:
        """At most ``PER_CHAT_PER_MINUTE`` messages a minute to one conversation: wait for room."""
        sent = self._sent.setdefault(target, deque())
        now = time.monotonic()
        while sent and now - sent[0] > 60:
            sent.popleft()
        if len(sent) >= PER_CHAT_PER_MINUTE:
            await asyncio.sleep(60 - (now - sent[0]))
            sent.popleft()
        sent.append(time.monotonic())
