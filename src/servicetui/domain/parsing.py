"""Parsing and formatting of the dates and money amounts officers type.

Pure Python (stdlib + python-dateutil); no UI or storage imports.

Dates
    :func:`parse_date` turns what an officer types ("下周五", "月底", "+7d",
    "2022年10月14日", "Oct 14 2022", ...) into a :class:`datetime.date`,
    always relative to an explicit ``today`` and never guessing: anything
    ambiguous or impossible raises :class:`ParseError` with a bilingual message.
    :func:`format_date_echo` renders the result back ("2022-10-14 周五") so
    the form can show the officer what was understood.

Money
    Amounts are kept in 万元 (10k CNY) as exact :class:`decimal.Decimal`
    values, at most to the yuan (4 decimal places of 万).  Floats are never
    used.  :func:`parse_money` accepts "1.2亿", "3500万", "3500" (万 by
    default), "5000000元", "¥3,500万" ...; :func:`parse_money_wan_int` additionally
    requires a whole number of 万元.  :func:`format_money` renders 万 or 亿
    columns without a unit suffix; :func:`money_unit_label` gives the header.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from dateutil import parser as _du_parser
from dateutil.relativedelta import relativedelta

__all__ = [
    "ParseError", "parse_date", "parse_money", "parse_money_wan_int", "format_date_echo",
    "format_money", "money_unit_label", "MIN_YEAR", "MAX_YEAR", "MAX_WAN",
]  # fmt: skip

MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_WAN = Decimal(10_000_000)  # 1000亿元
_WAN_PLACES = 4  # 1 元 = 0.0001 万元


class ParseError(ValueError):
    """Input could not be understood.  Carries a bilingual message.

    ``str(e)`` is the Chinese text; ``e.en`` is the English one and
    ``e.message(lang)`` picks by interface language.
    """

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en)  # both in args, so the error pickles
        self.zh = zh
        self.en = en

    def __str__(self) -> str:
        return self.zh

    def message(self, lang: str = "zh") -> str:
        return self.en if _is_en(lang) else self.zh


def _is_en(lang: str) -> bool:
    return str(lang).lower().startswith("en")


# NFKC folds full-width digits/letters/punctuation; these dashes survive it.
_EXTRA_FOLD = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u3002": "."})


def _normalize(text: str | None) -> str:
    """NFKC-fold, map stray dashes, collapse whitespace and trim."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"\s+", " ", s.translate(_EXTRA_FOLD)).strip()


def _show(s: str) -> str:
    """The input as quoted back in messages (shortened if huge)."""
    return s if len(s) <= 40 else s[:40] + "…"


# --------------------------------------------------------------------- dates

_ZH_WEEKDAYS = "一二三四五六日"
_EN_WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_ZH_WD = {c: i for i, c in enumerate(_ZH_WEEKDAYS)} | {"天": 6}
_ZH_WD |= {str(i + 1): i for i in range(7)}
_EN_WD = {
    name: i
    for i, names in enumerate(
        ["monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thur thurs",
         "friday fri", "saturday sat", "sunday sun"]
    )
    for name in names.split()
}  # fmt: skip
_EN_MONTHS = {
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may",
    "jun", "june", "jul", "july", "aug", "august", "sep", "sept", "september",
    "oct", "october", "nov", "november", "dec", "december",
}  # fmt: skip
_EN_FILLER = {"st", "nd", "rd", "th", "of"}

_ZH_KEYWORDS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "昨天": -1, "昨日": -1, "前天": -2}
_EN_KEYWORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_WEEK_PREFIX = {"": None, "本": 0, "这": 0, "下": 1, "下下": 2, "上": -1,
                "this": 0, "next": 1, "last": -1}  # fmt: skip
_UNIT_ZH = {"天": "d", "日": "d", "周": "w", "星期": "w", "个星期": "w", "礼拜": "w", "个礼拜": "w",
            "个月": "m", "年": "y"}  # fmt: skip

_RE_ZH_WEEKDAY = re.compile(r"(下下|下|上|本|这)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_RE_EN_WEEKDAY = re.compile(r"(?:(this|next|last) )?([a-z]+)")
_RE_REL_SIGN = re.compile(r"([+-])([0-9]{1,6})([dwmy])?")
_RE_REL_ZH = re.compile(r"([0-9]{1,6})(天|日|周|个?星期|个?礼拜|个月|年)(以?后|之后|以?前|之前)")
_RE_REL_EN = re.compile(r"(?:in ([0-9]{1,6}) (day|week|month|year)s?|([0-9]{1,6}) (day|week|month|year)s? ago)")
_RE_REL_MONTH_EDGE = re.compile(r"(本|这个?|下个?|上个?)?月(底|末|初)")
_RE_ABS_MONTH_EDGE = re.compile(r"(?:([0-9]{4})年)?([0-9]{1,2})月份?(底|末|初)")
_RE_YEAR_EDGE = re.compile(r"(今|本|明|去|[0-9]{4})?年年?(底|末|初)")
_RE_ZH_DATE = re.compile(r"(?:([0-9]{4})年)?([0-9]{1,2})月([0-9]{1,2})[日号]?")
_RE_ZH_NO_DAY = re.compile(r"(?:[0-9]{4}年)?[0-9]{1,2}月份?")
_RE_YMD = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_RE_YMD8 = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_RE_MD = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})")
_RE_XXY = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4})")


def _err_unrecognised(shown: str) -> ParseError:
    return ParseError(f"无法识别的日期：{shown}", f"Unrecognised date: {shown}")


def _err_no_such(shown: str) -> ParseError:
    return ParseError(f"日期不存在：{shown}", f"No such date: {shown}")


def _err_year(shown: str) -> ParseError:
    return ParseError(
        f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间：{shown}",
        f"Year must be between {MIN_YEAR} and {MAX_YEAR}: {shown}",
    )


def _ymd(y: int, m: int, d: int, shown: str) -> _dt.date:
    """Build a date from parts, with range and existence checks."""
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise _err_year(shown)
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise _err_no_such(shown) from None


def _in_range(d: _dt.date, shown: str) -> _dt.date:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise _err_year(shown)
    return d


def _shift(today: _dt.date, n: int, unit: str, shown: str) -> _dt.date:
    """today + n units (d/w/m/y); months and years via relativedelta (Jan 31 +1m = Feb 28/29)."""
    try:
        if unit == "d":
            return _in_range(today + _dt.timedelta(days=n), shown)
        if unit == "w":
            return _in_range(today + _dt.timedelta(weeks=n), shown)
        delta = relativedelta(months=n) if unit == "m" else relativedelta(years=n)
        return _in_range(today + delta, shown)
    except (OverflowError, ValueError):
        raise _err_year(shown) from None


def _weekday(today: _dt.date, wd: int, week: int | None) -> _dt.date:
    """Resolve a weekday (0 = Monday) against today.

    Weeks start on Monday.  ``week is None`` (bare 周五 / "friday") means the
    coming such day on or after today.  Otherwise it is that day of the week
    ``week`` weeks from the current one: 0 = this week (本周五, may be in the
    past), 1 = next week (下周五), 2 = the week after (下下周五), -1 = last week.
    """
    if week is None:
        return today + _dt.timedelta(days=(wd - today.weekday()) % 7)
    monday = today - _dt.timedelta(days=today.weekday())
    return monday + _dt.timedelta(weeks=week, days=wd)


def _month_edge(year: int, month: int, edge: str, shown: str) -> _dt.date:
    """First (初) or last (底/末) day of a month."""
    first = _ymd(year, month, 1, shown)
    if edge == "初":
        return first
    return first + relativedelta(day=31)


def _parse_textual(spaced: str, today: _dt.date, shown: str) -> _dt.date | None:
    """English dates with a month name ("Oct 14 2022", "14 October"), via dateutil.

    Only used when a month name is present; the numbers are checked first so
    dateutil never has to guess which is the day and which the year.
    """
    if not re.fullmatch(r"[a-z0-9 ,./-]+", spaced):
        return None
    words = re.findall(r"[a-z]+", spaced)
    month_words = [w for w in words if w in _EN_MONTHS]
    if not month_words:
        return None
    if len(month_words) > 1:
        raise _err_unrecognised(shown)
    if any(w not in _EN_MONTHS | _EN_FILLER | _EN_WD.keys() for w in words):
        raise _err_unrecognised(shown)
    numbers = re.findall(r"[0-9]+", spaced)
    days = [n for n in numbers if len(n) <= 2]
    years = [n for n in numbers if len(n) == 4]
    if len(days) + len(years) != len(numbers) or len(years) > 1 or len(days) > 1:
        raise _err_unrecognised(shown)
    if not days:
        raise ParseError(f"缺少日：{shown}", f"Day missing: {shown}")
    if years and not MIN_YEAR <= int(years[0]) <= MAX_YEAR:
        raise _err_year(shown)
    try:
        result = _du_parser.parse(spaced, default=_dt.datetime(today.year, 1, 1)).date()
    except (ValueError, OverflowError) as exc:
        # dateutil says "... out of range ..." for Feb 30 and the like.
        raise (_err_no_such if "range" in str(exc) else _err_unrecognised)(shown) from None
    named = [_EN_WD[w] for w in words if w in _EN_WD]
    if named and named[0] != result.weekday():
        raise ParseError(f"星期与日期不符：{shown}", f"Weekday does not match the date: {shown}")
    return _in_range(result, shown)


def parse_date(text: str, today: _dt.date) -> _dt.date:
    """Parse a date typed by an officer, relative to ``today``.

    Accepted (full-width characters and surrounding spaces are fine):

    * ``2022-10-14``, ``2022/10/14``, ``2022.10.14``, ``20221014``
    * ``10-14``, ``10/14``, ``10.14`` — month-day in today's year
    * ``2022年10月14日``/``号``, ``10月14日``/``号``; ``2022年10月`` is an error (缺少日)
    * 今天/今日, 明天/明日, 后天, 昨天/昨日, 前天; today, tomorrow, yesterday
    * weekdays (周/星期/礼拜 + 一…日/天; English names) — anchor rule:
      weeks start on **Monday**.  Bare ``周五``/``friday`` is the coming
      Friday on or after today.  ``本周五``/``这周五``/``this friday`` is Friday
      of the current week (may be past).  ``下周五``/``next friday`` is Friday
      of the week after the current one; ``下下周五`` two weeks on;
      ``上周五``/``last friday`` the previous week.  Example: today
      2022-10-05 (Wednesday) → ``下周五`` = 2022-10-14, ``周五`` = 2022-10-07.
    * 月底/月末/本月底, 下月底, 上月底, 月初, 下月初, ``9月底``/``9月末``
      (this year), ``2023年2月底``, 年底/年末/今年底/明年底, 年初
    * ``+7d``, ``+7`` (days), ``+2w``, ``+1m``, ``+1y``, ``-3d``; ``7天后``,
      ``2周后``, ``3个月后``, ``1年后``, ``3天前``; ``in 3 days``, ``2 weeks ago``
      (months via relativedelta: Jan 31 + 1m = Feb 28/29)
    * English with a month name via dateutil: ``Oct 14 2022``, ``14 October``
    * ``D/M/YYYY`` or ``M/D/YYYY`` only when unambiguous (one part > 12, or
      both equal); otherwise 日期有歧义.

    Raises :class:`ParseError` for empty/garbage input, impossible dates
    (2022-02-30, 13月1日), ambiguous forms, or years outside 1990–2100.
    """
    s = _normalize(text)
    shown = _show(s) or "（空）"
    if not s:
        raise ParseError(f"无法识别的日期：{shown}", "Unrecognised date: (empty)")
    c = s.replace(" ", "").lower()  # compact form for Chinese and numeric patterns
    sp = s.lower()  # spaced form for English

    if c in _ZH_KEYWORDS:
        return _shift(today, _ZH_KEYWORDS[c], "d", shown)
    if sp in _EN_KEYWORDS:
        return _shift(today, _EN_KEYWORDS[sp], "d", shown)

    if m := _RE_ZH_WEEKDAY.fullmatch(c):
        return _in_range(_weekday(today, _ZH_WD[m[2]], _WEEK_PREFIX[m[1] or ""]), shown)
    if (m := _RE_EN_WEEKDAY.fullmatch(sp)) and m[2] in _EN_WD:
        return _in_range(_weekday(today, _EN_WD[m[2]], _WEEK_PREFIX[m[1] or ""]), shown)

    if m := _RE_REL_SIGN.fullmatch(c):
        n = int(m[2]) * (-1 if m[1] == "-" else 1)
        return _shift(today, n, m[3] or "d", shown)
    if m := _RE_REL_ZH.fullmatch(c):
        n = int(m[1]) * (-1 if "前" in m[3] else 1)
        return _shift(today, n, _UNIT_ZH[m[2]], shown)
    if m := _RE_REL_EN.fullmatch(sp):
        n = int(m[1]) if m[1] else -int(m[3])
        return _shift(today, n, (m[2] or m[4])[0], shown)

    if m := _RE_REL_MONTH_EDGE.fullmatch(c):
        offset = {"下": 1, "上": -1}.get((m[1] or "本")[0], 0)
        first = today.replace(day=1) + relativedelta(months=offset)
        return _in_range(_month_edge(first.year, first.month, m[2], shown), shown)
    if m := _RE_ABS_MONTH_EDGE.fullmatch(c):
        year = int(m[1]) if m[1] else today.year
        return _month_edge(year, int(m[2]), m[3], shown)
    if m := _RE_YEAR_EDGE.fullmatch(c):
        word = m[1] or "今"
        year = int(word) if word.isdigit() else today.year + {"明": 1, "去": -1}.get(word, 0)
        return _ymd(year, 1, 1, shown) if m[2] == "初" else _ymd(year, 12, 31, shown)

    if m := _RE_ZH_DATE.fullmatch(c):
        return _ymd(int(m[1]) if m[1] else today.year, int(m[2]), int(m[3]), shown)
    if _RE_ZH_NO_DAY.fullmatch(c):
        raise ParseError(f"缺少日：{shown}", f"Day missing: {shown}")

    if m := _RE_YMD.fullmatch(c):
        return _ymd(int(m[1]), int(m[3]), int(m[4]), shown)
    if m := _RE_YMD8.fullmatch(c):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), shown)
    if m := _RE_MD.fullmatch(c):
        return _ymd(today.year, int(m[1]), int(m[2]), shown)
    if m := _RE_XXY.fullmatch(c):
        a, b, year = int(m[1]), int(m[3]), int(m[4])
        if a <= 12 and b <= 12 and a != b:
            raise ParseError(
                f"日期有歧义：{shown}（请写成 2022-10-14 的形式）",
                f"Ambiguous date: {shown} (please write it as 2022-10-14)",
            )
        month, day = (b, a) if a > 12 else (a, b)  # D/M/Y when the first part cannot be a month
        return _ymd(year, month, day, shown)

    if (result := _parse_textual(sp, today, shown)) is not None:
        return result
    raise _err_unrecognised(shown)


def format_date_echo(d: _dt.date, lang: str = "zh") -> str:
    """ISO date plus weekday, to echo a parsed date: "2022-10-14 周五" / "2022-10-14 Fri"."""
    wd = _EN_WEEKDAY_NAMES[d.weekday()] if _is_en(lang) else "周" + _ZH_WEEKDAYS[d.weekday()]
    return f"{d.isoformat()} {wd}"


# --------------------------------------------------------------------- money

_RE_MONEY = re.compile(r"([+-]?)([0-9][0-9,]*)(?:\.([0-9]+))?(亿元|亿|万元|万|元)?")
_RE_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_UNIT_SCALE = {"亿": 4, "万": 0, "元": -4}  # power of ten to reach 万元
_UNIT_LIMIT = {u: MAX_WAN.scaleb(-p) for u, p in _UNIT_SCALE.items()}


def parse_money(text: str) -> Decimal:
    """Parse an amount into exact 万元 (``Decimal``, at most 4 places = to the yuan).

    Accepts a number with an optional unit 亿/亿元, 万/万元 (the default) or 元:
    "1.2亿" → 12000, "3500万" → 3500, "3500" → 3500, "1,200.5万" → 1200.5,
    "5000000元" → 500.  Thousands commas (also "，") must be correctly placed;
    a leading ¥/￥ or 人民币, full-width characters and spaces are fine.

    Raises :class:`ParseError` for empty/garbage input (including NaN, inf and
    exponents like "1e20亿"), negative amounts, amounts above 1000亿元, and
    anything finer than one yuan.
    """
    s = _normalize(text)
    shown = _show(s) or "（空）"
    c = re.sub(r"^(?:¥|人民币)", "", s.replace(" ", ""))
    m = _RE_MONEY.fullmatch(c)
    if not m:
        raise ParseError(f"无法识别的金额：{shown}", f"Unrecognised amount: {_show(s) or '(empty)'}")
    sign, whole, frac, unit = m[1], m[2], (m[3] or "").rstrip("0"), (m[4] or "万")[0]
    if "," in whole:
        if not _RE_GROUPED.fullmatch(whole):
            raise ParseError(f"千分位逗号位置有误：{shown}", f"Misplaced thousands separator: {shown}")
        whole = whole.replace(",", "")
    value = Decimal(f"{whole}.{frac or '0'}")  # exact: built from the digits
    if sign == "-" and value != 0:
        raise ParseError(f"金额不能为负：{shown}", f"Amount cannot be negative: {shown}")
    if value > _UNIT_LIMIT[unit]:
        raise ParseError(
            f"金额过大（上限 1000亿元）：{shown}", f"Amount too large (max 100 billion CNY): {shown}"
        )
    if len(frac) > _WAN_PLACES + _UNIT_SCALE[unit]:
        raise ParseError(
            f"金额最多精确到元（万元后 4 位小数）：{shown}",
            f"Amount can be precise to one yuan at most (4 decimal places of 10k CNY): {shown}",
        )
    wan = value.scaleb(_UNIT_SCALE[unit])  # ≤ 20 significant digits: exact
    return _tidy(wan)


def _tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (12000, not 1.2E+4)."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def parse_money_wan_int(text: str) -> int:
    """Like :func:`parse_money` but require a whole number of 万元; returns ``int``."""
    wan = parse_money(text)
    if wan != wan.to_integral_value():
        shown = _show(_normalize(text))
        raise ParseError(
            f"金额须为整数万元：{shown}", f"Amount must be a whole number of 10k CNY: {shown}"
        )
    return int(wan)


def format_money(wan: int | Decimal, unit: str = "万", lang: str = "zh") -> str:
    """Render an amount in 万元 for a column whose header carries the unit.

    ``unit="万"``: thousands separators, no decimals when whole, otherwise up
    to 2 (half-up, trailing zeros dropped): 3500 → "3,500", 1200.5 → "1,200.5".
    ``unit="亿"``: value / 10000 with exactly 2 decimals, half-up: 12000 → "1.20".
    The digits are the same for every ``lang`` (kept for call-site symmetry).
    """
    value = wan if isinstance(wan, Decimal) else Decimal(str(wan))
    if unit == "万":
        q = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        q = _tidy(q) if q else Decimal(0)
    elif unit == "亿":
        q = value.scaleb(-4).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        q = q if q else Decimal("0.00")
    else:
        raise ValueError(f"unknown money unit: {unit!r}")
    return format(q, ",f")


def money_unit_label(unit: str = "万", lang: str = "zh") -> str:
    """Column-header unit: "万元"/"亿元", or "10k CNY"/"100M CNY" in English."""
    labels = {"万": ("万元", "10k CNY"), "亿": ("亿元", "100M CNY")}
    if unit not in labels:
        raise ValueError(f"unknown money unit: {unit!r}")
    return labels[unit][1 if _is_en(lang) else 0]
