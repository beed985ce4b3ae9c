"""The DingTalk face's remaining commands — /score /figure /withdraw /mute and the office's /pause
/resume /due /phase set|shift /digest /export /bind /revoke — against the access table, the
store and Telegram.

The real ``Face`` handles each robot message; its sends and uploads go to the fake gateway
(``bot.fakes.dingtalk``) over HTTP. The Telegram application (in process, ``tests.botkit``) shares
the store and the clock, so the same command on both faces can be compared reply for reply.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlmodel import select

from bot.fakes.dingtalk import FakeDingTalk
from bot.markup import to_text
from bot.render import render
from bot.settings import Settings
from channels.dingtalk.api import OpenApi
from channels.dingtalk.face import Face
from channels.dingtalk.frames import RobotMessage, robot_message
from channels.dingtalk.markdown import Choices
from channels.dingtalk.outbox import DingTalkOutbox
from knowledge import chats, people
from knowledge import evidence as ev
from knowledge.access import COMMANDS, ChatKind, Role, decide
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.duties import unit_duties
from knowledge.messages import Message
from knowledge.models import (
    AuditLog,
    CampaignState,
    Evidence,
    Figure,
    IndicatorDue,
    Officer,
    OutboxMessage,
)
from knowledge.units import UnitDirectory
from tests.botkit import ADMIN, OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine
from tests.test_dingtalk import simple_indicator
from tests.test_dingtalk_questions import lines, plain_markdown

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai
OFFICER, REVIEWER, OTHER, STRANGER = "staff-liaison-1", "staff-office-1", "staff-other-1", "staff-stranger"
GROUP, OFFICE, UNBOUND = "cidLiaisonGroup==", "cidOfficeGroup==", "cidUnbound=="
TG_OFFICER = 700001


class Pair:
    """One store and clock; the Telegram application and the DingTalk face (over the fake gateway)."""

    def __init__(self, harness, face: Face, dt: FakeDingTalk) -> None:  # noqa: ANN001
        self.tg, self.face, self.dt = harness, face, dt
        self.services = harness.services
        self.replies: list = []
        self._ids = itertools.count(1)
        original = face.reply

        async def keep(msg, reply):  # noqa: ANN001, ANN202
            self.replies.append(reply)
            await original(msg, reply)

        face.reply = keep

    async def say(self, sender: str, text: str, chat: str | None = None, at: tuple[str, ...] = ()) -> list:
        """``text`` from ``sender`` (in ``chat``, else privately); what the face replied (rendered)."""
        self.replies.clear()
        await self.face.handle(RobotMessage(msg_id=f"m{next(self._ids)}", conversation_id=chat or f"cid-{sender}",
                                            private=chat is None, sender=sender, nick="测试", kind="text",
                                            text=text, mentions=at))
        return list(self.replies)

    def sent_to(self, chat: str) -> list:
        g = self.dt.gateway
        return [s for s in g.sent if chat in (s.conversation, s.user)]

    def session(self):  # noqa: ANN201
        return self.services.session()


@pytest_asyncio.fixture
async def pair(tmp_path):
    clock = FakeClock(NOW)
    harness = await make_harness(campaigns_engine(), clock, tmp_path / "evidence")
    services = harness.services
    services.settings = Settings(_env_file=None, admin_user_ids=str(ADMIN), office_chat_id=OFFICE_CHAT,
                                 evidence_dir=tmp_path / "evidence", data_dir=tmp_path, default_campaign="hejin")
    harness.api.group_chat(OFFICE_CHAT, "办公室")
    harness.bind(OFFICE_CHAT, kind="office")
    harness.register(TG_OFFICER, "市场监管局")
    with services.session() as s:
        camp = get_campaign(s, "hejin")
        directory = UnitDirectory.load(s, camp)
        unit, other = directory.resolve("市场监管局").unit, directory.resolve("统计局").unit
        for who, unit_id, role in ((OFFICER, unit.id, "liaison"), (REVIEWER, unit.id, "office"),
                                   (OTHER, other.id, "liaison")):
            people.add_officer(session=s, campaign_id=camp.id, unit_id=unit_id, user_id=who, name=who, role=role,
                               now=NOW, channel="dingtalk")
        for chat, kind in ((GROUP, "liaison"), (OFFICE, "office")):
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=chat, kind=kind, title=kind, by_user_id="x",
                            now=NOW, channel="dingtalk")
        s.commit()
    async with FakeDingTalk() as dt:
        g = dt.gateway
        api = OpenApi(dt.endpoint, g.client_id, g.secret, g.robot_code, oapi=dt.endpoint)
        choices = Choices(services)
        yield Pair(harness, Face(services, DingTalkOutbox(api, services, choices), choices), dt)
        await api.close()
    await harness.app.shutdown()


# ---- the access table, cell by cell ---------------------------------------------------------
SITUATIONS = {  # who, where → the role and chat kind the table is read with
    "stranger in private": (STRANGER, None, Role.STRANGER, ChatKind.PRIVATE),
    "liaison in private": (OFFICER, None, Role.LIAISON, ChatKind.PRIVATE),
    "liaison in the liaison group": (OFFICER, GROUP, Role.LIAISON, ChatKind.LIAISON_GROUP),
    "liaison in an unbound group": (OFFICER, UNBOUND, Role.LIAISON, ChatKind.UNBOUND_GROUP),
    "office in its group": (REVIEWER, OFFICE, Role.OFFICE, ChatKind.OFFICE_CHAT),
    "office in private": (REVIEWER, None, Role.OFFICE, ChatKind.PRIVATE),
}
WORDS = ["score", "figure", "withdraw", "mute", "due", "phase set", "pause", "resume", "digest", "export", "bind",
         "revoke"]
REFUSALS = ("office_only", "submit_need_officer", "need_registration", "pending", "group_unbound",
            "start_in_private", "setup_in_group", "no_campaign")


@pytest.mark.parametrize("situation", list(SITUATIONS))
async def test_each_command_is_judged_by_its_route_of_the_access_table(pair, situation):
    sender, chat, role, kind = SITUATIONS[situation]
    refusals = {render(t, city="河津市", unit="市场监管局", bot=""): t for t in REFUSALS}
    refusals |= {render(t, city="河津市", unit="", bot=""): t for t in REFUSALS}
    for word in WORDS:
        expected = decide(COMMANDS[word], role, kind, has_unit=role is not Role.STRANGER)
        before = len(pair.dt.gateway.sent)
        replies = await pair.say(sender, "/" + word, chat)
        assert replies or len(pair.dt.gateway.sent) > before, (situation, word)  # /digest sends, it does not reply
        first = replies[0] if replies and isinstance(replies[0], str) else ""
        said = refusals.get(first, "")
        assert said == expected, f"{situation} /{word}: the table says {expected!r}, the face said {said!r}"


# ---- what each command changes ----------------------------------------------------------------
async def test_pause_and_resume_are_the_offices_and_audited_with_the_dingtalk_id(pair):
    [refused] = await pair.say(OFFICER, "/pause", GROUP)
    assert refused == render("office_only", city="河津市", unit="市场监管局", bot="")
    with pair.session() as s:
        assert not any(st.reminders_paused for st in s.exec(select(CampaignState)))
    await pair.say(REVIEWER, "/pause", OFFICE)
    with pair.session() as s:
        [state] = s.exec(select(CampaignState)).all()
        assert (state.reminders_paused, state.paused_by) == (True, REVIEWER)
        assert [(a.action, a.actor_user_id) for a in s.exec(select(AuditLog).where(
            AuditLog.action.startswith("reminders.")))] == [("reminders.pause", REVIEWER)]
    await pair.say(REVIEWER, "/resume", OFFICE)
    with pair.session() as s:
        assert s.exec(select(CampaignState)).one().reminders_paused is False
    assert "已暂停" in pair.sent_to(OFFICE)[0].text and "已恢复提醒" in pair.sent_to(OFFICE)[1].text


async def test_due_and_phases_are_set_by_the_office_and_audited(pair):
    await pair.say(OFFICER, "/due 12 2027-03-31")  # refused: an officer
    await pair.say(REVIEWER, "/due 12 2027-03-31", OFFICE)
    await pair.say(REVIEWER, "/phase set 动员部署 2026-12-01 2026-12-31; 全面推进 2027-01-01 2027-06-30", OFFICE)
    await pair.say(REVIEWER, "/phase shift 2026-12-07", OFFICE)
    with pair.session() as s:
        [due] = s.exec(select(IndicatorDue)).all()
        assert (str(due.due), due.set_by) == ("2027-04-06", REVIEWER)  # moved with the timeline (+6 days)
        actors = [(a.action, a.actor_user_id) for a in s.exec(select(AuditLog).where(AuditLog.action != "officer.add",
                                                                                    AuditLog.action != "chat.bind"))]
    assert actors == [("due.set", REVIEWER), ("phases.set", REVIEWER), ("phases.set", REVIEWER)], actors
    assert "已更新时间表" in pair.sent_to(OFFICE)[-1].text and "2026-12-07" in pair.sent_to(OFFICE)[-1].text
    assert "只有" in pair.sent_to(OFFICER)[0].text or "办公室" in pair.sent_to(OFFICER)[0].text


async def test_withdraw_takes_back_only_ones_own_submission_on_this_channel(pair):
    with pair.session() as s:
        camp = get_campaign(s, "hejin")
        directory = UnitDirectory.load(s, camp)
        no = simple_indicator(pair.services.engine)
        mine = ev.submit(s, campaign=camp, directory=directory, no=no, item_no=None, files=[], now=NOW,
                         officer=people.officer_of(session=s, user_id=OFFICER, channel="dingtalk"),
                         note="https://example.org/a").id
        stat = directory.resolve("统计局").unit.id
        other_no, third_no = [d.no for d in unit_duties(session=s, campaign=camp, directory=directory,
                                                        unit_id=stat).indicators][:2]
        theirs = ev.submit(s, campaign=camp, directory=directory, no=other_no, item_no=None, files=[], now=NOW,
                           officer=people.officer_of(session=s, user_id=OTHER, channel="dingtalk"),
                           note="https://example.org/b").id
        # a Telegram officer whose id has the same digits as a DingTalk staff id
        people.add_officer(session=s, campaign_id=camp.id, unit_id=stat, user_id="700002", now=NOW, channel="dingtalk")
        people.add_officer(session=s, campaign_id=camp.id, unit_id=stat, user_id=700002, now=NOW)
        telegrams = ev.submit(s, campaign=camp, directory=directory, no=third_no, item_no=None, files=[], now=NOW,
                              officer=people.officer_of(session=s, user_id=700002), note="https://example.org/c").id
        s.commit()
    [refused] = await pair.say(OFFICER, f"/withdraw {theirs}")
    [other_channel] = await pair.say("700002", f"/withdraw {telegrams}")
    [done] = await pair.say(OFFICER, f"/withdraw {mine}")
    assert f"#{theirs}" in refused and f"#{telegrams}" in other_channel and "已撤回" in done
    with pair.session() as s:
        status = {e.id: e.status for e in s.exec(select(Evidence))}
    assert status == {mine: "withdrawn", theirs: "submitted", telegrams: "submitted"}


async def test_mute_tells_the_offices_dingtalk_chat_through_the_outbox(pair):
    await pair.say(OFFICER, "/mute 3")
    with pair.session() as s:
        row = s.exec(select(Officer).where(Officer.external_id == OFFICER)).one()
        assert row.muted_until is not None and (row.muted_until - NOW).days == 3
        rows = s.exec(select(OutboxMessage)).all()
    assert [(r.target, r.channel, r.status) for r in rows] == [(OFFICE, "dingtalk", "sent")]  # not Telegram's chat
    assert "暂停了私信提醒 3 天" in pair.sent_to(OFFICE)[0].text
    assert "已暂停私信提醒 3 天" in pair.sent_to(OFFICER)[0].text


async def test_figures_are_entered_with_the_dingtalk_id(pair):
    await pair.say(REVIEWER, "/figure 1 2024 网上零售额 126.5 来源 统计局年报", OFFICE)
    with pair.session() as s:
        [figure] = s.exec(select(Figure)).all()
        audit = s.exec(select(AuditLog).where(AuditLog.action == "figure.set")).one()
    assert (figure.value, figure.entered_by, audit.actor_user_id) == ("126.5", REVIEWER, REVIEWER)
    await pair.say(REVIEWER, "/score 1", OFFICE)
    assert "126.5" in pair.sent_to(OFFICE)[0].text and "第1项" in pair.sent_to(OFFICE)[1].text


async def test_bind_and_revoke_the_person_mentioned(pair):
    new = "staff-new-9"
    [usage] = await pair.say(REVIEWER, "/bind 统计局", OFFICE)  # nobody mentioned
    assert usage == render("bind_usage", mention=True)
    [refused] = await pair.say(OFFICER, "/bind 统计局 @孙新", GROUP, at=(new,))
    assert refused == render("office_only", city="河津市", unit="市场监管局", bot="")
    [bound] = await pair.say(REVIEWER, "/bind 统计局 @孙新", OFFICE, at=(new,))
    with pair.session() as s:
        officer = people.officer_of(session=s, user_id=new, channel="dingtalk")
        assert (officer.status, officer.unit_name, officer.name) == ("active", "统计局", "孙新")
        assert s.get(Officer, officer.id).decided_by == REVIEWER
    assert "孙新" in bound and "统计局" in bound
    [revoked] = await pair.say(REVIEWER, "/revoke @孙新", OFFICE, at=(new,))
    with pair.session() as s:
        assert people.officer_of(session=s, user_id=new, channel="dingtalk").status == "revoked"
    assert "已撤销" in revoked


# ---- files: uploaded, then sent by media id ------------------------------------------------------
async def test_digest_uploads_its_chart_and_sends_it_by_media_id(pair):
    from reminders.weekly import digest_data

    await pair.say(REVIEWER, "/digest", OFFICE)
    g = pair.dt.gateway
    data = digest_data(pair.services, get_campaign_id(pair), NOW.date())
    sent = pair.sent_to(OFFICE)
    assert sent[0].key == "sampleMarkdown" and "河津市" in sent[0].text
    if not data["png"]:
        pytest.skip("no CJK font here: the digest has no chart")
    [upload] = g.uploads
    assert (upload.kind, upload.data[:8]) == ("image", b"\x89PNG\r\n\x1a\n")
    assert upload.data == data["png"]
    assert [s.param for s in sent if s.key == "sampleImageMsg"] == [{"photoURL": upload.media_id}]


def get_campaign_id(pair: Pair) -> int:
    with pair.session() as s:
        return get_campaign(s, "hejin").id


async def test_export_sends_the_ledger_and_the_package_as_files(pair):
    await pair.say(OFFICER, "/export", GROUP)  # refused: nothing built, nothing uploaded
    assert pair.dt.gateway.uploads == []
    await pair.say(REVIEWER, "/export")  # in private: the files come to the person
    g = pair.dt.gateway
    exports = pair.services.settings.data_dir / "exports"
    on_disk = {p.name: p.read_bytes() for p in exports.iterdir()}
    assert {u.name: u.data for u in g.uploads} == on_disk and len(on_disk) == 2
    assert {u.kind for u in g.uploads} == {"file"}
    files = [s for s in pair.sent_to(REVIEWER) if s.key == "sampleFile"]
    assert [(f.param["fileName"], f.param["mediaId"]) for f in files] == [(u.name, u.media_id) for u in g.uploads]
    assert sorted(f.param["fileType"] for f in files) == ["xlsx", "zip"]
    assert "导出完成" in pair.sent_to(REVIEWER)[-1].text


async def test_files_over_dingtalks_limit_stay_on_the_server(pair, monkeypatch):
    from channels.dingtalk import office

    monkeypatch.setattr(office, "UPLOAD_LIMIT", 10)
    await pair.say(REVIEWER, "/export", OFFICE)
    texts = [s.text for s in pair.sent_to(OFFICE)]
    assert pair.dt.gateway.uploads == []
    assert sum("超过 钉钉 允许机器人发送的 0 MB" in t for t in texts) == 2, texts


async def test_telegrams_export_too_big_renders(pair, monkeypatch):
    """The same template on Telegram (its ``name`` once clashed with ``render``'s own argument)."""
    from handlers import office

    monkeypatch.setattr(office, "UPLOAD_LIMIT", 10)
    sent = await pair.tg.say(OFFICE_CHAT, ADMIN, "/export")
    assert sum("超过 Telegram 允许机器人发送的 50 MB" in m["text"] for m in sent) == 2


async def test_a_failed_upload_sends_nothing_and_is_tried_again(pair):
    from reminders.outbox import DeliveryDeferred

    await pair.face.outbox.api.token()
    pair.dt.gateway.tokens.clear()  # the token kept is no longer good: the old API answers errcode 40014 (HTTP 200)
    with pytest.raises(DeliveryDeferred, match="40014"):
        await pair.face.outbox.send_image(OFFICE, b"\x89PNG\r\n\x1a\nxx", Message("digest_chart"))
    assert pair.dt.gateway.sent == []


def test_the_people_mentioned_are_read_from_at_users():
    msg = robot_message({"msgId": "m1", "conversationId": GROUP, "conversationType": "2", "senderStaffId": "s1",
                         "msgtype": "text", "text": {"content": " /bind 统计局 @孙新"},
                         "atUsers": [{"dingtalkId": "$:bot"}, {"dingtalkId": "$:x", "staffId": "s9"}]})
    assert (msg.text, msg.mentions) == ("/bind 统计局 @孙新", ("s9",))


# ---- the same facts on both faces ----------------------------------------------------------------
OFFICER_TURNS = ["/score 1", "/withdraw 999", "/withdraw x", "/mute 3", "/mute 0", "/mute 天", "/figure 1",
                 "/figure 1 2024 网上零售额 126.5"]
OFFICE_TURNS = ["/pause", "/resume", "/due 12 2027-03-31", "/due 12 明天", "/phase shift 2026-12-07",
                "/phase set 动员部署 2026-12-07 2026-12-31; 全面推进 2027-01-01 2027-06-30", "/phase set x",
                "/figure 1 2024 网上零售额 126.5 来源 统计局年报", "/score 1", "/score 999", "/bind", "/revoke"]


async def test_the_same_command_gives_the_same_reply_on_both_faces(pair):
    for who, tg_chat, dt_chat, turns in ((TG_OFFICER, TG_OFFICER, None, OFFICER_TURNS),
                                         (ADMIN, OFFICE_CHAT, OFFICE, OFFICE_TURNS)):
        sender = OFFICER if who == TG_OFFICER else REVIEWER
        for text in turns:
            telegram = [m for m in await pair.tg.say(tg_chat, who, text) if m["chat_id"] == tg_chat]
            before = len(pair.sent_to(dt_chat or sender))
            await pair.say(sender, text, dt_chat)
            dingtalk = pair.sent_to(dt_chat or sender)[before:]
            want = lines("\n".join(to_text(m["text"]) for m in telegram))
            got = lines(plain_markdown("\n".join(s.text for s in dingtalk)))
            assert want, text
            if text in ("/bind", "/revoke"):  # the usage differs in how the person is named: reply vs @
                assert want[0].startswith("用法") and got[0].startswith("用法"), (text, want, got)
                continue
            assert got == want, text
