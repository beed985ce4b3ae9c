"""A small world for the access tests: two campaigns, every role, every kind of chat, and rows
that a refused request must not touch or show (another unit's submission, a reminder, an officer
of the other campaign)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import SQLModel, select

from knowledge import people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.models import Evidence, Officer, ReminderLog
from tests.botkit import ADMIN, GROUP, OFFICE_CHAT, Harness, make_harness
from tests.conftest import campaigns_engine

UNBOUND = -1005555
YC_GROUP = -1007777  # Yancheng's liaison group
# Hejin unless said otherwise. "liaison" is 统计局's officer; "other" is 发改委's (another unit).
USERS = {"stranger": 7001, "pending": 7002, "other": 7003, "liaison": 7004, "office": 7005, "admin": ADMIN,
         "revoked": 7006, "yc_office": 7007, "yc_liaison": 7008}
SECRET = "发改委绝密台账"  # the other unit's submission: its file name and note must never show to others
YC_SECRET = "盐城内部材料"


def count_rows(h: Harness) -> dict[str, int]:
    """Rows per table: a refused request changes none of them."""
    with h.services.session() as s:
        return {t.name: s.exec(select(func.count()).select_from(t)).one()
                for t in SQLModel.metadata.sorted_tables}


def state(h: Harness) -> tuple:
    """What a refused request must leave as it was, beyond row counts: statuses and bindings."""
    with h.services.session() as s:
        return (sorted((e.id, e.status, str(e.awarded_points)) for e in s.exec(select(Evidence))),
                sorted((o.id, o.status, o.role, o.unit_id) for o in s.exec(select(Officer))),
                sorted((c.external_id, c.campaign_id, c.kind, c.status) for c in s.exec(select(_chat()))),
                count_rows(h))


def _chat():
    from knowledge.models import Chat
    return Chat


async def build_world() -> tuple[Harness, dict]:
    engine = campaigns_engine()
    h = await make_harness(engine, FakeClock(datetime(2026, 11, 24, 2, tzinfo=UTC)))
    for chat, title in ((GROUP, "联络员群"), (OFFICE_CHAT, "办公室"), (UNBOUND, "别的群"), (YC_GROUP, "盐城群")):
        h.api.group_chat(chat, title)
    h.bind(GROUP)
    h.bind(OFFICE_CHAT, kind="office")
    h.bind(YC_GROUP, slug="yancheng")
    h.register(USERS["other"], "发改委", name="钱二")
    h.register(USERS["liaison"], "统计局", name="孙三")
    h.register(USERS["office"], "市监局", role="office", name="李四")
    h.register(USERS["revoked"], "统计局", name="周五")
    h.register(USERS["yc_office"], "市场监管局", slug="yancheng", role="office", name="吴六")
    h.register(USERS["yc_liaison"], "统计局", slug="yancheng", name="郑七")
    ids: dict = {}
    with h.services.session() as s:
        hejin, yancheng = get_campaign(s, "hejin"), get_campaign(s, "yancheng")
        ids.update(hejin=hejin.id, yancheng=yancheng.id)
        pending = people.request_registration(session=s, campaign_id=hejin.id, unit_id=3, user_id=USERS["pending"],
                                              username="", name="待审", now=h.clock.now())
        yc_pending = people.request_registration(session=s, campaign_id=yancheng.id, unit_id=47, user_id=7999,
                                                 username="", name="盐城待审", now=h.clock.now())
        ids.update(pending_officer=pending.id, yc_pending_officer=yc_pending.id)
        reminder = ReminderLog(campaign_id=hejin.id, key="test:1:group", kind="deadline", slot=date(2026, 11, 24),
                               status="sent", payload={"units": {"14": "统计局", "1": "发改委"}},
                               claimed_at=h.clock.now())
        s.add(reminder)
        s.commit()
        ids["reminder"] = reminder.id
    # Submissions through the bot, as officers make them.
    pdf = b"%PDF-1.4 test"
    for user, no, name in ((USERS["other"], 29, SECRET), (USERS["liaison"], 1, "统计局材料"),
                           (USERS["revoked"], 2, "周五的材料"), (USERS["yc_liaison"], 32, YC_SECRET)):
        await h.feed(h.api.push_document(user, user, pdf + name.encode(), f"{name}.pdf", "application/pdf",
                                         caption=f"#{no} {name}"))
    h.new()
    with h.services.session() as s:
        by_note = {e.note: e.id for e in s.exec(select(Evidence))}
        assert len(by_note) == 4, by_note
        ids.update(other_ev=by_note[SECRET], own_ev=by_note["统计局材料"], revoked_ev=by_note["周五的材料"],
                   yc_ev=by_note[YC_SECRET])
        people.revoke(session=s, campaign_id=ids["hejin"], user_id=USERS["revoked"], by_user_id=ADMIN,
                      now=h.clock.now())
        s.commit()
    return h, ids
