"""The rest of the commands from DingTalk — /score, /figure, /withdraw, /mute for officers; /pause,
/resume, /due, /phase set|shift, /digest, /export, /bind, /revoke for the office — through the
same core calls as ``handlers.figures``, ``handlers.review``, ``handlers.schedule``,
``handlers.office`` and ``handlers.chats``, each judged by its own route of the access table in
``Face.enter``.

What differs is only how DingTalk carries things: a person to /bind or /revoke is the one
@-mentioned with the command (DingTalk robots see no "reply to"); the office's note that someone
muted, and nothing else here, is an outbox row, committed with the change and the message's inbox
mark; /digest's chart and /export's files are uploaded first and sent by media id
(``DingTalkOutbox.send_image`` / ``send_file``), files over DingTalk's limit kept on the server
(``export_too_big``, as on Telegram).
"""

from __future__ import annotations

import asyncio
import logging
import re

from bot.render import render
from channels.dingtalk import CHANNEL
from channels.dingtalk.api import UPLOAD_LIMIT
from channels.dingtalk.flows import Face
from channels.dingtalk.frames import RobotMessage
from channels.dingtalk.outbox import DingTalkOutbox, deliver
from handlers.common import refusal
from knowledge import evidence as ev
from knowledge import outbox as store
from knowledge import people
from knowledge.access import Route
from knowledge.ask.cards import unit_not_found
from knowledge.figure_entry import enter_figure, indicator_score, read_line
from knowledge.figures import FigureError
from knowledge.messages import Message, say
from knowledge.numbers import read_number
from knowledge.outbox import Outgoing
from reminders import controls
from reminders.outbox import DeliveryDeferred, Sent
from reminders.weekly import export_files, send_digest

log = logging.getLogger(__name__)
MENTION = re.compile(r"[@＠]\S+")


# ---- an officer's own ------------------------------------------------------------------------
async def score(face: Face, msg: RobotMessage, args: str) -> None:
    """/score 1: the points the figures entered so far give."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.SCORE)
        if where is None:
            return
        no = read_number("".join(args.split()))
        data = None if no is None else indicator_score(session=session, campaign=where.campaign,
                                                        directory=where.directory, no=no)
    await face.reply(msg, render("figure_usage") if no is None else render("score", **data) if data else
                     render("refused", reason=f"没有第{no}项指标。"))


async def figure(face: Face, msg: RobotMessage, args: str) -> None:
    """/figure 1 2024 网上零售额 126.5 来源 统计局年报."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.FIGURE)
        if where is None:
            return
        line = read_line(" ".join(args.split()))
        if line is None:
            reply = render("figure_usage")
        else:
            try:
                saved = enter_figure(session=session, campaign=where.campaign, directory=where.directory, line=line,
                                     unit_id=where.officer.unit_id if where.officer else None, office=where.office,
                                     user_id=msg.sender, now=face.services.clock.now())
            except (FigureError, ev.EvidenceError) as exc:
                reply = refusal(exc)
            else:
                session.commit()
                reply = render("figure_saved", **saved)
    await face.reply(msg, reply)


async def withdraw(face: Face, msg: RobotMessage, args: str) -> None:
    """/withdraw 15: take back one's own submission before review (the core checks it is one's own)."""
    with face.services.session() as session:
        if await face.enter(session, msg, Route.WITHDRAW) is None:
            return
        number = read_number("".join(args.split()))
        if number is None:
            reply = render("withdraw_usage")
        else:
            try:
                done = ev.withdraw(session, evidence_id=number, user_id=msg.sender, now=face.services.clock.now(),
                                   channel=CHANNEL)
            except ev.EvidenceError as exc:
                reply = refusal(exc)
            else:
                session.commit()
                reply = render("withdrawn", e=done)
    await face.reply(msg, reply)


async def mute(face: Face, msg: RobotMessage, args: str) -> None:
    """/mute 7: no private reminders for 7 days (/mute 0 resumes); the office's DingTalk chats are told."""
    services = face.services
    with services.session() as session:
        where = await face.enter(session, msg, Route.MUTE)
        if where is None:
            return
        reply, notices = controls.mute(session=session, campaign=where.campaign, arg="".join(args.split()) or "7", user_id=msg.sender,
                                       now=services.clock.now(), channel=CHANNEL)
        rows = [Outgoing(f"mute:{msg.msg_id}:{chat}", chat, notice, campaign_id=where.campaign.id, channel=CHANNEL)
                for chat, notice in notices]
        keys = store.settle(session, rows, services.clock.now(), (CHANNEL, msg.update_id))  # stored before acknowledged
    await face.reply(msg, reply)
    if keys:
        async with services.turn.released():
            await deliver(face.outbox, keys)


# ---- the office's ----------------------------------------------------------------------------
async def pause(face: Face, msg: RobotMessage, paused: bool) -> None:
    """/pause and /resume: stop or restart all reminders of the campaign."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.PAUSE)
        if where is None:
            return
        reply = controls.set_paused(session=session, campaign=where.campaign, paused=paused, by=msg.sender,
                                    now=face.services.clock.now())
        session.commit()
    await face.reply(msg, reply)


async def due(face: Face, msg: RobotMessage, args: str) -> None:
    """/due 12 2027-03-31: an indicator's own due date."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.DUE)
        if where is None:
            return
        reply = controls.change_due(session=session, campaign=where.campaign, args=args.split(), by=msg.sender,
                                    now=face.services.clock.now())
        session.commit()
    await face.reply(msg, reply)


async def phase_admin(face: Face, msg: RobotMessage, args: str) -> None:
    """/phase set 名称 起 止; 名称 起 止 … and /phase shift 2026-12-01."""
    action, _, text = " ".join(args.split()).partition(" ")
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.PHASE_ADMIN)
        if where is None:
            return
        reply = controls.change_phases(session=session, campaign=where.campaign, action=action, text=text.strip(),
                                       by=msg.sender, now=face.services.clock.now())
        session.commit()
    await face.reply(msg, reply)


class _Here:
    """The outbox as ``send_digest`` calls it, for the conversation asking (a person or a group)."""

    def __init__(self, box: DingTalkOutbox, private: bool) -> None:
        self.box, self.private = box, private

    async def send(self, target: int | str, message: Message, *, private: bool = False,
                   reply_to: int | None = None) -> Sent | None:
        return await self.box.send(target, message, private=self.private)

    async def send_image(self, target: int | str, image: bytes, caption: Message) -> Sent | None:
        return await self.box.send_image(target, image, caption, private=self.private)


async def digest(face: Face, msg: RobotMessage) -> None:
    """/digest: this week's status digest and its chart, now."""
    services = face.services
    with services.session() as session:
        where = await face.enter(session, msg, Route.DIGEST)
        if where is None:
            return
        campaign_id = where.campaign.id
    try:  # the digest reads in sessions of its own; the asker is there to see it fail
        async with services.turn.released():
            await send_digest(_Here(face.outbox, msg.private), services, campaign_id, [msg.chat], services.today())
    except DeliveryDeferred as exc:
        log.warning("the digest for %s could not be sent: %s", msg.chat, exc)


async def export(face: Face, msg: RobotMessage) -> None:
    """/export: the 台账 spreadsheet and the evidence package, as files in this conversation."""
    services = face.services
    with services.session() as session:
        where = await face.enter(session, msg, Route.EXPORT)
        if where is None:
            return
        campaign_id = where.campaign.id
    out_dir = services.settings.data_dir / "exports"
    async with services.turn.released():
        files = await asyncio.to_thread(export_files, services, campaign_id, services.today(), out_dir)
        for path in (files["xlsx"], files["zip"]):
            size = path.stat().st_size
            if size > UPLOAD_LIMIT:
                await face.reply(msg, say("export_too_big", name=path.name, path=str(path.resolve()),
                                          mb=size // 1048576, limit=UPLOAD_LIMIT // 1048576))
                continue
            try:
                await face.outbox.send_file(msg.chat, path, private=msg.private)
            except DeliveryDeferred as exc:
                log.warning("%s could not be sent to %s: %s", path.name, msg.chat, exc)
    await face.reply(msg, say("export_done", files=files["files"]))


async def bind(face: Face, msg: RobotMessage, args: str) -> None:
    """/bind 统计局 @张三: make the person mentioned that unit's officer."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.BIND)
        if where is None:
            return
        name, target, nick = _mentioned(msg, args)
        if target is None or not name:
            reply: Message | str = render("bind_usage", mention=True)
        else:
            res = where.directory.resolve(name)
            if res.unit is None or res.unit.is_group:
                reply = unit_not_found(where.campaign, name, res.suggestions, session)
            else:
                officer = people.add_officer(session=session, campaign_id=where.campaign.id, unit_id=res.unit.id,
                                             user_id=target, name=nick, by_user_id=msg.sender,
                                             now=face.services.clock.now(), channel=CHANNEL)
                session.commit()
                reply = render("bind_done", officer=officer)
    await face.reply(msg, reply)


async def revoke(face: Face, msg: RobotMessage, args: str) -> None:
    """/revoke @张三: the person mentioned is no longer an officer of this campaign."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.REVOKE)
        if where is None:
            return
        _, target, _ = _mentioned(msg, args)
        if target is None:
            reply = render("revoke_usage", mention=True)
        else:
            try:
                officer = people.revoke(session=session, campaign_id=where.campaign.id, user_id=target,
                                        by_user_id=msg.sender, now=face.services.clock.now(), channel=CHANNEL)
            except people.PeopleError as exc:
                reply = refusal(exc)
            else:
                session.commit()
                reply = render("revoke_done", officer=officer)
    await face.reply(msg, reply)


def _mentioned(msg: RobotMessage, args: str) -> tuple[str, str | None, str]:
    """The command's words without the "@名字"s, the one person mentioned (None unless exactly one),
    and their name as the mention shows it (when there is one "@名字")."""
    names = [m.lstrip("@＠") for m in MENTION.findall(args)]
    mentioned = list(dict.fromkeys(msg.mentions))
    target = mentioned[0] if len(mentioned) == 1 else None
    return MENTION.sub(" ", args).strip(), target, names[0] if len(names) == 1 else ""
