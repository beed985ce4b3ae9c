"""签收: a unit confirms it has seen a group reminder, and the office sees who has not.

One row per (reminder, unit), whoever of the unit's officers presses first; only an active
officer of a unit the reminder names may sign it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from knowledge import people
from knowledge.messages import Message
from knowledge.models import Campaign, ReminderAck, ReminderLog
from knowledge.units import UnitDirectory

RECENT = 5  # /acks lists this many of the latest group reminders


def sign(*, session: Session, reminder_id: int, user_id: int | str, now: datetime,
         channel: str = "telegram") -> Message:
    """Record that the presser's unit has seen reminder ``reminder_id``.

    A refusal is a ``Message`` with intent ``refused`` (the face shows it as an alert).
    """
    reminder = session.get(ReminderLog, reminder_id)
    officer = people.officer_of(session=session, user_id=user_id, campaign_id=reminder.campaign_id,
                                channel=channel) if reminder else None
    if reminder is None or officer is None or officer.status != "active" or not officer.unit_id:
        return Message("ack_refused", intent="refused")
    if str(officer.unit_id) not in reminder.payload.get("units", {}):
        return Message("ack_unrelated", intent="refused")
    exists = session.exec(select(ReminderAck).where(ReminderAck.reminder_id == reminder_id,
                                                    ReminderAck.unit_id == officer.unit_id)).first()
    if exists is None:
        session.add(ReminderAck(reminder_id=reminder_id, unit_id=officer.unit_id, user_id=user_id, at=now))
    return Message("ack_done", {"unit": officer.unit_name, "already": exists is not None}, intent="ack")


def unsigned(*, session: Session, campaign: Campaign, directory: UnitDirectory) -> Message:
    """/acks: the latest group reminders (not phase notices) and the units that have not signed."""
    rows = session.exec(select(ReminderLog).where(ReminderLog.campaign_id == campaign.id,
                                                  ReminderLog.key.endswith(":group"),
                                                  ReminderLog.kind != "phase_start")
                        .order_by(ReminderLog.id.desc()).limit(RECENT)).all()
    items = []
    for r in rows:
        signed = {a.unit_id for a in session.exec(select(ReminderAck).where(ReminderAck.reminder_id == r.id))}
        units = r.payload.get("units", {})
        missing = [directory.units[int(u)].name for u in units if int(u) not in signed]
        items.append({"slot": r.slot.isoformat(), "kind": r.kind, "deadline": r.payload.get("deadline"),
                      "missing": missing, "total": len(units)})
    return Message("acks", {"items": items})
