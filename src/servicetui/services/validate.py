"""Field validation shared by the services: clean text, enums, dates, money, references.

Each checker returns the cleaned value or records a bilingual error in a `Checker`, so a form can
show every problem at once, next to its field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any, Iterable

from servicetui.services.errors import ValidationError

MAX_TEXT = 2000
MAX_LONG_TEXT = 20000
MAX_MONEY_WAN = 10_000_000  # 1000亿元: more is a typo, not an investment
MIN_YEAR, MAX_YEAR = 1990, 2100

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


class Checker:
    def __init__(self) -> None:
        self.errors: dict[str, tuple[str, str]] = {}

    def fail(self, field: str, zh: str, en: str) -> None:
        self.errors.setdefault(field, (zh, en))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    # -- checkers -----------------------------------------------------------------------
    def text(
        self,
        field: str,
        value: Any,
        label: tuple[str, str],
        *,
        required: bool = False,
        max_len: int = MAX_TEXT,
        multiline: bool = False,
    ) -> str:
        zh, en = label
        if value is None:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        value = unicodedata.normalize("NFC", value).strip()
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        bad = [c for c in value if _is_control(c, multiline)]
        if bad:
            self.fail(field, f"{zh}含有不可见的控制字符", f"{en} contains invisible control characters")
            return value
        if _BIDI.search(value):
            self.fail(field, f"{zh}含有文字方向控制字符", f"{en} contains text-direction control characters")
            return value
        if required and not value:
            self.fail(field, f"{zh}不能为空", f"{en} is required")
        elif len(value) > max_len:
            self.fail(field, f"{zh}过长（{len(value)} 字，最多 {max_len} 字）", f"{en} is too long ({len(value)} > {max_len})")
        return value

    def choice(self, field: str, value: Any, allowed: Iterable[str], label: tuple[str, str]) -> str:
        allowed = list(allowed)
        if value not in allowed:
            self.fail(
                field,
                f"{label[0]}须为：{'、'.join(allowed)}",
                f"{label[1]} must be one of: {', '.join(allowed)}",
            )
        return value

    def date(self, field: str, value: Any, label: tuple[str, str], *, required: bool = False) -> date | None:
        if value is None or value == "":
            if required:
                self.fail(field, f"{label[0]}不能为空", f"{label[1]} is required")
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.fail(field, f"{label[0]}不是有效日期：{value[:40]}", f"{label[1]} is not a valid date: {value[:40]}")
                return None
        if not isinstance(value, date):
            self.fail(field, f"{label[0]}不是日期", f"{label[1]} is not a date")
            return None
        if not (MIN_YEAR <= value.year <= MAX_YEAR):
            self.fail(field, f"{label[0]}年份超出范围：{value.year}", f"{label[1]} year out of range: {value.year}")
        return value

    def money(self, field: str, value: Any, label: tuple[str, str]) -> int:
        if value is None or value == "":
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"{label[0]}须为整数万元", f"{label[1]} must be a whole number of 10k CNY")
            return 0
        if value < 0:
            self.fail(field, f"{label[0]}不能为负", f"{label[1]} cannot be negative")
        elif value > MAX_MONEY_WAN:
            self.fail(field, f"{label[0]}过大（超过1000亿元）", f"{label[1]} is too large (over 100 bn CNY)")
        return value

    def integer(self, field: str, value: Any, label: tuple[str, str], lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not (lo <= value <= hi):
            self.fail(field, f"{label[0]}须为 {lo}–{hi} 的整数", f"{label[1]} must be an integer {lo}–{hi}")
            return lo
        return value


def _is_control(c: str, multiline: bool) -> bool:
    if multiline and c in "\n\t":
        return False
    cat = unicodedata.category(c)
    return cat in ("Cc", "Cs") or c in "\u2028\u2029\ufeff"
