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
