"""The DingTalk face: a robot message → the gate → the same core calls as a Telegram update.

``Face.handle`` is what ``handlers/`` and ``bot.app._text`` are for Telegram, over one stored
robot message: a number (or a shown label) presses the choice it names; a pending review prompt
takes the reviewer's next text; ``/command args`` becomes the same ``Question`` (or the same
office call) as on Telegram; during a submission flow texts and files are gathered; a file
outside one gets the same hint; any other text is a question. The access table is judged here
exactly as ``handlers.gate`` judges it (``Where`` is the Telegram face's own value: role and chat
kind from the same fields), and every reply is a core ``Message`` or a template — this face adds
no rule and no text.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.context import Services
from bot.render import render
from bot.replies import Reply, answer_typed
from channels.dingtalk import CHANNEL, enrol, flows, office, pending, review
from channels.dingtalk.frames import CARD, RobotMessage
from channels.dingtalk.markdown import Choices, message_parts, names_choice, parts
from channels.dingtalk.outbox import DingTalkOutbox
from handlers.common import Where
from handlers.gate import ANY_CHAT, _campaign_named
from knowledge import chats as bindings
from knowledge import people
from knowledge.access import ChatKind, Role, Route, commands_for, decide, publishes_status
from knowledge.access_store import best_role
from knowledge.ask import Scope, parse
from knowledge.ask.dispatch import help_message, opened
from knowledge.ask.parse import parse_command
from knowledge.campaigns import UnknownCampaign
from knowledge.messages import Action, ActionKind, Message, say
from reminders import acks, controls
from reminders.outbox import DeliveryDeferred

log = logging.getLogger(__name__)
QUESTION_COMMANDS = frozenset({"my", "unit", "ind", "find", "phase", "status"})
# What this face implements of the access table's commands: /help lists only these here.
OFFERED = QUESTION_COMMANDS | {"help", "start", "setup", "submit", "review", "reminders", "acks", "score",
                               "withdraw", "figure", "mute", "due", "pause", "resume", "digest", "export", "bind",
                               "revoke"}


class Face:
    """One process's DingTalk face: its services, its outbox, the choices it has shown. What it
    waits for (choices, cards, a reviewer's prompt, a registration) is in the store, not here."""

    def __init__(self, services: Services, outbox: DingTalkOutbox, choices: Choices) -> None:
        self.services, self.outbox, self.choices = services, outbox, choices

    # ---- where a message comes from -------------------------------------------------------
    def locate(self, session: Session, msg: RobotMessage, campaign_id: int | None = None) -> Where:
        """As ``handlers.common.locate``: private follows the officer, a group its binding, a
        button the campaign it names."""
        services = self.services
        binding = None if msg.private else bindings.chat_binding(session=session, chat_id=msg.conversation_id,
                                                                 channel=CHANNEL)
        campaign, officer = None, None
        slug = None
        if campaign_id is not None or binding:
            cid = campaign_id
            officer = people.officer_of(session=session, user_id=msg.sender, campaign_id=cid, channel=CHANNEL) \
                if cid else None
            slug = binding.campaign_slug if cid is None else _slug(session, cid)
        elif msg.private:
            officer = people.officer_of(session=session, user_id=msg.sender, channel=CHANNEL)
            slug = officer.campaign_slug if officer else services.settings.default_campaign
        try:
            campaign = services.campaign(session, slug) if slug else None
        except UnknownCampaign:
            campaign = None
        if campaign is not None and officer is None:
            officer = people.officer_of(session=session, user_id=msg.sender, campaign_id=campaign.id, channel=CHANNEL)
        directory = services.directory(session, campaign) if campaign else None
        admin = msg.sender in services.settings.dingtalk_admins
        where = Where(campaign, directory, officer, binding, msg.private, False, admin)
        where.office = where.role in (Role.OFFICE, Role.ADMIN)
        return where

    def refusal(self, route: Route, where: Where, sender: str = "") -> str:
        """The access table's cell for this asker here: "" or the refusal's template (as
        ``handlers.gate.verdict``: /setup in a group without a campaign takes the best role held)."""
        published = where.campaign is not None and publishes_status(where.campaign.extra)
        role = where.role
        if route is Route.SETUP and where.chat_kind is ChatKind.UNBOUND_GROUP:
            with self.services.session() as session:
                role = best_role(session=session, user_id=sender, admin=where.admin, channel=CHANNEL)
        return decide(route, role, where.chat_kind, has_unit=where.has_unit,
                      campaign=where.campaign is not None, published=published)

    async def enter(self, session: Session, msg: RobotMessage, route: Route,
                    action: Action | None = None) -> Where | None:
        """``handlers.gate.enter`` for DingTalk: the ``Where`` when allowed, else the person is told."""
        named = _campaign_named(session, action)
        if isinstance(named, str):
            await self.reply(msg, render(named, eid=action.args[0] if action and action.args else ""))
            return None
        where = self.locate(session, msg, named if named and (msg.private or route in ANY_CHAT) else None)
        refusal = self.refusal(route, where, msg.sender)
        if refusal:
            await self.reply(msg, render(refusal, city=where.campaign.city if where.campaign else "",
                                         unit=where.officer.unit_name if where.officer else "", bot=""))
            return None
        return where

    # ---- replies --------------------------------------------------------------------------
    async def reply(self, msg: RobotMessage, reply: Reply | Message | str) -> None:
        """Answer in the message's conversation (not a row: as Telegram's ``respond``)."""
        if isinstance(reply, Message):
            out = message_parts(reply)
        elif isinstance(reply, Reply):
            out = parts(reply.text, reply.actions)
        else:
            out = parts(reply)
        try:
            async with self.services.turn.released():
                await self.outbox.send_parts(msg.chat, out, msg.private)
        except DeliveryDeferred as exc:
            log.warning("a reply in %s could not be sent: %s", msg.chat, exc)

    # ---- the one entry --------------------------------------------------------------------
    async def handle(self, msg: RobotMessage) -> None:
        """Route one robot message to the first path that claims it (as ``bot.app._text``)."""
        text = msg.text
        if msg.private:  # the robot reaches this person privately (what /start records on Telegram)
            with self.services.session() as session:
                people.set_private_ok(session=session, user_id=msg.sender, ok=True, channel=CHANNEL)
        now = self.services.clock.now()
        with self.services.session() as session:
            prompt = pending.review_prompt(session, msg.chat, msg.sender, now) if text else None
            registering = msg.private and text and pending.registering(session, msg.sender, now) is not None
        if msg.kind == CARD:  # a card's button: the action it carries, judged as any press
            action = Action.parse(msg.callback, msg.text) if msg.callback else None
            await (self.press(msg, action) if action else self.reply(msg, render("choice_expired")))
        elif text and (action := self.choices.pick(msg.chat, text)) is not None:
            await self.press(msg, action)
        elif text and names_choice(text):  # "选N" no longer (or never) shown here
            await self.reply(msg, render("choice_expired"))
        elif text and not text.startswith("/") and prompt is not None:
            await review.review_reply(self, msg, *prompt)
        elif text.startswith("/"):
            await self.command(msg, text)
        elif await flows.collect(self, msg):
            return
        elif registering:
            await enrol.typed_unit(self, msg)
        elif msg.download_code:
            await self.reply(msg, render("submit_how", face=CHANNEL))
        elif text:
            await self.question(msg, text)

    async def command(self, msg: RobotMessage, text: str) -> None:
        name, _, args = text[1:].partition(" ")
        name = name.split("@")[0].lower()  # "/ind@bot 3" pasted from Telegram
        if name == "phase" and args.split()[:1] in (["set"], ["shift"]):  # /phase set|shift: the office's
            await office.phase_admin(self, msg, args.strip())
        elif name in QUESTION_COMMANDS:
            await self.question(msg, text, lambda d: parse_command(name, args.strip(), d, text))
        elif name == "help":
            with self.services.session() as session:
                where = await self.enter(session, msg, Route.HELP)
            if where is not None:  # the commands this person may use here, from the access table
                await self.reply(msg, help_message(where.campaign, where.asker, OFFERED) if where.campaign else
                                 say("help", city="", **commands_for(where.role, where.chat_kind, offered=OFFERED)))
        elif name == "start":
            await enrol.start(self, msg)
        elif name == "setup":
            await enrol.setup(self, msg)
        elif name == "submit":
            await flows.submit_command(self, msg, args.strip())
        elif name == "review":
            await review.review_command(self, msg)
        elif name in ("reminders", "acks"):
            await self._schedule_read(msg, name)
        elif name in ("score", "figure", "withdraw", "mute", "due", "bind", "revoke"):
            await getattr(office, name)(self, msg, args.strip())
        elif name in ("pause", "resume"):
            await office.pause(self, msg, name == "pause")
        elif name in ("digest", "export"):
            await getattr(office, name)(self, msg)
        else:
            await self.reply(msg, render("unknown_command", command="/" + name))

    async def _schedule_read(self, msg: RobotMessage, name: str) -> None:
        """/reminders (what is coming for my unit) and /acks (the office: who has not signed), as
        ``handlers.schedule`` answers them, from ``reminders.controls`` and ``reminders.acks``."""
        with self.services.session() as session:
            where = await self.enter(session, msg, Route.REMINDERS if name == "reminders" else Route.ACKS)
            if where is None:
                return
            if name == "reminders":
                reply = controls.upcoming(session=session, campaign=where.campaign, directory=where.directory,
                                          unit_id=where.officer.unit_id, unit_name=where.officer.unit_name,
                                          today=self.services.today())
            else:
                reply = acks.unsigned(session=session, campaign=where.campaign, directory=where.directory)
        await self.reply(msg, reply)

    async def question(self, msg: RobotMessage, text: str, read=None) -> None:  # noqa: ANN001
        """Read the question once, admit it by its route, answer (as ``handlers.ask._typed``)."""
        if len(text) > 500:
            await self.reply(msg, render("too_long"))
            return
        services = self.services
        with services.session() as session:
            where = self.locate(session, msg)
            question = (read or (lambda d: parse(text, d, "")))(where.directory) if where.directory else None
            route = question.route(where.asker) if question else Route.ASK
            refusal = next((r for r in (self.refusal(x, where) for x in dict.fromkeys((Route.ASK, route))) if r), "")
            if refusal:
                reply: Reply | str = render(refusal, city=where.campaign.city if where.campaign else "",
                                            unit=where.officer.unit_name if where.officer else "")
            else:
                reply = answer_typed(session, where.campaign, where.directory, text, where.asker, services.today(),
                                     "", cache=services.replies, question=question)
        await self.reply(msg, reply)

    async def press(self, msg: RobotMessage, action: Action) -> None:
        """A numbered choice or a card's button: the action it stands for, judged now as a pressed button is."""
        kind = action.kind
        if kind in (ActionKind.OPEN_INDICATOR, ActionKind.OPEN_UNIT, ActionKind.OPEN_TASK, ActionKind.MORE):
            with self.services.session() as session:
                where = await self.enter(session, msg, Route.ASK, action)
                if where is None:
                    return
                scope = Scope(session, where.campaign, where.directory, where.asker, self.services.today())
                reply = opened(scope, action)
            await self.reply(msg, reply)
        elif kind is ActionKind.REVIEW:
            await review.review_choice(self, msg, action)
        elif kind is ActionKind.SUBMIT:
            await flows.submit_choice(self, msg, action)
        elif kind is ActionKind.ACK:
            await review.ack_choice(self, msg, action)
        elif kind is ActionKind.REGISTER:
            await enrol.register_choice(self, msg, action)
        elif kind is ActionKind.APPROVE:
            await enrol.approve_choice(self, msg, action)
        else:
            await enrol.setup_choice(self, msg, action)


def _slug(session: Session, campaign_id: int) -> str | None:
    from knowledge.access_store import campaign_slug

    return campaign_slug(session=session, campaign_id=campaign_id)

