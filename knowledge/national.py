"""The national 创建评估指标体系, by version, and a city's table compared with it.

Each version lives in ``knowledge/data/national/<version>.yaml`` with its indicator system, its
pass rule and its cycle; a campaign names the version it follows (``campaign.national_version``).
``pass_rule(campaign)`` is the one place that says what a campaign must reach: answers, digest,
XLSX and chart all read it.

The point of the comparison is to make gaps visible: Hejin's table has no 快递业务同比增速 and so
can award at most 98 points; the store says so instead of letting a total of 100 be assumed.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from sqlmodel import Session, select

from knowledge.models import Campaign, Indicator, NationalIndicator
from knowledge.points import json_points
from knowledge.schema import NationalIndicatorEntry, NationalVersion
from knowledge.units import normalize


class UnknownVersion(LookupError):
    """A ``national_version`` with no file; the message is Chinese, for the person editing YAML."""


def versions_dir() -> Path:
    return Path(str(resources.files("knowledge") / "data" / "national"))


def known_versions() -> list[str]:
    return sorted(p.stem for p in versions_dir().glob("*.yaml"))


@functools.cache
def version(name: str) -> NationalVersion:
    """The national version ``name`` ('2022'), parsed and validated once per process."""
    from pydantic import ValidationError

    from knowledge.yamlfile import YamlSyntaxError, parse

    path = versions_dir() / f"{name}.yaml"
    if not path.is_file():
        raise UnknownVersion(f"没有全国指标体系版本“{name}”;已有版本:{'、'.join(known_versions())}")
    try:
        return NationalVersion.model_validate(parse(path.read_text(encoding="utf-8"), lines=False).data)
    except (YamlSyntaxError, ValidationError) as exc:  # a broken shipped file is a bug: say which
        where = "; ".join(".".join(map(str, e["loc"])) for e in exc.errors()) if isinstance(exc, ValidationError) \
            else str(exc)
        raise UnknownVersion(f"全国指标体系文件 {path} 有错误({where}),liaison-bot check 无法按此版本校验") from None


def campaign_version(campaign: Campaign) -> NationalVersion:
    """The national version a stored campaign follows."""
    return version((campaign.extra or {}).get("national_version") or "2022")


@dataclass(frozen=True)
class PassRule:
    """What a campaign must reach: total points, per-first-level rate, and the words for it."""

    total: Decimal
    level1_rate: float
    text: str
    source: str  # "campaign" (its document states its own) or "national:<version>"


def rate_text(rate: float) -> str:
    return f"{Decimal(str(rate)) * 100:f}".rstrip("0").rstrip(".") + "%"


def rule_text(total: Decimal | None, level1_rate: float) -> str:
    first = f"总分≥{json_points(total)}分,且" if total is not None else ""
    return f"{first}每个一级指标得分率≥{rate_text(level1_rate)}"


def pass_rule(campaign: Campaign) -> PassRule:
    """The campaign's pass rule: its own document's where it states one, else its national version's.

    The loader stores the effective figures on the campaign row (``pass_total``,
    ``pass_level1_rate``, ``pass_rule_text``), checked against each other by ``check``; this
    is the one function that reads them.
    """
    own = bool((campaign.extra or {}).get("own_pass_rule"))
    return PassRule(total=Decimal(campaign.pass_total), level1_rate=float(campaign.pass_level1_rate),
                    text=campaign.pass_rule_text or rule_text(campaign.pass_total, campaign.pass_level1_rate),
                    source="campaign" if own else f"national:{(campaign.extra or {}).get('national_version', '')}")


def _national_rows(campaign: Campaign) -> dict[int, NationalIndicatorEntry]:
    return {n.national_no: n for n in campaign_version(campaign).indicators}


def _level_points(nat: NationalVersion, level1: str, level2: str) -> tuple[Decimal, Decimal]:
    lv1 = next(lv for lv in nat.levels if lv.name == level1)
    return lv1.points, next(c.points for c in lv1.children if c.name == level2)


def national_check(*, session: Session, campaign: Campaign) -> list[dict]:
    """One entry per difference: missing, extra, points_differ, level_differs, title_differs."""
    national = _national_rows(campaign)
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
        nat = campaign_version(campaign)
        rows = [n for n in nat.indicators if n.national_no in omitted]
        _TITLES[key] = local, [NationalIndicator(
            no=n.national_no, level1=n.level1, level2=n.level2, nature=n.nature, title=n.title,
            points=n.points, level1_points=_level_points(nat, n.level1, n.level2)[0],
            level2_points=_level_points(nat, n.level1, n.level2)[1]) for n in rows]
    return _TITLES[key]


def totals(*, session: Session, campaign: Campaign) -> dict:
    """What the local table can award, against the national total and per first-level indicator."""
    from knowledge.duties import (
        all_indicators,  # the kept copies: loading the rows cost half the answer
    )

    local = all_indicators(session=session, campaign=campaign)
    national = campaign_version(campaign).indicators
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


def file_digest(text: str) -> str:
    """What a stored campaign's ``data_hash`` is of: the file's text and the national versions'
    (a new national text re-checks every campaign, though its own file did not change)."""
    return hashlib.sha256(text.encode() + _national_texts()).hexdigest()


@functools.lru_cache(maxsize=1)
def _national_texts() -> bytes:
    return b"".join(p.read_bytes() for p in sorted(versions_dir().glob("*.yaml")))
