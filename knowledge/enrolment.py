"""Registration rules: which units a person may register for, and one page of them at a time."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from knowledge.duties import campaign_units
from knowledge.messages import Action, ActionKind, Actions, Message
from knowledge.models import Campaign

PAGE = 8
# Groups ("各成员单位") are not units a person works for; everything else may have an officer.
REGISTERABLE = ("department", "organisation", "county", "township")


def unit_page(*, session: Session, campaign: Campaign, page: int) -> tuple[int, int, Actions]:
    """One page of the unit picker: (page shown from 1, pages, buttons with ids, names as labels)."""
    units = [u for u in campaign_units(session=session, campaign=campaign) if u.kind in REGISTERABLE]
    pages = max(1, (len(units) + PAGE - 1) // PAGE)
    page = min(max(page, 0), pages - 1)
    chunk = units[page * PAGE:(page + 1) * PAGE]
    rows = [[Action(u.name, ActionKind.REGISTER, ("u", campaign.id, u.id)) for u in chunk[i:i + 2]]
            for i in range(0, len(chunk), 2)]
    nav = ([Action("‹ 上一页", ActionKind.REGISTER, ("p", campaign.id, page - 1))] if page > 0 else []) + (
        [Action("下一页 ›", ActionKind.REGISTER, ("p", campaign.id, page + 1))] if page < pages - 1 else [])
    if nav:
        rows.append(nav)
    return page + 1, pages, rows


def typed_choices(directory, text: str) -> list:  # noqa: ANN001
    """The units a typed name may mean (never a group), at most six."""
    res = directory.resolve(text)
    choices = [res.unit] if res.unit else [s.unit for s in res.suggestions]
    return [u for u in choices if u.kind != "group"][:6]


def office_addresses(session: Session, campaign_id: int, office_chat_id: int | None = None) -> list[tuple[str, int | str]]:
    """Where a registration's approval card goes: every office chat of the campaign, each on its
    own channel (a person registering on DingTalk may be approved from a Telegram office chat and
    the other way round), and the configured office chat (``OFFICE_CHAT_ID``, Telegram's) once."""
    from knowledge import chats as bindings
    from knowledge.identity import TELEGRAM

    found = [(c.channel, c.chat_id) for c in bindings.office_chats(session=session, campaign_id=campaign_id)]
    if office_chat_id and (TELEGRAM, office_chat_id) not in found:
        found.append((TELEGRAM, office_chat_id))
    return found


def approval_card(session: Session, officer, user_id: int | str, username: str, *, face: str,  # noqa: ANN001
                  office_chat_id: int | None, now: datetime) -> tuple[Message, list[int | str]]:
    """A pending registration's card for the office, and the office chats on ``face``'s channel that
    the face sends it to itself; the card for office chats on other channels is written to the
    outbox here, in the caller's transaction (that channel's face sends it)."""
    from knowledge import outbox

    card = Message("approval_card", {"officer": officer, "user_id": user_id, "username": username},
                   actions=[[Action("通过", ActionKind.APPROVE, (officer.id, 1)),
                             Action("拒绝", ActionKind.APPROVE, (officer.id, 0))]])
    addresses = office_addresses(session, officer.campaign_id, office_chat_id)
    stamp = int(now.timestamp())
    outbox.put(session, [outbox.Outgoing(f"approval:{officer.id}:{stamp}:{channel}:{chat}", chat, card,
                                         campaign_id=officer.campaign_id, channel=channel)
                         for channel, chat in addresses if channel != face], now)
    return card, [chat for channel, chat in addresses if channel == face]


def notice_elsewhere(session: Session, officer, *, now: datetime) -> None:  # noqa: ANN001
    """The decision for a person who registered on another channel than the deciding face's: an
    outbox row on their channel, committed here (that channel's face sends it)."""
    from knowledge import outbox

    outbox.put(session, [outbox.Outgoing(f"approval:{officer.id}:notice", officer.user_id,
                                         Message("approval_notice", {"officer": officer}), private=True,
                                         campaign_id=officer.campaign_id, channel=officer.channel)], now)
    session.commit()
