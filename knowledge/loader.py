"""Loads campaign YAML files into the store: validate everything first, then write.

Loading is idempotent: a file whose content hash is already stored is skipped, and a changed
file updates rows in place by their document keys (slug, indicator number, task sequence,
unit name), so ids that evidence and officers point at stay valid.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, delete, select

from knowledge.checks import written_index
from knowledge.models import (
    Campaign,
    Correction,
    Evidence,
    Figure,
    Indicator,
    IndicatorItem,
    IndicatorUnit,
    LeadingGroupMember,
    NationalIndicator,
    Officer,
    Phase,
    ReminderAck,
    Task,
    TaskUnit,
    Unit,
    UnitMember,
    UnitName,
)
from knowledge.national import file_digest
from knowledge.schema import CampaignDocument, NationalVersion
from knowledge.units import normalize

NATIONAL = "national.yaml"  # the former single national file: not a campaign if a folder still has one


class LoadError(Exception):
    """A campaign file that cannot be loaded; ``problems`` has one readable line per mistake."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass
class LoadReport:
    slug: str
    path: str
    changed: bool
    counts: dict[str, int] = field(default_factory=dict)
    error: LoadError | None = None  # the file could not be loaded (``load_all(skip_broken=True)``)


def data_dir() -> Path:
    """Where the shipped campaign files live (``knowledge/data``)."""
    return Path(str(resources.files("knowledge") / "data"))


def campaign_files(directory: Path | None = None) -> list[Path]:
    """Every campaign YAML in ``directory`` (the national reference is not a campaign)."""
    directory = directory or data_dir()
    return sorted(p for p in directory.glob("*.yaml") if p.name != NATIONAL)


def read_yaml_file(path: Path) -> tuple[Any, str]:
    """The data of a YAML file and the hash of its text; a syntax error names its line."""
    from knowledge.yamlfile import YamlSyntaxError, parse

    text = path.read_text(encoding="utf-8")
    try:
        return parse(text, lines=False).data, hashlib.sha256(text.encode()).hexdigest()
    except YamlSyntaxError as exc:
        raise LoadError(str(path), [str(exc)]) from None


def validate(path: Path, raw: Any, model: type) -> Any:  # noqa: ANN401
    """``raw`` as ``model`` (the national versions' files), every problem in Chinese."""
    from knowledge.validation import _translate, label

    if not isinstance(raw, dict):
        raise LoadError(str(path), ["文件内容不是一个 YAML 映射(mapping)"])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise LoadError(str(path), [f"{label(raw, p.path)}: {p.text}" for p in _translate(exc, raw)]) from None


def read_campaign(path: Path, national: NationalVersion | None = None) -> tuple[CampaignDocument, str]:
    """Parse and fully check one campaign file for loading, raising ``LoadError`` with every problem.

    ``national`` is ignored (kept for old callers): the file names its own version. A file that
    still has ``TODO`` values is refused: ``check`` lists them.
    """
    from knowledge.validation import inspect_file

    result = inspect_file(path)
    problems = list(result.errors)
    if not problems and result.todos:
        problems.append(f"还有 {result.todos} 处 TODO 待补(liaison-bot check 列出每一处及其行号),补齐后才能加载")
    if problems or result.doc is None:
        raise LoadError(str(path), problems or ["无法读取"])
    return result.doc, result.digest


def load_national(session: Session, national: NationalVersion) -> None:
    """Store the national indicator system (upsert by number)."""
    levels = {lv.name: lv for lv in national.levels}
    existing = {n.no: n for n in session.exec(select(NationalIndicator))}
    for ind in national.indicators:
        lv1 = levels[ind.level1]
        lv2 = next(c for c in lv1.children if c.name == ind.level2)
        row = existing.get(ind.national_no) or NationalIndicator(no=ind.national_no, level1="", level2="", title="")
        row.sqlmodel_update({"level1": ind.level1, "level1_points": lv1.points, "level2": ind.level2,
                             "level2_points": lv2.points, "nature": ind.nature, "title": ind.title,
                             "points": ind.points})
        session.add(row)


def load_all(session: Session, directory: Path | None = None, extra: Path | None = None,
             *, skip_broken: bool = False) -> list[LoadReport]:
    """Validate every campaign file first, then load them; a broken file is never written.

    ``extra`` is a deployment's own folder of campaign files (``CAMPAIGNS_DIR``): a city added
    there survives upgrades of the package, and a file there replaces the shipped one of the
    same name. With ``skip_broken`` a file that fails is left out (its report has ``error``)
    and the others load; without it the first failure raises ``LoadError`` and nothing loads.
    """
    from knowledge.national import version

    files = {p.stem: p for p in campaign_files(directory)}
    if extra is not None and extra.is_dir():
        files.update({p.stem: p for p in campaign_files(extra)})
    docs = []
    failed: list[LoadReport] = []
    kept: list[LoadReport] = []
    stored = dict(session.exec(select(Campaign.data_hash, Campaign.slug)).all())
    for p in files.values():
        try:  # a file loaded as it is now was checked then: every start need not check it again
            if (slug := stored.get(file_digest(p.read_text(encoding="utf-8")))) is not None:
                kept.append(LoadReport(slug=slug, path=str(p), changed=False))
                continue
        except (OSError, UnicodeDecodeError):
            pass  # read_campaign says what is wrong
        try:
            docs.append((p, *read_campaign(p)))
        except LoadError as exc:
            if not skip_broken:
                raise
            failed.append(LoadReport(slug=p.stem, path=str(p), changed=False, error=exc))
    # The national table holds the versions the campaigns follow (all of them 2022 so far).
    for name in sorted({doc.campaign.national_version for _, doc, _ in docs}):
        load_national(session, version(name))
    return [load_campaign(session, doc, digest, str(p)) for p, doc, digest in docs] + kept + failed


def load_campaign(session: Session, doc: CampaignDocument, digest: str, path: str) -> LoadReport:
    """Write one validated document; skip it when the stored hash is the same."""
    info = doc.campaign
    camp = session.exec(select(Campaign).where(Campaign.slug == info.slug)).first()
    report = LoadReport(slug=info.slug, path=path, changed=False)
    if camp is not None and camp.data_hash == digest:
        return report
    report.changed = True
    camp = camp or Campaign(slug=info.slug, city="", region="", title="")
    extra = _campaign_extra(doc)
    camp.sqlmodel_update({
        "city": info.city, "province": info.province, "region": info.region, "title": info.title,
        "notice_title": info.notice_title, "doc_number": info.doc_number, "issuer": info.issuer,
        "doc_date": info.date, "goal_period": info.goal_period, "source_file": info.source_file,
        "timezone": info.timezone, **_pass_rule_columns(doc),
        "office_text": doc.office.text, "extra": extra, "data_hash": digest,
    })
    session.add(camp)
    session.flush()
    units = _write_units(session, camp, doc)
    index, _ = written_index(doc)

    def unit_of(written: str) -> Unit:
        return units[index[normalize(written)]]

    camp.office_unit_id = unit_of(doc.office.unit).id
    report.counts["units"] = len(units)
    report.counts["indicators"] = _write_indicators(session, camp, doc, unit_of)
    report.counts["tasks"] = _write_tasks(session, camp, doc, unit_of)
    report.counts["phases"] = _write_phases(session, camp, doc)
    session.exec(delete(LeadingGroupMember).where(LeadingGroupMember.campaign_id == camp.id))
    for pos, m in enumerate(doc.leading_group, 1):
        session.add(LeadingGroupMember(
            campaign_id=camp.id, position=pos, role=m.role, name=m.name,
            name_as_written=m.name_as_written or m.name, title=m.position,
            unit_id=unit_of(m.unit).id if m.unit else None, unit_as_written=m.unit or "",
            note=m.note or ""))
    session.exec(delete(Correction).where(Correction.campaign_id == camp.id))
    for pos, c in enumerate(doc.corrections, 1):
        session.add(Correction(campaign_id=camp.id, position=pos, **c.model_dump()))
    report.counts["corrections"] = len(doc.corrections)
    _drop_stale_units(session)
    session.flush()
    return report


def _campaign_extra(doc: CampaignDocument) -> dict:
    """What the campaign row keeps beside its columns (``Campaign.extra``)."""
    info = doc.campaign
    extra = info.model_dump(mode="json", include={"interpreter", "goals", "publication", "all_tasks_units",
                                                  "reminders", "publish_status"}, exclude_none=True)
    extra["omits_national"] = info.omits_national
    extra["national_version"] = info.national_version
    extra["own_pass_rule"] = info.pass_rule is not None
    extra["office"] = doc.office.model_dump()
    extra["safeguards"] = [s.model_dump(exclude_defaults=True) | {"text": s.text} for s in doc.safeguards]
    # Yancheng numbers tasks afresh in each section: then every label carries its section, (一)1 too.
    extra["tasks_restart"] = any(t.no != t.seq for t in doc.tasks)
    return extra


def _pass_rule_columns(doc: CampaignDocument) -> dict:
    """The effective pass rule: the document's own where it states one, else its national version's."""
    from knowledge.national import rule_text, version

    info = doc.campaign
    rule = info.pass_rule or version(info.national_version).pass_rule
    return {"pass_total": rule.total, "pass_level1_rate": rule.level1_rate,
            "pass_rule_text": info.pass_rule_text or rule_text(rule.total, rule.level1_rate)}


def _write_units(session: Session, camp: Campaign, doc: CampaignDocument) -> dict[str, Unit]:
    existing = {u.name: u for u in session.exec(select(Unit).where(Unit.campaign_id == camp.id))}
    rows: dict[str, Unit] = {}
    lg_units = [u.name for u in doc.units if u.member_of_leading_group]
    specs = [(u.name, u.full_name, u.kind, u.member_of_leading_group, "", [u.name, *u.written],
              u.aliases + ([u.full_name] if u.full_name else [])) for u in doc.units]
    specs += [(g.name, g.name, "group", False, g.basis, [g.name, *g.written], g.aliases)
              for g in doc.groups]
    session.exec(delete(UnitName).where(UnitName.campaign_id == camp.id))
    for name, full, kind, in_lg, basis, written, aliases in specs:
        row = existing.pop(name, None) or Unit(campaign_id=camp.id, name=name)
        row.sqlmodel_update({"full_name": full, "kind": kind, "in_leading_group": in_lg,
                             "basis": basis})
        session.add(row)
        session.flush()
        rows[name] = row
        seen: set[str] = set()
        for source, forms in (("written", written), ("alias", aliases)):
            for form in forms:
                if normalize(form) not in seen:
                    seen.add(normalize(form))
                    session.add(UnitName(campaign_id=camp.id, unit_id=row.id, text=form,
                                         norm=normalize(form), source=source))
    group_ids = [rows[g.name].id for g in doc.groups]
    all_ids = [u.id for u in rows.values()] + [u.id for u in existing.values()]
    session.exec(delete(UnitMember).where(UnitMember.group_id.in_(all_ids)))
    index, _ = written_index(doc)
    for g, gid in zip(doc.groups, group_ids, strict=True):
        names = lg_units if g.members == "leading_group" else [index[normalize(m)] for m in g.members]
        for member in dict.fromkeys(names):
            session.add(UnitMember(group_id=gid, member_id=rows[member].id))
    session.info.setdefault("stale_units", []).extend(existing.values())  # dropped once nothing points at them
    return rows


def _drop_stale_units(session: Session) -> None:
    """Delete the units no longer in the file — after the indicators, tasks and leading group that
    named them were rewritten (deleting them before is a foreign-key error), and only when no
    officer, submission, figure or acknowledgement is theirs: what people did is never lost."""
    session.flush()
    for stale in session.info.pop("stale_units", []):
        used = any(session.exec(select(model).where(model.unit_id == stale.id)).first() is not None
                   for model in (Officer, Evidence, Figure, ReminderAck, IndicatorUnit, TaskUnit, LeadingGroupMember))
        if not used:
            session.exec(delete(UnitName).where(UnitName.unit_id == stale.id))
            session.exec(delete(UnitMember).where((UnitMember.group_id == stale.id) | (UnitMember.member_id == stale.id)))
            session.delete(stale)


def _role(position: int, written: str, roles: dict[str, str] | None) -> str:
    if roles and written in roles:
        return roles[written]
    return "牵头" if position == 0 else "配合"


def _write_indicators(session: Session, camp: Campaign, doc: CampaignDocument, unit_of: Any) -> int:  # noqa: ANN401
    levels = {lv.name: lv for lv in doc.levels}
    existing = {i.no: i for i in session.exec(select(Indicator).where(Indicator.campaign_id == camp.id))}
    for ind in doc.indicators:
        lv1 = levels[ind.level1]
        lv2 = next(c for c in lv1.children if c.name == ind.level2)
        row = existing.pop(ind.no, None) or Indicator(campaign_id=camp.id, no=ind.no, level1="",
                                                      level2="", nature="", title="")
        row.sqlmodel_update({
            "national_no": ind.national_no, "level1": ind.level1, "level1_points": lv1.points,
            "level2": ind.level2, "level2_points": lv2.points, "nature": ind.nature,
            "title": ind.title, "points": ind.points, "rule": ind.rule.strip(),
            "scoring": ind.scoring, "methods": ind.methods, "sources": ind.sources,
            "units_open": ind.units_open})
        session.add(row)
        session.flush()
        items = {it.no: it for it in session.exec(
            select(IndicatorItem).where(IndicatorItem.indicator_id == row.id))}
        for it in ind.items:
            item = items.pop(it.no, None) or IndicatorItem(indicator_id=row.id, no=it.no, text="")
            item.text, item.points = it.text, it.points
            session.add(item)
        for gone in items.values():
            session.delete(gone)
        session.exec(delete(IndicatorUnit).where(IndicatorUnit.indicator_id == row.id))
        for pos, written in enumerate(ind.units):
            session.add(IndicatorUnit(indicator_id=row.id, unit_id=unit_of(written).id, position=pos,
                                      as_written=written, role=_role(pos, written, ind.roles)))
    for gone in existing.values():
        session.exec(delete(IndicatorUnit).where(IndicatorUnit.indicator_id == gone.id))
        session.exec(delete(IndicatorItem).where(IndicatorItem.indicator_id == gone.id))
        session.delete(gone)
    return len(doc.indicators)


def _write_tasks(session: Session, camp: Campaign, doc: CampaignDocument, unit_of: Any) -> int:  # noqa: ANN401
    existing = {t.seq: t for t in session.exec(select(Task).where(Task.campaign_id == camp.id))}
    for task in doc.tasks:
        row = existing.pop(task.seq, None) or Task(campaign_id=camp.id, seq=task.seq, no=task.no,
                                                   section="", title="")
        row.sqlmodel_update({"no": task.no, "section": task.section, "title": task.title,
                             "text": task.text.strip(), "units_text": task.units_text,
                             "units_open": task.units_open})
        session.add(row)
        session.flush()
        session.exec(delete(TaskUnit).where(TaskUnit.task_id == row.id))
        for pos, written in enumerate(task.units):
            session.add(TaskUnit(task_id=row.id, unit_id=unit_of(written).id, position=pos,
                                 as_written=written, role=_role(pos, written, task.roles)))
    for gone in existing.values():
        session.exec(delete(TaskUnit).where(TaskUnit.task_id == gone.id))
        session.delete(gone)
    return len(doc.tasks)


def _write_phases(session: Session, camp: Campaign, doc: CampaignDocument) -> int:
    """Document phases; once the office has set its own timeline, the file no longer overrides it."""
    rows = list(session.exec(select(Phase).where(Phase.campaign_id == camp.id)))
    if any(p.source != "document" for p in rows):
        return len(rows)
    existing = {p.no: p for p in rows}
    for ph in doc.phases:
        row = existing.pop(ph.no, None) or Phase(campaign_id=camp.id, no=ph.no, name="",
                                                 start=ph.start, end=ph.end)
        row.sqlmodel_update({"name": ph.name, "start": ph.start, "end": ph.end,
                             "period_as_written": ph.period_as_written, "text": ph.text.strip()})
        session.add(row)
    for gone in existing.values():
        session.delete(gone)
    return len(doc.phases)
