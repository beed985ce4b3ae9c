"""What the reminder sender needs from the world, as protocols: an ``Outbox`` to send through and
the ``Services`` (store, clock, settings) it reads and writes.

``reminders/`` decides *what* is due, claims it in the store and marks it sent; it never knows
how a message reaches a person. A face implements ``Outbox`` (Telegram: ``bot.outbox``; a later
DingTalk face beside it), rendering the ``Message`` its own way. Both are ``typing.Protocol``s so
this package imports nothing of the shell: ``bot.context.Services`` fits ``Services`` by shape.

Why ``send`` answers a plain ``bool``: the sender only needs to know whether a message *arrived*,
to tell the office once a week who cannot be reached. What a refusal means for the store (a
private chat never started → ``private_ok`` off; a group that became a supergroup → the new chat
id) is the face's knowledge, and the face records it before answering ``False``. A failure that
may pass (the channel's servers down, a timeout) is not an answer at all: the outbox raises
``DeliveryDeferred`` and the sender leaves the claim open, so the reminder is retried later.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlmodel import Session

from knowledge.clock import Clock
from knowledge.messages import Message
from knowledge.models import Campaign
from knowledge.units import UnitDirectory


class DeliveryDeferred(Exception):
    """The channel cannot take messages right now (5xx, timeouts); retry the claim later."""


class Outbox(Protocol):
    """Where reminders and digests go out. ``target`` is a chat id (a group or a person)."""

    async def send(self, target: int, message: Message, *, private: bool = False) -> bool:
        """Deliver ``message``; False when it cannot arrive (the face has noted why)."""
        ...

    async def send_image(self, target: int, image: bytes, caption: Message) -> bool:
        """Deliver a picture (the digest's chart) with a short caption."""
        ...


class Settings(Protocol):
    """The few settings the sender reads."""

    @property
    def office_chat_id(self) -> int | None: ...

    @property
    def default_campaign(self) -> str: ...

    @property
    def evidence_path(self) -> Path: ...


class Services(Protocol):
    """The store, the clock and the settings, as ``bot.context.Services`` provides them."""

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> Settings: ...

    def session(self) -> AbstractContextManager[Session]: ...

    def directory(self, session: Session, campaign: Campaign) -> UnitDirectory: ...

    def today(self) -> date: ...
