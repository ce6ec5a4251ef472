"""An office ledger sheet (台账) on xlsxwriter, in constant-memory mode.

Layout: row 1 the merged title, row 2 填报单位 and date, row 3 the bold header (frozen, repeated
on every printed page), then the data rows in order, then a 合计 row. Auto-filter over the
header and data, A4 landscape fitted to the page width, page numbers in the footer.

Text is always written with `write_string`, so a cell never becomes a formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Sequence

LIGHT_COLOURS = {"红": "#FF4D4F", "黄": "#FFD666", "绿": "#73D13D"}
FONT = "宋体"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text | wrap | int | date | yi | pct | light | center


def open_workbook(path):
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False})


def close_workbook(wb) -> None:
    """Close, turning xlsxwriter's file error into the OSError behind it."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as exc:
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise inner or OSError(str(exc)) from exc


class LedgerSheet:
    HEADER_ROW = 2

    def __init__(self, wb, name: str, title: str, left: str, right: str, columns: Sequence[Column]):
        self.wb, self.columns = wb, list(columns)
        self.ws = wb.add_worksheet(re.sub(r"[\[\]:*?/\\']", "_", name)[:31] or None)
        self.row = self.HEADER_ROW + 1
        self.data_rows = 0
        n = len(self.columns) - 1
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "border": 1}
        self.f = {
            "title": wb.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
                                    "valign": "vcenter"}),
            "left": wb.add_format({"font_name": FONT, "font_size": 10, "align": "left", "valign": "vcenter"}),
            "right": wb.add_format({"font_name": FONT, "font_size": 10, "align": "right", "valign": "vcenter"}),
            "header": wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                                     "bg_color": "#D9D9D9"}),
            "text": wb.add_format(base),
            "wrap": wb.add_format({**base, "text_wrap": True}),
            "center": wb.add_format({**base, "align": "center"}),
            "int": wb.add_format({**base, "num_format": "0", "align": "center"}),
            "date": wb.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
            "yi": wb.add_format({**base, "num_format": "0.00"}),
            "pct": wb.add_format({**base, "num_format": "0.0", "align": "right"}),
            "total": wb.add_format({**base, "bold": True}),
            "note": wb.add_format({"font_name": FONT, "font_size": 9, "text_wrap": True, "valign": "top"}),
        }
        self.f["light"] = self.f["center"]
        self.lights = {k: wb.add_format({**base, "align": "center", "bg_color": c}) for k, c in LIGHT_COLOURS.items()}
        ws = self.ws
        for i, c in enumerate(self.columns):
            ws.set_column(i, i, c.width)
        ws.set_row(0, 30)
        ws.merge_range(0, 0, 0, n, title, self.f["title"])
        split = (n + 1) // 2  # 填报单位 on the left half, the date on the right half
        self._span(1, 0, split - 1, left, self.f["left"])
        self._span(1, split, n, right, self.f["right"])
        ws.set_row(self.HEADER_ROW, 30)
        for i, c in enumerate(self.columns):
            ws.write_string(self.HEADER_ROW, i, c.header, self.f["header"])
        ws.freeze_panes(self.HEADER_ROW + 1, 0)
        ws.repeat_rows(0, self.HEADER_ROW)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页 共 &N 页")

    def _span(self, r: int, first: int, last: int, text: str, fmt) -> None:
        if last > first:
            self.ws.merge_range(r, first, r, last, text, fmt)
        elif last == first:
            self.ws.write_string(r, first, text, fmt)

    # -- cells ----------------------------------------------------------------------------------
    def _cell(self, r: int, i: int, value: Any, kind: str, fmt=None) -> None:
        ws = self.ws
        fmt = fmt or self.f.get(kind, self.f["text"])
        if value is None or value == "":
            ws.write_blank(r, i, None, fmt)
        elif kind == "light":
            ws.write_string(r, i, str(value), self.lights.get(str(value), self.f["center"]))
        elif isinstance(value, bool):
            ws.write_string(r, i, "是" if value else "否", fmt)
        elif isinstance(value, date):
            ws.write_datetime(r, i, value, self.f["date"])
        elif isinstance(value, (int, Decimal)):
            ws.write_number(r, i, value, fmt)
        else:
            ws.write_string(r, i, str(value), fmt)

    def write_row(self, values: Sequence[Any]) -> None:
        for i, (c, v) in enumerate(zip(self.columns, values)):
            self._cell(self.row, i, v, c.kind)
        self.row += 1
        self.data_rows += 1

    def finish(self, totals: Sequence[Any] | None = None, notes: Sequence[str] = ()) -> None:
        """The 合计 row, the auto-filter over header and data, and notes below the table."""
        last_data = self.row - 1
        if totals is not None:
            for i, (c, v) in enumerate(zip(self.columns, totals)):
                self._cell(self.row, i, v, c.kind, self.f["total"])
            self.row += 1
        self.ws.autofilter(self.HEADER_ROW, 0, max(last_data, self.HEADER_ROW), len(self.columns) - 1)
        for text in notes:
            self._span(self.row, 0, len(self.columns) - 1, text, self.f["note"])
            self.row += 1
