"""Submitting evidence from DingTalk, through the same core calls as
``handlers.submit`` (and ``Face``, the protocol the flows use).

A DingTalk file message has no caption, so the guided flow is the way in: ``/submit`` (or
``/submit 12``) picks the indicator (a stored ``SubmitDraft``, as on Telegram), files and texts
are gathered, "提交" submits. Files are downloaded by ``downloadCode``, checked, hashed and stored
as Telegram files are (``knowledge.files.Incoming``, ``knowledge.quota``); the submission, its
receipt and its review cards are committed with the message's inbox mark before anything is sent.
Reviewing is ``channels.dingtalk.review``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from sqlmodel import Session

from bot.context import Services
from bot.downloads import limits
from bot.render import render
from channels.dingtalk import CHANNEL
from channels.dingtalk.frames import RobotMessage
from channels.dingtalk.outbox import DingTalkOutbox, deliver
from handlers.common import Where, refusal
from knowledge import drafts, menus, outbox, quota
from knowledge import evidence as ev
from knowledge import evidence_notices as notices
from knowledge.access import Route
from knowledge.files import FileRejected, Incoming, check_file
from knowledge.messages import Action, Message


class Face(Protocol):
    """What the flows use of ``channels.dingtalk.face.Face`` (which imports this module)."""

    services: Services
    outbox: DingTalkOutbox

    def locate(self, session: Session, msg: RobotMessage, campaign_id: int | None = None) -> Where: ...

    async def enter(self, session: Session, msg: RobotMessage, route: Route,
                    action: Action | None = None) -> Where | None: ...

    async def reply(self, msg: RobotMessage, reply: object) -> None: ...

log = logging.getLogger(__name__)


# ---- submitting ----------------------------------------------------------------------------
async def submit_command(face: Face, msg: RobotMessage, args: str) -> None:
    """/submit: this unit's indicators as choices; /submit 12 picks one at once."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.SUBMIT)
        if where is None:
            return
        if args.isdigit():
            await _pick(face, msg, session, where, int(args), None)
            return
        reply = _page(session, where, 0)
    await face.reply(msg, reply)


def _page(session, where, page: int) -> Message:  # noqa: ANN001
    return menus.submit_picker(session, where.campaign, where.directory, where.officer.unit_id,
                               where.officer.unit_name, page)


async def _pick(face: Face, msg: RobotMessage, session, where, no: int, item: int | None) -> None:  # noqa: ANN001
    """An indicator picked: its items when scored by item, else the flow starts (a stored draft)."""
    try:
        view = ev.responsible_view(session, where.campaign, where.directory, where.officer.unit_id, no)
    except ev.EvidenceError as exc:
        await face.reply(msg, refusal(exc))
        return
    if item is None and view.indicator.scoring == "items" and len(view.items) > 1:
        await face.reply(msg, menus.submit_items(view, where.campaign.id))
        return
    drafts.begin(session, msg.sender, campaign_id=where.campaign.id, chat_id=msg.chat, no=no, item=item,
                 now=face.services.clock.now(), channel=CHANNEL)
    session.commit()
    await face.reply(msg, Message("submit_collect", {"i": view.indicator, "item": item}))


async def submit_choice(face: Face, msg: RobotMessage, action: Action) -> None:
    """sb:p (page), sb:i (indicator), sb:t (item), sb:ok (submit), sb:x (cancel)."""
    step, cid, *ids = action.args
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.SUBMIT, action)
        if where is None:
            return
        if cid != where.campaign.id:
            await face.reply(msg, render("submit_need_officer"))
        elif step == "p":
            await face.reply(msg, _page(session, where, ids[0]))
        elif step == "x":
            drafts.end(session, msg.sender, channel=CHANNEL)
            session.commit()
            await face.reply(msg, render("submit_cancelled"))
        elif step == "ok":
            await _confirm(face, msg, session, where)
        else:
            await _pick(face, msg, session, where, ids[0], ids[1] if step == "t" else None)


async def collect(face: Face, msg: RobotMessage) -> bool:
    """During a flow, a file or a text in the chat where it began is kept in the draft."""
    with face.services.session() as session:
        draft = drafts.current(session, msg.sender, channel=CHANNEL)
        if draft is None or draft.chat_id != msg.chat:
            return False
        asks = not msg.download_code and drafts.is_question(msg.text or "")
        if not asks:
            where = await face.enter(session, msg, Route.SUBMIT)
            if where is None:
                drafts.end(session, msg.sender, channel=CHANNEL)
                return True
    if asks:  # answered as any question is (its own route), the flow kept
        await face.question(msg, msg.text)
        rows = menus.submit_finish(draft.campaign_id)
        await face.reply(msg, Message("submit_kept", {"no": draft.no, "files": len(draft.files),
                                                      "notes": len(draft.notes)}, actions=rows))
        return True
    try:
        f = await download(face, msg, where.officer) if msg.download_code else None
    except FileRejected as exc:
        await face.reply(msg, refusal(exc))
        return True
    with face.services.session() as session:
        draft = drafts.gather(session, msg.sender, face.services.clock.now(), file=f,
                              note="" if f else msg.text, channel=CHANNEL)
    if draft is not None:
        rows = menus.submit_finish(draft.campaign_id)
        await face.reply(msg, Message("submit_collected", {"files": len(draft.files), "notes": len(draft.notes)},
                                      actions=rows))
    return True


async def _confirm(face: Face, msg: RobotMessage, session, where) -> None:  # noqa: ANN001
    draft = drafts.current(session, msg.sender, channel=CHANNEL)
    if draft is None:
        await face.reply(msg, render("stale_button"))
        return
    try:
        view = ev.submit(session, campaign=where.campaign, directory=where.directory, officer=where.officer,
                         no=draft.no, item_no=draft.item, files=draft.files, note="\n".join(draft.notes),
                         now=face.services.clock.now())
    except ev.EvidenceError as exc:
        await face.reply(msg, refusal(exc))
        return
    drafts.end(session, msg.sender, channel=CHANNEL)
    rows = notices.submission_rows(session, view, msg.chat, None, msg.private, channel=CHANNEL)
    await settle_and_send(face, msg, session, rows)


async def settle_and_send(face: Face, msg: RobotMessage, session, rows: list) -> None:  # noqa: ANN001
    """Commit the effects, their rows and this message's inbox mark together, then send the rows."""
    keys = outbox.settle(session, rows, face.services.clock.now(), (CHANNEL, msg.update_id))
    async with face.services.turn.released():
        await deliver(face.outbox, keys)


async def download(face: Face, msg: RobotMessage, officer) -> ev.FileIn:  # noqa: ANN001
    """The message's file, checked against the limits, streamed into the store (as ``bot.downloads``)."""
    services = face.services
    settings = services.settings
    clean = check_file(msg.file_name or "文件", None, None, settings.download_limit)
    _quota(face, officer, None, None, msg.download_code)
    async with services.turn.released():
        with Incoming(settings.evidence_path, settings.download_limit) as incoming:
            await face.outbox.api.download(msg.download_code, incoming)
            _quota(face, officer, incoming.size, incoming.sha256, msg.download_code)
            received = await asyncio.to_thread(incoming.finish, clean)
    stored = received.stored
    services.uploads.add(officer.id, stored.sha256, stored.size, services.clock.now(), msg.download_code)
    log.info("stored %s (%d bytes) from officer %s", stored.sha256[:12], stored.size, officer.id)
    return ev.FileIn(clean, received.mime, stored)


def _quota(face: Face, officer, size: int | None, sha256: str | None, unique: str) -> None:  # noqa: ANN001
    services = face.services
    with services.session() as session:
        quota.check(session, limits(services), services.uploads, officer_id=officer.id, unit_id=officer.unit_id or 0,
                    size=size, now=services.clock.now(), sha256=sha256, unique_id=unique)
