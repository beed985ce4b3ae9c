"""A fake DingTalk gateway on 127.0.0.1: the OpenAPI calls and the Stream WebSocket the DingTalk
face uses, answered the way DingTalk answers them (read in ``dingtalk-stream`` 0.24.3 and
DingTalk's OpenAPI reference), so ``liaison-bot run --channel dingtalk`` runs offline against it
with ``DINGTALK_OPENAPI_ENDPOINT``.

- ``POST /v1.0/oauth2/accessToken`` → ``{"accessToken", "expireIn"}`` for the right app key and
  secret only; other calls need the token in ``x-acs-dingtalk-access-token`` (else 401).
- ``POST /v1.0/gateway/connections/open`` → ``{"endpoint": "ws://…/connect", "ticket"}``; the
  WebSocket at the endpoint takes a ticket once, and gets CALLBACK frames of the topics subscribed.
- ``push(...)`` sends a robot message as a CALLBACK frame on ``/v1.0/im/bot/messages/get``; a
  frame not acknowledged (an ack with its ``messageId``) is sent again on the next connection, as
  DingTalk redelivers.
- ``POST /v1.0/robot/messageFiles/download`` → a ``downloadUrl`` served by ``GET /files/<code>``.
- ``POST /v1.0/robot/groupMessages/send`` and ``/v1.0/robot/oToMessages/batchSend``: ``msgParam``
  must be a JSON string; what arrived is kept in ``sent``; users in ``left`` come back in
  ``invalidStaffIdList``; conversations in ``gone`` answer 400. ``sampleFile`` and
  ``sampleImageMsg`` must name a media id this gateway handed out.
- ``POST /media/upload?access_token=…&type=image|file`` (the older API's host, here the same
  server: ``DINGTALK_OAPI_ENDPOINT``) with the multipart field ``media`` → ``{"errcode": 0,
  "media_id"}``; what arrived is kept in ``uploads`` (name, type, bytes). A bad token answers
  ``errcode`` 40014 with HTTP 200, as the old API does.
- ``POST /v1.0/card/instances`` (a template in ``templates``, string params, ``callbackType``
  STREAM) then ``/v1.0/card/instances/deliver`` (``openSpaceId`` ``dtv1.card//IM_GROUP.<cid>`` or
  ``IM_ROBOT.<staff id>``): kept in ``cards``; an unknown template answers 400. ``press(card,
  label, user=…)`` sends that button's callback on ``/v1.0/card/instances/callback``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler
from tornado.websocket import WebSocketHandler

TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"


@dataclass
class Card:
    """One interactive card the robot delivered: where, its template and params (strings; ``buttons``
    a JSON list of ``{"text", "action"}``)."""

    track: str
    template: str
    params: dict
    space: str = ""  # the openSpaceId it was delivered to: dtv1.card//IM_GROUP.<cid> | IM_ROBOT.<staff id>

    @property
    def buttons(self) -> list[dict]:
        return json.loads(self.params.get("buttons") or "[]")


@dataclass
class Sent:
    """One message the robot sent: to a group (``conversation``) or a person (``user``)."""

    conversation: str
    user: str
    title: str
    text: str
    key: str = "sampleMarkdown"  # the msgKey
    param: dict = field(default_factory=dict)  # the msgParam, parsed


@dataclass
class Upload:
    """One media upload: its ``media_id``, the file's name, the ``type`` and the bytes."""

    media_id: str
    name: str
    kind: str
    data: bytes


@dataclass
class Gateway:
    """The gateway's state, shared by its handlers and the test."""

    client_id: str
    secret: str
    robot_code: str
    sent: list[Sent] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    left: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    cards: dict[str, Card] = field(default_factory=dict)  # by outTrackId, once delivered
    created: dict[str, Card] = field(default_factory=dict)  # created, not yet delivered
    templates: set[str] = field(default_factory=set)  # card templates the app has (others: 400)
    unacked: dict[str, str] = field(default_factory=dict)  # messageId → frame
    frames: dict[str, str] = field(default_factory=dict)  # every frame pushed, by messageId
    acks: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    tickets: set[str] = field(default_factory=set)
    topics: dict[str, set[str]] = field(default_factory=dict)  # ticket → the CALLBACK topics subscribed
    connections: list[WebSocketHandler] = field(default_factory=list)
    opened: int = 0
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def to(self, conversation: str = "", user: str = "") -> list[Sent]:
        return [s for s in self.sent if (conversation and s.conversation == conversation) or (user and s.user == user)]


class _Json(RequestHandler):
    gateway: Gateway

    def initialize(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def body(self) -> dict:
        return json.loads(self.request.body or b"{}")

    def answer(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def authorised(self) -> bool:
        if self.request.headers.get("x-acs-dingtalk-access-token") in self.gateway.tokens:
            return True
        self.answer({"code": "InvalidAuthentication", "message": "不合法的access_token"}, 401)
        return False


class Token(_Json):
    def post(self) -> None:
        b = self.body()
        if (b.get("appKey"), b.get("appSecret")) != (self.gateway.client_id, self.gateway.secret):
            self.answer({"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}, 400)
            return
        token = f"tok-{next(self.gateway.counter)}"
        self.gateway.tokens.add(token)
        self.answer({"accessToken": token, "expireIn": 7200})


class Open(_Json):
    def post(self) -> None:
        b = self.body()
        if (b.get("clientId"), b.get("clientSecret")) != (self.gateway.client_id, self.gateway.secret):
            self.answer({"code": "invalidClientIdOrSecret", "message": "clientId or clientSecret invalid"}, 400)
            return
        ticket = f"ticket-{next(self.gateway.counter)}"
        self.gateway.tickets.add(ticket)
        self.gateway.topics[ticket] = {t.get("topic", "") for t in b.get("subscriptions") or []
                                       if t.get("type") == "CALLBACK"}
        self.gateway.opened += 1
        host = self.request.host
        self.answer({"endpoint": f"ws://{host}/connect", "ticket": ticket})


class Connect(WebSocketHandler):
    def initialize(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.topics: set[str] = set()

    def open(self) -> None:
        ticket = self.get_argument("ticket", "")
        if ticket not in self.gateway.tickets:
            self.close(4001, "bad ticket")
            return
        self.gateway.tickets.discard(ticket)
        self.topics = self.gateway.topics.pop(ticket, set())
        self.gateway.connections.append(self)
        for frame in list(self.gateway.unacked.values()):  # DingTalk redelivers what was not acknowledged
            self.deliver(frame)

    def deliver(self, frame: str) -> None:
        """A CALLBACK frame reaches only a connection that subscribed to its topic."""
        parsed = json.loads(frame)
        if parsed.get("type") != "CALLBACK" or parsed["headers"].get("topic") in self.topics:
            self.write_message(frame)

    def on_message(self, message: str | bytes) -> None:
        ack = json.loads(message)
        mid = (ack.get("headers") or {}).get("messageId", "")
        if ack.get("code") == 200 and mid in self.gateway.frames:
            self.gateway.unacked.pop(mid, None)
            self.gateway.acks.append(mid)

    def on_close(self) -> None:
        if self in self.gateway.connections:
            self.gateway.connections.remove(self)


class Download(_Json):
    def post(self) -> None:
        if not self.authorised():
            return
        b = self.body()
        if b.get("robotCode") != self.gateway.robot_code or b.get("downloadCode") not in self.gateway.files:
            self.answer({"code": "resource.not.found", "message": "downloadCode not found"}, 400)
            return
        self.answer({"downloadUrl": f"http://{self.request.host}/files/{b['downloadCode']}"})


class File(RequestHandler):
    def initialize(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def get(self, code: str) -> None:
        self.finish(self.gateway.files[code])


class Send(_Json):
    def post(self) -> None:
        if not self.authorised():
            return
        b = self.body()
        param = b.get("msgParam")
        if b.get("robotCode") != self.gateway.robot_code or not isinstance(param, str):
            self.answer({"code": "param.error", "message": "robotCode or msgParam invalid"}, 400)
            return
        md = json.loads(param)
        key = b.get("msgKey", "")
        media = md.get("mediaId") if key == "sampleFile" else md.get("photoURL") if key == "sampleImageMsg" else None
        if key in ("sampleFile", "sampleImageMsg") and media not in {u.media_id for u in self.gateway.uploads}:
            self.answer({"code": "param.error", "message": "mediaId invalid"}, 400)
            return
        if self.request.path.endswith("/groupMessages/send"):
            conv = b.get("openConversationId", "")
            if conv in self.gateway.gone:
                self.answer({"code": "robot.not.in.group", "message": "机器人不在群内"}, 400)
                return
            self.gateway.sent.append(Sent(conv, "", md.get("title", ""), md.get("text", ""), key, md))
            self.answer({"processQueryKey": f"q{next(self.gateway.counter)}"})
            return
        invalid = [u for u in b.get("userIds", []) if u in self.gateway.left]
        for user in b.get("userIds", []):
            if user not in invalid:
                self.gateway.sent.append(Sent("", user, md.get("title", ""), md.get("text", ""), key, md))
        self.answer({"processQueryKey": f"q{next(self.gateway.counter)}", "invalidStaffIdList": invalid,
                     "flowControlledStaffIdList": []})


class MediaUpload(_Json):
    def post(self) -> None:
        if self.get_query_argument("access_token", "") not in self.gateway.tokens:
            self.answer({"errcode": 40014, "errmsg": "不合法的access_token"})
            return
        kind = self.get_query_argument("type", "") or self.get_body_argument("type", "")
        media = (self.request.files.get("media") or [None])[0]
        if kind not in ("image", "file", "voice", "video") or media is None:
            self.answer({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
            return
        upload = Upload(f"@media-{next(self.gateway.counter)}", media["filename"], kind, media["body"])
        self.gateway.uploads.append(upload)
        self.answer({"errcode": 0, "errmsg": "ok", "media_id": upload.media_id, "type": kind,
                     "created_at": int(time.time() * 1000)})
class CardCreate(_Json):
    """``POST /v1.0/card/instances``: a card from a known template, its params all strings."""

    def post(self) -> None:
        if not self.authorised():
            return
        b = self.body()
        params = (b.get("cardData") or {}).get("cardParamMap") or {}
        if b.get("cardTemplateId") not in self.gateway.templates or not b.get("outTrackId") or \
                not all(isinstance(v, str) for v in params.values()) or b.get("callbackType") != "STREAM":
            self.answer({"code": "param.cardTemplateId.invalid", "message": "卡片模板不存在或参数错误"}, 400)
            return
        self.gateway.created[b["outTrackId"]] = Card(b["outTrackId"], b["cardTemplateId"], params)
        self.answer({"success": True, "result": b["outTrackId"]})


class CardDeliver(_Json):
    """``POST /v1.0/card/instances/deliver``: to a group (with the robot) or a person's robot chat."""

    def post(self) -> None:
        if not self.authorised():
            return
        b = self.body()
        card = self.gateway.created.pop(b.get("outTrackId", ""), None)
        space = b.get("openSpaceId", "")
        group = space.startswith("dtv1.card//IM_GROUP.")
        if card is None or not (group or space.startswith("dtv1.card//IM_ROBOT.")) or \
                (group and (b.get("imGroupOpenDeliverModel") or {}).get("robotCode") != self.gateway.robot_code):
            self.answer({"code": "param.invalid", "message": "outTrackId or openSpaceId invalid"}, 400)
            return
        if group and space.removeprefix("dtv1.card//IM_GROUP.") in self.gateway.gone:
            self.answer({"success": True, "result": [{"spaceId": space, "success": False,
                                                      "errorMsg": "机器人不在群内"}]})
            return
        card.space = space
        self.gateway.cards[card.track] = card
        self.answer({"success": True, "result": [{"spaceId": space, "success": True}]})


class FakeDingTalk:
    """``async with FakeDingTalk() as dt:`` then ``dt.endpoint`` is ``DINGTALK_OPENAPI_ENDPOINT``."""

    def __init__(self, client_id: str = "ding-app", secret: str = "s3cret", robot_code: str = "ding-robot") -> None:
        self.gateway = Gateway(client_id, secret, robot_code)
        self.port = 0
        self._server: HTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeDingTalk:
        g = {"gateway": self.gateway}
        app = Application([(r"/v1.0/oauth2/accessToken", Token, g), (r"/v1.0/gateway/connections/open", Open, g),
                           (r"/connect", Connect, g), (r"/v1.0/robot/messageFiles/download", Download, g),
                           (r"/files/(.+)", File, g), (r"/v1.0/robot/groupMessages/send", Send, g),
                           (r"/v1.0/robot/oToMessages/batchSend", Send, g), (r"/media/upload", MediaUpload, g),
                           (r"/v1.0/card/instances", CardCreate, g), (r"/v1.0/card/instances/deliver", CardDeliver, g)])
        self._server = HTTPServer(app)
        self._server.listen(0, "127.0.0.1")
        self.port = next(iter(self._server._sockets.values())).getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in list(self.gateway.connections):
            conn.close()
        if self._server:
            self._server.stop()

    def push(self, *, sender: str, text: str = "", conversation: str = "", nick: str = "联络员",
             kind: str = "text", file: tuple[str, bytes] | None = None, title: str = "",
             at: tuple[str, ...] = ()) -> str:
        """A robot message from ``sender`` (private unless ``conversation``); its msgId. ``at``: the
        staff ids of people @-mentioned besides the robot (``atUsers``; their "@名字" stays in the text)."""
        n = next(self.gateway.counter)
        mid = f"msg{n:06d}"
        data = {"msgId": mid, "conversationId": conversation or f"cid-private-{sender}",
                "conversationType": "2" if conversation else "1", "senderStaffId": sender,
                "senderId": f"$:LWCP_v1:${sender}", "senderNick": nick, "robotCode": self.gateway.robot_code,
                "chatbotUserId": "$:bot", "isInAtList": bool(conversation), "createAt": int(time.time() * 1000) + n,
                "sessionWebhook": f"{self.endpoint}/session/{mid}", "conversationTitle": title, "msgtype": kind,
                "atUsers": [{"dingtalkId": "$:bot"}] * bool(conversation) + [
                    {"dingtalkId": f"$:LWCP_v1:${u}", "staffId": u} for u in at]}
        if file:
            code = f"dc-{n}"
            self.gateway.files[code] = file[1]
            data["msgtype"] = "file" if kind == "text" else kind
            data["content"] = {"downloadCode": code, "fileName": file[0]}
        else:
            data["text"] = {"content": (" " + text) if conversation else text}  # the @mention is removed
        frame = json.dumps({"specVersion": "1.0", "type": "CALLBACK", "data": json.dumps(data, ensure_ascii=False),
                            "headers": {"appId": "app", "connectionId": "c1", "contentType": "application/json",
                                        "messageId": f"frame-{n}", "time": str(int(time.time() * 1000)),
                                        "topic": TOPIC}})
        self.gateway.unacked[f"frame-{n}"] = self.gateway.frames[f"frame-{n}"] = frame
        for conn in list(self.gateway.connections):
            conn.deliver(frame)
        return mid

    def press(self, card: Card, label: str, *, user: str) -> str:
        """``user`` presses the button labelled ``label`` on ``card``: a CALLBACK frame on
        ``CARD_TOPIC`` as DingTalk sends it (``value`` a JSON string of ``cardPrivateData``); its messageId."""
        [button] = [b for b in card.buttons if b["text"] == label]
        n = next(self.gateway.counter)
        value = {"cardPrivateData": {"actionIds": ["pick"], "params": {"action": button["action"]}}}
        data = {"extension": "{}", "corpId": "ding-corp", "spaceType": "", "userIdType": 1, "type": "actionCallback",
                "userId": user, "content": json.dumps(value), "spaceId": "", "outTrackId": card.track,
                "value": json.dumps(value)}
        mid = f"card-frame-{n}"
        frame = json.dumps({"specVersion": "1.0", "type": "CALLBACK", "data": json.dumps(data, ensure_ascii=False),
                            "headers": {"appId": "app", "connectionId": "c1", "contentType": "application/json",
                                        "messageId": mid, "time": str(int(time.time() * 1000)),
                                        "topic": CARD_TOPIC}})
        self.gateway.unacked[mid] = self.gateway.frames[mid] = frame
        for conn in list(self.gateway.connections):
            conn.deliver(frame)
        return mid

    def cards_to(self, conversation: str = "", user: str = "") -> list[Card]:
        """The cards delivered to a group or to a person, in order."""
        space = f"dtv1.card//IM_GROUP.{conversation}" if conversation else f"dtv1.card//IM_ROBOT.{user}"
        return [c for c in self.gateway.cards.values() if c.space == space]

    def ping(self) -> None:
        frame = json.dumps({"specVersion": "1.0", "type": "SYSTEM", "data": json.dumps({"opaque": "x"}),
                            "headers": {"messageId": f"ping-{next(self.gateway.counter)}", "topic": "ping",
                                        "contentType": "application/json"}})
        for conn in list(self.gateway.connections):
            conn.write_message(frame)

    async def wait_for(self, predicate, timeout: float = 20.0) -> list[Sent]:  # noqa: ANN001
        """The messages sent so far once ``predicate(sent)`` holds (raises after ``timeout``)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self.gateway.sent):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"waited {timeout}s; sent: {[(s.conversation or s.user, s.text[:60]) for s in self.gateway.sent]}")
            await asyncio.sleep(0.05)
        return list(self.gateway.sent)
