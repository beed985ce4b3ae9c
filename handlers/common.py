"""What every handler needs: where the update comes from (campaign, chat, officer) and replying."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from telegram import Chat, Message, Update

from bot.context import BotContext
from bot.delivery import keyboard
from bot.markup import to_telegram
from bot.render import render, render_message, split_message
from bot.replies import Reply
from knowledge import chats as bindings
from knowledge import people
from knowledge.access import ChatKind, Role, role_of
from knowledge.access_store import campaign_slug
from knowledge.ask import Asker
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
    chat: bindings.ChatInfo | None
    private: bool
    office: bool
    admin: bool = False

    @property
    def role(self) -> Role:
        """The asker's role in this campaign (the one office predicate is ``access.role_of``)."""
        o = self.officer
        mine = o is not None and self.campaign is not None and o.campaign_id == self.campaign.id
        return role_of(status=o.status if mine else None, role=o.role if mine else None, admin=self.admin)

    @property
    def chat_kind(self) -> ChatKind:
        if self.private:
            return ChatKind.PRIVATE
        if self.chat is None:
            return ChatKind.UNBOUND_GROUP
        return ChatKind.OFFICE_CHAT if self.chat.kind == "office" else ChatKind.LIAISON_GROUP

    @property
    def has_unit(self) -> bool:
        """An officer row of this campaign that names a unit (what submitting needs besides an
        active role; the role, not this, says whether the row is active)."""
        o = self.officer
        return bool(o and self.campaign and o.campaign_id == self.campaign.id and o.unit_id)

    @property
    def asker(self) -> Asker:
        unit = None
        if self.officer and self.officer.status == "active" and self.directory and self.officer.unit_id:
            unit = self.directory.units.get(self.officer.unit_id)
        return Asker(unit=unit, role=self.role.value, chat=self.chat_kind.value)


def locate(update: Update, context: BotContext, session: Session, campaign_id: int | None = None) -> Where:
    """Private chats follow the officer's campaign (or the default); groups follow their binding.

    ``campaign_id`` (from a button) names the campaign instead: a button is judged in it, now.
    """
    services = context.services
    chat, user = update.effective_chat, update.effective_user
    private = chat is not None and chat.type == Chat.PRIVATE
    binding = None if private or chat is None else bindings.chat_binding(session=session, chat_id=chat.id)
    campaign: Campaign | None = None
    officer = None
    if campaign_id is not None:
        campaign = _campaign_by_id(services, session, campaign_id)
        officer = people.officer_of(session=session, user_id=user.id, campaign_id=campaign_id) if user else None
    elif binding:
        campaign = services.campaign(session, binding.campaign_slug)
        officer = people.officer_of(session=session, user_id=user.id, campaign_id=campaign.id) if user else None
    elif private and user:
        officer = people.officer_of(session=session, user_id=user.id)
        campaign = _own_campaign(services, session, officer)
    directory = services.directory(session, campaign) if campaign else None
    admin = bool(user and user.id in services.settings.admins)
    where = Where(campaign, directory, officer, binding, private, False, admin)
    where.office = where.role in (Role.OFFICE, Role.ADMIN)
    return where


def _own_campaign(services, session: Session, officer: people.OfficerInfo | None) -> Campaign | None:  # noqa: ANN001
    """In private: the officer's campaign, else the default one (None when it is not loaded)."""
    try:
        return services.campaign(session, officer.campaign_slug if officer else services.settings.default_campaign)
    except UnknownCampaign:
        return None


def _campaign_by_id(services, session: Session, campaign_id: int) -> Campaign | None:  # noqa: ANN001
    """The campaign a button names, through the per-process cache (None when it is gone)."""
    slug = campaign_slug(session=session, campaign_id=campaign_id)
    return services.campaign(session, slug) if slug else None


async def respond(update: Update, reply: Reply | CoreMessage | str, buttons: list | None = None) -> list[Message]:
    """Reply in the same chat (quoting the question in groups); long text is split on lines."""
    message = update.effective_message
    if message is None:
        return []
    if isinstance(reply, CoreMessage):
        text, rows = to_telegram(render_message(reply)), reply.actions
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
    if isinstance(message := getattr(exc, "message", None), CoreMessage):  # a refusal with its own template
        return render_message(message)
    return render("refused", reason=str(exc))
