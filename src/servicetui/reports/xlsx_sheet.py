"""An office ledger sheet (台账) on xlsxwriter, in constant-memory mode.

Layout: row 1 the merged title, row 2 填报单位 and date, row 3 the bold header (frozen, repeated
on every printed page), then the data rows in order, then a 合计 row. Auto-filter over the
header and data, A4 landscape fitted to the page width, page numbers in the footer.

Text is always written with `write_string`, so a cell never becomes a formula.

Big sheets (the 200 000-row problem list) hand over rows a batch at a time, column by column as UTF-8
text (`write_columns`, or `bulk_rows()` with cells rendered once per distinct value): the batch goes into
xlsxwriter's row stream as one piece of XML, exactly what its per-cell path writes (see `_BulkRows`).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

LIGHT_COLOURS = {"红": "#FF4D4F", "黄": "#FFD666", "绿": "#73D13D"}
FONT = "宋体"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text | wrap | int | date | yi | pct | light | center


# zlib level of the xlsx package. Level 1 deflates the 220 MB sheet of the 200 000-row problem list in a
# third of the time of zipfile's default (level 6: 2.9 s → 1.0 s on 2 cores) for a file about a quarter
# larger (25 → 32 MB); an office ledger of a few hundred rows is a few KB either way.
ZIP_LEVEL = 1


def open_workbook(path):
    import xlsxwriter

    _package_at_zip_level()
    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False})


def _package_at_zip_level() -> None:
    """xlsxwriter packages the workbook with `zipfile.ZipFile(…, compression=ZIP_DEFLATED)` and no level
    (xlsxwriter/workbook.py `_store_workbook`); give its module a ZipFile whose level defaults to
    ZIP_LEVEL. Done once; left alone if the module no longer uses zipfile's class as it is."""
    import zipfile

    from xlsxwriter import workbook as wbmod

    if getattr(wbmod, "ZipFile", None) is not zipfile.ZipFile:
        return

    class LevelZipFile(zipfile.ZipFile):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("compresslevel", ZIP_LEVEL)
            super().__init__(*args, **kwargs)

    wbmod.ZipFile = LevelZipFile


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

    def __init__(self, wb, name: str, title: str, left: str, right: str, columns: Sequence[Column],
                 bulk: bool = True):
        self.wb, self.columns = wb, list(columns)
        self._bulk: _BulkRows | bool | None = None if bulk else False  # False: always cell by cell
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
    def _spec(self, value: Any, kind: str, fmt=None) -> tuple[str, Any, Any]:
        """How a cell is written: ("blank" | "string" | "datetime" | "number", value, format)."""
        fmt = fmt or self.f.get(kind, self.f["text"])
        if value is None or value == "":
            return "blank", None, fmt
        if kind == "light":
            return "string", str(value), self.lights.get(str(value), self.f["center"])
        if isinstance(value, bool):
            return "string", "是" if value else "否", fmt
        if isinstance(value, date):
            return "datetime", value, self.f["date"]
        if isinstance(value, (int, Decimal)):
            return "number", value, fmt
        return "string", str(value), fmt

    def _cell(self, r: int, i: int, value: Any, kind: str, fmt=None) -> None:
        how, value, fmt = self._spec(value, kind, fmt)
        getattr(self.ws, f"write_{how}")(r, i, value, fmt)

    def write_row(self, values: Sequence[Any]) -> None:
        for i, (c, v) in enumerate(zip(self.columns, values)):
            self._cell(self.row, i, v, c.kind)
        self.row += 1
        self.data_rows += 1

    def bulk_rows(self) -> _BulkRows | None:
        """The fast writer of whole batches of rows (see _BulkRows), or None when this xlsxwriter is not
        the one it was made for (then write rows with `write_row`/`write_columns`)."""
        if self._bulk is None:
            self._bulk = _BulkRows.attach(self) or False
        return self._bulk or None

    def write_columns(self, columns: Sequence[Sequence[bytes]]) -> None:
        """Rows given column by column (one sequence per column, all of the same length), every cell as
        UTF-8 text: b"" for a blank cell, an "int" column as decimal digits, a "date" column as
        b"YYYY-MM-DD". Written exactly as `write_row` writes the typed values (`typed`)."""
        if not columns or not len(columns[0]):
            return
        bulk = self.bulk_rows()
        if bulk:
            bulk.write([bulk.render(i, list(col)) for i, col in enumerate(columns)])
        else:
            for cells in zip(*columns):
                self.write_row(self.typed(cells))

    def typed(self, cells: Sequence[bytes | str]) -> list[Any]:
        """The values `write_row` takes for one row of `write_columns` text."""
        return [self.typed_cell(i, v) for i, v in enumerate(cells)]

    def typed_cell(self, i: int, v: bytes | str) -> Any:
        text = v.decode() if isinstance(v, bytes) else v
        kind = self.columns[i].kind
        if text and kind in ("int", "date"):
            try:
                return int(text) if kind == "int" else date.fromisoformat(text)
            except ValueError:
                pass
        return text or None

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


# -- bulk rows --------------------------------------------------------------------------------------
BULK_KINDS = frozenset({"text", "wrap", "center", "int", "date", "light"})
_TEXT_KINDS = frozenset({"text", "wrap", "center"})
# What xlsxwriter changes or marks in a string (`_escape_data`, `_escape_control_characters`,
# `_preserve_whitespace`, the rich-string test, the 32 767-unit limit): & < >, control characters,
# _xHHHH_, U+FFFE/U+FFFF, leading or trailing \s, length. A text without any of these is written as it is.
_NEEDS_CARE = (b"_x", "\ufffe".encode(), "\uffff".encode())
_CARE_BYTES = bytes([*range(9), *range(11, 32), *b"&<>"])
_OTHER_BYTES = bytes(b for b in range(256) if b not in _CARE_BYTES)  # translate(None, this) keeps the care bytes
# every character str.isspace() (= re's \s) accepts, in UTF-8 (a test checks the list is complete)
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPACE = b"(?:" + b"|".join(re.escape(c.encode()) for c in SPACES) + b")"
_LEADING_SPACE = re.compile(rb"\x00" + _SPACE)  # texts joined by NUL (plain text has no NUL)
_TRAILING_SPACE = re.compile(_SPACE + rb"\x00")
_EDGE_SPACE = re.compile(rb"\A" + _SPACE + rb"|" + _SPACE + rb"\Z")
_INT = re.compile(rb"(?:[1-9][0-9]{0,14}|0)\Z")  # up to 15 digits: "{:.16G}" writes them as they are
_LONGEST = 16383  # bytes; a longer text may need xlsxwriter's truncation


def plain_texts(values: Sequence[bytes]) -> bool:
    """True when xlsxwriter writes each of these UTF-8 strings as it is (none empty, none needing care)."""
    if not values:
        return True
    if b"" in values or max(map(len, values)) > _LONGEST:
        return False
    joined = b"".join(values)
    if joined.translate(None, _OTHER_BYTES) or any(s in joined for s in _NEEDS_CARE):
        return False
    flat = b"\x00".join(values)
    return not (_LEADING_SPACE.search(flat) or _TRAILING_SPACE.search(flat)
                or _EDGE_SPACE.search(flat[:4] + b"\x00" + flat[-4:]))


class _BulkRows:
    """Rows straight into xlsxwriter's constant-memory row stream, a batch of rows per write.

    xlsxwriter (3.x) in constant_memory mode keeps only the current row in `ws.table`, and writes the row
    before it to `ws.fh` (`_write_single_row`) when a cell lands on a later row: `<row r="N">` and, in
    column order, each cell as `_write_cell` writes it (`<c r="B4" s="6" t="inlineStr"><is><t>…</t></is>
    </c>`, `<c r="A4" s="8"><v>1</v></c>`, `<c r="M4" s="6"/>` …). Here each cell is rendered once per
    distinct value: by `_write_cell` itself (into a scratch buffer, the row/column prefix cut off), or,
    for a text that needs no escaping, marker or truncation, as that same XML built directly. A batch of
    rows is then one template formatted per row and written after the pending row has been flushed;
    `previous_row` and the dimensions move past it, so xlsxwriter carries on as if it had written them.
    Format indexes are taken in the order the per-cell path takes them. `attach` returns None (and the
    sheet goes cell by cell) unless xlsxwriter is the version and in the state this relies on; tests
    compare both paths cell by cell and byte by byte.
    """

    def __init__(self, ledger: LedgerSheet):
        from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
        from xlsxwriter.worksheet import (
            CellBlankTuple,
            CellDatetimeTuple,
            CellNumberTuple,
            CellStringTuple,
        )

        self.ledger, self.ws = ledger, ledger.ws
        self._tuples = {"blank": lambda v, f: CellBlankTuple(f), "string": CellStringTuple,
                        "number": CellNumberTuple,
                        "datetime": lambda v, f: CellDatetimeTuple(self.ws._convert_date_time(v), f)}
        self._utf16_len, self._utf16_truncate = _utf16_len, _utf16_truncate
        self.kinds = [c.kind for c in ledger.columns]
        self.letters = [xl_col_to_name(i).encode() for i in range(len(self.kinds))]
        # the header (pending) goes out first, then the columns' formats get their indexes in column order
        self.ws._write_single_row(ledger.row)
        self.styles = [(ledger.f["date"] if k == "date" else ledger.f.get(k, ledger.f["text"]))._get_xf_index()
                       for k in self.kinds]
        self.text_open = [b'" s="%d" t="inlineStr"><is><t>' % s for s in self.styles]
        self.template = (b'<row r="%s">' + b"".join(b'<c r="' + letter + b"%s%s" for letter in self.letters)
                         + b"</row>")
        # the rows go from the row stream into the sheet's XML as bytes, not decoded and encoded again
        self.ws._write_optimized_sheet_data = types.MethodType(_copy_row_data, self.ws)

    @classmethod
    def attach(cls, ledger: LedgerSheet) -> _BulkRows | None:
        ws = ledger.ws
        try:
            import xlsxwriter
            from xlsxwriter import utility
            from xlsxwriter import worksheet as wsmod

            ok = (xlsxwriter.__version__.split(".")[0] == "3"
                  and all(c.kind in BULK_KINDS for c in ledger.columns)
                  and all(hasattr(wsmod, n) for n in ("CellBlankTuple", "CellDatetimeTuple", "CellNumberTuple",
                                                      "CellStringTuple"))
                  and all(hasattr(utility, n) for n in ("_utf16_len", "_utf16_truncate", "xl_col_to_name"))
                  and ws.constant_memory and ws.fh is ws.row_data_fh and isinstance(ws.fh, io.TextIOBase)
                  and ws.excel_version == 2007 and ws.default_row_height == ws.original_row_height
                  and not ws.comments and isinstance(ws.previous_row, int) and isinstance(ws.row_info, dict)
                  and ws.previous_row <= ledger.row and not any(r >= ledger.row for r in ws.row_info)
                  and not any(ws.table.get(r) for r in ws.table if r != ws.previous_row)
                  and isinstance(ws.xls_strmax, int)
                  and all(callable(getattr(ws, n, None)) for n in ("_write_single_row", "_check_dimensions",
                                                                    "_write_cell", "_convert_date_time",
                                                                    "_write_optimized_sheet_data",
                                                                    "_xml_start_tag", "_xml_empty_tag",
                                                                    "_xml_end_tag"))
                  and isinstance(getattr(ws, "row_data_filename", None), str)
                  and all(callable(getattr(f, "_get_xf_index", None))
                          for f in (*ledger.f.values(), *ledger.lights.values())))
        except AttributeError:
            return None
        return cls(ledger) if ok else None

    # -- cells -----------------------------------------------------------------------------------------
    def render(self, col: int, values: list[bytes]) -> list[bytes]:
        """Each value of column `col` (UTF-8 text, as for `LedgerSheet.write_columns`) as the XML of its
        cell after `<c r="B12`."""
        kind = self.kinds[col]
        if kind in _TEXT_KINDS:
            opened, close = self.text_open[col], b"</t></is></c>"
            if plain_texts(values):
                return [opened + v + close for v in values]
            return [opened + v + close if plain_texts((v,)) else self.cell_xml(col, v) for v in values]
        if kind == "int" and all(map(_INT.match, values)):
            opened = b'" s="%d"><v>' % self.styles[col]
            return [opened + v + b"</v></c>" for v in values]
        memo: dict[bytes, bytes] = {}
        return [memo[v] if v in memo else memo.setdefault(v, self.cell_xml(col, v)) for v in values]

    def cell_xml(self, col: int, text: bytes) -> bytes:
        """One cell as `write_row` has xlsxwriter write it (its XML after `<c r="B12`, from the quote on)."""
        led, ws = self.ledger, self.ws
        how, value, fmt = led._spec(led.typed_cell(col, text), self.kinds[col])
        if how == "string" and len(value) > ws.xls_strmax // 2 and self._utf16_len(value) > ws.xls_strmax:
            value = self._utf16_truncate(value, ws.xls_strmax)  # as Worksheet._write_string does
        buf, fh = io.StringIO(), ws.fh
        ws.fh = buf
        try:
            ws._write_cell(0, col, self._tuples[how](value, fmt))
        finally:
            ws.fh = fh
        xml, head = buf.getvalue().encode(), b'<c r="' + self.letters[col] + b"1"
        if not xml.startswith(head + b'"'):
            raise RuntimeError(f"xlsxwriter wrote an unexpected cell: {xml[:60]!r}")
        return xml[len(head):]

    # -- rows ------------------------------------------------------------------------------------------
    def write(self, cells: Sequence[Sequence[bytes]]) -> None:
        """Rows given column by column as `render` renders them."""
        led, ws = self.ledger, self.ws
        m = len(cells[0])
        if not m:
            return
        first = led.row
        last = first + m - 1
        if any(first <= r <= last for r in ws.row_info):
            raise RuntimeError("a data row has its own format; LedgerSheet never sets one")
        ws._write_single_row(first)  # writes the pending row (the header or a row written cell by cell)
        numbers = list(map(b"%d".__mod__, range(first + 1, last + 2)))
        args = [numbers]
        for col in cells:
            args += (numbers, col)
        xml = b"".join(map(self.template.__mod__, zip(*args)))
        fh = ws.fh
        if isinstance(fh, io.TextIOWrapper) and fh.encoding.replace("-", "").lower() == "utf8":
            fh.flush()
            fh.buffer.write(xml)
        else:
            fh.write(xml.decode())
        ws.previous_row = last
        ws._check_dimensions(last, len(self.kinds) - 1)
        led.row += m
        led.data_rows += m


def _copy_row_data(ws) -> None:
    """`Worksheet._write_optimized_sheet_data` (constant_memory: the row stream's file into the sheet's
    XML between <sheetData> tags) with the bytes copied as they are: xlsxwriter reads the file back as
    text and writes it out again, which decodes and encodes the 200 MB of a 200 000-row sheet."""
    if ws.dim_rowmin is None:
        ws._xml_empty_tag("sheetData")
        return
    ws._xml_start_tag("sheetData")
    rows, out = ws.row_data_fh, ws.fh
    rows.flush()
    out.flush()
    rows.buffer.seek(0)
    shutil.copyfileobj(rows.buffer, out.buffer, 1 << 20)
    rows.close()
    os.unlink(ws.row_data_filename)
    ws._xml_end_tag("sheetData")
