"""The access table walked cell by cell through the real Application: every route × every role
(stranger, pending, revoked, this unit's liaison, another unit's, office, admin) × every kind of
chat. An allowed cell answers (no refusal); a refused one answers the table's refusal, changes
nothing in the store and shows nothing of another unit. The doc's copy of the table is checked too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render import render
from knowledge import chats, people
from knowledge.access import ChatKind, Role, Route, decide
from knowledge.access_doc import markdown, section
from tests.accesskit import SECRET, UNBOUND, USERS, YC_SECRET, build_world, state
from tests.botkit import GROUP, OFFICE_CHAT

AS_ROLE = {"stranger": Role.STRANGER, "pending": Role.PENDING, "revoked": Role.REVOKED, "liaison": Role.LIAISON,
           "other": Role.LIAISON, "office": Role.OFFICE, "admin": Role.ADMIN}
HAS_UNIT = {"liaison", "other", "office"}
REFUSALS = ("need_registration", "pending", "office_only", "group_unbound", "no_campaign", "submit_need_officer",
            "start_in_private", "setup_in_group", "stale_button")
QUESTIONS = {Route.ASK, Route.OWE, Route.OWE_OTHER}
# Buttons that show the rest of a reply to a question: judged as that question (``ask``) in every cell.
ASK_BUTTONS = ("m:{hejin}:members", "m:{hejin}:phases", "m:{hejin}:overview")
TARGET = 7990  # the person /bind and /revoke reply to


def probe(route: Route, ids: dict, chat: int) -> tuple[str, str]:
    """("say"|"press"|"file", what) for a route: the real command, button data or caption."""
    kind = "l" if chat != OFFICE_CHAT else "o"
    return {
        Route.START: ("say", "/start"), Route.HELP: ("say", "/help"), Route.ASK: ("say", "/ind 12"),
        Route.OWE: ("say", "/status"), Route.OWE_OTHER: ("say", "哪些单位还没交材料"), Route.SCORE: ("say", "/score 1"),
        Route.SUBMIT: ("say", "/submit"), Route.FILE: ("file", "#4 矩阵材料"),
        Route.WITHDRAW: ("say", f"/withdraw {ids['revoked_ev']}"), Route.FIGURE: ("say", "/figure 1 2024 网上零售额 10"),
        Route.REMINDERS: ("say", "/reminders"), Route.MUTE: ("say", "/mute 3"),
        Route.ACK: ("press", f"ack:{ids['reminder']}"), Route.REGISTER: ("press", f"reg:c:{ids['hejin']}"),
        Route.SETUP: ("say", "/setup"), Route.SETUP_BUTTON: ("press", f"setup:{ids['hejin']}:{kind}"),
        Route.APPROVE: ("press", f"apv:{ids.get('fresh', 0)}:0"), Route.REVIEW: ("say", "/review"),
        Route.REVIEW_BUTTON: ("press", f"rv:{ids['other_ev']}:r"), Route.BIND: ("say", "/bind 统计局"),
        Route.REVOKE: ("say", "/revoke"), Route.PHASE_ADMIN: ("say", "/phase shift 2027-01-01"),
        Route.DUE: ("say", "/due 12 2027-01-01"), Route.PAUSE: ("say", "/pause"), Route.ACKS: ("say", "/acks"),
        Route.DIGEST: ("say", "/digest"), Route.EXPORT: ("say", "/export"),
    }[route]


def expected(route: Route, role: str, kind: ChatKind) -> str:
    r = AS_ROLE[role]
    if route in QUESTIONS:  # the question path: a question first, then its own route
        return decide(Route.ASK, r, kind) or decide(route, r, kind)
    return decide(route, r, kind, has_unit=role in HAS_UNIT)


async def send(h, ids: dict, route: Route, chat: int, uid: int, button: str = "") -> str:
    """Send the route's probe (or press ``button``) as ``uid`` in ``chat``; everything the bot said
    back (texts and alerts)."""
    how, what = ("press", button.format(**ids)) if button else probe(route, ids, chat)
    alerts = len(h.api.answered_callbacks)
    if how == "press":
        out = await h.press(chat, uid, 1, what)
    elif how == "file":
        data = b"%PDF-1.4 " + str(len(h.api.sent())).encode()
        await h.feed(h.api.push_document(chat, uid, data, "矩阵.pdf", "application/pdf", caption=what))
        out = h.new()
    else:
        text = what if chat == uid or what.startswith("/") else f"@liaison_test_bot {what}"
        update = h.api.push_message(chat, uid, text, reply_to_message_id=1 if route in (Route.BIND, Route.REVOKE)
                                    else None)
        if route in (Route.BIND, Route.REVOKE):  # a reply to a person's message, as Telegram sends it
            update["message"]["reply_to_message"]["from"] = {"id": TARGET, "is_bot": False, "first_name": "张三"}
        await h.feed(update)
        out = h.new()
    said = [m["text"] for m in out] + [a.get("text", "") for a in h.api.answered_callbacks[alerts:]]
    return "\n".join(said)


@pytest.mark.parametrize("role", list(AS_ROLE))
async def test_every_cell(role):
    h, ids = await build_world()
    uid = USERS[role]
    data = {"city": "河津市", "unit": "工业和信息化和科技局" if role == "pending" else "", "bot": "liaison_test_bot"}
    refusals = [render(t, **data).strip() for t in REFUSALS]
    kinds = {uid: ChatKind.PRIVATE, GROUP: ChatKind.LIAISON_GROUP, OFFICE_CHAT: ChatKind.OFFICE_CHAT,
             UNBOUND: ChatKind.UNBOUND_GROUP}
    try:
        for chat, kind in kinds.items():
            for route in Route:
                if route is Route.APPROVE:  # a new pending officer each time, so an allowed press decides only it
                    with h.services.session() as s:
                        ids["fresh"] = people.request_registration(
                            session=s, campaign_id=ids["hejin"], unit_id=5, user_id=8000 + len(h.api.sent()),
                            username="", name="新人", now=h.clock.now()).id
                        s.commit()
                want, before = expected(route, role, kind), state(h)
                reply = await send(h, ids, route, chat, uid)
                cell = (route.value, role, kind.value)
                if want:
                    assert render(want, **data).strip() in reply, (cell, want, reply)
                    assert state(h) == before, cell
                    assert SECRET not in reply and YC_SECRET not in reply and "发展和改革委员会" not in reply, cell
                else:
                    assert reply and not any(r in reply for r in refusals), (cell, reply)
                for button in ASK_BUTTONS if route is Route.ASK else ():
                    reply = await send(h, ids, route, chat, uid, button)
                    if want:
                        assert render(want, **data).strip() in reply, (cell, button, want, reply)
                    else:
                        assert reply and not any(r in reply for r in refusals), (cell, button, reply)
                if route is Route.SETUP_BUTTON and chat == UNBOUND:  # an allowed press bound it: undo
                    with h.services.session() as s:
                        chats.unbind_chat(session=s, chat_id=UNBOUND, by_user_id=None, now=h.clock.now())
                        s.commit()
        reports = [m["text"] for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]
        assert reports == []
    finally:
        await h.app.shutdown()


def test_the_operations_doc_shows_the_table_as_it_is():
    doc = (Path(__file__).parents[1] / "docs" / "operations.md").read_text(encoding="utf-8")
    assert section(doc) == markdown()
