"""Tests for servicetui.domain.parsing: dates and money typed by officers."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicetui.domain.parsing import (
    MAX_WAN,
    ParseError,
    format_date_echo,
    format_money,
    money_unit_label,
    parse_date,
    parse_money,
    parse_money_wan_int,
)

D = dt.date
TODAY = D(2022, 10, 5)  # a Wednesday


# ------------------------------------------------------------------ ParseError


def test_parse_error_is_bilingual_value_error():
    e = ParseError("中文", "English")
    assert isinstance(e, ValueError)
    assert str(e) == e.zh == "中文"
    assert e.en == "English"
    assert e.message("en") == "English" and e.message("zh") == "中文"
    again = pickle.loads(pickle.dumps(e))
    assert (again.zh, again.en) == ("中文", "English")


def test_module_is_pure():
    import servicetui.domain.parsing  # noqa: F401

    # The module itself must not pull in UI or storage libraries.
    src = open(servicetui.domain.parsing.__file__, encoding="utf-8").read()
    for name in ("textual", "sqlmodel", "sqlalchemy"):
        assert f"import {name}" not in src and f"from {name}" not in src
    assert "float(" not in src


# ----------------------------------------------------------------- parse_date

ACCEPTED = [
    # ISO-like
    ("2022-10-14", D(2022, 10, 14)),
    ("2022/10/14", D(2022, 10, 14)),
    ("2022.10.14", D(2022, 10, 14)),
    ("20221014", D(2022, 10, 14)),
    ("2022-1-4", D(2022, 1, 4)),
    # month-day in today's year
    ("10-14", D(2022, 10, 14)),
    ("10/14", D(2022, 10, 14)),
    ("10.14", D(2022, 10, 14)),
    ("1-3", D(2022, 1, 3)),
    # Chinese
    ("2022年10月14日", D(2022, 10, 14)),
    ("2022年10月14号", D(2022, 10, 14)),
    ("10月14日", D(2022, 10, 14)),
    ("10月14号", D(2022, 10, 14)),
    ("10月14", D(2022, 10, 14)),
    ("2023年1月2日", D(2023, 1, 2)),
    # keywords
    ("今天", TODAY),
    ("今日", TODAY),
    ("明天", D(2022, 10, 6)),
    ("明日", D(2022, 10, 6)),
    ("后天", D(2022, 10, 7)),
    ("昨天", D(2022, 10, 4)),
    ("昨日", D(2022, 10, 4)),
    ("前天", D(2022, 10, 3)),
    ("today", TODAY),
    ("Tomorrow", D(2022, 10, 6)),
    ("yesterday", D(2022, 10, 4)),
    # weekdays: bare = coming on/after today
    ("周五", D(2022, 10, 7)),
    ("星期五", D(2022, 10, 7)),
    ("礼拜五", D(2022, 10, 7)),
    ("周三", TODAY),
    ("周一", D(2022, 10, 10)),
    ("周日", D(2022, 10, 9)),
    ("星期天", D(2022, 10, 9)),
    ("礼拜天", D(2022, 10, 9)),
    ("friday", D(2022, 10, 7)),
    ("Fri", D(2022, 10, 7)),
    ("monday", D(2022, 10, 10)),
    # weekdays: this week (Mon-anchored, may be past)
    ("本周五", D(2022, 10, 7)),
    ("这周五", D(2022, 10, 7)),
    ("本周一", D(2022, 10, 3)),
    ("this friday", D(2022, 10, 7)),
    # next / after next / last week
    ("下周五", D(2022, 10, 14)),
    ("下星期五", D(2022, 10, 14)),
    ("下个礼拜五", D(2022, 10, 14)),
    ("下周日", D(2022, 10, 16)),
    ("next friday", D(2022, 10, 14)),
    ("Next Monday", D(2022, 10, 10)),
    ("下下周一", D(2022, 10, 17)),
    ("上周五", D(2022, 9, 30)),
    ("last friday", D(2022, 9, 30)),
    # month / year edges
    ("月底", D(2022, 10, 31)),
    ("本月底", D(2022, 10, 31)),
    ("月末", D(2022, 10, 31)),
    ("下月底", D(2022, 11, 30)),
    ("下个月底", D(2022, 11, 30)),
    ("上月底", D(2022, 9, 30)),
    ("9月底", D(2022, 9, 30)),
    ("9月末", D(2022, 9, 30)),
    ("2月底", D(2022, 2, 28)),
    ("2024年2月底", D(2024, 2, 29)),
    ("月初", D(2022, 10, 1)),
    ("下月初", D(2022, 11, 1)),
    ("年底", D(2022, 12, 31)),
    ("年末", D(2022, 12, 31)),
    ("今年年底", D(2022, 12, 31)),
    ("明年底", D(2023, 12, 31)),
    ("2025年底", D(2025, 12, 31)),
    ("年初", D(2022, 1, 1)),
    # relative offsets
    ("+7d", D(2022, 10, 12)),
    ("+7", D(2022, 10, 12)),
    ("+7D", D(2022, 10, 12)),
    ("7天后", D(2022, 10, 12)),
    ("7日后", D(2022, 10, 12)),
    ("+2w", D(2022, 10, 19)),
    ("2周后", D(2022, 10, 19)),
    ("2个星期后", D(2022, 10, 19)),
    ("+1m", D(2022, 11, 5)),
    ("1个月后", D(2022, 11, 5)),
    ("3个月后", D(2023, 1, 5)),
    ("+1y", D(2023, 10, 5)),
    ("1年后", D(2023, 10, 5)),
    ("-3d", D(2022, 10, 2)),
    ("3天前", D(2022, 10, 2)),
    ("+0", TODAY),
    ("in 3 days", D(2022, 10, 8)),
    ("in 1 day", D(2022, 10, 6)),
    ("in 2 weeks", D(2022, 10, 19)),
    ("in 1 month", D(2022, 11, 5)),
    ("2 days ago", D(2022, 10, 3)),
    # English month names via dateutil
    ("Oct 14 2022", D(2022, 10, 14)),
    ("14 October 2022", D(2022, 10, 14)),
    ("October 14, 2022", D(2022, 10, 14)),
    ("14-Oct-2022", D(2022, 10, 14)),
    ("Oct 14th, 2022", D(2022, 10, 14)),
    ("Fri, Oct 14 2022", D(2022, 10, 14)),
    ("oct 14", D(2022, 10, 14)),
    ("Sept 3 2023", D(2023, 9, 3)),
    ("14th of October 2022", D(2022, 10, 14)),
    ("Sun Oct 9", D(2022, 10, 9)),
    # D/M/Y vs M/D/Y only when unambiguous
    ("10/14/2022", D(2022, 10, 14)),
    ("14/10/2022", D(2022, 10, 14)),
    ("14.10.2022", D(2022, 10, 14)),
    ("05/05/2022", D(2022, 5, 5)),
    # full-width and whitespace
    ("２０２２－１０－１４", D(2022, 10, 14)),
    ("２０２２年１０月１４日", D(2022, 10, 14)),
    ("１０／１４", D(2022, 10, 14)),
    ("２０２２．１０．１４", D(2022, 10, 14)),
    ("＋７ｄ", D(2022, 10, 12)),
    ("  2022-10-14\t", D(2022, 10, 14)),
    ("2022 年 10 月 14 日", D(2022, 10, 14)),
    ("\u3000下周五\u3000", D(2022, 10, 14)),
    ("2022\u221210\u221214", D(2022, 10, 14)),  # minus sign
    # range limits
    ("1990-01-01", D(1990, 1, 1)),
    ("2100-12-31", D(2100, 12, 31)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_parse_date_accepts(text, expected):
    assert parse_date(text, TODAY) == expected


EDGES = [
    # leap-year February month end
    ("月底", D(2024, 2, 10), D(2024, 2, 29)),
    ("月底", D(2023, 2, 10), D(2023, 2, 28)),
    ("下月底", D(2024, 1, 15), D(2024, 2, 29)),
    ("下月底", D(2022, 12, 15), D(2023, 1, 31)),
    ("下月初", D(2022, 12, 15), D(2023, 1, 1)),
    ("上月底", D(2023, 1, 15), D(2022, 12, 31)),
    # 下周五 when today is Sunday (weeks start Monday)
    ("下周五", D(2022, 10, 9), D(2022, 10, 14)),
    ("周五", D(2022, 10, 9), D(2022, 10, 14)),
    ("本周五", D(2022, 10, 9), D(2022, 10, 7)),
    ("下周一", D(2022, 10, 9), D(2022, 10, 10)),
    # 下周五 / 周五 when today is Friday or Saturday
    ("下周五", D(2022, 10, 7), D(2022, 10, 14)),
    ("周五", D(2022, 10, 7), D(2022, 10, 7)),
    ("周五", D(2022, 10, 8), D(2022, 10, 14)),
    ("下周五", D(2022, 10, 8), D(2022, 10, 14)),
    # month arithmetic from Jan 31 clamps
    ("+1m", D(2022, 1, 31), D(2022, 2, 28)),
    ("+1m", D(2024, 1, 31), D(2024, 2, 29)),
    ("1个月后", D(2022, 3, 31), D(2022, 4, 30)),
    ("+1y", D(2024, 2, 29), D(2025, 2, 28)),
    # across the year boundary
    ("明天", D(2022, 12, 31), D(2023, 1, 1)),
    ("下周五", D(2022, 12, 28), D(2023, 1, 6)),
    ("+7d", D(2022, 12, 28), D(2023, 1, 4)),
    ("10-14", D(2023, 3, 1), D(2023, 10, 14)),
    ("2-29", D(2024, 3, 1), D(2024, 2, 29)),
]


@pytest.mark.parametrize(("text", "today", "expected"), EDGES)
def test_parse_date_edges(text, today, expected):
    assert parse_date(text, today) == expected


def test_product_doc_example():
    """The example in the product doc: Wednesday 2022-10-05, 下周五 → 2022-10-14."""
    assert TODAY.weekday() == 2
    assert parse_date("下周五", TODAY) == D(2022, 10, 14)


REJECTED = [
    # (input, zh fragment, en fragment)
    ("", "无法识别的日期：（空）", "Unrecognised date: (empty)"),
    ("   ", "无法识别的日期", "Unrecognised date"),
    (None, "无法识别的日期", "Unrecognised date"),
    ("abc", "无法识别的日期：abc", "Unrecognised date: abc"),
    ("明后天", "无法识别的日期", "Unrecognised date"),
    ("下周", "无法识别的日期", "Unrecognised date"),
    ("周八", "无法识别的日期", "Unrecognised date"),
    ("22-10-14", "无法识别的日期", "Unrecognised date"),
    ("2022-10", "无法识别的日期", "Unrecognised date"),
    ("2022-10/14", "无法识别的日期", "Unrecognised date"),
    ("3月后", "无法识别的日期", "Unrecognised date"),
    ("10:30", "无法识别的日期", "Unrecognised date"),
    ("Oct 14 2022 10am", "无法识别的日期", "Unrecognised date"),
    ("Oct 14 22", "无法识别的日期", "Unrecognised date"),
    ("Oct Nov 14", "无法识别的日期", "Unrecognised date"),
    ("the 14th of October", "无法识别的日期", "Unrecognised date"),
    ("Oct 14 at noon", "无法识别的日期", "Unrecognised date"),
    ("2022-02-30", "日期不存在：2022-02-30", "No such date: 2022-02-30"),
    ("2023-02-29", "日期不存在：2023-02-29", "No such date: 2023-02-29"),
    ("20221301", "日期不存在：20221301", "No such date: 20221301"),
    ("13月1日", "日期不存在：13月1日", "No such date: 13月1日"),
    ("2月30号", "日期不存在：2月30号", "No such date: 2月30号"),
    ("13月底", "日期不存在：13月底", "No such date: 13月底"),
    ("14/14", "日期不存在", "No such date"),
    ("13/13/2022", "日期不存在", "No such date"),
    ("Feb 30 2022", "日期不存在", "No such date"),
    ("2022年10月", "缺少日：2022年10月", "Day missing: 2022年10月"),
    ("10月", "缺少日", "Day missing"),
    ("October 2022", "缺少日", "Day missing"),
    ("03/04/2022", "日期有歧义：03/04/2022", "Ambiguous date: 03/04/2022"),
    ("1/2/2023", "日期有歧义", "Ambiguous date"),
    ("1989-12-31", "年份须在 1990–2100 之间：1989-12-31", "Year must be between 1990 and 2100"),
    ("2101-01-01", "年份须在", "Year must be between"),
    ("2101年1月1日", "年份须在", "Year must be between"),
    ("Oct 14 1900", "年份须在", "Year must be between"),
    ("+100y", "年份须在", "Year must be between"),
    ("+999999w", "年份须在", "Year must be between"),
    ("999999个月后", "年份须在", "Year must be between"),
    ("Thu, Oct 14 2022", "星期与日期不符", "Weekday does not match"),
]


@pytest.mark.parametrize(("text", "zh", "en"), REJECTED)
def test_parse_date_rejects(text, zh, en):
    with pytest.raises(ParseError) as info:
        parse_date(text, TODAY)
    assert zh in str(info.value)
    assert en in info.value.en


def test_full_width_errors_quote_normalised_text():
    with pytest.raises(ParseError) as info:
        parse_date("２０２２－０２－３０", TODAY)
    assert info.value.zh == "日期不存在：2022-02-30"
    assert info.value.en == "No such date: 2022-02-30"


def test_huge_garbage_is_quoted_shortened():
    with pytest.raises(ParseError) as info:
        parse_date("x" * 1000, TODAY)
    assert len(str(info.value)) < 60


# ----------------------------------------------------------- format_date_echo


@pytest.mark.parametrize(
    ("d", "lang", "expected"),
    [
        (D(2022, 10, 14), "zh", "2022-10-14 周五"),
        (D(2022, 10, 14), "en", "2022-10-14 Fri"),
        (D(2022, 10, 9), "zh", "2022-10-09 周日"),
        (D(2022, 10, 10), "en", "2022-10-10 Mon"),
        (D(2022, 10, 10), "en_US", "2022-10-10 Mon"),
    ],
)
def test_format_date_echo(d, lang, expected):
    assert format_date_echo(d, lang) == expected


def test_format_date_echo_defaults_to_zh():
    assert format_date_echo(D(2022, 10, 5)) == "2022-10-05 周三"


# ---------------------------------------------------------------- parse_money

MONEY_OK = [
    ("1.2亿", Decimal(12000)),
    ("1.2 亿", Decimal(12000)),
    ("1.2亿元", Decimal(12000)),
    ("3500万", Decimal(3500)),
    ("3500万元", Decimal(3500)),
    ("3500", Decimal(3500)),
    ("1,200.5万", Decimal("1200.5")),
    ("1，200.5万", Decimal("1200.5")),
    ("3，500万", Decimal(3500)),
    ("1,234,567", Decimal(1234567)),
    ("5000000元", Decimal(500)),
    ("12345元", Decimal("1.2345")),
    ("¥3500万", Decimal(3500)),
    ("￥3500万", Decimal(3500)),
    ("人民币3500万元", Decimal(3500)),
    ("３５００万", Decimal(3500)),
    ("１．２亿", Decimal(12000)),
    ("  3500 万元 ", Decimal(3500)),
    ("+3500", Decimal(3500)),
    ("0", Decimal(0)),
    ("-0", Decimal(0)),
    ("0.0001万", Decimal("0.0001")),
    ("3500.0000万", Decimal(3500)),
    ("1.20000000000亿", Decimal(12000)),
    ("1.23456789亿", Decimal("12345.6789")),
    ("007万", Decimal(7)),
    ("10000000万", MAX_WAN),
    ("1000亿", MAX_WAN),
    ("100000000000元", MAX_WAN),
]


@pytest.mark.parametrize(("text", "expected"), MONEY_OK)
def test_parse_money_accepts(text, expected):
    result = parse_money(text)
    assert isinstance(result, Decimal)
    assert result == expected
    assert "E" not in str(result)  # never exponent form


def test_parse_money_whole_values_have_no_trailing_decimals():
    assert str(parse_money("1.2亿")) == "12000"
    assert str(parse_money("3500.50万")) == "3500.5"


MONEY_BAD = [
    ("", "无法识别的金额：（空）", "Unrecognised amount: (empty)"),
    (None, "无法识别的金额", "Unrecognised amount"),
    ("万", "无法识别的金额", "Unrecognised amount"),
    ("abc", "无法识别的金额：abc", "Unrecognised amount: abc"),
    ("NaN", "无法识别的金额", "Unrecognised amount"),
    ("nan万", "无法识别的金额", "Unrecognised amount"),
    ("inf", "无法识别的金额", "Unrecognised amount"),
    ("Infinity亿", "无法识别的金额", "Unrecognised amount"),
    ("1e20亿", "无法识别的金额", "Unrecognised amount"),
    ("1E3", "无法识别的金额", "Unrecognised amount"),
    ("1.2.3万", "无法识别的金额", "Unrecognised amount"),
    ("3500.", "无法识别的金额", "Unrecognised amount"),
    (".5万", "无法识别的金额", "Unrecognised amount"),
    ("3500美元", "无法识别的金额", "Unrecognised amount"),
    ("3500万亿", "无法识别的金额", "Unrecognised amount"),
    ("--5", "无法识别的金额", "Unrecognised amount"),
    ("-5万", "金额不能为负：-5万", "Amount cannot be negative: -5万"),
    ("－5万", "金额不能为负", "Amount cannot be negative"),
    ("\u22125万", "金额不能为负", "Amount cannot be negative"),
    ("-0.0001亿", "金额不能为负", "Amount cannot be negative"),
    ("10000001万", "金额过大", "Amount too large"),
    ("10000000.0001万", "金额过大", "Amount too large"),
    ("1000.0001亿", "金额过大", "Amount too large"),
    ("100000000001元", "金额过大", "Amount too large"),
    ("9" * 500, "金额过大", "Amount too large"),
    ("1.00001万", "金额最多精确到元", "precise to one yuan"),
    ("1.000000001亿", "金额最多精确到元", "precise to one yuan"),
    ("0.5元", "金额最多精确到元", "precise to one yuan"),
    ("1,20万", "千分位逗号位置有误", "Misplaced thousands separator"),
    ("1,2,3", "千分位逗号位置有误", "Misplaced thousands separator"),
    ("3500,", "千分位逗号位置有误", "Misplaced thousands separator"),
    ("1234,567", "千分位逗号位置有误", "Misplaced thousands separator"),
]


@pytest.mark.parametrize(("text", "zh", "en"), MONEY_BAD)
def test_parse_money_rejects(text, zh, en):
    with pytest.raises(ParseError) as info:
        parse_money(text)
    assert zh in str(info.value)
    assert en in info.value.en


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3500万", 3500), ("1.2亿", 12000), ("5000000元", 500), ("1,200.0万", 1200), ("0", 0)],
)
def test_parse_money_wan_int(text, expected):
    result = parse_money_wan_int(text)
    assert type(result) is int and result == expected


@pytest.mark.parametrize("text", ["1,200.5万", "12345元", "1.23456亿"])
def test_parse_money_wan_int_rejects_fractions(text):
    with pytest.raises(ParseError) as info:
        parse_money_wan_int(text)
    assert "金额须为整数万元" in str(info.value)
    assert "whole number of 10k CNY" in info.value.en


def test_parse_money_wan_int_passes_through_parse_errors():
    with pytest.raises(ParseError, match="金额不能为负"):
        parse_money_wan_int("-5万")


# --------------------------------------------------------------- format_money

FORMAT_CASES = [
    (3500, "万", "3,500"),
    (0, "万", "0"),
    (12, "万", "12"),
    (1234567, "万", "1,234,567"),
    (Decimal("3500"), "万", "3,500"),
    (Decimal("3500.0000"), "万", "3,500"),
    (Decimal("1200.5"), "万", "1,200.5"),
    (Decimal("1200.125"), "万", "1,200.13"),
    (Decimal("1200.1234"), "万", "1,200.12"),
    (Decimal("1200.999"), "万", "1,201"),
    (Decimal("0.001"), "万", "0"),
    (-3500, "万", "-3,500"),
    (Decimal("-0.001"), "万", "0"),
    (12000, "亿", "1.20"),
    (12345, "亿", "1.23"),
    (12350, "亿", "1.24"),  # half-up, not banker's
    (12250, "亿", "1.23"),
    (Decimal("12349.9999"), "亿", "1.23"),
    (10000000, "亿", "1,000.00"),
    (0, "亿", "0.00"),
    (49, "亿", "0.00"),
    (50, "亿", "0.01"),
    (-12000, "亿", "-1.20"),
]


@pytest.mark.parametrize(("wan", "unit", "expected"), FORMAT_CASES)
def test_format_money(wan, unit, expected):
    assert format_money(wan, unit) == expected
    assert format_money(wan, unit, lang="en") == expected  # header carries the unit


def test_format_money_defaults_to_wan():
    assert format_money(3500) == "3,500"


def test_format_money_unknown_unit():
    with pytest.raises(ValueError):
        format_money(1, "元")


@pytest.mark.parametrize(
    ("unit", "lang", "expected"),
    [("万", "zh", "万元"), ("亿", "zh", "亿元"), ("万", "en", "10k CNY"), ("亿", "en", "100M CNY")],
)
def test_money_unit_label(unit, lang, expected):
    assert money_unit_label(unit, lang) == expected


def test_money_unit_label_unknown_unit():
    with pytest.raises(ValueError):
        money_unit_label("元", "zh")


# ------------------------------------------------------------------ properties

in_range_dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))
todays = st.dates(min_value=D(1991, 1, 1), max_value=D(2099, 12, 31))


@given(in_range_dates, todays)
def test_prop_iso_round_trip(d, today):
    assert parse_date(d.isoformat(), today) == d
    assert parse_date(d.strftime("%Y%m%d"), today) == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日", today) == d


@given(todays)
def test_prop_weekday_anchors(today):
    monday = today - dt.timedelta(days=today.weekday())
    nxt = parse_date("下周五", today)
    assert nxt.weekday() == 4 and nxt == monday + dt.timedelta(days=11)
    coming = parse_date("周五", today)
    assert coming.weekday() == 4 and 0 <= (coming - today).days < 7


@given(st.integers(min_value=0, max_value=10_000_000))
def test_prop_money_int_round_trip(n):
    assert parse_money(f"{n}万") == n
    assert parse_money_wan_int(f"{n}万") == n
    assert parse_money(format_money(n)) == n


@given(st.decimals(min_value=0, max_value=MAX_WAN, places=4, allow_nan=False, allow_infinity=False))
def test_prop_money_decimal_round_trip(d):
    assert parse_money(f"{d:f}万") == d


@given(st.text())
def test_prop_parse_date_only_raises_parse_error(text):
    try:
        result = parse_date(text, TODAY)
    except ParseError:
        return
    assert 1990 <= result.year <= 2100


@given(st.text())
def test_prop_parse_money_only_raises_parse_error(text):
    try:
        result = parse_money(text)
    except ParseError:
        return
    assert 0 <= result <= MAX_WAN


DATEISH = "0123456789-/.+ 年月日号周后前个天底初末下本上今明去星期礼拜一二三五七dwmy"
MONEYISH = "0123456789,.，+-¥￥ 亿万元e"


@given(st.text(alphabet=DATEISH, max_size=14))
def test_prop_parse_date_dateish_text(text):
    try:
        result = parse_date(text, TODAY)
    except ParseError:
        return
    assert 1990 <= result.year <= 2100


@given(st.text(alphabet=MONEYISH, max_size=16))
def test_prop_parse_money_moneyish_text(text):
    try:
        result = parse_money(text)
    except ParseError:
        return
    assert 0 <= result <= MAX_WAN
    assert result == result.quantize(Decimal("0.0001"))


@given(st.text(alphabet="abcdefjmnoprstuvy0123456789 ,./-", max_size=20))
def test_prop_parse_date_englishish_text(text):
    try:
        parse_date(text, TODAY)
    except ParseError:
        pass


def test_import_does_not_load_ui_or_storage():
    code = (
        "import sys, servicetui.domain.parsing; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlmodel', 'sqlalchemy')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
