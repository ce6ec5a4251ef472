"""Reading a ledger someone kept in Excel: find the header row, map its Chinese header variants to
our fields, and stream the data rows (skipping title rows, blank rows, the 合计 row and notes).

xlsx is read with openpyxl in read-only mode (rows stream, flat memory); csv may be UTF-8 (with or
without BOM) or GB18030, the two encodings Chinese offices produce.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from servicetui.reports.common import ReportError, check_source, unneutralise

# field -> header variants (compared after `norm_header`: NFKC, no spaces, no unit in brackets)
PROBLEM_FIELDS: dict[str, tuple[str, ...]] = {
    "project_code": ("项目编号", "项目代码"),
    "project": ("项目名称", "项目", "所属项目", "项目名"),
    "title": ("问题", "问题描述", "存在问题", "问题内容", "诉求", "问题/诉求", "存在的问题", "问题及诉求"),
    "detail": ("问题详情", "详细情况", "详情"),
    "category": ("类别", "问题类别", "问题类型", "问题分类"),
    "kind": ("事项类型", "事项类别"),
    "department": ("责任单位", "责任部门", "牵头单位", "主办单位", "承办单位"),
    "co_departments": ("配合单位", "配合部门", "协办单位"),
    "owner": ("责任人",),
    "raised_on": ("提出日期", "提出时间", "交办日期", "交办时间", "收集日期"),
    "raised_by": ("提出人",),
    "due": ("办结时限", "完成时限", "时限", "办结期限", "完成时间", "办理时限"),
    "status": ("状态", "办理状态"),
    "note": ("办理进展", "进展情况", "办理情况", "进展", "最新进展"),
    "closed": ("是否销号",),
    "closed_on": ("销号日期", "销号时间"),
}
PROJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("项目编号", "编号", "项目代码"),
    "name": ("项目名称", "项目", "项目名"),
    "company": ("企业", "企业名称", "投资主体", "建设单位", "投资企业"),
    "industry": ("行业", "产业", "所属行业", "产业类别"),
    "park": ("园区", "片区", "园区/片区", "所在园区", "所属园区", "建设地点"),
    "stage": ("阶段", "项目阶段", "所处阶段"),
    "kind": ("新引进/续建", "项目类型", "项目性质", "类型"),
    "agreed_investment": ("协议总投资", "总投资", "协议投资", "计划总投资"),
    "annual_plan": ("年度计划", "年度计划投资", "年度投资计划", "年度计划总投资"),
    "signed_on": ("签约日期", "签约时间"),
    "start_on": ("开工日期", "开工时间"),
    "target_production_on": ("计划投产日期", "投产日期", "计划投产时间", "预计投产时间"),
    "leader": ("包抓县领导", "包抓领导", "县级包抓领导"),
    "officer": ("首席服务官", "服务官"),
    "lead_department": ("牵头单位", "责任单位", "责任部门"),
    "source_event": ("来源", "签约活动"),
    "notes": ("备注",),
}
FIELDS = {"problems": PROBLEM_FIELDS, "projects": PROJECT_FIELDS}
REQUIRED = {"problems": ("project", "title"), "projects": ("name",)}
HEADER_SCAN_ROWS = 20

_UNIT = re.compile(r"[(（\[【]\s*(亿元|万元|亿|万|元|%|％)\s*[)）\]】]")
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")


def norm_header(text: Any) -> tuple[str, str | None]:
    """("协议总投资", "亿") from "协议总投资（亿元）"; the unit is None when the header gives none."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    m = _UNIT.search(s)
    unit = None
    if m:
        unit = {"亿元": "亿", "万元": "万"}.get(m[1], m[1])
    s = _BRACKETS.sub("", s)
    s = re.sub(r"\s+", "", s).rstrip(":：*").replace("％", "%")
    return s.rstrip("%") if s.endswith("%") else s, unit


@dataclass
class Header:
    kind: str
    row: int  # 1-based row number of the header in the file
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index
    labels: dict[str, str] = field(default_factory=dict)  # field -> header as written
    units: dict[str, str] = field(default_factory=dict)  # field -> 亿 / 万


def match_header(cells: list[Any], kind: str | None) -> Header | None:
    """A Header when this row names the required columns of `kind` (or of either kind)."""
    kinds = [kind] if kind else ["problems", "projects"]
    for k in kinds:
        lookup = {v: f for f, variants in FIELDS[k].items() for v in variants}
        h = Header(k, 0)
        for i, cell in enumerate(cells):
            name, unit = norm_header(cell)
            f = lookup.get(name)
            if f and f not in h.columns:
                h.columns[f], h.labels[f] = i, str(cell).strip()
                if unit:
                    h.units[f] = unit
        if all(r in h.columns for r in REQUIRED[k]) and len(h.columns) >= 2:
            return h
    return None


def clean(value: Any) -> Any:
    """A cell as Python: stripped text (formula guard undone), date, int, float or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        s = unneutralise(value.strip())
        return s or None
    return value


_SUMS = ("合计", "总计", "小计")
_NOTES = ("注：", "注:", "说明：")


def _skip(row: list[Any]) -> bool:
    """Blank rows, the 合计 row and notes under a table."""
    if row and type(row[0]) is str:  # noqa: E721  (the common case, quicker)
        text = row[0].strip()
        if text:
            return text in _SUMS or text.startswith(_NOTES)
    for c in row:
        if c is None:
            continue
        text = str(c).strip()
        if text:
            return text in _SUMS or text.startswith(_NOTES)
    return True


@dataclass
class Sheet:
    """The data rows of a file: (row number, cells) after the header."""

    header: Header
    rows: Iterator[tuple[int, list[Any]]]
    total: int  # rows in the file (lines of a csv: for progress and planning), 0 when unknown


def open_sheet(path: str | Path, kind: str | None = None) -> Sheet:
    p = check_source(path)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw, total = _xlsx_rows(p)
    elif suffix in (".csv", ".txt"):
        total, plain = _scan_csv(p)
        raw = _csv_rows(p, plain)
    else:
        raise ReportError(f"只能导入 xlsx 或 csv 文件：{p.name}", f"only xlsx or csv files can be imported: {p.name}")
    for n, cells in raw:
        if n > HEADER_SCAN_ROWS:
            break
        header = match_header(cells, kind)
        if header is not None:
            header.row = n
            return Sheet(header, _data(raw), total)
    want = "、".join(f"「{FIELDS[k][r][0]}」" for k in ([kind] if kind else ["problems"]) for r in REQUIRED[k])
    raise ReportError(
        f"{p.name} 的前 {HEADER_SCAN_ROWS} 行中找不到表头（需要 {want} 等列）",
        f"no header row found in the first {HEADER_SCAN_ROWS} rows of {p.name}",
    )


def _data(raw: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for n, cells in raw:
        if not _skip(cells):
            yield n, cells  # cells are cleaned when read (`clean`), only the columns we use


def _xlsx_rows(p: Path) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReportError(f"无法读取 Excel 文件 {p.name}：{exc}", f"cannot read the Excel file {p.name}: {exc}") from exc
    ws = wb.worksheets[0]
    total = ws.max_row or 0

    def rows():
        try:
            for n, cells in enumerate(ws.iter_rows(values_only=True), 1):
                yield n, list(cells)
        finally:
            wb.close()

    return rows(), total


def _scan_csv(p: Path) -> tuple[int, bool]:
    """(lines, plain): the lines of a csv file (an estimate of its rows, for progress and bulk
    loading), and whether it is plain: no quote character and no NUL anywhere (the same bytes in
    UTF-8 and GB18030, where no multi-byte character uses them)."""
    n, last, plain = 0, b"\n", True
    with open(p, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
            plain = plain and b'"' not in chunk and b"\x00" not in chunk
    return n + (last != b"\n"), plain


def _csv_rows(p: Path, plain: bool = False) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of a csv file, as `csv.reader` reads them.

    A plain file (see `_scan_csv`) is read in large blocks and split at line ends and commas,
    which is what csv.reader makes of it (tests/reports/test_import_fast.py), several times faster:
    a row ends at \r\n, \n or \r, an empty line is an empty row, a field longer than
    csv.field_size_limit() is refused by csv.reader itself."""
    with open(p, "rb") as fh:
        head = fh.read(65536)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            encoding = "gb18030"
    try:
        with open(p, encoding=encoding, newline="") as fh:
            if not plain:
                yield from enumerate(csv.reader(fh), 1)
                return
            limit, n, carry = csv.field_size_limit(), 0, ""
            while True:
                block = fh.read(1 << 20)
                text = carry + block
                hold = ""
                if "\r" in text:
                    if block and text[-1] == "\r":  # may be the first half of a \r\n
                        text, hold = text[:-1], "\r"
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                lines = text.split("\n")
                if block:
                    carry = lines.pop() + hold  # the last line may go on in the next block
                elif not lines[-1]:
                    lines.pop()  # the text ended with a line end
                for line in lines:
                    n += 1
                    if len(line) > limit:
                        yield n, next(csv.reader([line]))  # raises csv.Error (field larger than field limit)
                    else:
                        yield n, line.split(",") if line else []
                if not block:
                    return
    except UnicodeDecodeError as exc:
        raise ReportError(f"{p.name} 的编码无法识别（请另存为 UTF-8 的 CSV）",
                          f"cannot decode {p.name} (save it as UTF-8 CSV)") from exc


def as_date(value: Any, today: date) -> date:
    """A cell as a date; raises ParseError for text that is not one."""
    from servicetui.domain.parsing import ParseError, parse_date

    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ParseError(f"不是日期：{value}", f"not a date: {value}")
    text = str(value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        return parse_date(text, today)
