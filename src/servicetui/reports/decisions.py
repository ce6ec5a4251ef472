"""议定事项清单: the decisions of one dispatch meeting (调度会) as an office ledger (xlsx), a
Markdown table or an official Word file (docx).

    write_decisions(engine, session_id, "议定事项清单-2022-09-30.xlsx", "xlsx", progress=cb)
    session_ref(engine, "last") -> the latest meeting's id (ReportError for an unknown one)

Plain functions, no UI; xlsxwriter / python-docx are imported inside the writers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from servicetui.reports.common import Progress, ReportError, WriteResult, atomic_target, zh_date
from servicetui.reports.xlsx_sheet import Column, LedgerSheet, close_workbook, open_workbook

FORMATS = ("xlsx", "md", "docx")
COLUMNS = [
    Column("序号", 6, "int"), Column("项目", 30, "wrap"), Column("议定事项", 40, "wrap"), Column("责任单位", 16, "wrap"),
    Column("责任人", 10, "center"), Column("办结时限", 12, "date"), Column("状态", 9, "center"),
]
HEADERS = [c.header for c in COLUMNS]


@dataclass
class Decisions:
    """What the list shows: the meeting, its county, and one row per decision."""

    session_id: int
    title: str  # 〈county〉〈meeting title〉议定事项清单
    meeting: str
    held_on: date
    chair: str
    attendees: str
    county: str
    bureau: str
    rows: list[list[Any]]  # 序号 项目 议定事项 责任单位 责任人 办结时限 状态


def session_ref(engine, ref: str | int) -> int:
    """A meeting id from "last" (the latest meeting) or a number; ReportError when there is none."""
    from servicetui.services import review

    text = str(ref).strip().lower()
    if text in ("last", "latest", "最近", "上次"):
        sid = review.last_session_id(engine)
        if sid is None:
            raise ReportError("还没有调度会", "there is no dispatch meeting yet")
        return sid
    if not text.isdigit():
        raise ReportError(f"调度会编号无效：{ref}（应为数字或 last）", f"invalid meeting id: {ref} (a number or 'last')")
    sid = int(text)
    if not any(c["id"] == sid for c in review.session_choices(engine)):
        raise ReportError(f"找不到调度会：{sid}", f"no such meeting: {sid}")
    return sid


def default_filename(held_on: date, fmt: str = "xlsx") -> str:
    return f"议定事项清单-{held_on.isoformat()}.{fmt}"


def build(engine, session_id: int, *, today: date | None = None) -> Decisions:
    from servicetui.services import review
    from servicetui.services.entities import get_setting

    today = today or date.today()
    view = review.session_view(engine, session_id, today=today)
    if view is None:
        raise ReportError(f"找不到调度会：{session_id}", f"no such meeting: {session_id}")
    rows = []
    for n, r in enumerate(review.decisions(engine, session_id, today=today), start=1):
        rows.append([n, r.project_name, r.title, r.department, r.owner, r.due, review.decision_state(r, today)])
    county = get_setting(engine, "county") or ""
    return Decisions(session_id, f"{county}{view.title}议定事项清单", view.title, view.held_on, view.chair,
                     view.attendees, county, get_setting(engine, "bureau") or "", rows)


def write_decisions(engine, session_id: int, path: str | os.PathLike, fmt: str = "xlsx", *,
                    today: date | None = None, progress: Progress = None) -> WriteResult:
    """Write the meeting's 议定事项清单 to `path` (xlsx, md or docx); progress(done, total) per row."""
    if fmt not in FORMATS:
        raise ReportError(f"不支持的格式：{fmt}", f"unsupported format: {fmt}")
    d = build(engine, session_id, today=today)
    total = len(d.rows)
    if progress:
        progress(0, total)
    with atomic_target(path) as tmp:
        if fmt == "xlsx":
            _write_xlsx(tmp, d, progress)
        elif fmt == "docx":
            _write_docx(tmp, d, progress)
        else:
            with open(tmp, "w", encoding="utf-8") as fh:
                write_md(fh, d, progress)
    if progress:
        progress(total, total)
    return WriteResult([Path(path)], total)


def _step(progress: Progress, n: int, total: int) -> None:
    if progress:
        progress(n, total)


def _left(d: Decisions) -> str:
    bits = [f"主持：{d.chair}" if d.chair else "", f"填报单位：{d.bureau}" if d.bureau else ""]
    return "　　".join(b for b in bits if b)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


# -- xlsx --------------------------------------------------------------------------------------
def _write_xlsx(path: Path, d: Decisions, progress: Progress) -> None:
    wb = open_workbook(path)
    try:
        ledger = LedgerSheet(wb, "议定事项清单", d.title, _left(d), f"日期：{zh_date(d.held_on)}", COLUMNS)
        for i, row in enumerate(d.rows, start=1):
            ledger.write_row(row)  # text goes through write_string: never a formula
            _step(progress, i, len(d.rows))
        totals: list[Any] = [""] * len(COLUMNS)
        totals[0], totals[1] = "合计", f"共 {len(d.rows)} 项"
        ledger.finish(totals)
    finally:
        close_workbook(wb)


# -- markdown ----------------------------------------------------------------------------------
def _md_cell(v: Any) -> str:
    text = _text(v).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.splitlines())


def write_md(fh: IO[str], d: Decisions, progress: Progress = None) -> int:
    fh.write(f"# {d.title}\n\n")
    meta = [f"会议日期：{zh_date(d.held_on)}"]
    if d.chair:
        meta.append(f"主持：{d.chair}")
    if d.attendees:
        meta.append(f"参会：{' '.join(d.attendees.split())}")
    fh.write("　　".join(meta) + "\n\n")
    fh.write("| " + " | ".join(HEADERS) + " |\n")
    fh.write("|" + "|".join("---:" if c.kind == "int" else "---" for c in COLUMNS) + "|\n")
    for i, row in enumerate(d.rows, start=1):
        fh.write("| " + " | ".join(_md_cell(v) for v in row) + " |\n")
        _step(progress, i, len(d.rows))
    fh.write(f"\n合计：共 {len(d.rows)} 项。\n")
    return len(d.rows)


def render_md(d: Decisions) -> str:
    import io

    buf = io.StringIO()
    write_md(buf, d)
    return buf.getvalue()


# -- docx --------------------------------------------------------------------------------------
TABLE_PT = 12  # 小四: a seven-column table does not fit in 三号


def _write_docx(path: Path, d: Decisions, progress: Progress) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm

    from servicetui.reports.monthly_docx import BODY_FONT, BODY_PT, H1_FONT, official_document, set_font

    doc = official_document(d.title, landscape=True)
    meta = doc.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    bits = [f"会议日期：{zh_date(d.held_on)}"] + ([f"主持：{d.chair}"] if d.chair else [])
    set_font(meta.add_run("　　".join(bits)), BODY_FONT, BODY_PT)
    if d.attendees:
        p = doc.add_paragraph()
        set_font(p.add_run(f"参会：{' '.join(d.attendees.split())}"), BODY_FONT, BODY_PT)

    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Mm(12), Mm(55), Mm(70), Mm(30), Mm(18), Mm(24), Mm(16)]

    def fill(cell, text: str, font: str, bold: bool = False, center: bool = False) -> None:
        para = cell.paragraphs[0]
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if center:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(para.add_run(text), font, TABLE_PT, bold=bold)

    for i, (cell, header) in enumerate(zip(table.rows[0].cells, HEADERS)):
        cell.width = widths[i]
        fill(cell, header, H1_FONT, center=True)
    for n, row in enumerate(d.rows, start=1):
        cells = table.add_row().cells
        for i, (cell, v) in enumerate(zip(cells, row)):
            cell.width = widths[i]
            fill(cell, _text(v), BODY_FONT, center=COLUMNS[i].kind in ("int", "date", "center"))
        _step(progress, n, len(d.rows))
    end = doc.add_paragraph()
    set_font(end.add_run(f"共 {len(d.rows)} 项。"), BODY_FONT, BODY_PT)
    doc.save(str(path))
