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
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from servicetui.domain.enums import OPEN_STATUSES, Light, ProblemStatus
from servicetui.reports.common import (
    FORMULA_TRIGGERS,
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
from servicetui.services.export_cells import FIELDS, ExportBatch
from servicetui.services.queries.export_rows import export_batches

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
        status, light = b.column("status"), b.column("light")
        self.total += len(b)
        self.open += sum(status.count(s.encode()) for s in OPEN_STATUSES)
        self.closed += status.count(_CLOSED)
        self.overdue += light.count(_RED)

    def row(self) -> list[Any]:
        out: list[Any] = [""] * len(COLUMNS)
        out[0], out[1] = "合计", f"共 {self.total} 项"
        out[HEADERS.index("状态")] = f"未销号 {self.open} 项"
        out[HEADERS.index("办结时限")] = f"逾期 {self.overdue} 项"
        out[HEADERS.index("是否销号")] = f"已销号 {self.closed} 项"
        return out


_CLOSED, _RED = ProblemStatus.CLOSED.value.encode(), Light.RED.value.encode()


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
             joined: tuple[Any, bytes] | None = None) -> Iterator[ExportBatch]:
    """The rows of the list for xlsx and csv, a batch (~1000 rows) at a time; progress after each.
    `joined`: see export_batches."""
    total = problem_count(engine, opts.filter, today=opts.today, warn_days=opts.warn_days) if progress else 0
    done = 0
    for b in export_batches(engine, opts.filter, today=opts.today, warn_days=opts.warn_days, sort=sort or opts.sort,
                            size=_BATCH, joined=joined):
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
    opts = _resolve(engine, opts)
    with atomic_target(path) as tmp, gc_paused():
        if fmt == "xlsx":
            n = _write_xlsx(tmp, opts, _batches(engine, opts, progress), title(opts), f"填报单位：{opts.bureau}")
        elif fmt == "csv":
            with open(tmp, "wb") as fh:
                n = _write_csv(fh, opts, _batches(engine, opts, progress, joined=(_CSV_CELLS, b",")))
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


# csv: each cell is what csv.writer writes for it after `neutralise`, rendered once per distinct name,
# note, date … (ExportBatch.rendered); a cell without a quote, comma, CR or LF that does not start with
# a FORMULA_TRIGGERS character is written as it is, so a batch whose titles are all like that needs no
# work per cell. A row is its cells joined by "," with CRLF after it, as csv.writer writes it.
_TRIGGER_BYTES = frozenset(t.encode() for t in FORMULA_TRIGGERS)
_FORMULA_START = re.compile(b"\x00[" + b"".join(re.escape(t.encode()) for t in FORMULA_TRIGGERS) + b"]")
_QUOTED = (b'"', b",", b"\r", b"\n")


class _CsvCells:
    """ExportBatch renderer: csv.writer's text for each cell (after the formula guard)."""

    # 灯 (红/黄/绿 or nothing) and 是否销号 (是/否) are made by the query itself: nothing to check
    SAFE = frozenset((FIELDS.index("light"), FIELDS.index("closed")))

    def render(self, field: int, values: list[bytes]) -> list[bytes]:
        if _plain_csv(values):
            return values
        return [v if _plain_csv((v,)) else _csv_cell(v) for v in values]

    def same(self, field: int, values: Sequence[bytes]) -> bool:
        return field in self.SAFE or _plain_csv(values)


_CSV_CELLS = _CsvCells()  # (one renderer: its renderings are kept by the export's lookups)


def _plain_csv(values: Sequence[bytes]) -> bool:
    """True when csv.writer writes each of these cells as it is (and `neutralise` leaves it alone)."""
    if not values:
        return True
    flat = b"\x00".join(values)
    return not (any(c in flat for c in _QUOTED) or _FORMULA_START.search(flat) or values[0][:1] in _TRIGGER_BYTES)


def _csv_cell(v: bytes) -> bytes:
    """What csv.writer writes for one cell (after the formula guard)."""
    line = _csv_line([neutralise(v.decode()), ""])
    return line[:-3]  # the cell, without ",\r\n"


def _csv_line(cells: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue().encode()


def _write_csv(fh: IO[bytes], opts: ProblemListOptions, batches: Iterable[ExportBatch]) -> int:
    fh.write(codecs.BOM_UTF8)
    fh.write(_csv_line([neutralise(title(opts))]))
    fh.write(_csv_line([neutralise(f"填报单位：{opts.bureau}"), f"日期：{zh_date(opts.today)}"]))
    fh.write(_csv_line(HEADERS))
    tally = Tally()
    for b in batches:
        fh.write(_csv_rows(tally.total + 1, b.joined(_CSV_CELLS, b",")))
        tally.add_batch(b)
    fh.write(_csv_line(tally.row()))
    return tally.total


def _csv_rows(first: int, columns: Sequence[Sequence[bytes]]) -> bytes:
    """Rows numbered from `first` (序号), then the cells of `columns` (as csv.writer writes them), each row
    its cells joined by "," and ended by CRLF. One join over the cells in row order: a row's last cell
    carries the CRLF and the next row's number, so "," is the only separator."""
    n, k = len(columns[0]), len(columns)
    if not n:
        return b""
    cells: list[bytes | None] = [None] * (n * k)
    for i, col in enumerate(columns[:-1]):
        cells[i::k] = col
    ends = list(map(b"%s\r\n%d".__mod__, zip(columns[-1], range(first + 1, first + n + 1))))
    ends[-1] = columns[-1][-1] + b"\r\n"
    cells[k - 1::k] = ends
    return b"%d," % first + b",".join(cells)


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
