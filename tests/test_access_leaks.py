"""The leaks an audit found, each replayed through the real Application: every one is refused
now, with the table's answer, and leaves the store as it was."""

from __future__ import annotations

import pytest

from bot.render import render
from tests.accesskit import SECRET, UNBOUND, USERS, YC_GROUP, YC_SECRET, build_world, state
from tests.botkit import GROUP, OFFICE_CHAT, text_of


@pytest.fixture
async def w():
    h, ids = await build_world()
    yield h, ids
    await h.app.shutdown()


def alerts(h) -> str:
    return "\n".join(a.get("text", "") for a in h.api.answered_callbacks)


OFFICE_ONLY = render("office_only").strip()


@pytest.mark.parametrize("text", ["统计局提交情况", "发改委还欠哪些材料", "哪些单位还没交材料", "/status 发改委"])
async def test_officers_do_not_see_other_units_status(w, text):
    h, _ = w
    liaison = USERS["liaison"]
    before = state(h)
    for chat, said in ((liaison, text), (GROUP, text if text.startswith("/") else f"@liaison_test_bot {text}")):
        reply = text_of(await h.say(chat, liaison if chat == liaison else liaison, said))
        if "统计局" in text:  # 统计局 is the asker's own unit: allowed
            assert OFFICE_ONLY not in reply, reply
            continue
        assert OFFICE_ONLY in reply, (chat, text, reply)
        assert SECRET not in reply and "发展和改革委员会" not in reply
    assert state(h) == before


async def test_the_office_sees_other_units_status(w):
    h, _ = w
    office = USERS["office"]
    reply = text_of(await h.say(office, office, "发改委还欠哪些材料"))
    assert OFFICE_ONLY not in reply and "发展和改革委员会" in reply, reply


async def test_publish_status_lets_officers_see_the_league_table(w):
    h, ids = w
    from sqlmodel import Session

    from knowledge.models import Campaign
    with Session(h.services.engine) as s:
        camp = s.get(Campaign, ids["hejin"])
        camp.extra = {**(camp.extra or {}), "publish_status": True}
        s.add(camp)
        s.commit()
    h.services._campaigns.clear()  # the per-process cache: the setting is read from the YAML at start-up
    liaison = USERS["liaison"]
    reply = text_of(await h.say(liaison, liaison, "哪些单位还没交材料"))
    assert OFFICE_ONLY not in reply, reply
    # Only the league table: another unit's submissions themselves stay the office's.
    stranger = text_of(await h.say(USERS["stranger"], USERS["stranger"], "哪些单位还没交材料"))
    assert render("need_registration", city="河津市").strip() in stranger


async def test_another_campaigns_office_cannot_rebind_a_chat(w):
    h, ids = w
    yc_office = USERS["yc_office"]
    before = state(h)
    for chat in (GROUP, OFFICE_CHAT):
        reply = text_of(await h.say(chat, yc_office, "/setup"))
        assert OFFICE_ONLY in reply, reply
        for kind in "lo":
            await h.press(chat, yc_office, 1, f"setup:{ids['yancheng']}:{kind}")
            await h.press(chat, yc_office, 1, f"setup:{ids['hejin']}:{kind}")
    assert state(h) == before
    assert alerts(h).count(OFFICE_ONLY) == 8  # 2 chats × 2 kinds × 2 campaigns named


async def test_the_chats_own_office_may_rebind_and_setup_of_unbound_works(w):
    h, ids = w
    office = USERS["office"]
    [choose] = await h.say(UNBOUND, USERS["yc_office"], "/setup")
    labels = [b["text"] for row in choose["reply_markup"]["inline_keyboard"] for b in row]
    assert "盐城市 · 联络员群" in labels, labels
    await h.press(UNBOUND, USERS["yc_office"], 1, f"setup:{ids['yancheng']}:l")
    with h.services.session() as s:
        from knowledge import chats
        assert chats.chat_binding(session=s, chat_id=UNBOUND).campaign_slug == "yancheng"
    await h.press(GROUP, office, 1, f"setup:{ids['hejin']}:o")  # the Hejin office re-purposes its own group
    with h.services.session() as s:
        assert chats.chat_binding(session=s, chat_id=GROUP).kind == "office"
    # The Hejin office cannot take Yancheng's group, even to Hejin.
    before = state(h)
    await h.press(YC_GROUP, office, 1, f"setup:{ids['hejin']}:l")
    assert state(h) == before


async def test_a_forged_setup_button_in_private_binds_nothing(w):
    h, ids = w
    for who in ("office", "admin"):
        uid = USERS[who]
        before = state(h)
        await h.press(uid, uid, 1, f"setup:{ids['hejin']}:o")
        assert state(h) == before
        assert render("setup_in_group").strip() in alerts(h)


async def test_review_cards_go_to_group_chats_only(w):
    """Even a private chat bound as an office chat before the fix receives no review card."""
    h, ids = w
    from knowledge.models import Chat
    with h.services.session() as s:  # as the forged button left it before the fix
        s.add(Chat(campaign_id=ids["hejin"], external_id=str(USERS["revoked"]), kind="office", title=""))
        s.commit()
    seen = len(h.api.sent(USERS["revoked"]))
    liaison = USERS["liaison"]
    await h.feed(h.api.push_document(liaison, liaison, b"%PDF-1.4 x", "新.pdf", "application/pdf", caption="#4 新材料"))
    await h.say(USERS["stranger"], USERS["stranger"], "/start")
    await h.press(USERS["stranger"], USERS["stranger"], 1, f"reg:u:{ids['hejin']}:14")
    assert h.api.sent(USERS["revoked"])[seen:] == []
    assert any("待审" in m["text"] or "申请" in m["text"] for m in h.api.sent(OFFICE_CHAT)), "the approval card"
    assert any("新材料" in m["text"] for m in h.api.sent(OFFICE_CHAT))


async def test_a_submit_flow_takes_files_only_where_it_started(w):
    h, ids = w
    liaison = USERS["liaison"]
    await h.say(liaison, liaison, "/submit")
    await h.press(liaison, liaison, 1, f"sb:i:{ids['hejin']}:4")
    h.new()
    for chat in (UNBOUND, GROUP, YC_GROUP):
        await h.feed(h.api.push_document(chat, liaison, b"%PDF-1.4 y", "群里的.pdf", "application/pdf"))
        await h.say(chat, liaison, "@liaison_test_bot 群里的说明")
    replies = h.new()
    assert not any("已收到" in m["text"] or "份文件" in m["text"] for m in replies), text_of(replies)
    reply = text_of(await h.say(liaison, liaison, "私聊的说明"))
    assert render("submit_collected", files=0, notes=1).strip() in reply, reply  # only the private note


async def test_score_needs_registration_in_private(w):
    h, _ = w
    stranger = USERS["stranger"]
    reply = text_of(await h.say(stranger, stranger, "/score 1"))
    assert render("need_registration", city="河津市").strip() in reply


async def test_a_revoked_officers_buttons_stop_working(w):
    h, ids = w
    revoked = USERS["revoked"]
    before = state(h)
    for data in (f"ack:{ids['reminder']}", f"sb:i:{ids['hejin']}:2", f"sb:ok:{ids['hejin']}",
                 f"rv:{ids['own_ev']}:a"):
        await h.press(revoked, revoked, 1, data)
        await h.press(GROUP, revoked, 1, data)
    reply = text_of(await h.say(revoked, revoked, f"/withdraw {ids['revoked_ev']}"))
    assert state(h) == before
    assert render("submit_need_officer").strip() in reply, reply
    said = alerts(h)
    assert said.count(render("submit_need_officer").strip()) == 6, said  # ack, sb:i, sb:ok; twice each
    assert said.count(OFFICE_ONLY) == 2, said  # rv


async def test_buttons_naming_another_unit_or_campaign_are_refused(w):
    h, ids = w
    office, liaison = USERS["office"], USERS["liaison"]
    before, seen = state(h), len(h.api.sent())
    # Hejin's office: Yancheng's submission and officer.
    await h.press(OFFICE_CHAT, office, 1, f"rv:{ids['yc_ev']}:a")
    await h.press(OFFICE_CHAT, office, 1, f"apv:{ids['yc_pending_officer']}:1")
    # A liaison: another unit's submission, withdrawn or reviewed.
    await h.press(liaison, liaison, 1, f"rv:{ids['other_ev']}:a")
    reply = text_of(await h.say(liaison, liaison, f"/withdraw {ids['other_ev']}"))
    await h.press(liaison, liaison, 1, f"sb:i:{ids['hejin']}:29")  # 发改委's indicator
    await h.press(liaison, liaison, 1, f"sb:i:{ids['yancheng']}:32")
    assert state(h) == before
    shown = text_of(h.api.sent()[seen:]) + alerts(h)
    assert SECRET not in shown and YC_SECRET not in shown, shown
    assert "没有找到您提交的材料" in reply
    assert alerts(h).count(OFFICE_ONLY) == 3, alerts(h)  # rv of Yancheng, apv of Yancheng, rv by a liaison


async def test_with_no_campaign_loaded_private_questions_say_so():
    from datetime import UTC, datetime

    from knowledge.clock import FakeClock
    from tests.botkit import make_harness
    from tests.conftest import new_engine
    h = await make_harness(new_engine(), FakeClock(datetime(2026, 11, 24, 2, tzinfo=UTC)))
    try:
        for text in ("/ind 12", "/submit", "/review", "第12项指标"):
            assert render("no_campaign").strip() in text_of(await h.say(7001, 7001, text)), text
    finally:
        await h.app.shutdown()


@pytest.mark.parametrize("who", ["office", "admin"])
async def test_buttons_naming_rows_that_do_not_exist_are_refused(w, who):
    h, ids = w
    uid = USERS[who]
    before = state(h)
    for chat in (uid, GROUP, OFFICE_CHAT, UNBOUND):
        for data, template in (("rv:99999:a", render("review_missing", eid=99999)), ("apv:99999:1", None),
                               ("ack:99999", None), ("setup:999:l", OFFICE_ONLY), ("sb:i:999:1", None),
                               ("reg:c:999", None), ("i:999:12", None)):
            seen = len(h.api.answered_callbacks)
            await h.press(chat, uid, 1, data)
            said = "\n".join(a.get("text", "") for a in h.api.answered_callbacks[seen:])
            assert (template or render("stale_button")).strip() in said, (chat, data, said)
    assert state(h) == before
    assert not [m for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]


async def test_a_flow_ends_when_its_officer_is_revoked(w):
    h, ids = w
    from knowledge import people
    liaison = USERS["liaison"]
    await h.say(liaison, liaison, "/submit")
    await h.press(liaison, liaison, 1, f"sb:i:{ids['hejin']}:4")
    with h.services.session() as s:
        people.revoke(session=s, campaign_id=ids["hejin"], user_id=liaison, by_user_id=USERS["office"],
                      now=h.clock.now())
        s.commit()
    h.new()
    before = state(h)
    await h.feed(h.api.push_document(liaison, liaison, b"%PDF-1.4 late", "迟到.pdf", "application/pdf"))
    reply = text_of(h.new())
    assert render("submit_need_officer").strip() in reply and "已收到" not in reply, reply
    after = state(h)  # nothing changed but the flow itself, which ended
    assert before[3]["submitdraft"] == 1
    assert after[:3] == before[:3] and after[3] == {**before[3], "submitdraft": 0}


def test_where_counts_only_the_campaigns_own_officer_row():
    from types import SimpleNamespace

    from handlers.common import Where
    from knowledge.access import Role
    other = SimpleNamespace(campaign_id=2, status="active", role="office", unit_id=5)
    where = Where(SimpleNamespace(id=1), None, other, None, True, False)
    assert where.role is Role.STRANGER and not where.has_unit


def test_a_private_chat_cannot_be_bound(store):
    from knowledge import chats
    from knowledge.campaigns import get_campaign
    from knowledge.identity import PeopleError
    camp = get_campaign(store, "hejin")
    with pytest.raises(PeopleError, match="私聊不能绑定"):
        chats.bind_chat(session=store, campaign_id=camp.id, chat_id=7005, kind="office", title="", by_user_id=7005,
                        now=datetime_now())
    chats.bind_chat(session=store, campaign_id=camp.id, chat_id=-100123, kind="office", title="", by_user_id=7005,
                    now=datetime_now())


def datetime_now():
    from datetime import UTC, datetime
    return datetime(2026, 11, 24, 2, tzinfo=UTC)


def test_publish_status_is_read_from_the_campaign_yaml(tmp_path):
    from pathlib import Path

    from sqlmodel import Session

    from knowledge.access import publishes_status
    from knowledge.campaigns import get_campaign
    from knowledge.loader import load_all
    from tests.conftest import campaigns_engine, new_engine
    source = Path(__file__).parents[1] / "knowledge" / "data" / "hejin.yaml"
    text = source.read_text(encoding="utf-8")
    (tmp_path / "hejin.yaml").write_text(text.replace("campaign:\n", "campaign:\n  publish_status: true\n", 1),
                                         encoding="utf-8")
    engine = new_engine()
    with Session(engine) as s:
        load_all(s, directory=tmp_path)
        assert publishes_status(get_campaign(s, "hejin").extra)
    with Session(campaigns_engine()) as s:  # the shipped file, loaded
        assert not publishes_status(get_campaign(s, "hejin").extra)
