"""The DingTalk face: the same bot in DingTalk (钉钉) through a Stream-mode robot.

The bot holds an outbound WebSocket (``stream``), so it needs no public address. A robot message
arrives as a CALLBACK frame on ``/v1.0/im/bot/messages/get`` (``frames``), is stored in the durable
inbox before it is acknowledged, and goes through the same gate, the same access table and the
same core calls as a Telegram update (``face``). Replies and the outbox's rows are rendered from
the same templates into DingTalk's markdown (``markdown``), buttons as interactive-card buttons
whose presses come back on the stream (topic ``/v1.0/card/instances/callback``, stored in the
inbox too) or, without a card template or when a card is refused, as numbered choices, and sent
through the robot OpenAPI (``api``, ``outbox``). What the face waits for — choices and cards
shown, a reviewer's prompt, a registration (``pending``) — is kept in the store, not in memory. ``runner`` owns the loop: stream, outbox passes,
reminders, a clean stop on SIGTERM.

Read in ``dingtalk-stream`` 0.24.3 (open-dingtalk's SDK) rather than used: its client reads the
endpoint at import, cannot be stopped, and sends with blocking ``requests`` that ignore
DingTalk's ``errcode`` — so the few calls it makes are made here with httpx and tornado.
"""

from knowledge.identity import DINGTALK as CHANNEL

__all__ = ["CHANNEL"]
