"""The problem list as csv: each cell as csv.writer writes it (after the formula guard), the rows joined
by hand. `problem_list` writes the csv with these, and so does a helper
process that writes part of a large export (`csv_part`), byte for byte the same; so this module (and
what it imports) loads neither SQLAlchemy nor the models."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from servicetui.reports.formula import FORMULA_TRIGGERS, neutralise
from servicetui.services.export_cells import FIELDS

# csv: each cell is what csv.writer writes for it after `neutralise`, rendered once per distinct name,
# note, date … (ExportBatch.rendered); a cell without a quote, comma, CR or LF that does not start with
# a FORMULA_TRIGGERS character is written as it is, so a batch whose titles are all like that needs no
# work per cell. A row is its cells joined by "," with CRLF after it, as csv.writer writes it.
_TRIGGER_BYTES = frozenset(t.encode() for t in FORMULA_TRIGGERS)
_FORMULA_START = re.compile(b"\x00[" + b"".join(re.escape(t.encode()) for t in FORMULA_TRIGGERS) + b"]")
_QUOTED = (b'"', b",", b"\r", b"\n")


class CsvCells:
    """ExportBatch renderer: csv.writer's text for each cell (after the formula guard)."""

    # 灯 (红/黄/绿 or nothing) and 是否销号 (是/否) are made by the query itself: nothing to check
    SAFE = frozenset((FIELDS.index("light"), FIELDS.index("closed")))

    def render(self, field: int, values: list[bytes]) -> list[bytes]:
        if plain_csv(values):
            return values
        return [v if plain_csv((v,)) else _csv_cell(v) for v in values]

    def same(self, field: int, values: Sequence[bytes]) -> bool:
        return field in self.SAFE or plain_csv(values)


CSV_CELLS = CsvCells()  # (one renderer: its renderings are kept by the export's lookups)


def plain_csv(values: Sequence[bytes]) -> bool:
    """True when csv.writer writes each of these cells as it is (and `neutralise` leaves it alone)."""
    if not values:
        return True
    flat = b"\x00".join(values)
    return not (any(c in flat for c in _QUOTED) or _FORMULA_START.search(flat) or values[0][:1] in _TRIGGER_BYTES)


def _csv_cell(v: bytes) -> bytes:
    """What csv.writer writes for one cell (after the formula guard)."""
    line = csv_line([neutralise(v.decode()), ""])
    return line[:-3]  # the cell, without ",\r\n"


def csv_line(cells: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue().encode()


def csv_rows(first: int, columns: Sequence[Sequence[bytes]]) -> bytes:
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
