"""Points for the 定量 indicators whose rules are arithmetic, computed from entered figures.

Rules are keyed by the national indicator number, so both cities' tables (numbered
differently) share them. Every result says why, in words an assessor would use; a rule that
lacks figures says which ones are missing instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from knowledge.figures import BY_KEY

REGION_THRESHOLD = {"东部": "2亿元", "中部": "1亿元", "西部": "5000万元"}
Figures = dict[str, dict[int, Decimal]]


@dataclass
class Score:
    points: Decimal | None
    lines: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


def _pct(v: Decimal) -> str:
    return f"{v.quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def _growth(series: dict[int, Decimal], year: int) -> Decimal | None:
    if year in series and year - 1 in series and series[year - 1] != 0:
        return (series[year] / series[year - 1] - 1) * 100
    return None


def _two_years(f: Figures, key: str) -> list[int]:
    """The last two years with a usable base year (a base of 0 has no growth rate)."""
    series = f.get(key, {})
    years = sorted(y for y in series if series.get(y - 1))
    return years[-2:]


def _zero_bases(f: Figures, key: str) -> list[str]:
    series = f.get(key, {})
    return [f"{y - 1}年{BY_KEY[key].label}为0,无法计算{y}年增速" for y in sorted(series)
            if y - 1 in series and series[y - 1] == 0]


def _beats(f: Figures, local_key: str, nat_key: str, what: str) -> Score:
    """近2年, local growth above the national growth: 1 point a year."""
    years = _two_years(f, local_key)
    s = Score(Decimal(0))
    if not years:
        s.points = None
        s.needs += _zero_bases(f, local_key) or [f"{BY_KEY[local_key].label}(至少连续两年,最好三年)"]
    for y in years:
        local = _growth(f[local_key], y)
        national = f.get(nat_key, {}).get(y)
        if national is None:
            s.needs.append(f"{y}年{BY_KEY[nat_key].label}")
            continue
        ok = local is not None and local > national
        s.points = (s.points or Decimal(0)) + (1 if ok else 0)
        s.lines.append(f"{y}年{what}同比增速 {_pct(local)},全国 {_pct(national)}:{'超过,得1分' if ok else '未超过,0分'}")
    if s.needs and not s.lines:
        s.points = None
    return s


def _online_vs_social(f: Figures) -> Score:
    years = _two_years(f, "online_retail")
    s = Score(Decimal(0) if years else None)
    if not years:
        s.needs += _zero_bases(f, "online_retail") or ["网上零售额和社会消费品零售总额(至少连续两年)"]
    for y in years:
        on, so = _growth(f["online_retail"], y), _growth(f.get("social_retail", {}), y)
        if on is None or so is None:
            s.needs.append(f"{y - 1}、{y}年社会消费品零售总额(不能为0)")
            continue
        ok = on > so
        s.points += 1 if ok else 0
        s.lines.append(f"{y}年网上零售额增速 {_pct(on)},社零增速 {_pct(so)}:{'超过,得1分' if ok else '未超过,0分'}")
    if s.needs and not s.lines:
        s.points = None
    return s


def _share(f: Figures) -> Score:
    years = sorted(y for y in f.get("online_retail", {}) if y in f.get("social_retail", {}))[-2:]
    s = Score(Decimal(0) if years else None)
    if not years:
        s.needs.append("同一年的网上零售额和社会消费品零售总额")
    for y in years:
        if f["social_retail"][y] == 0:
            s.needs.append(f"{y}年社会消费品零售总额(不能为0)")
            continue
        share = f["online_retail"][y] / f["social_retail"][y] * 100
        nat = f.get("national_online_share", {}).get(y)
        if nat is None:
            s.needs.append(f"{y}年全国网上零售额占社会零售总额比重")
            continue
        ok = share > nat
        s.points += 1 if ok else 0
        s.lines.append(f"{y}年本地占比 {_pct(share)},全国 {_pct(nat)}:{'超过,得1分' if ok else '未超过,0分'}")
    if s.needs and not s.lines:
        s.points = None
    return s


def _ratio(num: str, den: str, low: int, high: int) -> Callable[[Figures], Score]:
    """占比 low%–high% 得1分, high%以上得2分 (ranges include their bounds; high itself gets 2)."""
    def rule(f: Figures) -> Score:
        years = sorted(set(f.get(num, {})) & set(f.get(den, {})))
        if not years:
            return Score(None, needs=[f"同一年的{BY_KEY[num].label}和{BY_KEY[den].label}"])
        y = years[-1]
        if f[den][y] == 0:
            return Score(None, needs=[f"{y}年{BY_KEY[den].label}(不能为0)"])
        r = f[num][y] / f[den][y] * 100
        pts = 2 if r >= high else 1 if r >= low else 0
        return Score(Decimal(pts), [f"{y}年占比 {_pct(r)}({low}%-{high}%得1分,{high}%以上得2分):得{pts}分"])
    return rule


def _count(key: str, per: int, cap: int, note: str = "", years: int | None = None) -> Callable[[Figures], Score]:
    """Points per counted thing; ``years`` limits the count to the latest years entered (近2年)."""
    def rule(f: Figures) -> Score:
        if not f.get(key):
            return Score(None, needs=[BY_KEY[key].label])
        counted = sorted(f[key])[-years:] if years else sorted(f[key])
        total = sum((f[key][y] for y in counted), Decimal(0))
        span = f"{counted[0]}–{counted[-1]}年" if years and len(counted) > 1 else f"{counted[0]}年" if years else ""
        pts = min(int(total) * per, cap)
        return Score(Decimal(pts), [f"{span}{BY_KEY[key].label}共 {total}{BY_KEY[key].unit}{note}:得{pts}分(最高{cap}分)"])
    return rule


RULES: dict[int, Callable[[Figures], Score]] = {
    1: lambda f: _beats(f, "online_retail", "national_online_growth", "网上零售额"),
    2: _online_vs_social,
    3: _ratio("online_operators", "market_entities", 8, 15),
    4: _count("new_large_operators", 1, 2, years=2),
    5: lambda f: _beats(f, "express_volume", "national_express_growth", "快递业务量"),
    6: _share,
    7: _ratio("online_employment", "total_employment", 3, 5),
    8: _ratio("ecommerce_tax", "total_tax", 3, 5),
    9: _ratio("operators_2y", "online_operators", 30, 50),
    34: _count("standards", 1, 2),
}


def keys_for(national_no: int | None) -> list[str]:
    """The figure keys a rule reads (to list what may be entered for an indicator)."""
    return {1: ["online_retail", "national_online_growth"], 2: ["online_retail", "social_retail"],
            3: ["online_operators", "market_entities"], 4: ["new_large_operators"],
            5: ["express_volume", "national_express_growth"],
            6: ["online_retail", "social_retail", "national_online_share"],
            7: ["online_employment", "total_employment"], 8: ["ecommerce_tax", "total_tax"],
            9: ["operators_2y", "online_operators"], 34: ["standards"]}.get(national_no or 0, [])


def compute(national_no: int | None, figures: Figures, region: str = "") -> Score | None:
    """The points a rule gives for these figures, or None when the indicator is not arithmetic."""
    rule = RULES.get(national_no or 0)
    if rule is None:
        return None
    score = rule(figures)
    if national_no == 4 and region:
        score.lines.insert(0, f"{region}地区的标准:年度电子商务销售额{REGION_THRESHOLD.get(region, '')}以上"
                              "(只计达到该标准的新增经营者,近2年)")
    return score
