"""Every command and button against every role, in private, a bound group and an unbound group:
nothing crashes, and a refused action changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from knowledge.clock import FakeClock
from knowledge.models import AuditLog, CampaignState, Chat, Evidence, IndicatorDue, Officer, Phase
from tests.botkit import ADMIN, GROUP, OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine

UNBOUND = -1005555
ROLES = {"stranger": 7001, "pending": 7002, "other_unit": 7003, "liaison": 7004, "office": 7005, "admin": ADMIN}
PRIVILEGED = ["/pause", "/resume", "/due 12 2027-01-01", "/phase shift 2027-01-01", "/setup", "/digest",
              "/acks", "/status 发改委", "/review", "/bind 统计局", "/revoke"]
EVERYONE = ["/my", "/unit 发改委", "/ind 12", "/find 跨境电商", "/phase", "/submit", "/status", "/reminders",
            "/mute 3", "/withdraw 1", "/figure 1 2024 网上零售额 10", "/score 1", "/help", "/start",
            "第12项指标", "我们单位负责哪些指标"]
# rv:{ev} names a real submission (统计局's), apv:{pending} the real pending officer.
BUTTONS = ["rv:{ev}:a", "rv:{ev}:r", "apv:{pending}:1", "setup:1:l", "sb:i:1:12", "sb:ok:1", "ack:1", "reg:u:1:3", "i:1:12",
           "u:1:3", "t:1:2", "i:99:1", "u:1:99999"]


def snapshot(h) -> tuple:
    with h.services.session() as s:
        count = lambda m: s.exec(select(func.count()).select_from(m)).one()  # noqa: E731
        paused = [c.reminders_paused for c in s.exec(select(CampaignState))]
        statuses = sorted((e.id, e.status) for e in s.exec(select(Evidence)))
        officers = sorted((o.external_id, o.status, o.unit_id) for o in s.exec(select(Officer)))
        phases = sorted((p.campaign_id, p.no, p.start) for p in s.exec(select(Phase)))
        return (count(Chat), count(IndicatorDue), count(AuditLog), paused, statuses, officers, phases)


@pytest.fixture(scope="module")
def engine_factory():
    def make():
        engine = campaigns_engine()
        return engine
    return make


@pytest.fixture
async def h(engine_factory, tmp_path):
    harness = await make_harness(engine_factory(), FakeClock(datetime(2026, 11, 24, 2, tzinfo=UTC)), tmp_path)
    for chat, title in ((GROUP, "联络员群"), (OFFICE_CHAT, "办公室"), (UNBOUND, "别的群")):
        harness.api.group_chat(chat, title)
    harness.bind(GROUP)
    harness.bind(OFFICE_CHAT, kind="office")
    harness.register(ROLES["other_unit"], "发改委")
    harness.register(ROLES["liaison"], "统计局")
    harness.register(ROLES["office"], "市监局", role="office")
    with harness.services.session() as s:
        from knowledge import people
        from knowledge.campaigns import get_campaign
        camp = get_campaign(s, "hejin")
        harness.ids = {"pending": people.request_registration(
            session=s, campaign_id=camp.id, unit_id=3, user_id=ROLES["pending"], username="", name="待审",
            now=harness.clock.now()).id}
    liaison = ROLES["liaison"]
    await harness.feed(harness.api.push_document(liaison, liaison, b"%PDF-1.4 a", "a.pdf", "application/pdf",
                                                 caption="#1 统计局材料"))
    with harness.services.session() as s:
        harness.ids["ev"] = s.exec(select(Evidence.id)).one()
    harness.new()
    yield harness
    await harness.app.shutdown()


def errors_reported(h) -> list[str]:
    return [m["text"] for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]


@pytest.mark.parametrize("role", list(ROLES))
async def test_commands_by_role_and_chat(h, role):
    uid = ROLES[role]
    for chat in (uid, GROUP, UNBOUND):
        for text in PRIVILEGED + EVERYONE:
            before = snapshot(h)
            message = text if chat == uid or text.startswith("/") else f"@liaison_test_bot {text}"
            update = h.api.push_message(chat, uid, message, reply_to_message_id=1 if text.startswith(
                ("/bind", "/revoke")) else None)
            if text.startswith(("/bind", "/revoke")):  # a reply to a person's message, as Telegram sends it
                update["message"]["reply_to_message"]["from"] = {"id": ROLES["liaison"], "is_bot": False,
                                                                 "first_name": "孙三"}
            await h.feed(update)
            reply = "\n".join(m["text"] for m in h.new())
            assert reply, (role, chat, text)  # every command here is answered
            if role not in ("office", "admin") and text in PRIVILEGED:
                assert snapshot(h) == before, (role, chat, text)
                own = role == "other_unit" and text == "/status 发改委"  # 发改委's own status: allowed
                assert own or any(render(r, city="河津市", unit="工业和信息化和科技局", bot="liaison_test_bot").strip() in reply
                           for r in REFUSALS), (role, chat, text, reply)
    assert errors_reported(h) == []


@pytest.mark.parametrize("role", list(ROLES))
async def test_buttons_by_role(h, role):
    uid = ROLES[role]
    for chat in (uid, GROUP, OFFICE_CHAT, UNBOUND):
        for data in BUTTONS:
            before, answered = snapshot(h), len(h.api.answered_callbacks)
            await h.press(chat, uid, 1, data.format(**h.ids))
            assert len(h.api.answered_callbacks) > answered or h.new(), (role, chat, data)  # always answered
            if role not in ("office", "admin") and data.split(":")[0] in ("rv", "apv", "setup"):
                assert snapshot(h) == before, (role, chat, data)
                said = h.api.answered_callbacks[-1].get("text", "")
                assert render("office_only").strip() in said or render("setup_in_group").strip() in said, said
    assert errors_reported(h) == []


# The access table, walked cell by cell through the real Application: for every gated command,
# every role and every kind of chat, the reply is the table's refusal, or not a refusal at all.
from bot.render import render  # noqa: E402
from knowledge.access import ChatKind, Role, Route, decide  # noqa: E402

AS_ROLE = {"stranger": Role.STRANGER, "pending": Role.PENDING, "other_unit": Role.LIAISON,
           "liaison": Role.LIAISON, "office": Role.OFFICE, "admin": Role.ADMIN, "revoked": Role.REVOKED}
REVOKED = 7006
PROBES = [(Route.HELP, "/help"), (Route.ASK, "/ind 12"), (Route.OWE, "/status"),
          (Route.OWE_OTHER, "/status 发改委"), (Route.OWE_OTHER, "/status 气象局"), (Route.SCORE, "/score 1"),
          (Route.SUBMIT, "/submit"), (Route.WITHDRAW, "/withdraw 1"), (Route.FIGURE, "/figure 1 2024 网上零售额 10"),
          (Route.START, "/start"), (Route.SETUP, "/setup"), (Route.REVIEW, "/review"),
          (Route.BIND, "/bind 统计局"), (Route.REVOKE, "/revoke")]
REFUSALS = ("need_registration", "pending", "office_only", "group_unbound", "no_campaign", "submit_need_officer",
            "start_in_private", "setup_in_group")


@pytest.mark.parametrize("role", list(AS_ROLE))
async def test_the_table_cell_by_cell(h, role):
    uid = ROLES.get(role, REVOKED)
    if role == "revoked":
        h.register(REVOKED, "发改委")
        with h.services.session() as s:
            from knowledge import people
            from knowledge.campaigns import get_campaign
            people.revoke(session=s, campaign_id=get_campaign(s, "hejin").id, user_id=REVOKED, by_user_id=ADMIN,
                          now=h.clock.now())
    has_unit = role in ("other_unit", "liaison", "office")
    kinds = {uid: ChatKind.PRIVATE, GROUP: ChatKind.LIAISON_GROUP, OFFICE_CHAT: ChatKind.OFFICE_CHAT,
             UNBOUND: ChatKind.UNBOUND_GROUP}
    data = {"city": "河津市", "unit": "工业和信息化和科技局" if role == "pending" else "", "bot": "liaison_test_bot"}
    for chat, kind in kinds.items():
        for route, text in PROBES:
            own = role == "other_unit" and text == "/status 发改委"
            expected = decide(route, AS_ROLE[role], kind, has_unit=has_unit)
            if route in (Route.OWE, Route.OWE_OTHER):  # the question path: a question first, then whose unit
                expected = decide(Route.ASK, AS_ROLE[role], kind) or (
                    "" if own else decide(Route.OWE_OTHER, AS_ROLE[role], kind) if route is Route.OWE_OTHER else "")
            update = h.api.push_message(chat, uid, text, reply_to_message_id=1 if text.startswith(
                ("/bind", "/revoke")) else None)
            if text.startswith(("/bind", "/revoke")):  # a reply to a person's message, as Telegram sends it
                update["message"]["reply_to_message"]["from"] = {"id": 7999, "is_bot": False, "first_name": "张三"}
            await h.feed(update)
            reply = "\n".join(m["text"] for m in h.new())
            cell = (route.value, text, role, kind.value)
            if expected:
                assert render(expected, **data).strip() in reply, (cell, expected, reply)
            else:
                assert not any(render(r, **data).strip() in reply for r in REFUSALS), (cell, reply)
    assert errors_reported(h) == []


async def test_unknown_units_are_not_found_politely(h):
    """The office's /status and /bind with a name that is no unit: "没有找到", never a crash."""
    office = ROLES["office"]
    reply = "\n".join(m["text"] for m in await h.say(office, office, "/status 气象局"))
    assert "没有找到单位“气象局”" in reply
    update = h.api.push_message(OFFICE_CHAT, office, "/bind 气象局", reply_to_message_id=1)
    update["message"]["reply_to_message"]["from"] = {"id": 7999, "is_bot": False, "first_name": "张三"}
    await h.feed(update)  # the local API quotes only the bot's own messages; this one quotes a person
    reply = "\n".join(m["text"] for m in h.new())
    assert "没有找到单位“气象局”" in reply
    assert errors_reported(h) == []
