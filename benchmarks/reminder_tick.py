"""One scheduler tick with 40 units × 41 indicators × 5 deadlines pending.

Yancheng's table, 40 units with an officer each (38 named units plus 2 extra so the count
matches the issue), the 41 indicators spread over 5 due dates, all due in the same slot.
Run: .venv/bin/python -m benchmarks.reminder_tick
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from bot.context import Services
from bot.fakes.api import LocalBotApi, LocalRequest
from bot.outbox import run_due
from bot.settings import Settings
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.models import Unit
from knowledge.timeline import set_due, set_phases
from reminders.calendar import WorkCalendar


def _deadline(cal: WorkCalendar, slot: date, n: int) -> date:
    """The first date that is ``n`` working days after ``slot``."""
    day = slot
    while cal.workdays_before(day, n) != slot:
        day += timedelta(days=1)
    return day


async def main() -> None:
    from telegram import Bot

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/tick.db")
        create_schema(engine)
        now = datetime(2026, 12, 10, 1, 5, tzinfo=UTC)
        with Session(engine) as s:
            load_all(s)
            camp = get_campaign(s, "yancheng")
            set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=now)
            # 5 deadlines that all fire in this tick's slot: 14, 7, 3 and 1 working days ahead, and
            # one that passed yesterday (overdue + escalation).
            cal, slot = WorkCalendar(), date(2026, 12, 10)
            dues = [_deadline(cal, slot, n) for n in (14, 7, 3, 1)] + [cal.workdays_before(slot, 1)]
            for no in range(1, 42):
                set_due(s, camp, no, dues[no % 5], by=1, now=now)
            units = [u for u in s.exec(select(Unit).where(Unit.campaign_id == camp.id, Unit.kind != "group"))]
            for i, u in enumerate(units[:40]):
                people.add_officer(session=s, campaign_id=camp.id, unit_id=u.id, user_id=50_000 + i, now=now)
                people.set_private_ok(session=s, user_id=50_000 + i, ok=True)
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-1, kind="liaison", title="群", by_user_id=1, now=now)
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-2, kind="office", title="办", by_user_id=1, now=now)
            s.commit()
        api = LocalBotApi()
        api.group_chat(-1, "群")
        api.group_chat(-2, "办")
        bot = Bot("1:T", request=LocalRequest(api))
        await bot.initialize()
        services = Services(settings=Settings(_env_file=None), engine=engine, clock=FakeClock(now))
        start = time.perf_counter()
        claimed = await run_due(bot, services)
        elapsed = time.perf_counter() - start
        start2 = time.perf_counter()
        again = await run_due(bot, services)
        elapsed2 = time.perf_counter() - start2
        print(f"units with officers: {min(40, len(units))}, indicators: 41, deadlines: 5")
        print(f"first tick: {claimed} reminders claimed, {len(api.sent())} messages, {elapsed * 1000:.0f} ms")
        print(f"second tick (nothing new): {again} claimed, {elapsed2 * 1000:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
