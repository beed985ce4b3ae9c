"""The one place the draft reads the national indicator system from.

Titles, points, levels, nature, rule text, items, methods and sources are the national
version's (``knowledge/data/national/<version>.yaml`` through ``knowledge.national.version``), as
plain dicts the draft's writer copies; a city's wording that differs becomes a correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

VERSION = "2022"


@dataclass(frozen=True)
class NationalRef:
    version: str
    name: str
    pass_rule: dict
    levels: list[dict]
    indicators: list[dict] = field(default_factory=list)  # no, level1, level2, nature, title, points, rule, …


def _plain(value: object) -> object:
    """Decimals as the ints or floats YAML writes (the draft is dumped with the safe dumper)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@lru_cache(maxsize=4)
def national_indicators(name: str = VERSION) -> NationalRef:
    """The national version the draft compares a city's table with (``knowledge.national.version``)."""
    from knowledge.national import version

    nat = version(name)
    out = [_plain({"no": i.national_no, "level1": i.level1, "level2": i.level2, "nature": i.nature,
                   "title": i.title, "points": i.points, "rule": i.rule, "scoring": i.scoring,
                   "items": [it.model_dump(exclude_none=True) for it in i.items],
                   "methods": list(i.methods), "sources": list(i.sources)})
           for i in nat.indicators]
    return NationalRef(version=nat.version, name=nat.name,
                       pass_rule=_plain({"total": nat.pass_rule.total, "level1_rate": nat.pass_rule.level1_rate}),
                       levels=[_plain(lv.model_dump()) for lv in nat.levels], indicators=out)
