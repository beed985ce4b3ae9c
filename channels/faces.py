"""``liaison-bot run`` with both a Telegram token and DingTalk credentials: both faces in one
process — one event loop, one store (one ``Services``: the store's turn, one outbox pass at a
time), one reminders job.

The Telegram ``Application`` is driven by hand here, as ``Application.run_polling`` /
``run_webhook`` drive it (initialize, ``post_init``, the updater, start … stop, shutdown), so the
DingTalk face (``channels.dingtalk.runner.serve``) runs beside it in the same loop. The reminders
and the weekly digest are the Telegram application's minute job, as in a Telegram-only process;
the rows they write for DingTalk chats and people carry their channel and go out with the
DingTalk face's own outbox pass (``knowledge.outbox.due`` takes the channel), within
``FLUSH_EVERY`` seconds. SIGTERM and SIGINT stop both cleanly.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import build_application
from bot.settings import Settings
from channels.dingtalk import runner

log = logging.getLogger(__name__)
KINDS = ["message", "callback_query", "my_chat_member"]


def wanted(settings: Settings, channel: str | None) -> str:
    """Which face(s) ``run`` starts: the one asked for, else what is configured ("both" when a
    token and DingTalk credentials are set; "telegram" otherwise — no token is the console chat)."""
    if channel:
        return channel
    if settings.token and settings.dingtalk_client_id and settings.dingtalk_secret:
        return "both"
    return "telegram"


async def serve(settings: Settings, stop: asyncio.Event, *, hook: dict | None = None, **build: object) -> None:
    """Both faces until ``stop`` is set (``build``: ``build_application``'s test seams: engine,
    clock, request)."""
    app = build_application(settings, **build)  # type: ignore[arg-type]
    services = app.bot_data["services"]
    await app.initialize()
    try:
        await app.post_init(app)  # type: ignore[misc]
        if hook:
            await app.updater.start_webhook(**hook, allowed_updates=KINDS)  # type: ignore[union-attr]
        else:
            await app.updater.start_polling(allowed_updates=KINDS)  # type: ignore[union-attr]
        await app.start()
        try:
            await runner.serve(settings, stop, services=services, reminders=False)
        finally:
            if app.updater.running:  # type: ignore[union-attr]
                await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
    finally:
        await app.shutdown()


def run(settings: Settings, hook: dict | None = None) -> int:
    """The process: SIGTERM and SIGINT stop both faces; exit 0 after a clean stop."""
    runner.check(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop, hook=hook)

    asyncio.run(main())
    log.info("Telegram and DingTalk faces stopped")
    return 0
