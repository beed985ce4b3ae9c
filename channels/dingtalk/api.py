"""The DingTalk OpenAPI calls the face makes, with httpx, judged by what DingTalk answers.

- ``/v1.0/oauth2/accessToken`` (``appKey`` = client id, ``appSecret``): a token for two hours,
  kept until five minutes before it expires, dropped on a 401.
- ``/v1.0/robot/messageFiles/download`` (``downloadCode``, ``robotCode``): a short-lived
  ``downloadUrl``, then streamed.
- ``/v1.0/robot/groupMessages/send`` (``openConversationId``) and
  ``/v1.0/robot/oToMessages/batchSend`` (``userIds``): ``msgKey`` ``sampleMarkdown`` with
  ``msgParam`` a JSON *string*. batchSend answers 200 with ``invalidStaffIdList`` (left the
  organisation, or not a user of the app) and ``flowControlledStaffIdList`` (rate-limited).
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
                 client: httpx.AsyncClient | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
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
        await self._pace(conversation)
        body = await self._post("/v1.0/robot/groupMessages/send", {
            "robotCode": self.robot_code, "openConversationId": conversation, "msgKey": "sampleMarkdown",
            "msgParam": json.dumps({"title": title, "text": text}, ensure_ascii=False)})
        return str(body.get("processQueryKey", ""))

    async def send_private(self, user: str, title: str, text: str) -> BatchResult:
        await self._pace(user)
        body = await self._post("/v1.0/robot/oToMessages/batchSend", {
            "robotCode": self.robot_code, "userIds": [user], "msgKey": "sampleMarkdown",
            "msgParam": json.dumps({"title": title, "text": text}, ensure_ascii=False)})
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
