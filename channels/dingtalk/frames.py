"""DingTalk Stream frames: what a robot message says, and the acknowledgements we send back.

A frame is JSON ``{"specVersion", "type": SYSTEM|EVENT|CALLBACK, "headers": {..., "messageId",
"topic"}, "data": "<JSON string>"}`` (``dingtalk_stream.frames``). A robot message is a CALLBACK on
``TOPIC``; its data is the message (``dingtalk_stream.chatbot.ChatbotMessage``): ``msgId``,
``conversationId`` / ``conversationType`` ("1" private, "2" group), ``senderStaffId`` (the id to
keep; ``senderId`` is opaque), ``senderNick``, ``msgtype`` and ``text.content`` — in groups with the
@mention removed and a leading space — or ``content.downloadCode`` (+ ``fileName``) for files and
pictures; ``atUsers`` lists who was @-mentioned (``staffId`` for people of the organisation).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"
CARD = "card"  # the kind of a card button's press


@dataclass(frozen=True)
class RobotMessage:
    """One robot message, as plain values."""

    msg_id: str
    conversation_id: str
    private: bool
    sender: str  # senderStaffId
    nick: str
    kind: str  # text, picture, file, richText, audio, video …
    text: str = ""
    download_code: str = ""
    file_name: str = ""
    title: str = ""
    mentions: tuple[str, ...] = ()  # staff ids of the people @-mentioned (``atUsers``; the robot has none)
    callback: str = ""  # a card button's action data (``kind`` CARD); ``text`` its label


    @property
    def update_id(self) -> int:
        """The inbox's integer id for ``msgId`` (a string): 63 bits of its SHA-256."""
        return int.from_bytes(hashlib.sha256(self.msg_id.encode()).digest()[:8], "big") >> 1

    @property
    def chat(self) -> str:
        """Where replies go: the person in a private chat, else the group's conversation."""
        return self.sender if self.private else self.conversation_id


def robot_message(data: dict) -> RobotMessage:
    """The message a CALLBACK's data holds (``data`` already parsed from its JSON string)."""
    kind = data.get("msgtype", "")
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    text = (data.get("text") or {}).get("content", "") if kind == "text" else ""
    if kind == "richText":  # text pieces joined, the first picture kept as the file
        pieces = content.get("richText") or []
        text = "".join(p.get("text", "") for p in pieces)
        content = next((p for p in pieces if p.get("downloadCode")), {})
    code = content.get("downloadCode", "") or content.get("pictureDownloadCode", "")
    name = content.get("fileName", "") or (f"图片-{data.get('msgId', '')[-8:]}.jpg" if code else "")
    return RobotMessage(msg_id=data.get("msgId", ""), conversation_id=data.get("conversationId", ""),
                        private=str(data.get("conversationType", "1")) == "1",
                        sender=data.get("senderStaffId") or "", nick=data.get("senderNick", ""), kind=kind,
                        text=text.strip(), download_code=code, file_name=name,
                        title=data.get("conversationTitle", ""),
                        mentions=tuple(u["staffId"] for u in data.get("atUsers") or []
                                       if isinstance(u, dict) and u.get("staffId")))


def card_press(frame: dict) -> dict:
    """What the inbox keeps of a card callback (topic ``CARD_TOPIC``, ``dingtalk_stream.
    card_callback_message``): ``outTrackId`` (the card), ``userId`` (the presser's staff id, as
    ``userIdType`` 1), the button's ``params.action`` from ``value`` (a JSON string
    ``{"cardPrivateData": {"actionIds", "params"}}``); keyed by the frame's ``messageId``."""
    data = _data(frame)
    try:
        value = json.loads(data.get("value") or "{}") if isinstance(data.get("value"), str) else data.get("value")
    except ValueError:
        value = {}
    params = ((value or {}).get("cardPrivateData") or {}).get("params") or {}
    mid = (frame.get("headers") or {}).get("messageId", "")
    return {"card": {"track": str(data.get("outTrackId", "")), "user": str(data.get("userId", "")),
                     "action": str(params.get("action", ""))},
            "msgId": f"card-{mid}" if mid else "", "createAt": (frame.get("headers") or {}).get("time") or 0}


def pressed(raw: dict, chat: str, private: bool, label: str, nick: str) -> RobotMessage:
    """A stored card press as a message from the presser in the card's conversation; ``label`` is
    the pressed button's (None-like "" when the card did not carry this action: a stale press)."""
    card = raw["card"]
    return RobotMessage(msg_id=raw.get("msgId", ""), conversation_id=chat, private=private, sender=card["user"],
                        nick=nick, kind=CARD, text=label, callback=card["action"] if label else "")


def ack(frame: dict, data: object = None) -> str:
    """The acknowledgement of ``frame`` (code 200): a CALLBACK's ``{"response": data}``, a SYSTEM
    frame's own data echoed (a ping is answered so)."""
    headers = frame.get("headers") or {}
    body = {"response": data} if frame.get("type") == "CALLBACK" else _data(frame)
    return json.dumps({"code": 200, "headers": {"messageId": headers.get("messageId", ""),
                                                "contentType": "application/json"},
                       "message": "OK", "data": json.dumps(body)})


def _data(frame: dict) -> dict:
    try:
        return json.loads(frame.get("data") or "{}")
    except ValueError:
        return {}


def callback_data(frame: dict) -> dict:
    """A CALLBACK frame's data, parsed ({} when it is not JSON)."""
    return _data(frame)
