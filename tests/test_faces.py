"""Both faces in one store: every outbox row knows its channel, and each face sends only its own.

In process: a campaign with one Telegram liaison group and one DingTalk liaison group; a
reminder makes one row for each, the Telegram pass sends the Telegram one only, the DingTalk
pass the DingTalk one only. As a process: ``liaison-bot run`` with a Telegram token and DingTalk
credentials set runs both faces — each answers its officers, the reminder reaches both groups
once, SIGTERM stops both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.fakes.api import LocalBotApi, LocalRequest
from bot.fakes.dingtalk import FakeDingTalk
from bot.fakes.server import FakeBotApiServer
from bot.outbox import TelegramOutbox
from bot.settings import Settings
from channels.dingtalk.runner import build
from knowledge import chats, outbox, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.messages import say
from knowledge.models import InboxUpdate, OutboxMessage
from knowledge.outbox import Outgoing
from knowledge.timeline import set_due, set_phases
from knowledge.units import UnitDirectory
from reminders import sender
from reminders.outbox import flush
from tests.conftest import fresh_url

ROOT = Path(__file__).parent.parent
SLOT = datetime(2026, 12, 10, 1, 5, tzinfo=UTC)  # a Thursday, 09:05 in Shanghai: a group reminder's slot
TG_GROUP, TG_OFFICER = -1004242, 81
DT_GROUP, DT_OFFICER, DT_ADMIN = "cidYanchengLiaison==", "manager4711", "staff-admin-9"
RUN = """
import sys, time
from datetime import datetime, timedelta
import knowledge.clock as clock
start, t0 = datetime.fromisoformat(sys.argv[1]), time.monotonic()
clock.SystemClock.now = lambda self: start + timedelta(seconds=time.monotonic() - t0)
from bot.cli import main
sys.exit(main(["run"]))
"""


def seed(url: str) -> None:
    """Yancheng at the reminder's slot, with a liaison group and an officer on each channel."""
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, "yancheng")
        unit = UnitDirectory.load(s, camp).resolve("市监局").unit
        set_phases(s, camp, [("全面推进", date(2026, 11, 2), date(2027, 6, 30))], by=1, now=SLOT)
        for no in (12, 13, 14):
            set_due(s, camp, no, date(2026, 12, 21), by=1, now=SLOT)
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=TG_OFFICER, name="王五", now=SLOT)
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=DT_OFFICER, name="赵联络",
                           now=SLOT, channel="dingtalk")
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=TG_GROUP, kind="liaison", title="群", by_user_id=1,
                        now=SLOT)
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=DT_GROUP, kind="liaison", title="联络员群",
                        by_user_id=DT_ADMIN, now=SLOT, channel="dingtalk")
        s.commit()
    engine.dispose()


def dingtalk_settings(dt: FakeDingTalk, data: Path) -> Settings:
    g = dt.gateway
    return Settings(_env_file=None, dingtalk_client_id=g.client_id, dingtalk_client_secret=g.secret,
                    dingtalk_robot_code=g.robot_code, dingtalk_openapi_endpoint=dt.endpoint,
                    dingtalk_admin_user_ids=DT_ADMIN, data_dir=data, default_campaign="yancheng")


def group_reminders(rows: list[OutboxMessage]) -> dict[str, tuple[str, str]]:
    return {r.channel: (r.target, r.status) for r in rows if r.key.startswith("reminder:") and not r.private}


async def test_a_reminder_makes_a_row_per_channel_and_each_face_sends_only_its_own(tmp_path):
    url = fresh_url(tmp_path)
    seed(url)
    engine = make_engine(url)
    api = LocalBotApi()
    api.group_chat(TG_GROUP, "群")
    async with FakeDingTalk() as dt:
        _stream, box = build(dingtalk_settings(dt, tmp_path), engine=engine, clock=FakeClock(SLOT))
        services = box.services
        from telegram import Bot

        async with Bot("1:LOCAL", request=LocalRequest(api)) as bot:
            telegram = TelegramOutbox(bot, services)
            await sender.run_due(telegram, services)  # the reminders job: writes both rows, sends its own
            with Session(engine) as s:
                rows = list(s.exec(select(OutboxMessage)))
            assert group_reminders(rows) == {"telegram": (str(TG_GROUP), "sent"), "dingtalk": (DT_GROUP, "pending")}
            private = {(r.channel, r.target) for r in rows if r.key.startswith("reminder:") and r.private}
            assert private <= {("telegram", str(TG_OFFICER)), ("dingtalk", DT_OFFICER)}
            assert [m for m in api.sent(TG_GROUP) if "截止" in m["text"]]
            assert not dt.gateway.to(conversation=DT_GROUP)  # the Telegram pass left the DingTalk row alone
            await flush(telegram, services)  # another Telegram pass: still not the DingTalk row
            assert not dt.gateway.to(conversation=DT_GROUP)
            with services.session() as s:  # a Telegram row waiting when the DingTalk pass comes
                outbox.put(s, [Outgoing("test:tg", TG_GROUP, say("refused", reason="x"))], SLOT)
                s.commit()
            await flush(box, services)  # the DingTalk pass: its row, and nothing of Telegram's
            with Session(engine) as s:
                waiting = outbox.row(s, "test:tg")
                assert (waiting.status, waiting.attempts) == ("pending", 0)
                [row] = [r for r in s.exec(select(OutboxMessage)) if r.channel == "dingtalk" and not r.private]
                assert row.attempts == 1  # tried once, by its own face only
            assert all(m.conversation != str(TG_GROUP) for m in dt.gateway.sent)
        await box.api.close()
        assert [m.text for m in dt.gateway.to(conversation=DT_GROUP) if "截止" in m.text]
    with Session(engine) as s:
        assert group_reminders(list(s.exec(select(OutboxMessage)))) == {
            "telegram": (str(TG_GROUP), "sent"), "dingtalk": (DT_GROUP, "sent")}


# ---- liaison-bot run, both faces ---------------------------------------------------------------
async def start(server: FakeBotApiServer, dt: FakeDingTalk, url: str, data: Path) -> asyncio.subprocess.Process:
    g = dt.gateway
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DINGTALK_"))}
    env |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": url, "DATA_DIR": str(data), "DEFAULT_CAMPAIGN": "yancheng",
            "TELEGRAM_BOT_TOKEN": "1:BOTH", "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "DINGTALK_CLIENT_ID": g.client_id, "DINGTALK_CLIENT_SECRET": g.secret,
            "DINGTALK_ROBOT_CODE": g.robot_code, "DINGTALK_OPENAPI_ENDPOINT": dt.endpoint,
            "DINGTALK_ADMIN_USER_IDS": DT_ADMIN}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", RUN, SLOT.isoformat(), env=env, cwd=data,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=open(data / "bot.log", "ab"))
    for _ in range(600):
        if dt.gateway.connections and any(m == "getUpdates" for m, _ in server.api.calls):
            return proc
        if proc.returncode is not None:
            raise AssertionError((data / "bot.log").read_text())
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot never connected to both; its log:\n" + (data / "bot.log").read_text()[-3000:])


async def until(check, timeout: float = 60.0):  # noqa: ANN001, ANN201
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("not reached")
        await asyncio.sleep(0.05)
    return value


async def test_run_with_both_configured_runs_both_faces_in_one_process(tmp_path):
    url = fresh_url(tmp_path)
    seed(url)
    async with FakeBotApiServer() as server, FakeDingTalk() as dt:
        server.api.group_chat(TG_GROUP, "群")
        proc = await start(server, dt, url, tmp_path)
        try:
            server.api.push_message(TG_OFFICER, TG_OFFICER, "我们单位负责哪些指标")
            dt.push(sender=DT_OFFICER, text="我们单位负责哪些指标")
            tg = await until(lambda: [m for m in server.api.sent(TG_OFFICER) if "第12项" in m["text"]])
            got = await until(lambda: [m for m in dt.gateway.to(user=DT_OFFICER) if "第12项" in m.text])
            assert "市场监督管理局" in tg[-1]["text"] and "市场监督管理局" in got[-1].text
            # The minute job, once in the process: each group its reminder, through its own face.
            await until(lambda: [m for m in server.api.sent(TG_GROUP) if "截止" in m["text"]])
            await until(lambda: [m for m in dt.gateway.to(conversation=DT_GROUP) if "截止" in m.text])
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 30) == 0, (tmp_path / "bot.log").read_text()[-3000:]
    assert len([m for m in server.api.sent(TG_GROUP) if "截止" in m["text"]]) == 1
    assert len([m for m in dt.gateway.to(conversation=DT_GROUP) if "截止" in m.text]) == 1
    assert "Traceback" not in (tmp_path / "bot.log").read_text()
    engine = make_engine(url)
    with Session(engine) as s:
        assert group_reminders(list(s.exec(select(OutboxMessage)))) == {
            "telegram": (str(TG_GROUP), "sent"), "dingtalk": (DT_GROUP, "sent")}
        done = {(r.channel, r.status) for r in s.exec(select(InboxUpdate))}
        assert done == {("telegram", "done"), ("dingtalk", "done")}
    engine.dispose()


def test_due_claim_and_reclaim_touch_only_their_own_channel(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)
    with Session(engine) as s:
        outbox.put(s, [Outgoing("t:tg", TG_GROUP, say("refused", reason="x")),
                       Outgoing("t:dt", DT_GROUP, say("refused", reason="x"), channel="dingtalk")], SLOT)
        s.commit()
        tg, dt = outbox.row(s, "t:tg").id, outbox.row(s, "t:dt").id
        assert outbox.due(s, SLOT, "telegram") == [tg] and outbox.due(s, SLOT, "dingtalk") == [dt]
        assert outbox.claim(s, dt, SLOT, "telegram") is None  # another face's row: not taken
        assert outbox.claim(s, dt, SLOT, "dingtalk") is not None
        # A Telegram process starting while the DingTalk one is sending leaves that row alone.
        assert outbox.reclaim(s, SLOT.replace(hour=3), "telegram") == 0
        assert outbox.reclaim(s, SLOT.replace(hour=3), "dingtalk") == 1


def test_cards_and_outcomes_go_to_each_chat_and_person_on_its_own_channel(tmp_path):
    """A DingTalk officer's submission: the receipt on DingTalk, a card in each office chat on
    that chat's channel; reviewed on Telegram: the confirmation there, the notice on DingTalk,
    its fallbacks to each liaison group on the group's channel."""
    from decimal import Decimal

    from knowledge.evidence import EvidenceView
    from knowledge.evidence_notices import outcome_rows, submission_rows

    url = fresh_url(tmp_path)
    seed(url)
    engine = make_engine(url)
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        for chat, channel in ((-1009000, "telegram"), ("cidOffice==", "dingtalk")):
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=chat, kind="office", title="办公室", by_user_id=1,
                            now=SLOT, channel=channel)
        view = EvidenceView(7, camp.id, 12, "", None, "", Decimal(1), 1, "市监局", "赵联络", DT_OFFICER, "accepted",
                            "", "", None, SLOT, submitter_channel="dingtalk")
        rows = submission_rows(s, view, DT_OFFICER, None, True, channel="dingtalk")
        assert [(r.key, r.channel) for r in rows] == [
            ("receipt:7", "dingtalk"), ("card:7:-1009000", "telegram"), ("card:7:dingtalk:cidOffice==", "dingtalk")]
        confirm, notice = outcome_rows(s, view, -1009000, 5, "王审核")
        assert (confirm.channel, notice.channel, notice.target) == ("telegram", "dingtalk", DT_OFFICER)
        assert {(f.channel, f.target) for f in notice.fallback} == {("telegram", TG_GROUP), ("dingtalk", DT_GROUP)}
        assert all(g.fallback[0].channel == "telegram" for g in notice.fallback)  # the note: where it was reviewed


def test_one_officer_on_both_channels_is_one_person_with_two_addresses(tmp_path):
    """Registered on Telegram, then imported from a roster with a DingTalk userid: two rows of one
    unit. The private reminder goes to each address once; the group's notice, the contacts and the
    digest's count name the person once; a DingTalk address never becomes a Telegram mention."""
    from bot.render import render_message
    from knowledge.ask.info import contacts_reply
    from knowledge.projection import league
    from knowledge.roster import import_roster
    from reminders.deliveries import reminder_rows
    from reminders.notices import reminder_message, units_view

    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)
    roster = tmp_path / "roster.csv"
    roster.write_text("单位,姓名,Telegram,钉钉 userid\n市监局,王五,81,wangwu01\n", encoding="utf-8")
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, "yancheng")
        directory = UnitDirectory.load(s, camp)
        unit = directory.resolve("市监局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=81, name="王五", now=SLOT)
        import_roster(session=s, campaign=camp, directory=directory, path=roster, by_user_id=None, now=SLOT)
        for who, channel in ((81, "telegram"), ("wangwu01", "dingtalk")):  # each has written to the bot
            people.set_private_ok(session=s, user_id=who, ok=True, channel=channel)
        s.commit()
        rows = people.active_officers_of_unit(session=s, campaign_id=camp.id, unit_id=unit.id)
        assert sorted((o.channel, str(o.user_id)) for o in rows) == [("dingtalk", "wangwu01"), ("telegram", "81")]
        tg = people.officer_of(session=s, user_id=81, campaign_id=camp.id)
        dt = people.officer_of(session=s, user_id="wangwu01", campaign_id=camp.id, channel="dingtalk")
        assert tg.unit_id == dt.unit_id  # /status answers for the unit: the same on both faces

        data = {"chat": "private", "kind": "deadline", "units": {str(unit.id): [12]}}
        private, known = reminder_rows(s, directory, camp, 1, data, SLOT)
        assert sorted((r.channel, str(r.target)) for r in private) == [("dingtalk", "wangwu01"), ("telegram", "81")]
        assert len({r.key for r in private}) == 2 and known == []
        [shown] = units_view(s, camp, directory, data)
        assert [o.channel for o in shown["officers"]] == ["telegram"] and len(shown["addresses"]) == 2
        contacts = contacts_reply(s, camp, unit)
        assert [o.name for o in contacts.data["officers"]] == ["王五"]
        [unit_row] = [r for r in league(s, camp, directory, [], SLOT.date(), {})[0] if r["unit"] == unit.name]
        assert unit_row["officers"] == 1
        # On Telegram a DingTalk-only officer is named, not linked (tg://user?id=wangwu01 would be refused).
        only_dt = {**shown, "officers": [dt]}
        text = render_message(reminder_message(
            camp, {**data, "chat": "group", "slot": "2026-12-10", "phase": "", "deadline": None, "start": None,
                   "workdays_left": None, "week": None, "unit_names": []}, [only_dt]))
        assert "tg://user?id=wangwu01" not in text and "王五" in text


def test_texts_shown_on_dingtalk_say_dingtalk_and_telegram_keeps_its_own():
    """The approval card names the id of the officer's channel; the file hints and the export limit
    say what holds on the face that shows them (``render``'s ``face``) — Telegram's unchanged."""
    from types import SimpleNamespace

    from bot.render import render, render_message
    from channels.dingtalk.markdown import message_parts
    from knowledge.messages import Message

    def officer(channel: str) -> SimpleNamespace:
        return SimpleNamespace(unit_name="市监局", name="赵联络", channel=channel)

    card = Message("approval_card", {"officer": officer("dingtalk"), "user_id": DT_OFFICER, "username": ""})
    shown = "".join(p.text for p in message_parts(card))
    assert "钉钉 userid" in shown and "Telegram" not in shown
    telegram = render("approval_card", officer=officer("telegram"), user_id=81, username="")
    assert "Telegram ID" in telegram and "钉钉" not in telegram
    for name, data in (("howto", {"topics": ["submit"], "city": "盐城"}), ("submit_how", {}),
                       ("export_too_big", {"name": "a.zip", "mb": 60, "path": "/x/a.zip"})):
        on_dingtalk = "".join(p.text for p in message_parts(Message(name, data)))
        assert "#12" not in on_dingtalk and "Telegram" not in on_dingtalk, (name, on_dingtalk)
        assert "Telegram" in render_message(Message(name, data)) or "#12" in render_message(Message(name, data))
    from knowledge.access import ChatKind, Role, commands_for

    shown = commands_for(Role.LIAISON, ChatKind.PRIVATE, has_unit=True, published=False)
    help_text = "".join(p.text for p in message_parts(Message("help", {"city": "", **shown})))
    assert "/submit" in help_text and "#12" not in help_text
    assert "说明写“#12" in render_message(Message("help", {"city": "", **shown}))


async def test_both_faces_share_one_store_and_run_the_reminders_once(tmp_path, monkeypatch):
    """The assembly: the DingTalk face gets the Telegram application's ``Services`` and no
    reminders job of its own (the application's minute job is the process's one)."""
    from bot.app import build_application
    from channels import faces

    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)
    seen: dict = {}

    async def dingtalk(settings, stop, **kw):  # noqa: ANN001, ANN003, ANN202
        seen.update(kw, jobs=[j.name for j in built[0].job_queue.jobs()])
        stop.set()

    monkeypatch.setattr(faces.runner, "serve", dingtalk)
    built: list = []
    monkeypatch.setattr(faces, "build_application", lambda *a, **kw: built.append(build_application(*a, **kw))
                        or built[-1])
    settings = Settings(_env_file=None, telegram_bot_token="1:BOTH", data_dir=tmp_path)
    await asyncio.wait_for(faces.serve(settings, asyncio.Event(), engine=engine, clock=FakeClock(SLOT),
                                       request=LocalRequest(LocalBotApi()), rate_limit=False), 30)
    [app] = built
    assert seen["reminders"] is False and seen["services"] is app.bot_data["services"]
    assert seen["jobs"].count("reminders") == 1 and "outbox" in seen["jobs"]  # the process's one reminders job
    assert not app.running and not app.updater.running  # stopped cleanly


def test_run_starts_the_faces_that_are_configured():
    from channels.faces import wanted

    both = Settings(_env_file=None, telegram_bot_token="1:X", dingtalk_client_id="id", dingtalk_client_secret="s")
    assert wanted(both, None) == "both" and wanted(both, "telegram") == "telegram"
    assert wanted(Settings(_env_file=None, telegram_bot_token="1:X"), None) == "telegram"
    assert wanted(Settings(_env_file=None, dingtalk_client_id="id", dingtalk_client_secret="s"), None) == "telegram"
    assert wanted(Settings(_env_file=None), "dingtalk") == "dingtalk"


def test_telegrams_direct_sends_skip_dingtalk_chats(tmp_path):
    """What the Telegram face sends straight to office chats (the /mute note, error reports, the
    office command menu, doctor's check) goes to its own channel's chats, never to a DingTalk id."""
    from types import SimpleNamespace

    from bot.cli.ops import _bound_office_chats
    from handlers.errors import _office_chats
    from reminders.controls import mute

    url = fresh_url(tmp_path)
    seed(url)
    engine = make_engine(url)
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        for chat, channel in ((-1009000, "telegram"), ("cidOffice==", "dingtalk")):
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=chat, kind="office", title="办公室", by_user_id=1,
                            now=SLOT, channel=channel)
        s.commit()
        _reply, notes = mute(session=s, campaign=camp, user_id=TG_OFFICER, arg="7", now=SLOT, channel="telegram")
        assert [chat for chat, _ in notes] == [-1009000]
    services = SimpleNamespace(settings=Settings(_env_file=None), session=lambda: Session(engine))
    assert _office_chats(services) == {-1009000}
    assert _bound_office_chats(engine) == [-1009000]


def test_a_registration_reaches_the_office_on_every_channel_and_the_decision_its_own(tmp_path):
    """A person registering on DingTalk is approved from whichever office chat the office uses: the
    card goes to each office chat on its channel (the DingTalk face sends its own, the Telegram
    chat's waits in the outbox as a Telegram row), and the decision reaches them on DingTalk."""
    from knowledge import enrolment

    url = fresh_url(tmp_path)
    seed(url)
    engine = make_engine(url)
    with Session(engine) as s:
        camp = get_campaign(s, "yancheng")
        unit = UnitDirectory.load(s, camp).resolve("统计局").unit
        for chat, channel in ((-1009999, "telegram"), ("cidYanchengOffice==", "dingtalk")):
            chats.bind_chat(session=s, campaign_id=camp.id, chat_id=chat, kind="office", title="办公室",
                            by_user_id=1, now=SLOT, channel=channel)
        officer = people.request_registration(session=s, campaign_id=camp.id, unit_id=unit.id, user_id="newbie-1",
                                              username="", name="钱新", now=SLOT, channel="dingtalk")
        card, own = enrolment.approval_card(s, officer, "newbie-1", "", face="dingtalk", office_chat_id=-1007777,
                                            now=SLOT)
        s.commit()
        assert own == ["cidYanchengOffice=="]
        waiting = {(r.channel, r.target) for r in s.exec(select(OutboxMessage)) if r.key.startswith("approval:")}
        assert waiting == {("telegram", "-1009999"), ("telegram", "-1007777")}
        assert [a.label for row in card.actions for a in row] == ["通过", "拒绝"]
        decided = people.decide(session=s, officer_id=officer.id, approve=True, by_user_id=1, now=SLOT)
        enrolment.notice_elsewhere(s, decided, now=SLOT)
        [notice] = [r for r in s.exec(select(OutboxMessage)) if r.key.endswith(":notice")]
        assert (notice.channel, notice.target, notice.private) == ("dingtalk", "newbie-1", True)
