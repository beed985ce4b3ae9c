"""The DingTalk face in process: the real stream loop, outbox and core against the fake gateway.

Frames come over a real WebSocket from ``bot.fakes.dingtalk``; replies go out through the robot
OpenAPI sends; the store is a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlmodel import Session, select

from bot.fakes.dingtalk import Card, FakeDingTalk
from bot.settings import Settings
from channels.dingtalk.frames import robot_message
from channels.dingtalk.markdown import Choices, message_parts, numbered, parts
from channels.dingtalk.runner import serve
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.messages import Action, ActionKind, Message
from knowledge.models import Evidence, InboxUpdate, Officer, OutboxMessage
from knowledge.units import UnitDirectory
from tests.conftest import fresh_url

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai
OFFICER, REVIEWER, ADMIN = "staff-liaison-1", "staff-office-1", "staff-admin-1"
GROUP, OFFICE = "cidLiaisonGroup==", "cidOfficeGroup=="


def seeded(tmp_path, slug: str = "hejin") -> tuple[object, str]:
    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)
    with Session(engine) as s:
        load_all(s)
        camp = get_campaign(s, slug)
        unit = UnitDirectory.load(s, camp).resolve("市场监管局").unit
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=OFFICER, name="李联络",
                           now=NOW, channel="dingtalk")
        people.add_officer(session=s, campaign_id=camp.id, unit_id=unit.id, user_id=REVIEWER, name="王审核",
                           role="office", now=NOW, channel="dingtalk")
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=GROUP, kind="liaison", title="联络员群",
                        by_user_id=ADMIN, now=NOW, channel="dingtalk")
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=OFFICE, kind="office", title="办公室群",
                        by_user_id=ADMIN, now=NOW, channel="dingtalk")
        s.commit()
    return engine, slug


def settings_for(dt: FakeDingTalk, tmp_path) -> Settings:
    g = dt.gateway
    return Settings(_env_file=None, dingtalk_client_id=g.client_id, dingtalk_client_secret=g.secret,
                    dingtalk_robot_code=g.robot_code, dingtalk_openapi_endpoint=dt.endpoint,
                    dingtalk_admin_user_ids=ADMIN, data_dir=tmp_path, default_campaign="hejin")


class Running:
    """``serve`` in this loop until the block ends."""

    def __init__(self, settings: Settings, engine: object, clock: FakeClock) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.stop = asyncio.Event()

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(serve(self.settings, self.stop, engine=self.engine, clock=self.clock,
                                              reminders=False))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 15)


async def connected(dt: FakeDingTalk) -> None:
    for _ in range(200):
        if dt.gateway.connections:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the face never connected")


async def first_private_reply(tmp_path, text: str) -> tuple[object, str]:
    """The seeded store and the bot's first private reply to the officer's ``text``."""
    engine, _ = seeded(tmp_path)
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, text=text)
            sent = await dt.wait_for(lambda s: any(m.user == OFFICER for m in s))
    return engine, [m for m in sent if m.user == OFFICER][0].text


async def test_a_private_question_is_answered_in_markdown(tmp_path):
    engine, _ = seeded(tmp_path)
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, text="我们单位负责哪些指标")
            sent = await dt.wait_for(lambda s: any(m.user == OFFICER for m in s))
        reply = [m for m in sent if m.user == OFFICER][0]
        assert "市场监管局" in reply.text
        assert "<b>" not in reply.text and "**" in reply.text  # markdown, not Telegram HTML
        assert dt.gateway.unacked == {}  # acknowledged
    with Session(engine) as s:
        assert [r.status for r in s.exec(select(InboxUpdate).where(InboxUpdate.channel == "dingtalk"))] == ["done"]


async def test_help_lists_what_the_role_may_use_from_the_access_table(tmp_path):
    """DingTalk's /help is Telegram's: the commands the reader's role may use, not a fixed list —
    of those this face implements (now every command of the table)."""
    engine, text = await first_private_reply(tmp_path, "/help")
    assert "/submit" in text and "/status" in text and "/review" not in text, text
    assert "/withdraw" in text and "/figure" in text and "/mute" in text, text
    assert "/pause" not in text and "/digest" not in text and "/bind" not in text, text


async def test_reminders_says_what_is_coming_for_the_unit(tmp_path):
    """/reminders on DingTalk is the core's answer (``reminders.controls.upcoming``), as on Telegram."""
    from bot.render import render_message
    from knowledge.campaigns import get_campaign
    from knowledge.people import officer_of
    from knowledge.units import UnitDirectory
    from reminders.controls import upcoming

    engine, text = await first_private_reply(tmp_path, "/reminders")
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        o = officer_of(session=s, user_id=OFFICER, channel="dingtalk")
        expected = upcoming(session=s, campaign=camp, directory=UnitDirectory.load(s, camp), unit_id=o.unit_id,
                            unit_name=o.unit_name, today=NOW.date())
    from bot.render import to_text

    want = [line for line in to_text(render_message(expected)).splitlines() if line.strip()]
    assert want and all(line.strip().replace("*", "")[:20] in text.replace("*", "").replace("\\", "")
                        for line in want[:3]), (want, text)


def test_a_robot_message_reads_as_plain_values():
    msg = robot_message({"msgId": "m1", "conversationId": GROUP, "conversationType": "2", "senderStaffId": "s1",
                         "senderId": "$:opaque", "senderNick": "甲", "msgtype": "text",
                         "text": {"content": " 第12项指标"}})
    assert (msg.private, msg.sender, msg.text, msg.chat) == (False, "s1", "第12项指标", GROUP)
    f = robot_message({"msgId": "m2", "conversationType": "1", "senderStaffId": "s1", "msgtype": "file",
                       "content": {"downloadCode": "dc", "fileName": "通知.pdf"}})
    assert (f.private, f.download_code, f.file_name, f.chat) == (True, "dc", "通知.pdf", "s1")
    assert msg.update_id != f.update_id and 0 < msg.update_id < 2 ** 63


def test_markdown_escapes_and_numbers_choices(tmp_path):
    from bot.context import Services

    engine, _ = seeded(tmp_path)
    choices = Choices(Services(settings=Settings(_env_file=None), engine=engine, clock=FakeClock(NOW)))
    out = message_parts(Message("refused", {"reason": "a*b_c <x> [y]"},
                                actions=[[Action("通过", ActionKind.REVIEW, (5, "a")),
                                          Action("退回", ActionKind.REVIEW, (5, "r"))]]))
    text = numbered(out[-1], choices.number(GROUP, out[-1].actions)).text
    assert r"a\*b\_c" in text and "<x>" in text and r"\[y\]" in text
    assert f"dtmd://dingtalkclient/sendMessage?content={quote('选1')}" in text and quote("选2") in text
    assert choices.pick(GROUP, "选2") == Action("退回", ActionKind.REVIEW, (5, "r"))
    assert choices.pick(GROUP, "2") is None  # a bare number is a question ("7": indicator 7)
    assert choices.pick(GROUP, "通过").args == (5, "a")
    assert choices.pick("elsewhere", "选1") is None
    nxt = choices.number(GROUP, [[Action("x", ActionKind.ACK, (1,))]])
    assert nxt[0][0][0] == 3  # numbers run on in a conversation


def test_a_telegram_mention_link_keeps_only_its_text():
    [part] = parts('<a href="tg://user?id=5">王审核</a>,请回复材料 #3 的退回原因:')
    assert part.text == "王审核,请回复材料 #3 的退回原因:"


def test_long_answers_are_split_within_the_limit():
    markup = "\n".join(f"第{i}行 " + "字" * 50 for i in range(200))
    out = parts(markup, limit=1000)
    assert len(out) > 5 and all(len(p.text) < 1300 for p in out)
    assert "".join(p.text for p in out).count("行") == 200


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def simple_indicator(engine, slug: str = "hejin") -> int:
    """An indicator of 市场监管局 not scored item by item (the flow starts at once)."""
    from knowledge import evidence as ev
    from knowledge.duties import unit_duties

    with Session(engine) as s:
        camp = get_campaign(s, slug)
        directory = UnitDirectory.load(s, camp)
        unit = directory.resolve("市场监管局").unit
        for d in unit_duties(session=s, campaign=camp, directory=directory, unit_id=unit.id).indicators:
            view = ev.responsible_view(s, camp, directory, unit.id, d.no)
            if not (view.indicator.scoring == "items" and len(view.items) > 1):
                return d.no
    raise AssertionError("no simple indicator")


def choice(text: str, label: str) -> str:
    """What a shown choice sends: "[\\[选3\\] 通过(满分)](dtmd://…content=%E9%80%893)" → "选3"."""
    import re

    m = re.search(r"\[\\\[(选\d+)\\\] " + re.escape(label) + r"\]", text)
    assert m, text
    return m.group(1)


@pytest.mark.parametrize("verdict", ["通过(满分)", "退回"])
async def test_submit_a_file_and_the_office_reviews_it_in_its_group(tmp_path, verdict):
    engine, _ = seeded(tmp_path)
    no = simple_indicator(engine)
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, text=f"/submit {no}")
            await dt.wait_for(lambda s: any("提交材料" in m.text for m in s))
            dt.push(sender=OFFICER, file=("电商培训通知.pdf", PDF))
            collected = await dt.wait_for(lambda s: any("1 个文件" in m.text for m in s))
            assert "提交" in collected[-1].text
            dt.push(sender=OFFICER, text=choice(collected[-1].text, "提交"))
            await dt.wait_for(lambda s: dt.gateway.to(conversation=OFFICE) and
                              any("已收到材料" in m.text for m in dt.gateway.to(user=OFFICER)))
            card = dt.gateway.to(conversation=OFFICE)[-1]
            assert "待审核材料" in card.text and "电商培训通知.pdf" in card.text
            dt.push(sender=REVIEWER, conversation=OFFICE, nick="王审核", text=choice(card.text, verdict))
            if verdict == "退回":  # the prompt, then the reviewer's next text is the reason
                prompt = await dt.wait_for(lambda s: any("退回原因" in m.text for m in dt.gateway.to(conversation=OFFICE)))
                assert "tg://" not in prompt[-1].text
                dt.push(sender=REVIEWER, conversation=OFFICE, nick="王审核", text="缺少盖章页")
                await dt.wait_for(lambda s: any("缺少盖章页" in m.text for m in dt.gateway.to(user=OFFICER)))
            else:
                await dt.wait_for(lambda s: any("已通过审核" in m.text for m in dt.gateway.to(user=OFFICER)))
            done = await dt.wait_for(lambda s: any("审核人：王审核" in m.text for m in dt.gateway.to(conversation=OFFICE)))
        assert any("审核人：王审核" in m.text for m in done if m.conversation == OFFICE)
    with Session(engine) as s:
        evidence = s.exec(select(Evidence)).one()
        assert (evidence.status, evidence.indicator_id is not None, evidence.submitter_user_id) == \
            ("accepted" if verdict != "退回" else "rejected", True, OFFICER)
        rows = s.exec(select(OutboxMessage)).all()
        assert rows and {r.status for r in rows} == {"sent"} and {r.channel for r in rows} == {"dingtalk"}
        assert {r.status for r in s.exec(select(InboxUpdate))} == {"done"}


async def test_a_liaison_cannot_review_and_a_stranger_is_told_to_register(tmp_path):
    engine, _ = seeded(tmp_path)
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, conversation=GROUP, text="/review")
            dt.push(sender="staff-stranger", text="第12项指标")
            await dt.wait_for(lambda s: dt.gateway.to(conversation=GROUP) and dt.gateway.to(user="staff-stranger"))
        from bot.render import render, to_text

        assert to_text(render("office_only")).split("。")[0] in dt.gateway.to(conversation=GROUP)[0].text
        assert "登记" in dt.gateway.to(user="staff-stranger")[0].text


async def test_register_in_private_approve_in_the_office_group_and_bind_a_group(tmp_path):
    engine, _ = seeded(tmp_path)
    new, group = "staff-new-7", "cidNewGroup=="
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=new, nick="孙新", text="/start")
            [pick] = await dt.wait_for(lambda s: dt.gateway.to(user=new))
            dt.push(sender=new, nick="孙新", text=choice(pick.text, "河津市"))
            await dt.wait_for(lambda s: len(dt.gateway.to(user=new)) == 2)
            dt.push(sender=new, nick="孙新", text="统计局")
            typed = await dt.wait_for(lambda s: len(dt.gateway.to(user=new)) == 3)
            assert "请确认您所在的单位" in typed[-1].text
            dt.push(sender=new, nick="孙新", text=choice(typed[-1].text, "统计局"))
            await dt.wait_for(lambda s: any("等待" in m.text or "审核后会通知" in m.text for m in dt.gateway.to(user=new))
                              and any("联络员登记申请" in m.text for m in dt.gateway.to(conversation=OFFICE)))
            card = [m for m in dt.gateway.to(conversation=OFFICE) if "联络员登记申请" in m.text][-1]
            dt.push(sender=OFFICER, conversation=OFFICE, text=choice(card.text, "通过"))  # a liaison may not
            await dt.wait_for(lambda s: len(dt.gateway.to(conversation=OFFICE)) == 2)
            assert "已通过" not in dt.gateway.to(conversation=OFFICE)[-1].text
            dt.push(sender=REVIEWER, conversation=OFFICE, nick="王审核", text=choice(card.text, "通过"))
            await dt.wait_for(lambda s: any("申请已通过" in m.text for m in dt.gateway.to(user=new)))
            dt.push(sender=new, text="我们单位负责哪些指标")
            await dt.wait_for(lambda s: any("统计局" in m.text and "牵头" in m.text for m in dt.gateway.to(user=new)))
            dt.push(sender=OFFICER, conversation=group, text="/setup")  # a liaison cannot bind a group
            await dt.wait_for(lambda s: dt.gateway.to(conversation=group))
            dt.push(sender=ADMIN, conversation=group, title="河津新群", text="/setup")
            shown = await dt.wait_for(lambda s: len(dt.gateway.to(conversation=group)) == 2)
            dt.push(sender=ADMIN, conversation=group, title="河津新群", text=choice(shown[-1].text, "河津市 · 联络员群"))
            await dt.wait_for(lambda s: any("本群已绑定" in m.text for m in dt.gateway.to(conversation=group)))
        assert "已绑定" not in dt.gateway.to(conversation=group)[0].text
    with Session(engine) as s:
        officer = people.officer_of(session=s, user_id=new, channel="dingtalk")
        assert (officer.status, officer.unit_name, officer.name) == ("active", "统计局", "孙新")
        assert s.get(Officer, officer.id).decided_by == REVIEWER
        binding = chats.chat_binding(session=s, chat_id=group, channel="dingtalk")
        assert (binding.kind, binding.campaign_slug, binding.title) == ("liaison", "hejin", "河津新群")


async def test_a_frame_delivered_twice_is_answered_once(tmp_path):
    """DingTalk sends a frame again when its ack was late: the inbox (msgId) keeps it to once."""
    engine, _ = seeded(tmp_path)
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, text="第12项指标")
            await dt.wait_for(lambda s: dt.gateway.to(user=OFFICER))
            frame = next(iter(dt.gateway.frames.values()))
            for conn in dt.gateway.connections:
                conn.write_message(frame)  # the same frame again
            dt.push(sender=OFFICER, text="第13项指标")
            await dt.wait_for(lambda s: len(dt.gateway.to(user=OFFICER)) >= 2)
            await asyncio.sleep(0.5)
        assert len(dt.gateway.to(user=OFFICER)) == 2
        assert len(dt.gateway.acks) == 3  # the copy is acknowledged too, or DingTalk would keep sending it


async def test_people_who_left_and_groups_without_the_robot_are_unreachable(tmp_path):
    """batchSend's invalidStaffIdList is Telegram's Forbidden: private_ok off, the fallback written;
    a group that refuses the robot is marked unreachable; throttling is tried again later."""
    from channels.dingtalk.api import OpenApi
    from channels.dingtalk.outbox import DingTalkOutbox, deliver
    from knowledge import outbox as store
    from knowledge.outbox import Outgoing

    engine, _ = seeded(tmp_path)
    async with FakeDingTalk() as dt:
        from bot.context import Services

        services = Services(settings=settings_for(dt, tmp_path), engine=engine, clock=FakeClock(NOW))
        g = dt.gateway
        api = OpenApi(dt.endpoint, g.client_id, g.secret, g.robot_code)
        box = DingTalkOutbox(api, services, Choices(services))
        g.left.add(OFFICER)
        g.gone.add(GROUP)
        with services.session() as s:
            people.set_private_ok(session=s, user_id=OFFICER, ok=True, channel="dingtalk")
            store.put(s, [Outgoing("t:private", OFFICER, Message("too_long"), private=True, channel="dingtalk",
                                   fallback=[Outgoing("t:office", OFFICE, Message("too_long"), channel="dingtalk")]),
                          Outgoing("t:group", GROUP, Message("too_long"), channel="dingtalk")], NOW)
        assert await deliver(box) == 1  # only the fallback arrived
        await api.close()
    assert [m.conversation for m in g.sent] == [OFFICE]
    with Session(engine) as s:
        status = {r.key: r.status for r in s.exec(select(OutboxMessage))}
        assert status == {"t:private": "unreachable", "t:group": "unreachable", "t:office": "sent"}
        assert people.officer_of(session=s, user_id=OFFICER, channel="dingtalk").private_ok is False
        assert chats.chat_binding(session=s, chat_id=GROUP, channel="dingtalk").status == "unreachable"


async def test_throttling_and_server_errors_are_tried_again(tmp_path):
    import httpx

    from channels.dingtalk.api import DingTalkError, OpenApi
    from channels.dingtalk.outbox import DingTalkOutbox
    from reminders.outbox import DeliveryDeferred

    answers = iter([httpx.Response(200, json={"accessToken": "t", "expireIn": 7200}),
                    httpx.Response(429, json={"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "qps"}),
                    httpx.Response(503, json={"code": "ServiceUnavailable", "message": "busy"}),
                    httpx.Response(200, json={"errcode": 400002, "errmsg": "refused with 200"})])
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: next(answers)))
    api = OpenApi("http://dingtalk.invalid", "id", "secret", "robot", client=client)
    box = DingTalkOutbox(api, services=None, choices=Choices(None))  # type: ignore[arg-type]
    with pytest.raises(DeliveryDeferred) as first:
        await box.send(GROUP, Message("too_long"))
    assert first.value.retry_after == 60
    with pytest.raises(DeliveryDeferred) as second:
        await box.send(GROUP, Message("too_long"))
    assert second.value.retry_after is None
    with pytest.raises(DingTalkError, match="400002"):  # a 200 with an errcode is a refusal, not a success
        await api.send_group(GROUP, "t", "x")
    await api.close()


async def test_a_message_stored_but_not_finished_is_handled_at_start(tmp_path):
    """Killed after the inbox row and the ack but before the reply: the next start handles it."""
    from knowledge import inbox

    engine, _ = seeded(tmp_path)
    data = {"msgId": "msgLEFT1", "conversationId": "cid-private", "conversationType": "1",
            "senderStaffId": OFFICER, "senderNick": "李联络", "msgtype": "text", "text": {"content": "第12项指标"},
            "createAt": 1}
    with Session(engine) as s:
        assert inbox.record(s, "dingtalk", robot_message(data).update_id, data, NOW)
    async with FakeDingTalk() as dt:
        async with Running(settings_for(dt, tmp_path), engine, FakeClock(NOW)):
            await dt.wait_for(lambda s: dt.gateway.to(user=OFFICER))
    assert "第12项" in dt.gateway.to(user=OFFICER)[0].text
    with Session(engine) as s:
        assert [r.status for r in s.exec(select(InboxUpdate))] == ["done"]


async def test_the_console_chat_shows_the_dingtalk_face(tmp_path):
    from channels.dingtalk.console import chat_session

    shown: list[str] = []
    settings = Settings(_env_file=None, data_dir=tmp_path)
    await chat_session(settings, campaign="hejin", unit="市监局", group=False,
                       lines=["我们单位负责哪些指标", "/submit", "选3", "exit", "第12项指标"], out=shown.append)
    text = "\n".join(shown)
    assert "**牵头的指标**" in text and "[\\[选1\\]" in text and "dtmd://dingtalkclient/sendMessage" in text
    assert "请选择要提交材料的指标" in text and "好的，为第3项" in text  # 选3: the picker's first indicator
    assert "建立健全协同监管" not in text  # nothing after exit (第12项指标 was not asked)


@pytest.mark.parametrize("role, group, line, expected", [
    ("office", True, "/pause", "已暂停本创建项目的全部提醒"),
    ("liaison", True, "/pause", "只有领导小组办公室"),
    ("new", False, "/start", "请选择"),
])
async def test_the_dingtalk_console_plays_each_identity(tmp_path, role, group, line, expected):
    """``chat --channel dingtalk --as office|new`` is who it says (the banner too), as on Telegram."""
    from channels.dingtalk.console import chat_session

    shown: list[str] = []
    await chat_session(Settings(_env_file=None, data_dir=tmp_path), campaign="hejin", unit=None, group=group,
                       lines=[line], out=shown.append, role=role)
    text = "\n".join(shown)
    assert expected in text, text
    assert ("领导小组办公室的" in shown[0]) == (role == "office") and "不连接钉钉" in shown[0]


def test_the_app_secret_is_not_in_the_settings_repr():
    settings = Settings(_env_file=None, dingtalk_client_id="ding-app", dingtalk_client_secret="very-secret-42")
    assert "very-secret-42" not in repr(settings) and "very-secret-42" not in str(settings.model_dump())
    assert settings.dingtalk_secret == "very-secret-42"


def card_with(dt: FakeDingTalk, text: str, *, conversation: str = "", user: str = ""):  # noqa: ANN201
    """The latest card delivered there whose markdown says ``text`` (None when there is none)."""
    found = [c for c in dt.cards_to(conversation, user) if text in c.params.get("markdown", "")]
    return found[-1] if found else None


async def submitted(dt: FakeDingTalk, no: int, *, cards: bool) -> None:
    """The officer submits a file for indicator ``no`` (pressing 提交 on a card or by its number)."""
    dt.push(sender=OFFICER, text=f"/submit {no}")
    await dt.wait_for(lambda s: any("提交材料" in m.text for m in s))
    dt.push(sender=OFFICER, file=("电商培训通知.pdf", PDF))
    if cards:
        await dt.wait_for(lambda s: card_with(dt, "1 个文件", user=OFFICER))
        dt.press(card_with(dt, "1 个文件", user=OFFICER), "提交", user=OFFICER)
    else:
        collected = await dt.wait_for(lambda s: any("1 个文件" in m.text for m in s))
        dt.push(sender=OFFICER, text=choice(collected[-1].text, "提交"))


async def test_choices_and_a_reviewers_prompt_survive_a_restart_and_expire(tmp_path):
    """Each block is a process of its own (a fresh Face, fresh Choices) on one store: the office's
    "选N" shown before a restart presses after it, the reviewer's pending 退回 prompt takes the next
    text after another, and a choice past its seven days is answered politely, not guessed."""
    from bot.render import render, to_text

    engine, _ = seeded(tmp_path)
    no = simple_indicator(engine)
    clock = FakeClock(NOW)
    async with FakeDingTalk() as dt:
        settings = settings_for(dt, tmp_path)
        async with Running(settings, engine, clock):
            await connected(dt)
            await submitted(dt, no, cards=False)
            await dt.wait_for(lambda s: any("待审核材料" in m.text for m in dt.gateway.to(conversation=OFFICE)))
        card = [m for m in dt.gateway.to(conversation=OFFICE) if "待审核材料" in m.text][-1]
        async with Running(settings, engine, clock):  # restarted: the card's numbers still mean 退回
            await connected(dt)
            dt.push(sender=REVIEWER, conversation=OFFICE, nick="王审核", text=choice(card.text, "退回"))
            await dt.wait_for(lambda s: any("退回原因" in m.text for m in dt.gateway.to(conversation=OFFICE)))
        async with Running(settings, engine, clock):  # restarted again: the next text is the reason
            await connected(dt)
            dt.push(sender=REVIEWER, conversation=OFFICE, nick="王审核", text="缺少盖章页")
            await dt.wait_for(lambda s: any("缺少盖章页" in m.text for m in dt.gateway.to(user=OFFICER)))
            clock.advance(days=8)
            shown = len(dt.gateway.to(conversation=OFFICE))
            dt.push(sender=REVIEWER, conversation=OFFICE, nick="王审核", text=choice(card.text, "通过(满分)"))
            await dt.wait_for(lambda s: len(dt.gateway.to(conversation=OFFICE)) > shown)
    assert to_text(render("choice_expired")).strip() == dt.gateway.to(conversation=OFFICE)[-1].text.strip()
    with Session(engine) as s:
        assert s.exec(select(Evidence)).one().status == "rejected"
        assert {r.status for r in s.exec(select(InboxUpdate))} == {"done"}


def card_settings(dt: FakeDingTalk, tmp_path, **extra) -> Settings:
    dt.gateway.templates.add("tpl-liaison")
    return settings_for(dt, tmp_path).model_copy(update={"dingtalk_card_template_id": "tpl-liaison", **extra})


async def test_buttons_are_card_buttons_whose_presses_come_back_through_the_stream(tmp_path):
    """With a card template the reply's actions are card buttons carrying Telegram's callback data;
    a press is a CALLBACK frame, stored in the inbox, acknowledged, judged by the access table (a
    liaison's 通过 is refused) — and understood by a process started after the card was sent."""
    engine, _ = seeded(tmp_path)
    no = simple_indicator(engine)
    clock = FakeClock(NOW)
    async with FakeDingTalk() as dt:
        settings = card_settings(dt, tmp_path)
        async with Running(settings, engine, clock):
            await connected(dt)
            await submitted(dt, no, cards=True)
            await dt.wait_for(lambda s: card_with(dt, "待审核材料", conversation=OFFICE))
        review = card_with(dt, "待审核材料", conversation=OFFICE)
        assert review.template == "tpl-liaison" and "电商培训通知.pdf" in review.params["markdown"]
        assert {b["text"]: b["action"] for b in review.buttons}["退回"].endswith(":r")  # rv:<id>:r, as Telegram's
        assert "选1" not in review.params["markdown"]  # buttons, not numbered choices
        async with Running(settings, engine, clock):  # a fresh process: the card is known from the store
            await connected(dt)
            dt.press(review, "通过(满分)", user=OFFICER)  # a liaison may not review
            await dt.wait_for(lambda s: dt.gateway.to(conversation=OFFICE))
            forged = Card(review.track, review.template,  # an action this card never carried
                          {"buttons": json.dumps([{"text": "伪造", "action": "apv:1:1"}])})
            dt.press(forged, "伪造", user=REVIEWER)
            await dt.wait_for(lambda s: len(dt.gateway.to(conversation=OFFICE)) == 2)
            dt.press(review, "通过(满分)", user=REVIEWER)
            await dt.wait_for(lambda s: any("已通过审核" in m.text for m in dt.gateway.to(user=OFFICER)))
            await dt.wait_for(lambda s: not dt.gateway.unacked, 5)
    from bot.render import render, to_text

    assert to_text(render("office_only")).split("。")[0] in dt.gateway.to(conversation=OFFICE)[0].text
    assert to_text(render("choice_expired")).strip() == dt.gateway.to(conversation=OFFICE)[1].text.strip()
    with Session(engine) as s:
        assert s.exec(select(Evidence)).one().status == "accepted"
        raws = [r.raw for r in s.exec(select(InboxUpdate)) if "card" in r.raw]
        assert len(raws) == 4 and {r.status for r in s.exec(select(InboxUpdate))} == {"done"}


async def test_a_refused_card_falls_back_to_numbered_choices_and_cards_can_be_off(tmp_path):
    engine, _ = seeded(tmp_path)
    async with FakeDingTalk() as dt:
        settings = card_settings(dt, tmp_path)
        dt.gateway.templates.clear()  # DingTalk does not know the template: 400
        async with Running(settings, engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, text="/submit")
            [picker] = await dt.wait_for(lambda s: dt.gateway.to(user=OFFICER))
        assert "[\\[选1\\]" in picker.text and not dt.gateway.cards
        dt.gateway.templates.add("tpl-liaison")
        async with Running(card_settings(dt, tmp_path, dingtalk_cards="off"), engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=OFFICER, text="/submit")
            await dt.wait_for(lambda s: len(dt.gateway.to(user=OFFICER)) == 2)
        assert "[\\[选" in dt.gateway.to(user=OFFICER)[-1].text and not dt.gateway.cards


async def test_the_console_chat_shows_a_card_and_presses_its_button(tmp_path):
    from channels.dingtalk.console import chat_session

    shown: list[str] = []
    settings = Settings(_env_file=None, data_dir=tmp_path, dingtalk_card_template_id="tpl")
    await chat_session(settings, campaign="hejin", unit="市监局", group=False,
                       lines=["/submit", "下一页 ›", "exit"], out=shown.append)
    text = "\n".join(shown)
    assert "互动卡片" in text and "［下一页 ›］" in text and "选1" not in text
    assert "第 2/" in text  # the button pressed: the picker's next page


def test_conversation_state_numbers_keeps_expires_and_sweeps(tmp_path, monkeypatch):
    """``knowledge.conversation``: numbers run on per conversation and wrap; the latest KEEP are
    kept; a value past its time is not recalled, and the sweep drops it."""
    from datetime import timedelta

    from knowledge import conversation
    from knowledge.models import ConversationState

    engine, _ = seeded(tmp_path)
    ttl = timedelta(days=7)
    monkeypatch.setattr(conversation, "WRAP", 20)
    monkeypatch.setattr(conversation, "KEEP", 8)
    with Session(engine) as s:
        assert conversation.number(s, "dingtalk", GROUP, [[("a", "ack:1"), ("b", "ack:2")]], now=NOW, ttl=ttl) == [[1, 2]]
        assert conversation.number(s, "dingtalk", OFFICE, [[("c", "ack:3")]], now=NOW, ttl=ttl) == [[1]]
        assert conversation.choice(s, "dingtalk", GROUP, now=NOW, n=2) == ("b", "ack:2")
        assert conversation.choice(s, "dingtalk", GROUP, now=NOW, label="a") == ("a", "ack:1")
        many = [[(f"x{i}", f"ack:{i}")] for i in range(conversation.WRAP)]
        last = conversation.number(s, "dingtalk", GROUP, many, now=NOW + timedelta(seconds=1), ttl=ttl)
        assert last[-1] == [2] and last[-3] == [conversation.WRAP]  # 3 … WRAP, then 1, 2 again
        assert conversation.choice(s, "dingtalk", GROUP, now=NOW, n=2) == (f"x{conversation.WRAP - 1}",
                                                                         f"ack:{conversation.WRAP - 1}")
        kept = s.exec(select(ConversationState).where(ConversationState.chat_id == GROUP,
                                                      ConversationState.name != "choices:last")).all()
        assert len(kept) == conversation.KEEP
        assert conversation.choice(s, "dingtalk", GROUP, now=NOW, n=10) is None  # beyond the latest KEEP
        conversation.remember(s, "dingtalk", GROUP, "review-prompt", {"evidence": 1}, now=NOW,
                              ttl=timedelta(days=1), user=REVIEWER)
        assert conversation.recall(s, "dingtalk", GROUP, "review-prompt", now=NOW, user=REVIEWER) == {"evidence": 1}
        assert conversation.recall(s, "dingtalk", GROUP, "review-prompt", now=NOW, user=OFFICER) is None
        later = NOW + timedelta(days=1)
        assert conversation.recall(s, "dingtalk", GROUP, "review-prompt", now=later, user=REVIEWER) is None
        assert conversation.sweep(s, later + ttl) == conversation.KEEP + 1 + 1  # GROUP's, OFFICE's, the prompt
        assert conversation.choice(s, "dingtalk", OFFICE, now=NOW, n=1) is None


async def test_a_registration_in_progress_survives_a_restart(tmp_path):
    """A person who picked the campaign, then the bot restarted: the unit they type is still read
    as their unit (the registration is a stored row, not the process's memory)."""
    engine, _ = seeded(tmp_path)
    new = "staff-new-8"
    async with FakeDingTalk() as dt:
        settings = settings_for(dt, tmp_path)
        async with Running(settings, engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=new, nick="周新", text="/start")
            [pick] = await dt.wait_for(lambda s: dt.gateway.to(user=new))
            dt.push(sender=new, nick="周新", text=choice(pick.text, "河津市"))
            await dt.wait_for(lambda s: len(dt.gateway.to(user=new)) == 2)
        async with Running(settings, engine, FakeClock(NOW)):
            await connected(dt)
            dt.push(sender=new, nick="周新", text="统计局")
            typed = await dt.wait_for(lambda s: len(dt.gateway.to(user=new)) == 3)
    assert "请确认您所在的单位" in typed[-1].text
