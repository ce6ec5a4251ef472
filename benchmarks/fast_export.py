"""Patched COPIES of the problem-list export (servicetui.reports.problem_list), measured by
benchmarks/investigate.py against the original. Nothing here is used by the app.

CSV — `write_csv_fast`: the same file, byte for byte (investigate.py checks), written from the raw
DB-API rows of the same SELECT (`conn.exec_driver_sql` of the compiled query): no SQLAlchemy row
processing, no ProblemRow objects, dates left as the ISO text SQLite stores, the formula guard run
only on text columns.

XLSX — `write_xlsx_fast`: the same cells, formats, merged title, frozen header, auto-filter and print
set-up as LedgerSheet, but the worksheet XML is streamed by hand (one string per row) into the zip
instead of xlsxwriter's per-cell calls (~18 µs a cell: 3.6 M cells at 200 000 rows).
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from servicetui.domain.enums import OPEN_STATUSES, Light, ProblemStatus
from servicetui.services.queries.problems import ProblemFilter, _order, _problem_select, _problem_where

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CLOSED, RED, NONE = ProblemStatus.CLOSED.value, Light.RED.value, Light.NONE.value


def raw_rows(engine, f: ProblemFilter, today: date, warn_days: int = 3, sort: str = "urgency", batch: int = 5000):
    """(column names, iterator of tuples) of the board's query, straight from the driver."""
    q = _problem_select(today, warn_days, with_note=True).where(*_problem_where(f, today, warn_days))
    q = q.order_by(*_order(sort, today))
    compiled = q.compile(dialect=engine.dialect)
    params = compiled.construct_params()
    args = []
    for name in compiled.positiontup:
        v = params[name]
        args.append(v.isoformat() if isinstance(v, date) else int(v) if isinstance(v, bool) else v)
    names = [c.key for c in q.selected_columns]

    def gen():
        with engine.connect() as conn:
            cur = conn.exec_driver_sql(str(compiled), tuple(args)).cursor
            while True:
                rows = cur.fetchmany(batch)
                if not rows:
                    return
                yield from rows

    return names, gen()


def _export_tuples(names, rows):
    """(n, values in problem_list.COLUMNS order with '' for None, status, light) per row."""
    ix = {n: i for i, n in enumerate(names)}
    g = [ix[k] for k in ("project_name", "company", "park", "title", "category", "department", "co_departments",
                         "owner", "raised_on", "due", "status", "latest_note")]
    i_closed, i_leader, i_officer, i_light, i_status = (ix["closed_on"], ix["leader"], ix["officer"], ix["light"],
                                                         ix["status"])
    n = 0
    for r in rows:
        n += 1
        status, light = r[i_status], r[i_light]
        vals = [r[i] for i in g]
        vals += ["是" if status == CLOSED else "否", r[i_closed], r[i_leader], r[i_officer],
                 "" if light == NONE else light]
        yield n, vals, status, light


def write_csv_fast(engine, opts, path) -> int:
    from servicetui.reports import problem_list as PL
    from servicetui.reports.common import atomic_target, neutralise, zh_date

    opts = PL._resolve(engine, opts)
    names, rows = raw_rows(engine, opts.filter, opts.today, opts.warn_days, opts.sort)
    tally = PL.Tally()
    with atomic_target(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([neutralise(PL.title(opts))])
        w.writerow([neutralise(f"填报单位：{opts.bureau}"), f"日期：{zh_date(opts.today)}"])
        w.writerow(PL.HEADERS)
        out = []
        for n, vals, status, light in _export_tuples(names, rows):
            tally.total += 1
            if status in OPEN_STATUSES:
                tally.open += 1
            if status == CLOSED:
                tally.closed += 1
            if light == RED:
                tally.overdue += 1
            out.append([n] + ["" if v is None else ("'" + v if v and v.startswith(TRIGGERS) else v) for v in vals])
            if len(out) == 2000:
                w.writerows(out)
                out.clear()
        w.writerows(out)
        w.writerow(tally.row())
    return tally.total


# -- xlsx ---------------------------------------------------------------------------------------
def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
       'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
       'openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
         'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/></Relationships>')
# cellXfs: 0 default, 1 title, 2 left, 3 right, 4 header, 5 text, 6 wrap, 7 center, 8 int, 9 date, 10 total,
# 11/12/13 light red/yellow/green
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.'
           'openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode='
           '"yyyy\\-mm\\-dd"/></numFmts><fonts count="4"><font><sz val="11"/><name val="Calibri"/></font><font>'
           '<sz val="10"/><name val="宋体"/></font><font><b/><sz val="16"/><name val="黑体"/></font><font><b/>'
           '<sz val="10"/><name val="宋体"/></font></fonts><fills count="6"><fill><patternFill patternType="none"/>'
           '</fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid">'
           '<fgColor rgb="FFD9D9D9"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb='
           '"FFFF4D4F"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFD666"/>'
           '</patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FF73D13D"/></patternFill>'
           '</fill></fills><borders count="2"><border/><border><left style="thin"/><right style="thin"/><top '
           'style="thin"/><bottom style="thin"/></border></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
           '<cellXfs count="14"><xf/>'
           '<xf fontId="2" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
           '<xf fontId="1" applyFont="1" applyAlignment="1"><alignment horizontal="left" vertical="center"/></xf>'
           '<xf fontId="1" applyFont="1" applyAlignment="1"><alignment horizontal="right" vertical="center"/></xf>'
           '<xf fontId="3" fillId="2" borderId="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
           '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
           '<xf fontId="1" borderId="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical='
           '"center"/></xf>'
           '<xf fontId="1" borderId="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical='
           '"center" wrapText="1"/></xf>'
           '<xf fontId="1" borderId="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal='
           '"center" vertical="center"/></xf>'
           '<xf numFmtId="1" fontId="1" borderId="1" applyNumberFormat="1" applyFont="1" applyBorder="1" '
           'applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
           '<xf numFmtId="164" fontId="1" borderId="1" applyNumberFormat="1" applyFont="1" applyBorder="1" '
           'applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
           '<xf fontId="3" borderId="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical='
           '"center"/></xf>'
           + "".join(f'<xf fontId="1" fillId="{k}" borderId="1" applyFont="1" applyFill="1" applyBorder="1" '
                     f'applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>' for k in (3, 4, 5))
           + '</cellXfs></styleSheet>')
KIND_STYLE = {"text": 5, "wrap": 6, "center": 7, "int": 8, "date": 9, "light": 7}
LIGHT_STYLE = {"红": 11, "黄": 12, "绿": 13}
EPOCH = date(1899, 12, 30).toordinal()


def write_xlsx_fast(engine, opts, path, sheet: str = "问题清单") -> int:
    from servicetui.reports import problem_list as PL
    from servicetui.reports.common import atomic_target, zh_date

    opts = PL._resolve(engine, opts)
    names, rows = raw_rows(engine, opts.filter, opts.today, opts.warn_days, opts.sort)
    cols = PL.COLUMNS
    ncol = len(cols)
    letters = [_col(i) for i in range(ncol)]
    styles = [KIND_STYLE.get(c.kind, 5) for c in cols]
    kinds = [c.kind for c in cols]
    tally = PL.Tally()
    with atomic_target(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        last = letters[-1]
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            buf: list[str] = []

            def put(s: str) -> None:
                buf.append(s)
                if len(buf) >= 2000:
                    raw.write("".join(buf).encode())
                    buf.clear()

            def cell(ref: str, v, kind: str, style: int) -> str:
                if v is None or v == "":
                    return f'<c r="{ref}" s="{style}"/>'
                if kind == "date":
                    d = v if isinstance(v, date) else date.fromisoformat(v)
                    return f'<c r="{ref}" s="9"><v>{d.toordinal() - EPOCH}</v></c>'
                if kind == "int" and isinstance(v, int):
                    return f'<c r="{ref}" s="{style}"><v>{v}</v></c>'
                if kind == "light":
                    style = LIGHT_STYLE.get(v, 7)
                return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'

            split = (ncol + 1) // 2
            put('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews>'
                '<sheetView workbookViewId="0"><pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" '
                'state="frozen"/></sheetView></sheetViews><cols>')
            put("".join(f'<col min="{i + 1}" max="{i + 1}" width="{c.width}" customWidth="1"/>'
                        for i, c in enumerate(cols)))
            put('</cols><sheetData>')
            put(f'<row r="1" ht="30" customHeight="1">{cell("A1", PL.title(opts), "text", 1)}</row>')
            put(f'<row r="2">{cell("A2", f"填报单位：{opts.bureau}", "text", 2)}'
                f'{cell(letters[split] + "2", f"日期：{zh_date(opts.today)}", "text", 3)}</row>')
            put('<row r="3" ht="30" customHeight="1">' + "".join(cell(f"{letters[i]}3", c.header, "text", 4)
                                                                   for i, c in enumerate(cols)) + "</row>")
            r = 3
            for n, vals, status, light in _export_tuples(names, rows):
                r += 1
                tally.total += 1
                if status in OPEN_STATUSES:
                    tally.open += 1
                if status == CLOSED:
                    tally.closed += 1
                if light == RED:
                    tally.overdue += 1
                put(f'<row r="{r}">' + cell(f"A{r}", n, "int", 8)
                    + "".join(cell(f"{letters[i]}{r}", v, kinds[i], styles[i]) for i, v in enumerate(vals, 1))
                    + "</row>")
            last_data = r
            r += 1
            put(f'<row r="{r}">' + "".join(cell(f"{letters[i]}{r}", v, "text", 10)
                                           for i, v in enumerate(tally.row())) + "</row>")
            put(f'</sheetData><autoFilter ref="A3:{last}{max(last_data, 3)}"/><mergeCells count="3">'
                f'<mergeCell ref="A1:{last}1"/><mergeCell ref="A2:{letters[split - 1]}2"/>'
                f'<mergeCell ref="{letters[split]}2:{last}2"/></mergeCells><printOptions horizontalCentered="1"/>'
                '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                '<pageSetup paperSize="9" orientation="landscape" fitToHeight="0"/><headerFooter><oddFooter>'
                '&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter></worksheet>')
            raw.write("".join(buf).encode())
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.'
                   'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships"><sheets><sheet name="{escape(sheet[:31])}" sheetId="1" '
                   'r:id="rId1"/></sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
                   f'hidden="1">\'{escape(sheet[:31])}\'!$A$3:${last}${max(last_data, 3)}</definedName>'
                   f'<definedName name="_xlnm.Print_Titles" localSheetId="0">\'{escape(sheet[:31])}\'!$1:$3'
                   '</definedName></definedNames></workbook>')
    return tally.total


def check_same(original: Path, fast: Path) -> bool:
    """The two xlsx files hold the same cell values (openpyxl, read-only)."""
    import warnings

    from openpyxl import load_workbook

    warnings.simplefilter("ignore")

    a = load_workbook(original, read_only=True).active
    b = load_workbook(fast, read_only=True).active
    for ra, rb in zip(a.iter_rows(values_only=True), b.iter_rows(values_only=True), strict=True):
        na = [x.date() if hasattr(x, "date") and callable(x.date) else x for x in ra]
        nb = [x.date() if hasattr(x, "date") and callable(x.date) else x for x in rb]
        na = [None if x == "" else x for x in na]
        nb = [None if x == "" else x for x in nb]
        while na and na[-1] is None:  # merged ranges: xlsxwriter writes blank cells, we do not
            na.pop()
        while nb and nb[-1] is None:
            nb.pop()
        if na != nb:
            print("differs:", na, nb)
            return False
    return True
