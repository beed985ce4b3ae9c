"""People and chats from DingTalk: registering in a private chat, the office approving in its
group, an admin binding a group — the same core calls and templates as ``handlers.registration``
and ``handlers.chats``.

A registration's approval card and the decision's notice are outbox rows (``approval:…``),
committed with the request or the decision and the message's inbox mark, so a restart loses
neither. Who may bind a group before it has a campaign is the highest role the person holds on
DingTalk (admins: ``DINGTALK_ADMIN_USER_IDS``), as ``/setup`` is judged on Telegram.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.render import render
from channels.dingtalk import CHANNEL, pending
from channels.dingtalk.flows import Face, settle_and_send
from channels.dingtalk.frames import RobotMessage
from knowledge import chats as bindings
from knowledge import enrolment, menus, people
from knowledge.access import Route
from knowledge.campaigns import all_campaigns
from knowledge.messages import Action, ActionKind, Message
from knowledge.outbox import Outgoing


async def start(face: Face, msg: RobotMessage) -> None:
    """/start in private: say who you are, or begin registering (campaign, then unit)."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.START)
        if where is None:
            return
        if where.officer and where.officer.status in ("active", "pending"):
            reply = Message("start_known", {"officer": where.officer,
                                            "city": where.campaign.city if where.campaign else ""})
        else:
            campaigns = all_campaigns(session=session)
            if len(campaigns) == 1:
                reply = _units(session, face, msg, campaigns[0], 0)
            else:
                reply = Message("reg_pick_campaign", actions=[[Action(c.city, ActionKind.REGISTER, ("c", c.id))]
                                                              for c in campaigns])
    await face.reply(msg, reply)


def _units(session: Session, face: Face, msg: RobotMessage, campaign, page: int) -> Message:  # noqa: ANN001
    shown, pages, rows = enrolment.unit_page(session=session, campaign=campaign, page=page)
    pending.start_registering(session, msg.sender, campaign.id, face.services.clock.now())
    return Message("reg_pick_unit", {"city": campaign.city, "page": shown, "pages": pages}, actions=rows)


async def register_choice(face: Face, msg: RobotMessage, action: Action) -> None:
    """reg:c:<campaign>, reg:p:<campaign>:<page>, reg:u:<campaign>:<unit>."""
    step, _, *rest = action.args
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.REGISTER, action)
        if where is None:
            return
        campaign = where.campaign
        if step in ("c", "p"):
            reply = _units(session, face, msg, campaign, rest[0] if step == "p" else 0)
        else:
            unit = where.directory.units.get(rest[0]) if rest else None
            if unit is None or unit.kind == "group":
                reply = render("stale_button")
            else:
                await _request(face, msg, session, campaign, unit.id)
                return
    await face.reply(msg, reply)


async def _request(face: Face, msg: RobotMessage, session: Session, campaign, unit_id: int) -> None:  # noqa: ANN001
    try:
        officer = people.request_registration(session=session, campaign_id=campaign.id, unit_id=unit_id,
                                              user_id=msg.sender, username="", name=msg.nick,
                                              now=face.services.clock.now(), channel=CHANNEL)
    except people.PeopleError as exc:
        await face.reply(msg, render("refused", reason=str(exc)))
        return
    pending.end_registering(session, msg.sender)
    if officer.status == "active":
        session.commit()
        await face.reply(msg, Message("reg_active", {"officer": officer}))
        return
    now = face.services.clock.now()
    card, offices = enrolment.approval_card(session, officer, msg.sender, "", face=CHANNEL,
                                            office_chat_id=face.services.settings.office_chat_id, now=now)
    stamp = int(now.timestamp())
    rows = [Outgoing(f"approval:{officer.id}:{stamp}:{CHANNEL}:{chat}", chat, card, campaign_id=campaign.id,
                     channel=CHANNEL) for chat in offices]
    rows.insert(0, Outgoing(f"approval:{officer.id}:{stamp}:asked", msg.sender, Message("reg_pending", {"officer": officer}),
                            private=True, campaign_id=campaign.id, channel=CHANNEL))
    await settle_and_send(face, msg, session, rows)


async def typed_unit(face: Face, msg: RobotMessage) -> None:
    """During registration, a typed unit name offers the matching units."""
    with face.services.session() as session:
        campaign_id = pending.registering(session, msg.sender, face.services.clock.now())
        if campaign_id is None:
            return
        where = face.locate(session, msg, campaign_id)
        found = enrolment.typed_choices(where.directory, msg.text) if where.directory else []
    rows = [[Action(u.name, ActionKind.REGISTER, ("u", campaign_id, u.id))] for u in found]
    await face.reply(msg, Message("reg_typed", {"found": bool(rows), "query": msg.text}, actions=rows))


async def approve_choice(face: Face, msg: RobotMessage, action: Action) -> None:
    """apv:<officer>:1|0 — the office of the officer's campaign decides; once."""
    officer_id, verdict = action.args
    with face.services.session() as session:
        if await face.enter(session, msg, Route.APPROVE, action) is None:
            return
        try:
            officer = people.decide(session=session, officer_id=officer_id, approve=verdict == 1,
                                    by_user_id=msg.sender, now=face.services.clock.now())
        except people.PeopleError as exc:
            await face.reply(msg, render("refused", reason=str(exc)))
            return
        rows = [Outgoing(f"approval:{officer.id}:decided:{msg.chat}", msg.chat,
                         Message("approval_done", {"officer": officer, "decider": msg.nick}),
                         campaign_id=officer.campaign_id, channel=CHANNEL)]
        if officer.user_id:  # on the channel they registered on, whichever face decided
            rows.append(Outgoing(f"approval:{officer.id}:notice", officer.user_id,
                                 Message("approval_notice", {"officer": officer}), private=True,
                                 campaign_id=officer.campaign_id, channel=officer.channel))
        await settle_and_send(face, msg, session, rows)


async def setup(face: Face, msg: RobotMessage) -> None:
    """/setup in a group: choose the campaign and what the group is for."""
    with face.services.session() as session:
        if await face.enter(session, msg, Route.SETUP) is None:
            return
        reply = menus.setup_choices(session)
    await face.reply(msg, reply)


async def setup_choice(face: Face, msg: RobotMessage, action: Action) -> None:
    """setup:<campaign>:l|o — bind this group."""
    with face.services.session() as session:
        where = await face.enter(session, msg, Route.SETUP_BUTTON, action)
        if where is None:
            return
        binding = bindings.bind_chat(session=session, campaign_id=where.campaign.id, chat_id=msg.conversation_id,
                                     kind="office" if action.args[1] == "o" else "liaison", title=msg.title,
                                     by_user_id=msg.sender, now=face.services.clock.now(), channel=CHANNEL)
        session.commit()
        reply = Message("setup_done", {"chat": binding, "city": where.campaign.city})
    await face.reply(msg, reply)
