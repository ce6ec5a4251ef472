"""问题清单: the problem list as an office ledger (xlsx), csv (UTF-8 with BOM), Markdown or JSON,
for the whole county or one file per responsible department.

Rows stream from `queries.iter_problem_rows` (same filters and lights as the board), so a
200 000-row export keeps flat memory: xlsxwriter runs in constant-memory mode.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Iterator

from servicetui.domain.enums import OPEN_STATUSES, Light, ProblemStatus
from servicetui.reports.common import (
    Progress,
    ReportError,
    WriteResult,
    atomic_target,
    iso,
    neutralise,
    safe_filename,
    zh_date,
)
from servicetui.reports.xlsx_sheet import Column, LedgerSheet, close_workbook, open_workbook
from servicetui.services.queries import ProblemFilter, ProblemRow, iter_problem_rows, problem_count

FORMATS = ("xlsx", "csv", "md", "json")

COLUMNS = [
    Column("序号", 6, "int"), Column("项目名称", 26, "wrap"), Column("企业", 18, "wrap"), Column("园区", 12, "wrap"),
    Column("问题", 34, "wrap"), Column("类别", 8, "center"), Column("责任单位", 14, "wrap"),
    Column("配合单位", 14, "wrap"), Column("责任人", 8, "center"), Column("提出日期", 11, "date"),
    Column("办结时限", 11, "date"), Column("状态", 8, "center"), Column("办理进展", 34, "wrap"),
    Column("是否销号", 6, "center"), Column("销号日期", 11, "date"), Column("包抓县领导", 10, "center"),
    Column("首席服务官", 10, "center"), Column("灯", 5, "light"),
]
HEADERS = [c.header for c in COLUMNS]
NO_DEPARTMENT = "未指定责任单位"


@dataclass
class ProblemListOptions:
    filter: ProblemFilter = field(default_factory=ProblemFilter)
    today: date = field(default_factory=date.today)
    sort: str = "urgency"
    county: str | None = None  # default: the county setting
    bureau: str | None = None  # default: the bureau setting
    warn_days: int | None = None  # default: the warn_days setting


@dataclass
class Tally:
    """The 合计 row: all, not yet closed (未销号), overdue (红), closed (已销号)."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0

    def add(self, r: ProblemRow) -> None:
        self.total += 1
        if r.status in OPEN_STATUSES:
            self.open += 1
        if r.status == ProblemStatus.CLOSED:
            self.closed += 1
        if r.light == Light.RED:
            self.overdue += 1

    def row(self) -> list[Any]:
        out: list[Any] = [""] * len(COLUMNS)
        out[0], out[1] = "合计", f"共 {self.total} 项"
        out[HEADERS.index("状态")] = f"未销号 {self.open} 项"
        out[HEADERS.index("办结时限")] = f"逾期 {self.overdue} 项"
        out[HEADERS.index("是否销号")] = f"已销号 {self.closed} 项"
        return out


def _resolve(engine, opts: ProblemListOptions) -> ProblemListOptions:
    from servicetui.services.entities import get_setting

    if opts.county is None:
        opts.county = get_setting(engine, "county")
    if opts.bureau is None:
        opts.bureau = get_setting(engine, "bureau")
    if opts.warn_days is None:
        raw = get_setting(engine, "warn_days")
        opts.warn_days = int(raw) if raw.isdigit() else 3
    return opts


def title(opts: ProblemListOptions) -> str:
    return f"{opts.county}重点项目问题清单（截至{zh_date(opts.today)}）"


def values(n: int, r: ProblemRow) -> list[Any]:
    """One ledger row, typed (dates stay dates, the serial number an int)."""
    closed = r.status == ProblemStatus.CLOSED
    return [
        n, r.project_name, r.company, r.park, r.title, r.category, r.department, r.co_departments, r.owner,
        r.raised_on, r.due, r.status, r.latest_note or "", "是" if closed else "否", r.closed_on, r.leader,
        r.officer, "" if r.light == Light.NONE else r.light,
    ]


def as_json(r: ProblemRow) -> dict[str, Any]:
    return {
        "id": r.id, "project": r.project_name, "project_code": r.project_code, "company": r.company,
        "park": r.park, "kind": r.kind, "title": r.title, "category": r.category, "department": r.department,
        "co_departments": r.co_departments, "owner": r.owner, "raised_on": iso(r.raised_on), "due": iso(r.due),
        "status": r.status, "light": r.light, "escalation": r.escalation, "latest_note": r.latest_note,
        "done_on": iso(r.done_on), "closed_on": iso(r.closed_on), "leader": r.leader, "officer": r.officer,
    }


def _stream(engine, opts: ProblemListOptions, progress: Progress, sort: str | None = None) -> Iterator[ProblemRow]:
    total = problem_count(engine, opts.filter, today=opts.today, warn_days=opts.warn_days) if progress else 0
    done = 0
    for r in iter_problem_rows(engine, opts.filter, today=opts.today, warn_days=opts.warn_days,
                               sort=sort or opts.sort):
        yield r
        done += 1
        if progress and done % 1000 == 0:
            progress(done, total)
    if progress:
        progress(done, max(total, done))


# -- writers ------------------------------------------------------------------------------------
def write_problem_list(engine, opts: ProblemListOptions, path: str | os.PathLike, fmt: str = "xlsx",
                       progress: Progress = None) -> WriteResult:
    """Write the filtered problem list to `path` as xlsx, csv, md or json."""
    if fmt not in FORMATS:
        raise ReportError(f"不支持的格式：{fmt}", f"unsupported format: {fmt}")
    opts = _resolve(engine, opts)
    rows = _stream(engine, opts, progress)
    with atomic_target(path) as tmp:
        if fmt == "xlsx":
            n = _write_xlsx(tmp, opts, rows, title(opts), f"填报单位：{opts.bureau}")
        else:
            newline = "" if fmt == "csv" else None
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            with open(tmp, "w", encoding=encoding, newline=newline) as fh:
                n = {"csv": _write_csv, "md": _write_md, "json": write_json}[fmt](fh, opts, rows)
    return WriteResult([Path(path)], n)


def write_json(fh: IO[str], opts: ProblemListOptions, rows: Iterator[ProblemRow]) -> int:
    """A JSON array, one object per problem, written as it streams."""
    n = 0
    fh.write("[")
    for r in rows:
        fh.write(",\n" if n else "\n")
        fh.write(json.dumps(as_json(r), ensure_ascii=False))
        n += 1
    fh.write("\n]\n" if n else "]\n")
    return n


def dump_json(engine, opts: ProblemListOptions, fh: IO[str]) -> int:
    """The JSON list to an open text stream (stdout)."""
    opts = _resolve(engine, opts)
    return write_json(fh, opts, _stream(engine, opts, None))


def _write_xlsx(path: Path, opts: ProblemListOptions, rows, heading: str, left: str, sheet: str = "问题清单") -> int:
    wb = open_workbook(path)
    try:
        ledger = LedgerSheet(wb, sheet, heading, left, f"日期：{zh_date(opts.today)}", COLUMNS)
        tally = Tally()
        for r in rows:
            tally.add(r)
            ledger.write_row(values(tally.total, r))
        ledger.finish(tally.row())
    finally:
        close_workbook(wb)
    return tally.total


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    return v if isinstance(v, str) else str(v)


def _write_csv(fh: IO[str], opts: ProblemListOptions, rows) -> int:
    w = csv.writer(fh)
    w.writerow([neutralise(title(opts))])
    w.writerow([neutralise(f"填报单位：{opts.bureau}"), f"日期：{zh_date(opts.today)}"])
    w.writerow(HEADERS)
    tally = Tally()
    for r in rows:
        tally.add(r)
        w.writerow([neutralise(_text(v)) for v in values(tally.total, r)])
    w.writerow(tally.row())
    return tally.total


def _md_cell(v: Any) -> str:
    text = _text(v).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split("\n")).replace("\r", " ")


def _write_md(fh: IO[str], opts: ProblemListOptions, rows) -> int:
    fh.write(f"# {title(opts)}\n\n填报单位：{opts.bureau}　　日期：{zh_date(opts.today)}\n\n")
    fh.write("| " + " | ".join(HEADERS) + " |\n")
    fh.write("|" + "|".join("---:" if c.kind == "int" else "---" for c in COLUMNS) + "|\n")
    tally = Tally()
    for r in rows:
        tally.add(r)
        fh.write("| " + " | ".join(_md_cell(v) for v in values(tally.total, r)) + " |\n")
    fh.write(f"\n合计：共 {tally.total} 项，未销号 {tally.open} 项（其中逾期 {tally.overdue} 项），"
             f"已销号 {tally.closed} 项。\n")
    return tally.total


# -- one file per department --------------------------------------------------------------------
def write_by_department(engine, opts: ProblemListOptions, directory: str | os.PathLike,
                        progress: Progress = None) -> WriteResult:
    """One xlsx per responsible department in `directory`, named after it (问题清单-〈单位〉.xlsx)."""
    d = Path(directory).expanduser()
    if not d.exists() and d.parent.is_dir():
        try:
            d.mkdir()
        except OSError as exc:
            raise ReportError(f"无法创建目录 {d}：{exc.strerror}", f"cannot create directory {d}: {exc.strerror}") from exc
    if not d.is_dir():
        raise ReportError(f"目录不存在：{d}", f"directory does not exist: {d}")
    opts = _resolve(engine, opts)
    result = WriteResult()
    used: set[str] = set()
    rows = _stream(engine, opts, progress, sort="department")
    pending = next(rows, None)
    while pending is not None:
        dept_id, dept = pending.department_id, pending.department or NO_DEPARTMENT
        name = safe_filename(dept)
        if name.lower() in used:
            name = f"{name}-{dept_id or 0}"
        used.add(name.lower())
        path = d / f"问题清单-{name}.xlsx"

        def same_department(first=pending, key=dept_id):
            yield first
            nonlocal pending
            for r in rows:
                if r.department_id != key:
                    pending = r
                    return
                yield r
            pending = None

        with atomic_target(path) as tmp:
            n = _write_xlsx(tmp, opts, same_department(), title(opts),
                            f"填报单位：{opts.bureau}　　责任单位：{dept}", sheet=name)
        result.paths.append(path)
        result.rows += n
    return result
