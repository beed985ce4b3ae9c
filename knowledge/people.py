"""Officers: who acts for which unit of which campaign, with an approval status (chats: knowledge.chats).

Plain functions with keyword-only ``session`` (the caller commits), a ``now`` for every
change, and an audit row for each change, so the office can always see who did what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, select

from knowledge.audit import record
from knowledge.identity import PeopleError, snapshot
from knowledge.models import Campaign, Officer, Unit


class AlreadyRegistered(PeopleError):
    pass


class NotPending(PeopleError):
    pass


class NotFound(PeopleError):
    pass


@dataclass(frozen=True)
class OfficerInfo:
    id: int
    campaign_id: int
    campaign_slug: str
    unit_id: int | None
    unit_name: str
    user_id: int | None
    username: str
    name: str
    role: str
    status: str
    private_ok: bool


def _officer_info(session: Session, row: Officer) -> OfficerInfo:
    camp = session.get(Campaign, row.campaign_id)
    unit = session.get(Unit, row.unit_id) if row.unit_id else None
    return OfficerInfo(row.id or 0, row.campaign_id, camp.slug if camp else "", row.unit_id,
                       unit.name if unit else "", row.user_id, row.username, row.name, row.role,
                       row.status, row.private_ok)


def _snapshot(row: Officer) -> dict:
    return snapshot(row, ("unit_id", "user_id", "username", "name", "role", "status", "campaign_id"))


def _clean_username(username: str) -> str:
    return (username or "").strip().lstrip("@").lower()


_STATUS_ORDER = {"active": 0, "pending": 1, "rejected": 2, "revoked": 3}


# Built once: this runs for every update, and building a statement costs more than running it.
_OFFICER_OF = (select(Officer.id, Officer.campaign_id, Campaign.slug, Officer.unit_id, Unit.name, Officer.user_id,
                      Officer.username, Officer.name, Officer.role, Officer.status, Officer.private_ok)
               .join(Campaign, Campaign.id == Officer.campaign_id).outerjoin(Unit, Unit.id == Officer.unit_id)
               .where(Officer.user_id == bindparam("user_id")))
_OFFICER_OF_IN = _OFFICER_OF.where(Officer.campaign_id == bindparam("campaign_id"))


def officer_of(*, session: Session, user_id: int, campaign_id: int | None = None) -> OfficerInfo | None:
    """The user's officer row: active first, then pending, then the rest."""
    # One prepared, column-only query on the session's connection: about a quarter of the
    # cost of loading the ORM row, on the path every update takes. Flush first, as the ORM
    # query's autoflush would, so a row added earlier in this session is seen.
    session.flush()
    if campaign_id is None:
        result = session.connection().execute(_OFFICER_OF, {"user_id": user_id})
    else:
        result = session.connection().execute(_OFFICER_OF_IN, {"user_id": user_id, "campaign_id": campaign_id})
    rows = sorted(result, key=lambda r: (_STATUS_ORDER.get(r.status, 9), r.id or 0))
    if not rows:
        return None
    r = rows[0]
    return OfficerInfo(r.id or 0, r.campaign_id, r.slug, r.unit_id, r[4] or "", r.user_id,
                       r.username or "", r.name or "", r.role, r.status, bool(r.private_ok))


def officer_by_id(*, session: Session, officer_id: int) -> OfficerInfo | None:
    """One officer row by its id (as carried in callback data)."""
    row = session.get(Officer, officer_id)
    return _officer_info(session, row) if row else None


def officers_of_user(*, session: Session, user_id: int) -> list[OfficerInfo]:
    """Every officer row of a user, across campaigns."""
    return [_officer_info(session, r) for r in session.exec(select(Officer).where(Officer.user_id == user_id))]


def _find_row(session: Session, campaign_id: int, user_id: int | None, username: str) -> Officer | None:
    if user_id is not None:
        row = session.exec(select(Officer).where(Officer.campaign_id == campaign_id,
                                                 Officer.user_id == user_id)).first()
        if row:
            return row
    name = _clean_username(username)
    if name:
        for row in session.exec(select(Officer).where(Officer.campaign_id == campaign_id)):
            if _clean_username(row.username) == name and (row.user_id is None or row.user_id == user_id):
                return row
    return None


def request_registration(*, session: Session, campaign_id: int, unit_id: int, user_id: int, username: str,
                         name: str, now: datetime) -> OfficerInfo:
    """Ask to be a unit's liaison officer; a roster row by @username makes it active at once."""
    row = _find_row(session, campaign_id, user_id, username)
    before = _snapshot(row) if row else None
    if row and row.status == "active" and row.user_id == user_id and row.unit_id != unit_id:
        unit = session.get(Unit, row.unit_id) if row.unit_id else None
        raise AlreadyRegistered(f"您已是“{unit.name if unit else ''}”的联络员;如需更换单位,请联系领导小组办公室。")
    if row and row.user_id is None and row.status == "active":  # pre-registered by @username
        row.user_id = user_id
        row.name = row.name or name
    elif row and row.status == "active":
        return _officer_info(session, row)
    else:
        row = row or Officer(campaign_id=campaign_id, user_id=user_id, created_at=now)
        row.unit_id, row.status, row.username, row.name = unit_id, "pending", username or "", name
    session.add(row)
    session.flush()
    record(session, action="officer.request", at=now, campaign_id=campaign_id, actor=user_id,
           subject=f"officer:{row.id}", before=before, after=_snapshot(row))
    return _officer_info(session, row)


def claim_by_username(*, session: Session, user_id: int, username: str, name: str,
                      now: datetime) -> list[OfficerInfo]:
    """On /start: roster rows pre-registered by @username become this user's."""
    wanted = _clean_username(username)
    if not wanted:
        return []
    out = []
    for row in session.exec(select(Officer).where(Officer.user_id.is_(None))):
        if _clean_username(row.username) == wanted:
            if session.exec(select(Officer).where(Officer.campaign_id == row.campaign_id,
                                                  Officer.user_id == user_id)).first():
                continue  # one person, one row per campaign
            row.user_id = user_id
            row.name = row.name or name
            session.add(row)
            session.flush()
            record(session, action="officer.claim", at=now, campaign_id=row.campaign_id, actor=user_id,
                   subject=f"officer:{row.id}", after=_snapshot(row))
            out.append(_officer_info(session, row))
    return out


def decide(*, session: Session, officer_id: int, approve: bool, by_user_id: int, now: datetime) -> OfficerInfo:
    """Approve or reject a pending registration; anything else is ``NotPending``."""
    row = session.get(Officer, officer_id)
    if row is None:
        raise NotFound("没有找到这条登记申请。")
    if row.status != "pending":
        raise NotPending("这条申请已经处理过了。")
    before = _snapshot(row)
    row.status = "active" if approve else "rejected"
    row.decided_by, row.decided_at = by_user_id, now
    session.add(row)
    record(session, action="officer.approve" if approve else "officer.reject", at=now,
           campaign_id=row.campaign_id, actor=by_user_id, subject=f"officer:{row.id}", before=before,
           after=_snapshot(row))
    return _officer_info(session, row)


def add_officer(*, session: Session, campaign_id: int, unit_id: int, user_id: int | None = None,
                username: str = "", name: str = "", role: str = "liaison", by_user_id: int | None = None,
                now: datetime) -> OfficerInfo:
    """The office registers someone directly (active at once; the office is authoritative)."""
    if user_id is None and not _clean_username(username):
        raise PeopleError("需要 Telegram 用户 ID 或 @用户名。")
    if role not in ("liaison", "office"):
        raise PeopleError("角色只能是 liaison(联络员)或 office(办公室)。")
    row = _find_row(session, campaign_id, user_id, username)
    before = _snapshot(row) if row else None
    row = row or Officer(campaign_id=campaign_id, created_at=now)
    row.unit_id, row.role, row.status = unit_id, role, "active"
    row.user_id = user_id if user_id is not None else row.user_id
    row.username = username.lstrip("@") if username else row.username
    row.name = name or row.name
    row.decided_by, row.decided_at = by_user_id, now
    session.add(row)
    session.flush()
    record(session, action="officer.add", at=now, campaign_id=campaign_id, actor=by_user_id,
           subject=f"officer:{row.id}", before=before, after=_snapshot(row))
    return _officer_info(session, row)


def revoke(*, session: Session, campaign_id: int, user_id: int, by_user_id: int | None,
           now: datetime) -> OfficerInfo:
    """End someone's registration (kept as history, not deleted)."""
    row = _find_row(session, campaign_id, user_id, "")
    if row is None or row.status == "revoked":
        raise NotFound("此人没有有效的联络员登记。")
    before = _snapshot(row)
    row.status, row.decided_by, row.decided_at = "revoked", by_user_id, now
    session.add(row)
    record(session, action="officer.revoke", at=now, campaign_id=campaign_id, actor=by_user_id,
           subject=f"officer:{row.id}", before=before, after=_snapshot(row))
    return _officer_info(session, row)


def list_officers(*, session: Session, campaign_id: int, unit_id: int | None = None,
                  status: str | None = None) -> list[OfficerInfo]:
    """Officers of a campaign, by unit name then name."""
    stmt = select(Officer).where(Officer.campaign_id == campaign_id)
    if unit_id is not None:
        stmt = stmt.where(Officer.unit_id == unit_id)
    if status is not None:
        stmt = stmt.where(Officer.status == status)
    infos = [_officer_info(session, r) for r in session.exec(stmt)]
    return sorted(infos, key=lambda o: (o.unit_name, o.name, o.id))


def active_officers_of_unit(*, session: Session, campaign_id: int, unit_id: int) -> list[OfficerInfo]:
    """Who speaks for a unit right now."""
    return list_officers(session=session, campaign_id=campaign_id, unit_id=unit_id, status="active")


def is_office(*, session: Session, user_id: int, campaign_id: int, admins: frozenset[int]) -> bool:
    """Admins from the settings, or an active officer with the office role."""
    if user_id in admins:
        return True
    row = session.exec(select(Officer).where(Officer.campaign_id == campaign_id, Officer.user_id == user_id,
                                             Officer.status == "active", Officer.role == "office")).first()
    return row is not None


def set_private_ok(*, session: Session, user_id: int, ok: bool) -> None:
    """Whether a private message can reach this user (Start pressed, not blocked)."""
    for row in session.exec(select(Officer).where(Officer.user_id == user_id)):
        row.private_ok = ok
        session.add(row)


__all__ = [
    "AlreadyRegistered", "NotFound", "NotPending", "OfficerInfo", "PeopleError",
    "active_officers_of_unit", "add_officer", "claim_by_username", "decide", "is_office", "list_officers",
    "mute", "muted", "officer_by_id", "officer_of", "officers_of_user", "request_registration", "revoke",
    "set_private_ok",
]


def muted(*, session: Session, officer_id: int, now: datetime) -> bool:
    """Whether an officer has paused private reminders until later than ``now``."""
    row = session.get(Officer, officer_id)
    return bool(row and row.muted_until and row.muted_until > now)


def mute(*, session: Session, user_id: int, campaign_id: int, days: int, now: datetime) -> OfficerInfo:
    """Pause private reminders for ``days`` days (the office sees who muted)."""
    from datetime import timedelta

    row = _find_row(session, campaign_id, user_id, "")
    if row is None or row.status != "active":
        raise NotFound("只有已登记的联络员可以暂停提醒。")
    if not 0 <= days <= 60:
        raise PeopleError("暂停天数应在 0 到 60 之间(0 表示恢复)。")
    row.muted_until = now + timedelta(days=days) if days else None
    session.add(row)
    record(session, action="officer.mute", at=now, campaign_id=campaign_id, actor=user_id,
           subject=f"officer:{row.id}", after={"days": days})
    return _officer_info(session, row)
