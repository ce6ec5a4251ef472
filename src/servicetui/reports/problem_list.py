"""问题清单: the problem list as an office ledger (xlsx), csv (UTF-8 with BOM), Markdown or JSON,
for the whole county or one file per responsible department.

xlsx and csv rows come from `queries.export_rows.export_batches` (same filters, order and lights as the
board) a batch at a time, column by column, as UTF-8 bytes, and each distinct cell value is rendered
once (csv: csv.writer's text after `neutralise`; xlsx: the cell XML xlsxwriter writes, see
`xlsx_sheet._BulkRows`); memory stays flat (xlsxwriter runs in constant-memory mode). Markdown and JSON,
which carry a few more fields, stream `queries.iter_problem_rows` row by row.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from servicetui.domain.enums import OPEN_STATUSES, Light, ProblemStatus
from servicetui.reports.common import (
    Progress,
    ReportError,
    WriteResult,
    atomic_target,
    gc_paused,
    iso,
    neutralise,
    safe_filename,
    zh_date,
)
from servicetui.reports.csv_part import CsvPart
from servicetui.reports.problem_csv import CSV_CELLS, csv_line, csv_rows
from servicetui.reports.xlsx_sheet import (
    Column,
    LedgerSheet,
    close_workbook,
    open_workbook,
)
from servicetui.services.queries import (
    ProblemFilter,
    ProblemRow,
    iter_problem_rows,
    problem_count,
)
from servicetui.services.export_cells import ExportBatch
from servicetui.services.queries.export_rows import export_batches, may_split

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

    def add_batch(self, b: ExportBatch) -> None:
        self.add_counts(b.counts())

    def add_counts(self, got: tuple[int, int, int, int]) -> None:
        """Add (rows, open, closed, overdue), as `ExportBatch.counts` gives them."""
        self.total, self.open, self.closed, self.overdue = (
            a + b for a, b in zip((self.total, self.open, self.closed, self.overdue), got))

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


def _batches(engine, opts: ProblemListOptions, progress: Progress, sort: str | None = None,
             joined: tuple[Any, bytes] | None = None, helper: CsvPart | None = None) -> Iterator[ExportBatch]:
    """The rows of the list for xlsx and csv, a batch (~1000 rows) at a time; progress after each.
    `joined`, `helper`: see export_batches."""
    total = problem_count(engine, opts.filter, today=opts.today, warn_days=opts.warn_days) if progress else 0
    done = 0
    for b in export_batches(engine, opts.filter, today=opts.today, warn_days=opts.warn_days, sort=sort or opts.sort,
                            size=_BATCH, joined=joined, helper=helper):
        yield b
        done += len(b)
        if progress:
            progress(done, max(total, done))
    if progress and not done:
        progress(0, total)


_BATCH = 1000


# -- writers ------------------------------------------------------------------------------------
def write_problem_list(engine, opts: ProblemListOptions, path: str | os.PathLike, fmt: str = "xlsx",
                       progress: Progress = None) -> WriteResult:
    """Write the filtered problem list to `path` as xlsx, csv, md or json."""
    if fmt not in FORMATS:
        raise ReportError(f"不支持的格式：{fmt}", f"unsupported format: {fmt}")
    # a large csv's helper process starts first: its interpreter boots while the settings are read
    helper = CsvPart(Path(path).parent, progress) if fmt == "csv" and may_split(engine) else None
    with helper or nullcontext():
        opts = _resolve(engine, opts)
        with atomic_target(path) as tmp, gc_paused():
            if fmt == "xlsx":
                n = _write_xlsx(tmp, opts, _batches(engine, opts, progress), title(opts), f"填报单位：{opts.bureau}")
            elif fmt == "csv":
                with open(tmp, "wb") as fh:
                    batches = _batches(engine, opts, progress, joined=(CSV_CELLS, b","), helper=helper)
                    n = _write_csv(fh, opts, batches, helper)
            else:
                with open(tmp, "w", encoding="utf-8") as fh:
                    n = {"md": _write_md, "json": write_json}[fmt](fh, opts, _stream(engine, opts, progress))
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


def _write_xlsx(path: Path, opts: ProblemListOptions, batches: Iterable[ExportBatch], heading: str, left: str,
                sheet: str = "问题清单") -> int:
    wb = open_workbook(path)
    try:
        ledger = LedgerSheet(wb, sheet, heading, left, f"日期：{zh_date(opts.today)}", COLUMNS)
        tally = Tally()
        for b in batches:
            numbers = _numbers(tally.total + 1, len(b))
            bulk = ledger.bulk_rows()
            if bulk:  # the list's columns are ExportBatch's FIELDS after 序号
                bulk.write([bulk.render(0, numbers), *b.rendered(_Shifted(bulk))])
            else:
                ledger.write_columns([numbers, *b.columns])
            tally.add_batch(b)
        ledger.finish(tally.row())
    finally:
        close_workbook(wb)
    return tally.total


class _Shifted:
    """A renderer of the ledger's columns 1… for ExportBatch.rendered (FIELDS[i] is ledger column i + 1)."""

    def __init__(self, bulk):
        self.bulk = bulk

    def render(self, field: int, values: list[bytes]) -> list[bytes]:
        return self.bulk.render(field + 1, values)

    def same(self, field: int, values) -> bool:
        return False

    def __hash__(self) -> int:  # one per sheet: renderings are kept per renderer
        return hash(self.bulk)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Shifted) and other.bulk is self.bulk


def _numbers(first: int, n: int) -> list[bytes]:
    """序号 first … first + n - 1 as text."""
    return list(map(b"%d".__mod__, range(first, first + n)))


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    return v if isinstance(v, str) else str(v)


def _write_csv(fh: IO[bytes], opts: ProblemListOptions, batches: Iterable[ExportBatch],
               helper: CsvPart | None = None) -> int:
    """The list as csv.writer would write it; the rows `helper` wrote (the last ones) are appended."""
    fh.write(codecs.BOM_UTF8)
    fh.write(csv_line([neutralise(title(opts))]))
    fh.write(csv_line([neutralise(f"填报单位：{opts.bureau}"), f"日期：{zh_date(opts.today)}"]))
    fh.write(csv_line(HEADERS))
    tally = Tally()
    for b in batches:
        fh.write(csv_rows(tally.total + 1, b.joined(CSV_CELLS, b",")))
        tally.add_batch(b)
    if helper is not None and helper.written:
        tally.add_counts(helper.copy_to(fh))
    fh.write(csv_line(tally.row()))
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
    parts = _by_department(_batches(engine, opts, progress, sort="department"))
    pending = next(parts, None)
    while pending is not None:
        dept_id, dept = pending[0], pending[1].column("department")[0].decode() or NO_DEPARTMENT
        name = safe_filename(dept)
        if name.lower() in used:
            name = f"{name}-{dept_id or 0}"
        used.add(name.lower())
        path = d / f"问题清单-{name}.xlsx"

        def same_department(first=pending[1], key=dept_id):
            yield first
            nonlocal pending
            for key2, part in parts:
                if key2 != key:
                    pending = (key2, part)
                    return
                yield part
            pending = None

        with atomic_target(path) as tmp:
            n = _write_xlsx(tmp, opts, same_department(), title(opts),
                            f"填报单位：{opts.bureau}　　责任单位：{dept}", sheet=name)
        result.paths.append(path)
        result.rows += n
    return result


def _by_department(batches: Iterable[ExportBatch]) -> Iterator[tuple[int | None, ExportBatch]]:
    """(department id, rows of that department) from batches in department order, cut where it changes."""
    for b in batches:
        ids, start = b.department_ids, 0
        for i in range(1, len(b) + 1):
            if i == len(b) or ids[i] != ids[start]:
                yield ids[start], (b if (start, i) == (0, len(b)) else b.slice(start, i))
                start = i
