"""Compares a city's indicator table with the national 创建评估指标体系.

The point is to make gaps visible: Hejin's table has no 快递业务同比增速 and so can award at
most 98 points; the store says so instead of letting a total of 100 be assumed.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from knowledge.models import Campaign, Indicator, NationalIndicator
from knowledge.points import json_points
from knowledge.units import normalize


def national_check(*, session: Session, campaign: Campaign) -> list[dict]:
    """One entry per difference: missing, extra, points_differ, level_differs, title_differs."""
    national = {n.no: n for n in session.exec(select(NationalIndicator).order_by(NationalIndicator.no))}
    local = list(session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id)
                              .order_by(Indicator.no)))
    by_nat = {i.national_no: i for i in local if i.national_no is not None}
    out: list[dict] = []
    for no, nat in national.items():
        ind = by_nat.get(no)
        if ind is None:
            out.append({"no": no, "title": nat.title, "status": "missing", "points": json_points(nat.points),
                        "level1": nat.level1, "level2": nat.level2})
            continue
        base = {"no": no, "title": nat.title, "local_no": ind.no}
        if ind.points != nat.points:
            out.append({**base, "status": "points_differ", "local": json_points(ind.points),
                        "national": json_points(nat.points)})
        if (ind.level1, ind.level2) != (nat.level1, nat.level2):
            out.append({**base, "status": "level_differs", "local": f"{ind.level1}/{ind.level2}",
                        "national": f"{nat.level1}/{nat.level2}"})
        if normalize(ind.title) != normalize(nat.title):
            out.append({**base, "status": "title_differs", "local": ind.title, "national": nat.title})
    for ind in local:
        if ind.national_no is None or ind.national_no not in national:
            out.append({"no": None, "local_no": ind.no, "title": ind.title, "status": "extra"})
    return out


def omitted_named(*, session: Session, campaign: Campaign, query: str) -> NationalIndicator | None:
    """The national indicator the campaign's table leaves out that ``query`` names, if any.

    Officers know the national system: in Hejin someone will ask who answers for 快递业务同比增速,
    which the city's table does not have. Saying so beats offering the nearest local title.
    """
    omitted = set((campaign.extra or {}).get("omits_national") or [])
    if not omitted:
        return None
    from knowledge.search import topic_words
    from knowledge.text import search_words_of

    # The whole question, then each topic word of it ("有没有快递业务的指标" → "快递业务").
    candidates = [normalize(query)] + [normalize(w) for w in topic_words(query)]
    local, nationals = _titles(session, campaign, tuple(sorted(omitted)))
    for nat in nationals:
        title = normalize(nat.title)
        # "快递业务" names it; "同比增速" is shared with local titles and names nothing.
        for words in candidates:
            if title in words or (len(words) >= 4 and words in title and not any(words in t for t in local)):
                return nat
        # "河津快递业务量那个指标": the words of its title no local title has (快递) are all asked
        own = [w for w in search_words_of(title) if 1 < len(w) < len(title) and not any(w in t for t in local)]
        if own and all(w in candidates[0] for w in own):
            return nat
    return None


_TITLES: dict[tuple, tuple[list[str], list[NationalIndicator]]] = {}


def _titles(session: Session, campaign: Campaign, omitted: tuple[int, ...]) -> tuple[list[str], list[NationalIndicator]]:
    """The local titles (normalised) and the omitted national indicators (copies), per data version:
    every question that finds nothing else asks this."""
    key = (id(session.get_bind()), campaign.id, campaign.data_hash, omitted)
    if key not in _TITLES or not campaign.data_hash:
        local = [normalize(t) for t in session.exec(select(Indicator.title).where(Indicator.campaign_id == campaign.id))]
        rows = session.exec(select(NationalIndicator).where(NationalIndicator.no.in_(omitted)))  # type: ignore[attr-defined]
        _TITLES[key] = local, [NationalIndicator.model_validate(n.model_dump()) for n in rows]
    return _TITLES[key]


def totals(*, session: Session, campaign: Campaign) -> dict:
    """What the local table can award, against the national total and per first-level indicator."""
    local = list(session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id)))
    national = list(session.exec(select(NationalIndicator)))
    per_level: dict[str, dict] = {}
    for ind in local:
        entry = per_level.setdefault(ind.level1, {"name": ind.level1, "declared": json_points(ind.level1_points),
                                                  "table": Decimal(0), "count": 0})
        entry["table"] += ind.points
        entry["count"] += 1
    for entry in per_level.values():
        entry["table"] = json_points(entry["table"])
    return {
        "indicators": len(local),
        "table_total": json_points(sum((i.points for i in local), Decimal(0))),
        "national_indicators": len(national),
        "national_total": json_points(sum((n.points for n in national), Decimal(0))),
        "level1": list(per_level.values()),
    }

