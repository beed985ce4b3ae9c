"""Figures for the 定量 indicators: what can be entered, how numbers are read, and storing them.

Officers type numbers the way they write them — full-width digits, decimal commas, units and
percent signs — so parsing is forgiving but strict about meaning: a value that cannot be a
figure of that kind is refused with a reason, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from knowledge.audit import record
from knowledge.models import Figure, Indicator


class FigureError(ValueError):
    """A figure that cannot be recorded; the message is for the officer."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    unit: str
    kind: str  # amount | count | percent
    aliases: tuple[str, ...]


KINDS = [
    Kind("online_retail", "网上零售额", "亿元", "amount", ("网上零售额", "网零", "网络零售额")),
    Kind("social_retail", "社会消费品零售总额", "亿元", "amount", ("社会消费品零售总额", "社会零售总额", "社零")),
    Kind("national_online_growth", "全国网上零售额同比增速", "%", "percent", ("全国网上零售额同比增速", "全国网上零售额增速", "全国网零增速")),
    Kind("national_online_share", "全国网上零售额占社会零售总额比重", "%", "percent", ("全国网上零售额占比", "全国网零占比")),
    Kind("express_volume", "快递业务量", "万件", "amount", ("快递业务量", "快递量")),
    Kind("national_express_growth", "全国快递业务量同比增速", "%", "percent", ("全国快递业务量增速", "全国快递增速", "全国快递业务同比增速")),
    Kind("online_operators", "网络交易经营者数量", "户", "count", ("网络交易经营者数量", "网络交易经营者", "网店数量")),
    Kind("market_entities", "市场主体数量", "户", "count", ("市场主体数量", "市场主体")),
    Kind("new_large_operators", "新增规模以上网络交易经营者数量", "家", "count", ("新增规模以上网络交易经营者", "新增规上网络交易经营者", "规上网络交易经营者")),
    Kind("online_employment", "网络市场就业人员数量", "人", "count", ("网络市场就业人员", "网络就业人员")),
    Kind("total_employment", "地方就业人员总数量", "人", "count", ("地方就业人员", "就业人员总数", "就业总人数")),
    Kind("ecommerce_tax", "电子商务纳税额", "万元", "amount", ("电子商务纳税额", "电商纳税额", "电商税收")),
    Kind("total_tax", "地区总税收额", "万元", "amount", ("地区总税收额", "总税收", "税收总额")),
    Kind("operators_2y", "存续时间2年以上的网络交易经营者数量", "户", "count", ("存续2年以上经营者", "存续时间2年以上", "存续两年以上")),
    Kind("standards", "形成的法规、规章、规范性文件或标准", "项", "count", ("制度化成果", "标准化成果", "规范性文件")),
]
BY_KEY = {k.key: k for k in KINDS}


def find_kind(label: str) -> Kind | None:
    """The figure kind a label names (longest alias first, so 全国网零增速 beats 网零)."""
    text = unicodedata.normalize("NFKC", label).replace(" ", "")
    pairs = sorted(((a, k) for k in KINDS for a in (k.label, *k.aliases)), key=lambda p: -len(p[0]))
    return next((k for a, k in pairs if a in text), None)


_UNIT = re.compile(r"(亿元|万元|元|亿件|万件|件|亿|万|户|家|人|项|个|%)$")
# How many of the kind's own unit one written unit is ("126.5万元" for an amount in 亿元).
_SCALE: dict[str, dict[str, Decimal]] = {
    "亿元": {"亿元": Decimal(1), "亿": Decimal(1), "万元": Decimal("0.0001"), "万": Decimal("0.0001"),
           "元": Decimal("0.00000001")},
    "万元": {"亿元": Decimal(10000), "亿": Decimal(10000), "万元": Decimal(1), "万": Decimal(1),
           "元": Decimal("0.0001")},
    "万件": {"亿件": Decimal(10000), "亿": Decimal(10000), "万件": Decimal(1), "万": Decimal(1),
           "件": Decimal("0.0001")},
}
_COUNT_UNITS = {"户", "家", "人", "项", "个"}


def split_unit(text: str) -> tuple[str, str]:
    """'126.5 万元' → ('126.5', '万元'); the unit is '' when none is written."""
    raw = unicodedata.normalize("NFKC", text).strip()
    m = _UNIT.search(raw)
    return (raw[: m.start()].strip(), m.group(1)) if m else (raw, "")


def parse_number(text: str) -> tuple[Decimal, bool]:
    """'１２，５%' → (12.5, True); '1,234.5亿元' → (1234.5, False). Raises FigureError."""
    raw = unicodedata.normalize("NFKC", text).strip()
    percent = raw.endswith("%")
    body = split_unit(raw)[0]
    if re.fullmatch(r"-?\d+,\d{1,2}", body):  # a decimal comma: 12,5
        body = body.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", body):  # thousands separators
        body = body.replace(",", "")
    try:
        value = Decimal(body)
    except InvalidOperation:
        raise FigureError(f"“{text}”不是一个数字。") from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise FigureError(f"“{text}”不是一个合理的数字。")
    return value, percent


def read_figure(kind: Kind, text: str) -> Decimal:
    """The value of ``text`` in the kind's own unit: "126.5万元" is 0.01265 亿元, never 126.5 亿元.

    A unit that cannot belong to the kind (家 for an amount, 万元 for a count) is refused.
    """
    value, percent = parse_number(text)
    unit = split_unit(text)[1]
    if unit and unit != "%" and unit != kind.unit:
        scale = _SCALE.get(kind.unit, {}).get(unit)
        if scale is None and not (kind.kind == "count" and unit in _COUNT_UNITS):
            raise FigureError(f"{kind.label}的单位是“{kind.unit}”,不能写“{unit}”。")
        if scale is not None:
            value = (value * scale).normalize()
            value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value
    return check_value(kind, value, percent)


def check_value(kind: Kind, value: Decimal, percent: bool) -> Decimal:
    """Refuse values that cannot be a figure of this kind."""
    if kind.kind == "percent":
        if not -100 <= value <= 1000:
            raise FigureError(f"{kind.label}应在 -100% 到 1000% 之间。")
        return value
    if percent:
        raise FigureError(f"{kind.label}是{kind.unit}数,不是百分比。")
    if value < 0:
        raise FigureError(f"{kind.label}不能是负数。")
    if kind.kind == "count" and value != value.to_integral_value():
        raise FigureError(f"{kind.label}应是整数。")
    return value


def record_figure(session: Session, *, campaign_id: int, indicator_id: int, unit_id: int | None, kind: Kind,
                  year: int, value: Decimal, source: str, user_id: int | str | None, now: datetime) -> Figure:
    """Store (or replace) one figure of one year; the previous value stays in the audit log."""
    if not 2000 <= year <= 2100:
        raise FigureError(f"年份 {year} 不对。")
    row = session.exec(select(Figure).where(Figure.campaign_id == campaign_id, Figure.indicator_id == indicator_id,
                                            Figure.key == kind.key, Figure.year == year)).first()
    before = {"value": row.value, "source": row.source} if row else None
    row = row or Figure(campaign_id=campaign_id, indicator_id=indicator_id, key=kind.key, year=year, value="", at=now)
    row.value, row.source, row.unit_id, row.entered_by, row.at = str(value), source[:200], unit_id, user_id, now
    session.add(row)
    record(session, action="figure.set", at=now, campaign_id=campaign_id, actor=user_id,
           subject=f"figure:{kind.key}:{year}", before=before, after={"value": str(value), "source": row.source})
    return row


def figures_of(session: Session, indicator: Indicator) -> dict[str, dict[int, Decimal]]:
    """key → {year: value} for the figures an indicator's rule reads.

    A figure is a fact about the city, not about one indicator: 网上零售额 entered under
    indicator 1 also serves indicators 2 and 6. Where the same figure was entered twice, the
    latest entry wins.
    """
    out: dict[str, dict[int, Decimal]] = {}
    rows = session.exec(select(Figure).where(Figure.campaign_id == indicator.campaign_id)
                        .order_by(Figure.at, Figure.id))  # type: ignore[arg-type]
    for f in rows:
        out.setdefault(f.key, {})[f.year] = Decimal(f.value)
    return out
