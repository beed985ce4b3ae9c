"""Officers: who acts for which unit of which campaign, with an approval status (chats: knowledge.chats).

Plain functions with keyword-only ``session`` (the caller commits), a ``now`` for every
change, and an audit row for each change, so the office can always see who did what.

A person is a ``channel`` (default Telegram) and an id on it: every function takes the id as
``int | str`` and stores text, so today's Telegram callers pass their ints unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, select

from knowledge.access import OFFICE_ROLES, role_of
from knowledge.audit import record
from knowledge.identity import TELEGRAM, PeopleError, caller_id, external_id, snapshot
from knowledge.models import Campaign, Officer, Unit


class AlreadyRegistered(PeopleError):
    pass


class NotPending(PeopleError):
    pass


class NotFound(PeopleError):
    pass


@dataclass(frozen=True)
class OfficerInfo:
    """An officer row as plain values; ``user_id`` is the id as callers compare it (an int on
    Telegram, the external id elsewhere), ``external_id`` the stored text."""

    id: int
    campaign_id: int
    campaign_slug: str
    unit_id: int | None
    unit_name: str
    channel: str
    external_id: str | None
    username: str
    name: str
    role: str
    status: str
    private_ok: bool
    user_id: int | str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "user_id", caller_id(self.channel, self.external_id))


def _officer_info(session: Session, row: Officer) -> OfficerInfo:
    camp = session.get(Campaign, row.campaign_id)
    unit = session.get(Unit, row.unit_id) if row.unit_id else None
    return OfficerInfo(row.id or 0, row.campaign_id, camp.slug if camp else "", row.unit_id,
                       unit.name if unit else "", row.channel, row.external_id, row.username, row.name,
                       row.role, row.status, row.private_ok)


def _snapshot(row: Officer) -> dict:
    return snapshot(row, ("unit_id", "channel", "external_id", "username", "name", "role", "status",
                          "campaign_id"))


def _clean_username(username: str) -> str:
    return (username or "").strip().lstrip("@").lower()


_STATUS_ORDER = {"active": 0, "pending": 1, "rejected": 2, "revoked": 3}


# Built once: this runs for every update, and building a statement costs more than running it.
_OFFICER_OF = (select(Officer.id, Officer.campaign_id, Campaign.slug, Officer.unit_id, Unit.name, Officer.channel,
                      Officer.external_id, Officer.username, Officer.name, Officer.role, Officer.status,
                      Officer.private_ok)
               .join(Campaign, Campaign.id == Officer.campaign_id).outerjoin(Unit, Unit.id == Officer.unit_id)
               .where(Officer.channel == bindparam("channel"), Officer.external_id == bindparam("user_id")))
_OFFICER_OF_IN = _OFFICER_OF.where(Officer.campaign_id == bindparam("campaign_id"))


def officer_of(*, session: Session, user_id: int | str, campaign_id: int | None = None,
               channel: str = TELEGRAM) -> OfficerInfo | None:
    """The user's officer row: active first, then pending, then the rest."""
    # One prepared, column-only query on the session's connection: about a quarter of the
    # cost of loading the ORM row, on the path every update takes. Flush first, as the ORM
    # query's autoflush would, so a row added earlier in this session is seen.
    session.flush()
    who = {"channel": channel, "user_id": external_id(user_id)}
    if campaign_id is None:
        result = session.connection().execute(_OFFICER_OF, who)
    else:
        result = session.connection().execute(_OFFICER_OF_IN, {**who, "campaign_id": campaign_id})
    rows = sorted(result, key=lambda r: (_STATUS_ORDER.get(r.status, 9), r.id or 0))
    if not rows:
        return None
    r = rows[0]
    return OfficerInfo(r.id or 0, r.campaign_id, r.slug, r.unit_id, r[4] or "", r.channel, r.external_id,
                       r.username or "", r[8] or "", r.role, r.status, bool(r.private_ok))  # r.name would be the unit's


def officer_by_id(*, session: Session, officer_id: int) -> OfficerInfo | None:
    """One officer row by its id (as carried in callback data)."""
    row = session.get(Officer, officer_id)
    return _officer_info(session, row) if row else None


def officers_of_user(*, session: Session, user_id: int | str, channel: str = TELEGRAM) -> list[OfficerInfo]:
    """Every officer row of a user, across campaigns."""
    stmt = select(Officer).where(Officer.channel == channel, Officer.external_id == external_id(user_id))
    return [_officer_info(session, r) for r in session.exec(stmt)]


def _find_row(session: Session, campaign_id: int, channel: str, user_id: str | None,
              username: str) -> Officer | None:
    """A person's row in a campaign: by id on the channel, else an unclaimed roster row by @username."""
    if user_id is not None:
        row = session.exec(select(Officer).where(Officer.campaign_id == campaign_id, Officer.channel == channel,
                                                 Officer.external_id == user_id)).first()
        if row:
            return row
    name = _clean_username(username)
    if name:
        for row in session.exec(select(Officer).where(Officer.campaign_id == campaign_id,
                                                      Officer.channel == channel)):
            if _clean_username(row.username) == name and row.external_id in (None, user_id):
                return row
    return None


def request_registration(*, session: Session, campaign_id: int, unit_id: int, user_id: int | str, username: str,
                         name: str, now: datetime, channel: str = TELEGRAM) -> OfficerInfo:
    """Ask to be a unit's liaison officer; a roster row by @username makes it active at once."""
    who = external_id(user_id)
    row = _find_row(session, campaign_id, channel, who, username)
    before = _snapshot(row) if row else None
    if row and row.status == "active" and row.external_id == who and row.unit_id != unit_id:
        unit = session.get(Unit, row.unit_id) if row.unit_id else None
        raise AlreadyRegistered(f"您已是“{unit.name if unit else ''}”的联络员;如需更换单位,请联系领导小组办公室。")
    if row and row.external_id is None and row.status == "active":  # pre-registered by @username
        row.external_id = who
        row.name = row.name or name
    elif row and row.status == "active":
        return _officer_info(session, row)
    else:
        row = row or Officer(campaign_id=campaign_id, channel=channel, external_id=who, created_at=now)
        row.unit_id, row.status, row.username, row.name = unit_id, "pending", username or "", name
    session.add(row)
    session.flush()
    record(session, action="officer.request", at=now, campaign_id=campaign_id, actor=who,
           subject=f"officer:{row.id}", before=before, after=_snapshot(row))
    return _officer_info(session, row)


def claim_by_username(*, session: Session, user_id: int | str, username: str, name: str,
                      now: datetime, channel: str = TELEGRAM) -> list[OfficerInfo]:
    """On /start: roster rows pre-registered by @username become this user's."""
    wanted = _clean_username(username)
    if not wanted:
        return []
    who = external_id(user_id)
    out = []
    for row in session.exec(select(Officer).where(Officer.channel == channel, Officer.external_id.is_(None))):
        if _clean_username(row.username) == wanted:
            if session.exec(select(Officer).where(Officer.campaign_id == row.campaign_id, Officer.channel == channel,
                                                  Officer.external_id == who)).first():
                continue  # one person, one row per campaign
            row.external_id = who
            row.name = row.name or name
            session.add(row)
            session.flush()
            record(session, action="officer.claim", at=now, campaign_id=row.campaign_id, actor=who,
                   subject=f"officer:{row.id}", after=_snapshot(row))
            out.append(_officer_info(session, row))
    return out


def decide(*, session: Session, officer_id: int, approve: bool, by_user_id: int | str,
           now: datetime) -> OfficerInfo:
    """Approve or reject a pending registration; anything else is ``NotPending``."""
    row = session.get(Officer, officer_id)
    if row is None:
        raise NotFound("没有找到这条登记申请。")
    if row.status != "pending":
        raise NotPending("这条申请已经处理过了。")
    before = _snapshot(row)
    row.status = "active" if approve else "rejected"
    row.decided_by, row.decided_at = external_id(by_user_id), now
    session.add(row)
    record(session, action="officer.approve" if approve else "officer.reject", at=now,
           campaign_id=row.campaign_id, actor=row.decided_by, subject=f"officer:{row.id}", before=before,
           after=_snapshot(row))
    return _officer_info(session, row)


def add_officer(*, session: Session, campaign_id: int, unit_id: int, user_id: int | str | None = None,
                username: str = "", name: str = "", role: str = "liaison", by_user_id: int | str | None = None,
                now: datetime, channel: str = TELEGRAM) -> OfficerInfo:
    """The office registers someone directly (active at once; the office is authoritative)."""
    if user_id is None and not _clean_username(username):
        raise PeopleError("需要 Telegram 用户 ID 或 @用户名。")
    if role not in ("liaison", "office"):
        raise PeopleError("角色只能是 liaison(联络员)或 office(办公室)。")
    who = external_id(user_id)
    row = _find_row(session, campaign_id, channel, who, username)
    before = _snapshot(row) if row else None
    row = row or Officer(campaign_id=campaign_id, channel=channel, created_at=now)
    row.unit_id, row.role, row.status = unit_id, role, "active"
    row.external_id = who if who is not None else row.external_id
    row.username = username.lstrip("@") if username else row.username
    row.name = name or row.name
    row.decided_by, row.decided_at = external_id(by_user_id), now
    session.add(row)
    session.flush()
    record(session, action="officer.add", at=now, campaign_id=campaign_id, actor=row.decided_by,
           subject=f"officer:{row.id}", before=before, after=_snapshot(row))
    return _officer_info(session, row)


def revoke(*, session: Session, campaign_id: int, user_id: int | str, by_user_id: int | str | None,
           now: datetime, channel: str = TELEGRAM) -> OfficerInfo:
    """End someone's registration (kept as history, not deleted)."""
    row = _find_row(session, campaign_id, channel, external_id(user_id), "")
    if row is None or row.status == "revoked":
        raise NotFound("此人没有有效的联络员登记。")
    before = _snapshot(row)
    row.status, row.decided_by, row.decided_at = "revoked", external_id(by_user_id), now
    session.add(row)
    record(session, action="officer.revoke", at=now, campaign_id=campaign_id, actor=row.decided_by,
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


def persons(officers: list[OfficerInfo]) -> list[OfficerInfo]:
    """One entry per person: an officer known on two channels (a roster row with a Telegram id
    and a DingTalk userid) is two rows of one unit under one name, named once — by the Telegram
    row when there is one (its mention is a link there; elsewhere the name shows)."""
    ranked = sorted(officers, key=lambda o: o.channel != TELEGRAM)
    seen, out = set(), []
    for o in ranked:
        who = (o.unit_id, o.name) if o.name else ("row", o.id)
        if who not in seen:
            seen.add(who)
            out.append(o)
    return sorted(out, key=officers.index)


def is_office(*, session: Session, user_id: int | str, campaign_id: int, admins: frozenset[int],
              channel: str = TELEGRAM) -> bool:
    """Admins from the settings, or an active officer with the office role — the access table's
    one office predicate (``knowledge.access.role_of``), for callers outside the gate (the CLI)."""
    row = officer_of(session=session, user_id=user_id, campaign_id=campaign_id, channel=channel)
    role = role_of(status=row.status if row else None, role=row.role if row else None, admin=user_id in admins)
    return role in OFFICE_ROLES


def set_private_ok(*, session: Session, user_id: int | str, ok: bool, channel: str = TELEGRAM) -> None:
    """Whether a private message can reach this user (Start pressed, not blocked)."""
    for row in session.exec(select(Officer).where(Officer.channel == channel,
                                                  Officer.external_id == external_id(user_id))):
        row.private_ok = ok
        session.add(row)


def muted(*, session: Session, officer_id: int, now: datetime) -> bool:
    """Whether an officer has paused private reminders until later than ``now``."""
    row = session.get(Officer, officer_id)
    return bool(row and row.muted_until and row.muted_until > now)


def mute(*, session: Session, user_id: int | str, campaign_id: int, days: int, now: datetime,
         channel: str = TELEGRAM) -> OfficerInfo:
    """Pause private reminders for ``days`` days (the office sees who muted)."""
    row = _find_row(session, campaign_id, channel, external_id(user_id), "")
    if row is None or row.status != "active":
        raise NotFound("只有已登记的联络员可以暂停提醒。")
    if not 0 <= days <= 60:
        raise PeopleError("暂停天数应在 0 到 60 之间(0 表示恢复)。")
    row.muted_until = now + timedelta(days=days) if days else None
    session.add(row)
    record(session, action="officer.mute", at=now, campaign_id=campaign_id, actor=row.external_id,
           subject=f"officer:{row.id}", after={"days": days})
    return _officer_info(session, row)


__all__ = [
    "AlreadyRegistered", "NotFound", "NotPending", "OfficerInfo", "PeopleError",
    "active_officers_of_unit", "add_officer", "claim_by_username", "decide", "is_office", "list_officers",
    "mute", "muted", "officer_by_id", "officer_of", "officers_of_user", "request_registration", "revoke",
    "set_private_ok",
]
