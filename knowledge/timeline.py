"""The campaign timeline: phases (from the document or set by the office) and due dates.

The documents' dates are in the past, so the office moves the timeline (``shift``) or sets
it (Hejin states no dates at all). Each indicator is due at the end of the phase in which
evidence is gathered, unless the office sets its own date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cachetools import LRUCache
from sqlalchemy import String, bindparam, cast, literal_column, null, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from knowledge.audit import record
from knowledge.models import Campaign, CampaignState, Indicator, IndicatorDue, Phase


class TimelineError(ValueError):
    """A timeline change that cannot be made; the message is for the office."""


class NoPhases(TimelineError):
    """Nothing to shift: each face says how to set the phases in its own words."""


class DateOutOfRange(TimelineError):
    """A date outside the campaign's plausible years (see ``date_bounds``)."""

    def __init__(self, day: date, first: date, last: date) -> None:
        super().__init__(f"日期 {day} 不在本创建工作的合理时间范围内({first} 至 {last}),没有保存,请检查年份。")
        self.day, self.first, self.last = day, first, last


YEARS_BEFORE, YEARS_AFTER = 1, 10
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def read_day(text: str) -> date:
    """A date as officers type it: 2027-03-31, 2027-3-31, 2027/3/31, 2027.3.31, 2027年3月31日
    (full-width digits too). ValueError when it is none of these or no such day."""
    m = _DAY.fullmatch(unicodedata.normalize("NFKC", text or "").strip())
    if m is None:
        raise ValueError(f"not a date: {text!r}")
    return date(*(int(g) for g in m.groups()))


def date_bounds(campaign: Campaign, today: date) -> tuple[date, date]:
    """The dates a timeline of this campaign may hold: from the year before its document (or
    before this year, whichever is earlier) to ten years after (the later of the two). Beyond
    them a date is a typo, and the working-day calendar cannot reckon with it."""
    years = [today.year] + ([campaign.doc_date.year] if campaign.doc_date else [])
    return date(min(years) - YEARS_BEFORE, 1, 1), date(max(years) + YEARS_AFTER, 12, 31)


def check_dates(campaign: Campaign, days: list[date], today: date) -> None:
    """Raise ``DateOutOfRange`` for the first of ``days`` outside ``date_bounds``."""
    first, last = date_bounds(campaign, today)
    for day in days:
        if not first <= day <= last:
            raise DateOutOfRange(day, first, last)


@dataclass(frozen=True)
class Due:
    no: int
    due: date
    source: str  # office | phase


def phases(session: Session, campaign: Campaign) -> list[Phase]:
    return list(session.exec(select(Phase).where(Phase.campaign_id == campaign.id).order_by(Phase.no)))


def state(session: Session, campaign: Campaign) -> CampaignState:
    """The campaign's switches (created on first use)."""
    row = session.get(CampaignState, campaign.id)
    if row is None:
        try:
            with session.begin_nested():  # another process may create it at the same moment
                session.add(CampaignState(campaign_id=campaign.id))
        except IntegrityError:
            pass
        row = session.get(CampaignState, campaign.id)
    return row


def set_phases(session: Session, campaign: Campaign, spec: list[tuple[str, date, date]], *, by: int | str | None,
               now: datetime) -> list[Phase]:
    """Replace the timeline with the office's phases (the document's stay in the audit log)."""
    if not spec:
        raise TimelineError("至少需要一个阶段。")
    check_dates(campaign, [d for _name, start, end in spec for d in (start, end)], now.date())
    for name, start, end in spec:
        if start > end:
            raise TimelineError(f"阶段“{name}”的开始日期 {start} 晚于结束日期 {end}。")
    before = [(p.name, p.start.isoformat(), p.end.isoformat()) for p in phases(session, campaign)]
    session.exec(delete(Phase).where(Phase.campaign_id == campaign.id))
    rows = [Phase(campaign_id=campaign.id, no=i, name=name, start=start, end=end, source="office")
            for i, (name, start, end) in enumerate(spec, 1)]
    session.add_all(rows)
    record(session, action="phases.set", at=now, campaign_id=campaign.id, actor=by, subject="phases",
           before={"phases": before}, after={"phases": [(n, s.isoformat(), e.isoformat()) for n, s, e in spec]})
    session.flush()
    return rows


def shift(session: Session, campaign: Campaign, start: date, *, by: int | str | None, now: datetime) -> list[Phase]:
    """Move the whole timeline so it starts on ``start``, keeping each phase's length and gaps."""
    rows = phases(session, campaign)
    if not rows:
        raise NoPhases("还没有任何阶段,请先设置阶段(phases set)。")
    check_dates(campaign, [start], now.date())
    offset = start - min(p.start for p in rows)
    dues = list(session.exec(select(IndicatorDue).join(Indicator).where(Indicator.campaign_id == campaign.id)))
    spec = [(p.name, _moved(p.start, offset), _moved(p.end, offset)) for p in rows]
    check_dates(campaign, [_moved(d.due, offset) for d in dues], now.date())
    texts = {p.no: (p.text, p.period_as_written) for p in rows}
    out = set_phases(session, campaign, spec, by=by, now=now)
    for p in out:
        p.text, p.period_as_written = texts.get(p.no, ("", ""))
        session.add(p)
    for d in dues:
        d.due += offset
        session.add(d)
    return out


def _moved(day: date, offset: timedelta) -> date:
    """``day + offset``; a stored date so far off that it leaves the calendar is out of range."""
    try:
        return day + offset
    except OverflowError:  # then ``check_dates`` refuses it
        return date.max if offset > timedelta(0) else date.min


def evidence_phase(session: Session, campaign: Campaign) -> Phase | None:
    """The phase whose end is the default due date: the office's choice, else the one that
    "推进"s the work (Yancheng: 全面推进, when the indicator targets are to be met), else the
    second-to-last, else the only one."""
    rows = phases(session, campaign)
    if not rows:
        return None
    chosen = state(session, campaign).evidence_phase_no
    for p in rows:
        if p.no == chosen:
            return p
    pushing = [p for p in rows if "推进" in p.name]
    return pushing[0] if pushing else rows[-2] if len(rows) > 1 else rows[0]


def due_dates(session: Session, campaign: Campaign) -> dict[int, Due]:
    """indicator number → due date and where it comes from."""
    return dues_and_phase(session, campaign)[0]


_DUES: LRUCache = LRUCache(maxsize=256)


def dues_and_phase(session: Session, campaign: Campaign) -> tuple[dict[int, Due], Phase | None]:
    """``due_dates`` and the evidence phase they default to (a unit card asks this for every
    question about a unit). Kept under ``timeline_key`` and the data version, which hold every
    input, so a date changed by any process is read at once; the phase kept is a copy that
    belongs to no session. Callers must not change what is returned."""
    key = (id(session.get_bind()), campaign.id, campaign.data_hash, timeline_key(session, campaign))
    if key not in _DUES:
        dues, phase = _dues_and_phase(session, campaign)
        _DUES[key] = dues, Phase.model_validate(phase.model_dump()) if phase is not None else None
    return _DUES[key]


def _dues_and_phase(session: Session, campaign: Campaign) -> tuple[dict[int, Due], Phase | None]:
    default = evidence_phase(session, campaign)
    overrides = dict(session.exec(select(Indicator.no, IndicatorDue.due).join(Indicator)
                                  .where(Indicator.campaign_id == campaign.id)).all())
    out: dict[int, Due] = {}
    for no in session.exec(select(Indicator.no).where(Indicator.campaign_id == campaign.id)):
        if no in overrides:
            out[no] = Due(no, overrides[no], "office")
        elif default is not None:
            out[no] = Due(no, default.end, "phase")
    return out, default


def set_due(session: Session, campaign: Campaign, no: int, due: date, *, by: int | str | None, now: datetime) -> Due:
    """The office's own due date for one indicator."""
    check_dates(campaign, [due], now.date())
    ind = session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id, Indicator.no == no)).first()
    if ind is None:
        raise TimelineError(f"没有第{no}项指标。")
    row = session.exec(select(IndicatorDue).where(IndicatorDue.indicator_id == ind.id)).first()
    before = {"due": row.due.isoformat()} if row else None
    row = row or IndicatorDue(indicator_id=ind.id, due=due, at=now)
    row.due, row.set_by, row.at = due, by, now
    session.add(row)
    record(session, action="due.set", at=now, campaign_id=campaign.id, actor=by, subject=f"indicator:{no}",
           before=before, after={"due": due.isoformat()})
    return Due(no, due, "office")


def due_of(session: Session, campaign: Campaign, no: int) -> tuple[Due, str, bool] | None:
    """One indicator's due date by the rule of ``due_dates`` (the office's date, else the end of
    the evidence phase), the phase it comes from ("" when the office set the date itself), and
    whether the office set it (its own date, or a timeline it set or shifted) rather than the
    document: what an indicator card tells an officer who asks "什么时候交". The dates are
    read from ``dues_and_phase``, kept under the timeline's key: this runs for every card."""
    dues, phase = dues_and_phase(session, campaign)
    own = dues.get(no)
    if own is not None and own.source == "office":
        return own, "", True
    if phase is None:
        return None
    return Due(no, phase.end, "phase"), phase.name, phase.source == "office"


# Prepared once: the bot asks this on every question (see ``timeline_key``). One statement, not
# one per table: the phases (0), the office's due dates (1) and which phase gathers evidence (2),
# dates as text so the three selects line up on every backend.
def _key_statement():  # noqa: ANN202
    c = bindparam("c")
    phases_ = select(literal_column("0").label("k"), Phase.no.label("n"), Phase.name.label("a"),
                     cast(Phase.start, String).label("b"), cast(Phase.end, String).label("e"),
                     Phase.source.label("s")).where(Phase.campaign_id == c)
    dues = (select(literal_column("1"), IndicatorDue.indicator_id, cast(IndicatorDue.due, String), null(), null(), null())
            .join(Indicator).where(Indicator.campaign_id == c))
    chosen = select(literal_column("2"), CampaignState.evidence_phase_no, null(), null(), null(), null()).where(
        CampaignState.campaign_id == c)
    return union_all(phases_, dues, chosen).order_by(literal_column("k"), literal_column("n"))


_KEY = _key_statement()


def timeline_key(session: Session, campaign: Campaign) -> tuple:
    """Everything a reply may read of the timeline (phases, the office's due dates, which phase
    gathers evidence), as one comparable value: replies kept under one key are still true while
    it is unchanged, whichever process changed the timeline."""
    if session.new or session.dirty or session.deleted:  # the key is read on the connection: no autoflush
        session.flush()
    return tuple(tuple(r) for r in session.connection().execute(_KEY, {"c": campaign.id}))
