"""What every handler needs: where the update comes from (campaign, chat, officer) and replying."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from telegram import Chat, Message, Update

from bot.answers import Asker, Reply
from bot.context import BotContext
from bot.delivery import keyboard
from bot.render import render, render_message, split_message
from knowledge import chats, people
from knowledge.campaigns import UnknownCampaign
from knowledge.messages import Message as CoreMessage
from knowledge.models import Campaign
from knowledge.units import UnitDirectory


@dataclass
class Where:
    """The campaign an update belongs to and who sent it."""

    campaign: Campaign | None
    directory: UnitDirectory | None
    officer: people.OfficerInfo | None
    chat: chats.ChatInfo | None
    private: bool
    office: bool

    @property
    def asker(self) -> Asker:
        if self.officer and self.officer.status == "active" and self.directory and self.officer.unit_id:
            return Asker(unit=self.directory.units.get(self.officer.unit_id))
        return Asker()


def locate(update: Update, context: BotContext, session: Session) -> Where:
    """Private chats follow the officer's campaign (or the default); groups follow their binding."""
    services = context.services
    chat, user = update.effective_chat, update.effective_user
    private = chat is not None and chat.type == Chat.PRIVATE
    binding = None if private or chat is None else chats.chat_binding(session=session, chat_id=chat.id)
    campaign: Campaign | None = None
    officer = None
    if binding:
        campaign = services.campaign(session, binding.campaign_slug)
        officer = people.officer_of(session=session, user_id=user.id, campaign_id=campaign.id) if user else None
    elif private and user:
        officer = people.officer_of(session=session, user_id=user.id)
        slug = officer.campaign_slug if officer else services.settings.default_campaign
        try:
            campaign = services.campaign(session, slug)
        except UnknownCampaign:
            campaign = None
    directory = services.directory(session, campaign) if campaign else None
    # The office role comes with the officer row already read; admins are office everywhere.
    office = bool(user and (user.id in services.settings.admins or (
        officer and campaign and officer.campaign_id == campaign.id and officer.status == "active"
        and officer.role == "office")))
    return Where(campaign, directory, officer, binding, private, office)


async def respond(update: Update, reply: Reply | CoreMessage | str, buttons: list | None = None) -> list[Message]:
    """Reply in the same chat (quoting the question in groups); long text is split on lines."""
    message = update.effective_message
    if message is None:
        return []
    if isinstance(reply, CoreMessage):
        text, rows = render_message(reply), reply.actions
    else:
        text = reply.text if isinstance(reply, Reply) else reply
        rows = reply.buttons if isinstance(reply, Reply) else buttons
    parts = split_message(text)
    quote = message.chat.type != Chat.PRIVATE
    sent = []
    for index, part in enumerate(parts):
        markup = keyboard(rows) if index == len(parts) - 1 else None
        sent.append(await message.reply_html(part, reply_markup=markup, do_quote=quote and index == 0))
    return sent


def refusal(exc: Exception) -> str:
    """A domain refusal ("“<b”不是一个数字。") as safe Telegram HTML: the reason may quote user text."""
    return render("refused", reason=str(exc))
