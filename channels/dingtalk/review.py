"""Reviewing evidence and signing reminders from DingTalk, through the same core calls as
``handlers.review`` and ``handlers.schedule``: the card's choices, the prompt for points or a
reason (the reviewer's next text in that conversation answers it), 签收.
"""

from __future__ import annotations

from bot.render import render
from channels.dingtalk import CHANNEL, pending
from channels.dingtalk.flows import Face, settle_and_send
from channels.dingtalk.frames import RobotMessage
from handlers.common import refusal
from knowledge import evidence as ev
from knowledge import evidence_notices as notices
from knowledge.access import Route
from knowledge.messages import Action, ActionKind
from reminders import acks


async def review_command(face: Face, msg: RobotMessage) -> None:
    """/review: what waits for review, oldest first (office only)."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.REVIEW)
        if where is None:
            return
        waiting = ev.pending(session, campaign_id=where.campaign.id, limit=10)
        total = ev.pending_count(session, campaign_id=where.campaign.id)
    if not waiting:
        await face.reply(msg, render("review_empty"))
    for view in waiting:
        await face.reply(msg, notices.card(view))
    if total > len(waiting):
        await face.reply(msg, render("review_more", shown=len(waiting), more=total - len(waiting)))


async def review_choice(face: Face, msg: RobotMessage, action: Action) -> None:
    """rv:<id>:a accept with full points; rv:<id>:p ask the points; rv:<id>:r ask the reason."""
    eid, step = action.args
    with face.services.session() as session:
        if await face.enter(session, msg, Route.REVIEW_BUTTON, action) is None:
            return
        current = ev.view(session, eid)
        if current.status != "submitted":
            await face.reply(msg, render("review_already", e=current))
            return
        if step == "a":
            done = ev.review(session, evidence_id=eid, reviewer_id=msg.sender, accept=True,
                             now=face.services.clock.now())
            await _outcome(face, msg, session, done)
            return
        pending.ask_review(session, msg.chat, msg.sender, eid, step == "p", face.services.clock.now())
    await face.reply(msg, render("review_prompt", eid=eid, points=step == "p", max_points=current.max_points,
                                 user_id="", reviewer=msg.nick))


async def review_reply(face: Face, msg: RobotMessage, eid: int, points: bool) -> None:
    """The reviewer's answer to a points or reason prompt."""
    action = Action("", ActionKind.REVIEW, (eid, "p" if points else "r"))
    with face.services.session() as session:
        if await face.enter(session, msg, Route.REVIEW_BUTTON, action) is None:
            return
        try:
            done = ev.review(session, evidence_id=eid, reviewer_id=msg.sender, accept=points,
                             points=ev.parse_points(msg.text) if points else None,
                             reason="" if points else msg.text, now=face.services.clock.now())
        except ev.EvidenceError as exc:
            session.rollback()
            pending.answered(session, msg.chat, msg.sender)
            session.commit()
            await face.reply(msg, refusal(exc))
            return
        pending.answered(session, msg.chat, msg.sender)  # one answer per prompt, gone with its outcome
        await _outcome(face, msg, session, done)


async def _outcome(face: Face, msg: RobotMessage, session, done: ev.EvidenceView) -> None:  # noqa: ANN001
    rows = notices.outcome_rows(session, done, msg.chat, None, msg.nick, channel=CHANNEL)
    await settle_and_send(face, msg, session, rows)


async def ack_choice(face: Face, msg: RobotMessage, action: Action) -> None:
    """签收: the presser's unit has seen this reminder."""
    with face.services.session() as session:
        if await face.enter(session, msg, Route.ACK, action) is None:
            return
        reply = acks.sign(session=session, reminder_id=int(action.args[0]), user_id=msg.sender,
                          now=face.services.clock.now(), channel=CHANNEL)
        session.commit()
    await face.reply(msg, reply)
