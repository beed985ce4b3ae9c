"""``liaison-bot run --channel dingtalk``: the stream, the outbox passes and the reminders, in
one event loop this process owns, stopped cleanly by SIGTERM or Ctrl-C.

What ``bot.app`` assembles for Telegram, for DingTalk: the same ``Services`` (store, clock, kept
replies, the store's turn, one outbox pass at a time), the same start-up (rows left ``sending``
reclaimed, the question path warmed, unfinished messages handled again), the same repeating work
— ``reminders.sender.run_due`` and ``reminders.weekly.weekly`` every minute, an outbox pass every
``FLUSH_EVERY`` seconds — with ``DingTalkOutbox`` as the face.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Engine

from bot.context import Services
from bot.outbox import FLUSH_EVERY, reclaim
from bot.settings import Settings
from bot.store import open_store
from channels.dingtalk.api import OpenApi
from channels.dingtalk.face import Face
from channels.dingtalk.markdown import Choices
from channels.dingtalk.outbox import DingTalkOutbox, deliver
from channels.dingtalk.stream import Stream
from knowledge import conversation
from knowledge.clock import Clock, SystemClock
from reminders import sender, weekly

log = logging.getLogger(__name__)
TICK = 60  # seconds between looks at the reminders due


class MissingSettings(Exception):
    """What a DingTalk deployment must set, in one sentence for the operator."""


def check(settings: Settings) -> None:
    missing = [name for name, value in (("DINGTALK_CLIENT_ID", settings.dingtalk_client_id),
                                        ("DINGTALK_CLIENT_SECRET", settings.dingtalk_secret)) if not value]
    if missing:
        raise MissingSettings("未设置 " + "、".join(missing) + ",无法连接钉钉。")


def build(settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None,
          services: Services | None = None) -> tuple[Stream, DingTalkOutbox]:
    """The face's parts for ``settings`` (tests build the same); ``services``: another face's, when
    both run in one process (``channels.faces``)."""
    services = services or Services(settings=settings, engine=engine or open_store(settings),
                                    clock=clock or SystemClock())
    api = OpenApi(settings.dingtalk_openapi_endpoint, settings.dingtalk_client_id, settings.dingtalk_secret,
                  settings.dingtalk_robot_code, oapi=settings.dingtalk_oapi_endpoint)
    choices = Choices(services)
    box = DingTalkOutbox(api, services, choices)
    return Stream(api, Face(services, box, choices), services), box


async def serve(settings: Settings, stop: asyncio.Event, *, engine: Engine | None = None,
                clock: Clock | None = None, reminders: bool = True, services: Services | None = None) -> None:
    """Run until ``stop`` is set. Beside the Telegram face (``services`` given, its store warmed
    already) ``reminders`` is off: the reminders are that face's job, done once per process."""
    from bot.app import warm_up

    stream, box = build(settings, engine=engine, clock=clock, services=services)
    reclaim(box.services, box.channel)
    if services is None:
        warm_up(box.services)
    stream.replay()
    jobs = [asyncio.create_task(stream.run(stop)),
            asyncio.create_task(_every(FLUSH_EVERY, lambda: deliver(box), stop))]
    if reminders:
        jobs.append(asyncio.create_task(_every(TICK, lambda: _tick(box), stop, first=5)))
    await stop.wait()
    for job in jobs:
        job.cancel()
    await asyncio.gather(*jobs, return_exceptions=True)
    if stream.tasks:  # messages being handled finish; their inbox marks are set
        await asyncio.wait(stream.tasks, timeout=10)
    await box.api.close()


async def _tick(box: DingTalkOutbox) -> None:
    await sender.run_due(box, box.services)
    await weekly.weekly(box, box.services)
    with box.services.session() as session:  # choices, cards and prompts past their time
        conversation.sweep(session, box.services.clock.now())


async def _every(seconds: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event, first: float = 1) -> None:
    await asyncio.sleep(first)
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.exception("a repeating DingTalk job failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


def run(settings: Settings) -> int:
    """The process: SIGTERM and SIGINT set the stop event; exit 0 after a clean stop."""
    check(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    asyncio.run(main())
    log.info("DingTalk face stopped")
    return 0
