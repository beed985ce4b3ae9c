"""The Stream connection: open it, read its frames, store each robot message, then acknowledge it.

What ``dingtalk_stream.DingTalkStreamClient.start`` does, in a loop this process owns (so SIGTERM
stops it, and a lost connection is opened again after a short pause):
``POST /v1.0/gateway/connections/open`` with the client id, secret and the CALLBACK topics →
``{"endpoint", "ticket"}`` → a WebSocket to ``endpoint?ticket=…``. Each frame is answered with an
ack carrying its ``messageId``: a SYSTEM ``ping`` with its own data, a ``disconnect`` by closing and
connecting again, a robot message (or a card's button pressed, topic ``CARD_TOPIC``) only once it
is in the inbox (``knowledge.inbox.record``, keyed
by its ``msgId``) — DingTalk delivers a frame again that was not acknowledged, and one seen
before is acknowledged and dropped.

Messages of one conversation are handled in the order they came, different conversations
concurrently, each holding the store's turn (``bot.turns``) as Telegram updates do; the inbox
mark is set when the face is done (or by the face, with the effects, ``outbox.settle``). On start,
messages stored but not finished are handled again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import quote_plus

from tornado.websocket import WebSocketClientConnection, websocket_connect

from bot.context import Services
from channels.dingtalk import CHANNEL
from channels.dingtalk.api import OpenApi
from channels.dingtalk.face import Face
from channels.dingtalk.frames import (
    CARD_TOPIC,
    TOPIC,
    RobotMessage,
    ack,
    callback_data,
    card_press,
    pressed,
    robot_message,
)
from knowledge import conversation, inbox, people

log = logging.getLogger(__name__)
RECONNECT = 3.0  # seconds before connecting again


class Stream:
    """One Stream connection at a time, its frames, and the messages being handled."""

    def __init__(self, api: OpenApi, face: Face, services: Services) -> None:
        self.api, self.face, self.services = api, face, services
        self._chats: dict[str, asyncio.Lock] = {}
        self.tasks: set[asyncio.Task] = set()
        self.connected = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, read, reconnect until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self._session(stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the network, the gateway: say so and connect again
                log.warning("DingTalk stream: %s: %s; connecting again", type(exc).__name__, exc)
            self.connected.clear()
            try:
                await asyncio.wait_for(stop.wait(), RECONNECT)
            except TimeoutError:
                pass

    async def _session(self, stop: asyncio.Event) -> None:
        opened = await self.api.open_connection([TOPIC, CARD_TOPIC])
        conn = await websocket_connect(f"{opened['endpoint']}?ticket={quote_plus(opened['ticket'])}")
        log.info("DingTalk stream connected")
        self.connected.set()
        try:
            while not stop.is_set():
                reading = asyncio.ensure_future(conn.read_message())
                stopping = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if reading not in done:
                    reading.cancel()
                    return
                stopping.cancel()
                raw = reading.result()
                if raw is None:  # closed by the gateway
                    return
                if not self._frame(conn, json.loads(raw)):
                    return
        finally:
            conn.close()

    def _frame(self, conn: WebSocketClientConnection, frame: dict) -> bool:
        """Answer one frame; False when the gateway asks us to reconnect."""
        kind, topic = frame.get("type"), (frame.get("headers") or {}).get("topic")
        if kind == "SYSTEM" and topic == "disconnect":
            return False
        if kind == "CALLBACK" and topic == TOPIC:
            data = callback_data(frame)
            msg = robot_message(data)
            if self._record(msg, data):
                self.start(msg)
        elif kind == "CALLBACK" and topic == CARD_TOPIC:  # a card's button, stored as a message is
            raw = card_press(frame)
            msg = self.message(raw)
            if self._record(msg, raw):
                self.start(msg)
        conn.write_message(ack(frame))  # stored first (or seen before), then acknowledged
        return True

    def _record(self, msg: RobotMessage, data: dict) -> bool:
        if not msg.msg_id:
            return False
        with self.services.session() as session:
            fresh = inbox.record(session, CHANNEL, msg.update_id, data, self.services.clock.now())
        if not fresh:
            log.info("DingTalk message %s came again; stored before, not handled twice", msg.msg_id)
        return fresh

    def message(self, raw: dict) -> RobotMessage:
        """A stored robot message — or card press, in the conversation its card was sent to (kept
        by ``DingTalkOutbox.send_card``), from the presser, with the pressed button's label."""
        if "card" not in raw:
            return robot_message(raw)
        card = raw["card"]
        with self.services.session() as session:
            found = conversation.find(session, CHANNEL, f"card:{card['track']}", now=self.services.clock.now())
            officer = people.officer_of(session=session, user_id=card["user"], channel=CHANNEL)
        nick = officer.name if officer else ""
        if found is None:  # a card unknown or expired: the presser is answered privately
            return pressed(raw, card["user"], True, "", nick)
        chat, value = found
        label = next((lb for lb, data in value.get("actions", []) if data == card["action"]), "")
        return pressed(raw, chat, bool(value.get("private")), label, nick)

    def start(self, msg: RobotMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._handle(msg))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, msg: RobotMessage) -> None:
        lock = self._chats.setdefault(msg.chat, asyncio.Lock())
        async with lock:
            try:
                async with self.services.turn.held():
                    await self.face.handle(msg)
            except Exception:
                log.exception("DingTalk message %s failed", msg.msg_id)
            self._finish(msg)

    def _finish(self, msg: RobotMessage) -> None:
        try:
            with self.services.session() as session:
                inbox.done(session, CHANNEL, msg.update_id, self.services.clock.now())
        except Exception:  # the store may be what failed; the message is handled again on start
            log.exception("could not mark DingTalk message %s done", msg.msg_id)

    def replay(self) -> int:
        """Handle again the messages a stopped process stored but did not finish, in their order."""
        with self.services.session() as session:
            raws = inbox.unfinished(session, CHANNEL)
        for raw in sorted(raws, key=lambda r: int(r.get("createAt") or 0)):
            self.start(self.message(raw))
        if raws:
            log.warning("handling %d DingTalk messages again that were stored before the bot stopped", len(raws))
        return len(raws)
