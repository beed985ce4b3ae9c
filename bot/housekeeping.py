"""The daily sweep of evidence files no submission references (``knowledge.sweep``), as a job of
the running bot and for ``liaison-bot files sweep``."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from knowledge.sweep import SweepReport, sweep

if TYPE_CHECKING:  # the CLI's sweep loads no Telegram
    from bot.context import BotContext

log = logging.getLogger(__name__)

SWEEP_EVERY = 24 * 3600  # seconds
SWEEP_FIRST = 15 * 60  # after start: not while the bot catches up with what waited


def sweep_files(settings: Settings, engine: Engine, now: datetime, *, dry_run: bool = False) -> SweepReport:
    """Sweep ``EVIDENCE_DIR`` with the configured grace period."""
    with Session(engine) as session:
        return sweep(session, settings.evidence_path, now=now, grace=timedelta(hours=settings.sweep_grace_hours),
                     dry_run=dry_run)


async def sweep_job(context: BotContext) -> None:
    """The job: sweep in a worker thread (a walk of the whole directory), log what went."""
    services = context.services
    report = await asyncio.to_thread(sweep_files, services.settings, services.engine, services.clock.now())
    for f in report.removed:
        log.info("sweep removed %s (%d bytes): no submission references it", f.path, f.size)
    log.info("sweep of %s: removed %d files (%.1f MB); kept %d referenced, %d younger than %g h; %d not ours",
             services.settings.evidence_path, len(report.removed), report.bytes / 1048576, report.referenced,
             report.young, services.settings.sweep_grace_hours, len(report.foreign))
