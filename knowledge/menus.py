"""The choices both faces show, built once: /setup's campaigns, the /submit picker (a unit's
indicators, a page at a time), an indicator's scoring items, and 提交 / 取消 under a flow.

Each is a ``Message`` (template + data + ``Action`` rows) or ``Action`` rows; Telegram draws the
actions as inline buttons, DingTalk as card buttons or numbered choices — with the same labels
and the same callback data (``sb:i:3:12``), so a button is one thing on both faces.
"""

from __future__ import annotations

from sqlmodel import Session

from knowledge.campaigns import all_campaigns
from knowledge.duties import unit_duties
from knowledge.messages import Action, ActionKind, Actions, Message
from knowledge.models import Campaign
from knowledge.units import UnitDirectory

PAGE = 8  # indicators per page of the /submit picker


def setup_choices(session: Session) -> Message:
    """/setup in a group: which campaign, and whether the group is its liaison group or its office."""
    rows = [[Action(f"{c.city} · 联络员群", ActionKind.SETUP, (c.id, "l")),
             Action(f"{c.city} · 办公室群", ActionKind.SETUP, (c.id, "o"))] for c in all_campaigns(session=session)]
    return Message("setup_choose", actions=rows)


def submit_picker(session: Session, campaign: Campaign, directory: UnitDirectory, unit_id: int, unit_name: str,
                  page: int) -> Message:
    """One page of the unit's indicators to submit evidence for, with ‹ › between pages."""
    items = unit_duties(session=session, campaign=campaign, directory=directory, unit_id=unit_id).indicators
    pages = max(1, (len(items) + PAGE - 1) // PAGE)
    page = min(max(page, 0), pages - 1)
    cid = campaign.id
    rows: Actions = [[Action(f"{d.no}. {d.title[:14]}", ActionKind.SUBMIT, ("i", cid, d.no))]
                     for d in items[page * PAGE:(page + 1) * PAGE]]
    nav = ([Action("‹ 上一页", ActionKind.SUBMIT, ("p", cid, page - 1))] if page > 0 else []) + (
        [Action("下一页 ›", ActionKind.SUBMIT, ("p", cid, page + 1))] if page < pages - 1 else [])
    return Message("submit_pick", {"unit": unit_name, "page": page + 1, "pages": pages},
                   actions=rows + ([nav] if nav else []))


def submit_items(view, campaign_id: int) -> Message:  # noqa: ANN001 - an evidence.ResponsibleView
    """An indicator scored by item: which item the evidence is for."""
    no = view.indicator.no
    rows = [[Action(f"{it.no}. {it.text[:16]}({it.points}分)", ActionKind.SUBMIT, ("t", campaign_id, no, it.no))]
            for it in view.items]
    return Message("submit_item", {"i": view.indicator}, actions=rows)


def submit_finish(campaign_id: int) -> Actions:
    """提交 and 取消 under what a submission flow holds so far."""
    return [[Action("提交", ActionKind.SUBMIT, ("ok", campaign_id)), Action("取消", ActionKind.SUBMIT, ("x", campaign_id))]]
