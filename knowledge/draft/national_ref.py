"""The one place the draft reads the national indicator system from.

Until ``knowledge/data/national/2022.yaml`` (``knowledge.national.version``) is merged, titles,
points and levels come from the shipped ``national.yaml`` and the rule text, items, nature,
methods and sources from the shipped ``yancheng.yaml`` (its table follows the national system
item by item), looked up by ``national_no``. Switch this function, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

VERSION = "2022"


@dataclass(frozen=True)
class NationalRef:
    version: str
    name: str
    pass_rule: dict
    levels: list[dict]
    indicators: list[dict] = field(default_factory=list)  # no, level1, level2, nature, title, points, rule, …


@lru_cache(maxsize=1)
def national_indicators() -> NationalRef:
    """The national version the draft compares a city's table with."""
    data = resources.files("knowledge") / "data"  # knowledge.loader.data_dir(), without the models
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    nat = yaml.load((data / "national.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    # Interim source of the rule text and items (see the module docstring).
    texts = yaml.load((data / "yancheng.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    by_no = {i["national_no"]: i for i in texts["indicators"] if i.get("national_no")}
    out = []
    for ind in nat["indicators"]:
        src = by_no.get(ind["no"], {})
        out.append({
            "no": ind["no"], "level1": ind["level1"], "level2": ind["level2"],
            "nature": ind.get("nature") or src.get("nature", ""), "title": ind["title"],
            "points": ind["points"], "rule": src.get("rule", ""), "scoring": src.get("scoring", "whole"),
            "items": [dict(it) for it in src.get("items", [])], "methods": list(src.get("methods", [])),
            "sources": list(src.get("sources", [])),
        })
    return NationalRef(version=VERSION, name=nat["name"], pass_rule=dict(nat["pass_rule"]),
                       levels=nat["levels"], indicators=out)
