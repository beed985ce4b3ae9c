"""Registration rules: which units a person may register for, and one page of them at a time."""

from __future__ import annotations

from sqlmodel import Session

from knowledge.duties import campaign_units
from knowledge.messages import Action, ActionKind, Actions
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
