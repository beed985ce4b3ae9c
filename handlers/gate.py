"""The one gate: every update passes ``knowledge.access`` here before a handler sees it.

``@gated(Route.X)`` opens the update's one session, locates campaign, chat and officer, judges
the table's cell for the asker's *current* role (for a button: in the campaign the button
names) and either tells the person why not or calls the handler with a ``Request``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel import Session
from telegram import Update

from bot.context import BotContext
from bot.render import render
from handlers.common import Where, locate, respond
from knowledge import access_store
from knowledge.access import ALSO_HERE, ChatKind, Route, decide, publishes_status
from knowledge.messages import Action, ActionKind

log = logging.getLogger(__name__)
# Buttons judged in the campaign they name even in a group: the office decides from any chat,
# and registering is for a campaign, not for the chat the picker happens to be in.
ANY_CHAT = frozenset({Route.REVIEW_BUTTON, Route.APPROVE, Route.SETUP_BUTTON, Route.REGISTER})


@dataclass
class Request:
    """An admitted update: its session, where it comes from, and the button pressed (if any)."""

    session: Session
    where: Where
    action: Action | None = None


Handler = Callable[[Update, BotContext, Request], Awaitable[object]]


def gated(route: Route) -> Callable[[Handler], Callable[[Update, BotContext], Awaitable[object]]]:
    """Wrap a handler so it runs only when ``route`` is allowed for this asker, here."""
    def wrap(handler: Handler) -> Callable[[Update, BotContext], Awaitable[object]]:
        @functools.wraps(handler)
        async def run(update: Update, context: BotContext) -> object:
            query = update.callback_query
            action = Action.parse(query.data) if query and query.data else None
            if query and query.data and action is None:  # ids out of bounds: forged or stale
                await refuse(update, "stale_button")
                return None
            with context.services.session() as session:
                request = await enter(update, context, session, route, action)
                if request is None:
                    return None
                return await handler(update, context, request)
        return run
    return wrap


async def enter(update: Update, context: BotContext, session: Session, route: Route,
                action: Action | None = None) -> Request | None:
    """The request when ``route`` is allowed; None when the person has been told why not."""
    named = _campaign_named(session, action)
    if isinstance(named, str):
        await refuse(update, named, eid=action.args[0] if action and action.args else "")
        return None
    where = locate(update, context, session, named if named and (_private(update) or route in ANY_CHAT) else None)
    refusal = verdict(session, route, where, update)
    if not refusal and route in ALSO_HERE and where.chat is not None:  # and in the chat's own campaign
        refusal = verdict(session, route, locate(update, context, session), update)
    if refusal:
        if update.callback_query:
            log.warning("refused %s button %r from user %s", route, update.callback_query.data,
                        update.effective_user.id if update.effective_user else None)
        await refuse(update, refusal, city=where.campaign.city if where.campaign else "",
                     unit=where.officer.unit_name if where.officer else "", bot=context.bot.username)
        return None
    return Request(session, where, action)


def verdict(session: Session, route: Route, where: Where, update: Update) -> str:
    """The table's cell for this asker here: ``""`` or the refusal's template."""
    role = where.role
    if route is Route.SETUP and where.chat_kind is ChatKind.UNBOUND_GROUP:  # no campaign yet: any will do
        user = update.effective_user
        role = access_store.best_role(session=session, user_id=user.id, admin=where.admin)
    return decide(route, role, where.chat_kind, has_unit=where.has_unit,
                  campaign=where.campaign is not None, published=_published(where))


def _published(where: Where) -> bool:
    return where.campaign is not None and publishes_status(where.campaign.extra)


def _campaign_named(session: Session, action: Action | None) -> int | str | None:
    """The campaign id a button names; a template name when what it names is gone."""
    if action is None or not action.args:
        return None
    if action.kind is ActionKind.REVIEW:
        return access_store.evidence_campaign(session=session, evidence_id=int(action.args[0])) or "review_missing"
    if action.kind is ActionKind.ACK:
        return access_store.reminder_campaign(session=session, reminder_id=int(action.args[0])) or "stale_button"
    if action.kind is ActionKind.APPROVE:
        return access_store.officer_campaign(session=session, officer_id=int(action.args[0])) or "stale_button"
    first = action.args[1] if action.kind in (ActionKind.REGISTER, ActionKind.SUBMIT) else action.args[0]
    if not isinstance(first, int) or access_store.campaign_slug(session=session, campaign_id=first) is None:
        return "office_only" if action.kind is ActionKind.SETUP else "stale_button"
    return first


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


async def refuse(update: Update, template: str, **data: object) -> None:
    """Say why not: an alert on a button, a reply to a message."""
    text = render(template, **data)
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await respond(update, text)


async def admit(update: Update, where: Where, route: Route = Route.ASK) -> bool:
    """The question path's gate: True when a question of ``route`` may be answered here, else the
    user was told why not. The question path gives the route (``Question.route``): questions
    about the documents are ``ASK``; about submissions, ``OWE`` for one's own unit and
    ``OWE_OTHER`` (the office's) for any other.
    """
    # Every question is a question first (a stranger in private is told to register), then its own route.
    refusal = next((r for r in (decide(x, where.role, where.chat_kind, campaign=where.campaign is not None,
                                       published=_published(where))
                                for x in dict.fromkeys((Route.ASK, route))) if r), "")
    if refusal:  # the open buttons answered their query already: this is a reply, never an alert
        await respond(update, render(refusal, city=where.campaign.city if where.campaign else "",
                                     unit=where.officer.unit_name if where.officer else ""))
    return not refusal
