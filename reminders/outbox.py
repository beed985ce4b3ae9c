"""What the bot sends on its own, and how: the ``Outbox`` protocol a face implements, the
``Services`` (store, clock, settings) the senders read and write, and ``flush``, which delivers
the rows of ``knowledge.outbox`` — receipts, review cards, outcomes, reminders, catch-ups,
digests — through a face, marking each one.

``reminders/`` decides *what* is due, claims it in the store and marks it sent; it never knows
how a message reaches a person. A face implements ``Outbox`` (Telegram: ``bot.outbox``; a later
DingTalk face beside it), rendering the ``Message`` its own way. Both are ``typing.Protocol``s so
this package imports nothing of the shell: ``bot.context.Services`` fits ``Services`` by shape.

Why ``send`` answers ``Sent`` or None: the sender only needs to know whether a message *arrived*
(and the channel's message ids, for later edits), to tell the office once a week who cannot be
reached. What a refusal means for the store (a
private chat never started → ``private_ok`` off; a group that became a supergroup → the new chat
id) is the face's knowledge, and the face records it before answering ``False``. A failure that
may pass (the channel's servers down, a timeout) is not an answer at all: the outbox raises
``DeliveryDeferred`` (with the pause the channel asked for, if any) and the row is tried again
later. A face that cannot tell whether a message arrived (the request went out, the answer
timed out) answers ``Sent`` with a note rather than risk saying it twice.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sqlmodel import Session

from knowledge import outbox as store
from knowledge.clock import Clock
from knowledge.messages import Message, decode
from knowledge.models import Campaign
from knowledge.units import UnitDirectory

log = logging.getLogger(__name__)


class DeliveryDeferred(Exception):
    """The channel cannot take messages right now (5xx, timeouts, 429); try again later.

    ``retry_after``: the seconds the channel asked us to wait, when it said.
    """

    def __init__(self, why: str = "", retry_after: float | None = None) -> None:
        super().__init__(why)
        self.retry_after = retry_after


@dataclass
class Sent:
    """A message the channel took: its message ids, and a note when arrival is only likely."""

    ids: list[int | str] = field(default_factory=list)
    note: str = ""


class Outbox(Protocol):
    """Where the bot's own messages go out. ``target`` is a chat id (a group or a person) on
    ``channel``: a face sends its own channel's rows only."""

    @property
    def channel(self) -> str: ...

    async def send(self, target: int | str, message: Message, *, private: bool = False,
                   reply_to: int | None = None) -> Sent | None:
        """Deliver ``message``; None when it cannot arrive (the face has noted why)."""
        ...

    async def send_image(self, target: int | str, image: bytes, caption: Message) -> Sent | None:
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

    @property
    def sending(self) -> asyncio.Lock:
        """One pass over the outbox at a time in a process (see ``flush``)."""
        ...


async def flush(outbox: Outbox, services: Services, keys: list[str] | None = None) -> int:
    """Deliver the due rows (only ``keys``, when given, and the fallbacks they lead to); how many
    were marked sent. Each row is claimed, sent and marked on its own, so a crash repeats at most
    the one in flight; a chat whose message was deferred gets nothing more in this pass, so its
    messages keep their order. Only ``outbox.channel``'s rows: each face passes over its own.
    Passes take turns (``services.sending``): at most one message is in
    flight per process, so a crash can leave at most one delivery in doubt."""
    async with services.sending:
        return await _flush(outbox, services, keys)


async def _flush(outbox: Outbox, services: Services, keys: list[str] | None) -> int:
    done, rounds = 0, 0
    while rounds < 5:  # a fallback's fallback is written by the pass before; a handful suffices
        rounds += 1
        with services.session() as session:
            ids = store.due(session, services.clock.now(), outbox.channel, keys)
        if not ids:
            break
        sent, more = await _deliver_rows(outbox, services, ids)
        done += sent
        if keys is not None:
            keys = more
            if not keys:
                break
        elif not more:
            break
    return done


async def _deliver_rows(outbox: Outbox, services: Services, ids: list[int]) -> tuple[int, list[str]]:
    """Send each row; (how many were sent, keys of the fallback rows written)."""
    blocked: dict[str, datetime] = {}  # chats with a deferred message: when it is tried again
    done, more = 0, []
    for row_id in ids:
        with services.session() as session:
            row = store.claim(session, row_id, services.clock.now(), outbox.channel)
            if row is None:
                continue
            target, job = row.target, (row.target, decode(row.message), row.private, row.reply_to, row.image)
        if target in blocked:
            with services.session() as session:
                store.release(session, row_id, blocked[target])
            continue
        outcome = await _attempt(outbox, *job)
        with services.session() as session:
            now = services.clock.now()
            if isinstance(outcome, Sent):
                store.sent(session, row_id, outcome.ids, now, outcome.note)
                done += 1
            elif outcome is None:
                more += store.unreachable(session, row_id, now)
            else:
                blocked[target] = store.later(session, row_id, now, str(outcome), outcome.retry_after)
    return done, more


async def _attempt(outbox: Outbox, target: str, message: Message, private: bool, reply_to: int | None,
                   image: str) -> Sent | None | DeliveryDeferred:
    """One try: what arrived, None (unreachable), or why it must wait. Nothing escapes: a bug in
    one message must not stop the others."""
    try:
        if image:
            return await outbox.send_image(target, Path(image).read_bytes(), message)
        return await outbox.send(target, message, private=private, reply_to=reply_to)
    except DeliveryDeferred as exc:
        log.warning("delivery to %s deferred: %s", target, exc)
        return exc
    except Exception as exc:
        log.exception("delivery to %s failed", target)
        return DeliveryDeferred(f"{type(exc).__name__}: {exc}")
