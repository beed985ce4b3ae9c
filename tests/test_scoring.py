"""Arithmetic rules of the 定量 indicators, and the number parser officers rely on."""

from decimal import Decimal

import pytest

from knowledge.figures import BY_KEY, FigureError, check_value, find_kind, parse_number, read_figure
from knowledge.scoring import compute

D = Decimal


@pytest.mark.parametrize("text,value,percent", [
    ("１２，５%", D("12.5"), True), ("12,5", D("12.5"), False), ("1,234.5亿元", D("1234.5"), False),
    ("３００户", D(300), False), ("-3.2%", D("-3.2"), True),
])
def test_parse_number(text, value, percent):
    assert parse_number(text) == (value, percent)


def test_bad_numbers_and_values():
    with pytest.raises(FigureError):
        parse_number("很多")
    kind = find_kind("市场主体")
    with pytest.raises(FigureError):
        check_value(kind, D("1.5"), False)
    with pytest.raises(FigureError):
        check_value(kind, D(5), True)
    assert find_kind("全国网零增速").key == "national_online_growth"
    assert find_kind("网零").key == "online_retail"


def test_growth_beats_national_two_years():
    f = {"online_retail": {2022: D(100), 2023: D(120), 2024: D(126)},
         "national_online_growth": {2023: D(11), 2024: D(7.2)}}
    s = compute(1, f)
    assert s.points == 1 and "2023年网上零售额同比增速 20.00%" in s.lines[0] and "未超过" in s.lines[1]


def test_missing_figures_are_named():
    s = compute(1, {"online_retail": {2023: D(1), 2024: D(2)}})
    assert s.points is None and any("全国网上零售额同比增速" in n for n in s.needs)


@pytest.mark.parametrize("num,den,points", [(7, 100, 0), (8, 100, 1), (15, 100, 2), (20, 100, 2)])
def test_ratio_thresholds_include_bounds(num, den, points):
    s = compute(3, {"online_operators": {2024: D(num)}, "market_entities": {2024: D(den)}})
    assert s.points == points


def test_region_threshold_and_counts():
    s = compute(4, {"new_large_operators": {2023: D(1), 2024: D(3)}}, region="中部")
    assert s.points == 2 and "1亿元" in s.lines[0]
    assert compute(10, {}) is None


@pytest.mark.parametrize("key,text,value", [
    ("online_retail", "126.5亿元", D("126.5")), ("online_retail", "126.5 万元", D("0.01265")),
    ("online_retail", "1200000万元", D(120)), ("express_volume", "35000件", D("3.5")),
    ("online_operators", "1200家", D(1200)), ("national_online_growth", "１２，５%", D("12.5")),
])
def test_figures_are_read_in_their_own_unit(key, text, value):
    assert read_figure(BY_KEY[key], text) == value


@pytest.mark.parametrize("key,text", [("online_retail", "5家"), ("online_operators", "1200万元"),
                                      ("online_retail", "1e30亿元"), ("online_retail", "NaN")])
def test_figures_in_a_foreign_unit_or_absurd_are_refused(key, text):
    with pytest.raises(FigureError):
        read_figure(BY_KEY[key], text)


def test_zero_base_year_gives_a_reason_not_a_crash():
    f = {"online_retail": {2023: D(0), 2024: D(100)}, "social_retail": {2023: D(5), 2024: D(6)},
         "national_online_growth": {2024: D("7.2")}}
    for no in (1, 2):
        s = compute(no, f)
        assert s.points is None and "为0" in s.needs[0]
    assert compute(6, {"online_retail": {2024: D(1)}, "social_retail": {2024: D(0)}}).points is None


def test_indicator_4_counts_the_latest_two_years():
    s = compute(4, {"new_large_operators": {2022: D(3), 2023: D(1), 2024: D(0)}}, "中部")
    assert s.points == 1 and "2023–2024年" in s.lines[1] and "中部" in s.lines[0]
