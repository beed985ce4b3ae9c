"""The whole store of one campaign as one JSON-ready dict (``liaison-bot export --json``).

The shape is a contract with the people who check the transcription: keys named in the issue
stay as they are; more keys may be added.
"""

from __future__ import annotations

from sqlmodel import Session, select

from knowledge.duties import all_indicators, task_label
from knowledge.models import (
    Campaign,
    Correction,
    IndicatorItem,
    IndicatorUnit,
    LeadingGroupMember,
    Phase,
    Task,
    TaskUnit,
    Unit,
)
from knowledge.national import national_check, pass_rule, totals
from knowledge.points import json_points


def _pass_rule(campaign: Campaign) -> dict:
    rule = pass_rule(campaign)
    return {"total": json_points(rule.total), "level1_rate": rule.level1_rate, "text": rule.text, "source": rule.source}


def export_campaign(*, session: Session, campaign: Campaign) -> dict:
    """Campaign header, pass rule, indicators, tasks, phases, corrections and the national check."""
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.campaign_id == campaign.id))}

    def unit_rows(links: list) -> list[dict]:
        return [{"as_written": link.as_written, "unit": units[link.unit_id].name, "role": link.role,
                 "kind": units[link.unit_id].kind} for link in links]

    indicators = []
    for ind in all_indicators(session=session, campaign=campaign):
        links = session.exec(select(IndicatorUnit).where(IndicatorUnit.indicator_id == ind.id)
                             .order_by(IndicatorUnit.position)).all()
        items = session.exec(select(IndicatorItem).where(IndicatorItem.indicator_id == ind.id)
                             .order_by(IndicatorItem.no)).all()
        indicators.append({
            "no": ind.no, "national_no": ind.national_no, "level1": ind.level1,
            "level1_points": json_points(ind.level1_points), "level2": ind.level2,
            "level2_points": json_points(ind.level2_points), "nature": ind.nature, "title": ind.title,
            "points": json_points(ind.points), "scoring": ind.scoring, "rule": ind.rule,
            "items": [{"no": it.no, "text": it.text,
                       "points": None if it.points is None else json_points(it.points)} for it in items],
            "methods": ind.methods, "sources": ind.sources, "units_open": ind.units_open,
            "units": unit_rows(links)})
    tasks = []
    for task in session.exec(select(Task).where(Task.campaign_id == campaign.id).order_by(Task.seq)):
        links = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)
                             .order_by(TaskUnit.position)).all()
        tasks.append({"no": task.no, "seq": task.seq, "label": task_label(task, campaign),
                      "section": task.section, "title": task.title, "text": task.text,
                      "units_open": task.units_open, "units": unit_rows(links)})
    phases = [{"no": p.no, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(),
               "period_as_written": p.period_as_written, "source": p.source}
              for p in session.exec(select(Phase).where(Phase.campaign_id == campaign.id)
                                    .order_by(Phase.no))]
    corrections = [{"where": c.where, "as_written": c.as_written, "corrected": c.corrected,
                    "why": c.why}
                   for c in session.exec(select(Correction).where(Correction.campaign_id == campaign.id)
                                         .order_by(Correction.position))]
    leading = [{"role": m.role, "name": m.name, "name_as_written": m.name_as_written,
                "position": m.title, "unit": units[m.unit_id].name if m.unit_id else None,
                "unit_as_written": m.unit_as_written or None,
                "position_as_written": (m.title if not m.unit_as_written or m.unit_as_written in m.title
                                        else f"{m.unit_as_written}{m.title}"),
                "note": m.note}
               for m in session.exec(select(LeadingGroupMember).where(
                   LeadingGroupMember.campaign_id == campaign.id).order_by(LeadingGroupMember.position))]
    office = units.get(campaign.office_unit_id)
    return {
        "campaign": campaign.slug, "city": campaign.city, "province": campaign.province,
        "region": campaign.region, "title": campaign.title, "doc_number": campaign.doc_number,
        "issuer": campaign.issuer,
        "date": campaign.doc_date.isoformat() if campaign.doc_date else None,
        "goal_period": campaign.goal_period,
        "pass_rule": _pass_rule(campaign),
        "office": {"unit": office.name if office else None, "text": campaign.office_text},
        "leading_group": leading,
        "indicators": indicators, "tasks": tasks, "phases": phases, "corrections": corrections,
        "national_check": national_check(session=session, campaign=campaign),
        "totals": totals(session=session, campaign=campaign),
    }
