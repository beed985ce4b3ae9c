"""The life of a submission: submitted → accepted / rejected → superseded by a new version,
or withdrawn before review. Every change is committed by the caller before anyone is told,
and writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from knowledge.audit import record
from knowledge.duties import IndicatorView, indicator_view
from knowledge.files import Stored
from knowledge.identity import TELEGRAM, caller_id, external_id
from knowledge.models import (
    Campaign,
    Evidence,
    EvidenceFile,
    Indicator,
    IndicatorItem,
    Officer,
    Unit,
)
from knowledge.people import OfficerInfo
from knowledge.units import UnitDirectory

OPEN = ("submitted", "accepted")
STATUS_ZH = {"submitted": "待审核", "accepted": "已通过", "rejected": "已退回", "withdrawn": "已撤回",
             "superseded": "已被新版本替代"}


class EvidenceError(Exception):
    """A submission or review that cannot be made; the message is for the user."""


class Duplicate(EvidenceError):
    def __init__(self, evidence_id: int) -> None:
        self.evidence_id = evidence_id
        super().__init__(f"这个文件已经提交过了(材料 #{evidence_id}),无需重复提交。")


@dataclass(frozen=True)
class FileIn:
    """A downloaded and stored file with what Telegram said about it."""

    name: str
    mime: str
    stored: Stored
    telegram_file_id: str = ""
    telegram_unique_id: str = ""


@dataclass
class EvidenceView:
    id: int
    campaign_id: int
    indicator_no: int
    indicator_title: str
    item_no: int | None
    item_text: str
    max_points: Decimal
    unit_id: int
    unit_name: str
    officer_name: str
    submitter_user_id: int | str | None
    status: str
    note: str
    reason: str
    awarded_points: Decimal | None
    created_at: datetime
    files: list[dict] = field(default_factory=list)
    attached: bool = False
    # earlier submissions of this unit and indicator that held the same content ("这份材料与 #N 相同"):
    # {"id", "status", "status_zh", "reason", "files": names of this submission's matching files}
    same_as: list[dict] = field(default_factory=list)
    submitter_channel: str = TELEGRAM  # where ``submitter_user_id`` is an id

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


def view(session: Session, evidence_id: int) -> EvidenceView | None:
    """Everything a card or receipt shows about one submission."""
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        return None
    ind = session.get(Indicator, ev.indicator_id)
    item = session.get(IndicatorItem, ev.item_id) if ev.item_id else None
    unit = session.get(Unit, ev.unit_id)
    officer = session.get(Officer, ev.officer_id) if ev.officer_id else None
    files = [{"name": f.name, "size": f.size, "mime": f.mime, "sha256": f.sha256, "path": f.stored_path}
             for f in session.exec(select(EvidenceFile).where(EvidenceFile.evidence_id == ev.id)
                                   .order_by(EvidenceFile.id))]
    max_points = item.points if item and item.points is not None else ind.points
    return EvidenceView(ev.id, ev.campaign_id, ind.no, ind.title, item.no if item else None,
                        item.text if item else "", max_points, ev.unit_id, unit.name if unit else "",
                        officer.name if officer else "",
                        caller_id(officer.channel if officer else TELEGRAM, ev.submitter_user_id),
                        ev.status, ev.note, ev.reason, ev.awarded_points, ev.created_at, files,
                        same_as=same_as(session, ev, files),
                        submitter_channel=officer.channel if officer else TELEGRAM)


def same_as(session: Session, ev: Evidence, files: list[dict]) -> list[dict]:
    """Earlier submissions of the same unit and indicator holding one of ``ev``'s files.

    A file that matches an open submission is refused (``Duplicate``), so what matches here was
    rejected, withdrawn or superseded — and taken again on purpose or by mistake; the officer
    and the office should know. The status is the one the earlier submission had when this one
    came: one that *this* submission superseded was rejected (a submitted one with the same file
    would have been a duplicate), so it reads 已退回, with the office's reason.
    """
    names = {f["sha256"]: f["name"] for f in files}
    if not names:
        return []
    rows = session.exec(select(Evidence, EvidenceFile.sha256).join(EvidenceFile).where(
        EvidenceFile.sha256.in_(list(names)), Evidence.indicator_id == ev.indicator_id,
        Evidence.unit_id == ev.unit_id, Evidence.id < ev.id).order_by(Evidence.id.desc())).all()
    found: dict[int, dict] = {}
    for old, sha in rows:
        status = "rejected" if old.status == "superseded" and old.id == ev.supersedes_id else old.status
        entry = found.setdefault(old.id, {"id": old.id, "status": status, "status_zh": STATUS_ZH.get(status, status),
                                          "reason": old.reason if status == "rejected" else "", "files": []})
        if names[sha] not in entry["files"]:
            entry["files"].append(names[sha])
    return list(found.values())


def responsible_view(session: Session, campaign: Campaign, directory: UnitDirectory, unit_id: int,
                     no: int) -> IndicatorView:
    """The indicator if this unit answers for it (directly or through a group), else an error."""
    v = indicator_view(session=session, campaign=campaign, directory=directory, no=no)
    if v is None:
        raise EvidenceError(f"没有第{no}项指标。")
    if v.role_of(directory, unit_id) is None:
        raise EvidenceError(f"贵单位不是第{no}项指标“{v.indicator.title}”的责任单位,不能为它提交材料。")
    return v


def submit(session: Session, *, campaign: Campaign, directory: UnitDirectory, officer: OfficerInfo, no: int,
           item_no: int | None, files: list[FileIn], note: str, now: datetime,
           media_group_id: str = "") -> EvidenceView:
    """Record a submission (or add an album's next file to it); the caller commits, then replies."""
    if officer.status != "active" or officer.unit_id is None:
        raise EvidenceError("只有审核通过的联络员可以提交材料。")
    if not files and not note.strip():
        raise EvidenceError("没有收到文件、链接或说明,未提交。")
    v = responsible_view(session, campaign, directory, officer.unit_id, no)
    item_id = None
    if item_no is not None:
        item = next((it for it in v.items if it.no == item_no), None)
        if item is None:
            raise EvidenceError(f"第{no}项指标没有第{item_no}个评分项。")
        item_id = item.id
    _check_files(session, files, v.indicator.id, officer.unit_id)
    ev = None
    if media_group_id:
        # the album's earlier submission, if it is for the same indicator and item; an album item
        # captioned for another indicator starts its own submission
        ev = session.exec(select(Evidence).where(
            Evidence.media_group_id == media_group_id, Evidence.officer_id == officer.id,
            Evidence.indicator_id == v.indicator.id,
            Evidence.item_id == item_id if item_id else Evidence.item_id.is_(None))).first()
    attached = ev is not None
    if ev is None:
        ev = Evidence(campaign_id=campaign.id, indicator_id=v.indicator.id, item_id=item_id, unit_id=officer.unit_id,
                      officer_id=officer.id, submitter_user_id=officer.external_id, note=note.strip()[:2000],
                      kind=_kind(files, note), media_group_id=media_group_id, created_at=now)
        older = session.exec(select(Evidence).where(
            Evidence.indicator_id == v.indicator.id, Evidence.unit_id == officer.unit_id,
            Evidence.item_id == item_id if item_id else Evidence.item_id.is_(None),
            Evidence.status.in_(("submitted", "rejected")))).all()
        session.add(ev)
        session.flush()
        for old in older:
            before = {"status": old.status}
            old.status, ev.supersedes_id = "superseded", old.id
            session.add(old)
            record(session, action="evidence.supersede", at=now, campaign_id=campaign.id, actor=officer.user_id,
                   subject=f"evidence:{old.id}", before=before, after={"status": "superseded", "by": ev.id})
    elif note.strip() and not ev.note:
        ev.note = note.strip()[:2000]
    for f in files:
        session.add(EvidenceFile(evidence_id=ev.id, telegram_file_id=f.telegram_file_id,
                                 telegram_unique_id=f.telegram_unique_id, name=f.name, mime=f.mime,
                                 size=f.stored.size, sha256=f.stored.sha256, stored_path=str(f.stored.path)))
    session.flush()
    record(session, action="evidence.attach" if attached else "evidence.submit", at=now, campaign_id=campaign.id,
           actor=officer.user_id, subject=f"evidence:{ev.id}",
           after={"indicator": no, "item": item_no, "files": [f.stored.sha256 for f in files]})
    out = view(session, ev.id)
    assert out is not None
    out.attached = attached
    return out


def album_target(session: Session, media_group_id: str, user_id: int | str) -> tuple[int, int | None] | None:
    """The indicator (and item) an album's earlier file was submitted for by this person: the
    chat's memory of the album is gone after a restart, the submission is not."""
    row = session.exec(select(Indicator.no, IndicatorItem.no).select_from(Evidence)
                       .join(Indicator, Indicator.id == Evidence.indicator_id)
                       .join(IndicatorItem, IndicatorItem.id == Evidence.item_id, isouter=True)
                       .where(Evidence.media_group_id == media_group_id,
                              Evidence.submitter_user_id == external_id(user_id))
                       .order_by(Evidence.id)).first()
    return (row[0], row[1]) if row else None


def _check_files(session: Session, files: list[FileIn], indicator_id: int, unit_id: int) -> None:
    """Every file still on disk, and none already in an open submission of this indicator and unit."""
    for f in files:
        if not f.stored.path.exists():  # gathered in a flow left open past the sweep's grace period
            raise EvidenceError(f"文件“{f.name}”已超过保留时间被清理,未提交。请重新发送这个文件后再提交。")
        dup = session.exec(select(EvidenceFile.evidence_id).join(Evidence).where(
            EvidenceFile.sha256 == f.stored.sha256, Evidence.indicator_id == indicator_id,
            Evidence.unit_id == unit_id, Evidence.status.in_(OPEN))).first()
        if dup is not None:
            raise Duplicate(dup)


def _kind(files: list[FileIn], note: str) -> str:
    if not files:
        return "link" if "http://" in note or "https://" in note else "text"
    kinds = {"photo" if f.mime.startswith("image/") else "file" for f in files}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def withdraw(session: Session, *, evidence_id: int, user_id: int | str, now: datetime,
             channel: str = TELEGRAM) -> EvidenceView:
    """The submitter takes a submission back before it is reviewed (the same person: the id on the
    same ``channel`` — a Telegram id and a DingTalk staff id may be the same digits)."""
    ev = session.get(Evidence, evidence_id)
    officer = session.get(Officer, ev.officer_id) if ev is not None and ev.officer_id else None
    if ev is None or external_id(ev.submitter_user_id) != external_id(user_id) or \
            officer is not None and officer.channel != channel:
        raise EvidenceError(f"没有找到您提交的材料 #{evidence_id}。")
    if ev.status != "submitted":
        if ev.status == "withdrawn":
            raise EvidenceError(f"材料 #{evidence_id} 已经撤回过了。")
        raise EvidenceError(f"材料 #{evidence_id} {STATUS_ZH.get(ev.status, ev.status)},不能撤回。")
    ev.status = "withdrawn"
    session.add(ev)
    record(session, action="evidence.withdraw", at=now, campaign_id=ev.campaign_id, actor=user_id,
           subject=f"evidence:{ev.id}", before={"status": "submitted"}, after={"status": "withdrawn"})
    out = view(session, ev.id)
    assert out is not None
    return out


def parse_points(text: str) -> Decimal:
    """'1.5', '１．５', '1,5' → Decimal('1.5'); half points at most."""
    import unicodedata

    clean = unicodedata.normalize("NFKC", text).strip().replace(",", ".").replace("分", "")
    try:
        value = Decimal(clean)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or abs(value) > 1000:  # "NaN", "Infinity", "1e400" are not scores
        raise EvidenceError(f"“{text}”不是分数,请写数字,例如 1 或 0.5。")
    if value < 0 or (value * 2) % 1:
        raise EvidenceError("分数只能是 0 或正数,最小单位 0.5 分。")
    return value + 0  # "-0" reads as 0


def review(session: Session, *, evidence_id: int, reviewer_id: int | str, accept: bool, now: datetime,
           reason: str = "", points: Decimal | None = None) -> EvidenceView:
    """The office accepts (with points, default the item's maximum) or returns with a reason."""
    ev = session.get(Evidence, evidence_id)
    current = view(session, evidence_id)
    if ev is None or current is None:
        raise EvidenceError(f"没有材料 #{evidence_id}。")
    if ev.status != "submitted":
        raise EvidenceError(f"材料 #{evidence_id} {current.status_zh},无需再审核。")
    if accept:
        awarded = current.max_points if points is None else points
        if awarded > current.max_points:
            raise EvidenceError(f"给分不能超过该项满分 {current.max_points} 分。")
        ev.status, ev.awarded_points = "accepted", awarded
    else:
        if not reason.strip():
            raise EvidenceError("退回需要写明原因。")
        ev.status, ev.reason = "rejected", reason.strip()[:1000]
    ev.reviewer_user_id, ev.reviewed_at = external_id(reviewer_id), now
    session.add(ev)
    record(session, action="evidence.accept" if accept else "evidence.reject", at=now, campaign_id=ev.campaign_id,
           actor=reviewer_id, subject=f"evidence:{ev.id}", before={"status": "submitted"},
           after={"status": ev.status, "points": str(ev.awarded_points) if accept else None, "reason": ev.reason})
    out = view(session, ev.id)
    assert out is not None
    return out


def pending(session: Session, *, campaign_id: int, limit: int = 20) -> list[EvidenceView]:
    """Submissions waiting for review, oldest first."""
    ids = session.exec(select(Evidence.id).where(Evidence.campaign_id == campaign_id, Evidence.status == "submitted")
                       .order_by(Evidence.created_at, Evidence.id).limit(limit)).all()
    return [v for v in (view(session, i) for i in ids) if v]


def pending_count(session: Session, *, campaign_id: int) -> int:
    """How many submissions wait for review, so a list cut at N can say how many more there are."""
    from sqlalchemy import func

    return session.exec(select(func.count()).select_from(Evidence).where(
        Evidence.campaign_id == campaign_id, Evidence.status == "submitted")).one()
