"""What a reminder says, as ``Message``s: the group or office notice, each unit's private note,
the weekly "cannot be reached" note and the catch-up summary.

A planned reminder is stored with its claim as a ``payload`` (plain JSON), so a reminder claimed
before a crash can be rendered and sent again from the row alone; the messages are built from
that payload, never from the ``Planned`` value, so the first send and a retry say the same.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from knowledge import people
from knowledge.messages import Action, ActionKind, Message
from knowledge.models import Campaign, Indicator
from knowledge.units import UnitDirectory
from reminders.planner import Planned


def payload(p: Planned, slot: date, directory: UnitDirectory) -> dict:
    """Everything needed to render and send ``p`` again, stored with the claim."""
    return {"kind": p.kind, "chat": p.chat, "slot": slot.isoformat(), "phase": p.phase,
            "start": p.start.isoformat() if p.start else None,
            "deadline": p.deadline.isoformat() if p.deadline else None, "workdays_left": p.workdays_left,
            "week": p.week, "units": {str(u): nos for u, nos in p.units.items()},
            "unit_names": [directory.units[u].name for u in p.units if u in directory.units]}


def units_view(session: Session, campaign: Campaign, directory: UnitDirectory, data: dict) -> list[dict]:
    """The units a reminder names, by name, each with its indicators and reachable officers."""
    out = []
    for uid, nos in sorted(data["units"].items(), key=lambda kv: directory.units[int(kv[0])].name):
        officers = people.active_officers_of_unit(session=session, campaign_id=campaign.id, unit_id=int(uid))
        reachable = [o for o in officers if o.user_id or o.username]
        # "officers": whom the group's notice names, once each; "addresses": every channel's row
        # of them, each sent the private reminder.
        out.append({"id": int(uid), "name": directory.units[int(uid)].name, "indicators": nos,
                    "officers": people.persons(reachable), "addresses": reachable})
    return out


def indicator_titles(session: Session, campaign: Campaign) -> dict[int, str]:
    """Indicator number → title, so a private note names what is owed, not just numbers."""
    return {i.no: i.title for i in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id))}


def reminder_message(campaign: Campaign, data: dict, units: list[dict], log_id: int | None = None) -> Message:
    """The group or office notice; a group's deadline and overdue notices carry 签收."""
    actions = []
    if log_id is not None and data["chat"] == "group" and data["kind"] != "phase_start":
        actions = [[Action("签收", ActionKind.ACK, (log_id,))]]
    named = [{k: v for k, v in u.items() if k != "addresses"} for u in units]
    return Message("reminder", {"p": data, "city": campaign.city, "chat": data["chat"], "units": named},
                   actions=actions)


def private_message(data: dict, unit: dict, titles: dict[int, str]) -> Message:
    """One unit's private note: what it still owes, with titles (only the unit's, keyed by the
    number as text: the note is kept as JSON in the outbox until it is sent)."""
    return Message("reminder_private", {"p": data, "unit": unit["name"], "indicators": unit["indicators"],
                                        "titles": {str(no): titles[no] for no in unit["indicators"] if no in titles}})


def unreachable_message(names: list[dict]) -> Message:
    """The office's note naming officers and groups a reminder could not reach (``unreachable_*``)."""
    return Message("unreachable", {"names": names})


def catch_up_message(plans: list[dict]) -> Message:
    """Slots missed while the bot was down, folded into one summary."""
    return Message("reminder_catchup", {"count": len(plans), "plans": plans})


def unreachable_officer(unit: str, officer: people.OfficerInfo) -> dict:
    """An officer for the office's note (the template names them by name, @username or id)."""
    return {"unit": unit, "name": officer.name, "username": officer.username, "user_id": officer.user_id}


def unreachable_group(chat_id: int | str) -> dict:
    """A liaison group the bot could not post in (perhaps removed from it)."""
    return {"chat": chat_id}


def preview(session: Session, campaign: Campaign, directory: UnitDirectory, p: Planned,
            day: date) -> tuple[dict, list[Message]]:
    """A dry run of one planned reminder: its payload and what would be sent (no claim, no buttons).

    A private reminder is one note per owing unit; the others are one notice.
    """
    data = payload(p, day, directory)
    units = units_view(session, campaign, directory, data)
    if p.chat == "private":
        titles = indicator_titles(session, campaign)
        return data, [private_message(data, u, titles) for u in units]
    return data, [reminder_message(campaign, data, units)]
