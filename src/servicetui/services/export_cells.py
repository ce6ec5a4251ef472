"""The problem list's export rows as cells, without the database: what a batch of rows holds
(`ExportBatch`), the names and notes it looks up by id (`Lookups`), and the packed urgency rows turned
back into columns (`Unpacker`).

`export_rows` reads these from the database; a helper process that writes part of a csv export
(`reports.csv_part`) builds them from rows it read itself with the standard `sqlite3` module and the
lookups the parent sent it. So this module imports neither SQLAlchemy nor the models.
"""

from __future__ import annotations

import bisect
import operator
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import repeat
from typing import Protocol

from servicetui.domain.enums import OPEN_STATUSES, Light, ProblemStatus

# The columns of an ExportBatch, in the problem list's order (the list's 序号 is the writer's business).
FIELDS = ("project_name", "company", "park", "title", "category", "department", "co_departments", "owner",
          "raised_on", "due", "status", "latest_note", "closed", "closed_on", "leader", "officer", "light")
YES, NO = "是".encode(), "否".encode()  # the 是否销号 column

_PROJECT_FIELDS = ("project_name", "company", "park", "leader", "officer")  # looked up by project id
_RAW = {"title": 4, "category": 5, "co_departments": 6, "raised_on": 7, "due": 8, "status": 9, "closed_on": 10,
        "light": 11}  # columns of the query rows (0-3: problem, project, department and owner ids)
_CACHE_LIMIT = 50_000  # renderings kept per column rendered by value


class Renderer(Protocol):
    """How a file format writes cells (hashable: renderings are kept per renderer)."""

    def render(self, field: int, values: list[bytes]) -> list[bytes]:
        """The rendering of each of `values` of column FIELDS[field] (the same rendering for equal values)."""

    def same(self, field: int, values: Sequence[bytes]) -> bool:
        """True when each of `values` renders as itself (then `render` is not called for them)."""


class ExportBatch:
    """Consecutive rows of the export.

    `column(name)`/`columns` hold FIELDS for every row as UTF-8 bytes: b"" for nothing, dates as
    b"YYYY-MM-DD", the light as 红/黄/绿 or b"" (closed). `department_ids` is each row's responsible
    department (None or 0 when there is none). `rendered(renderer)` gives every column with its cells
    rendered for a file format, each distinct name, note, date … rendered once.
    """

    __slots__ = ("_lookups", "_raw")

    def __init__(self, raw: Sequence[Sequence], lookups: Lookups):
        self._raw, self._lookups = raw, lookups  # the query's columns (see _RAW), text as bytes

    def __len__(self) -> int:
        return len(self._raw[0])

    @property
    def department_ids(self) -> Sequence[int | None]:
        return self._raw[2]

    @property
    def columns(self) -> list[Sequence[bytes]]:
        return self.rendered(None)

    def column(self, name: str) -> Sequence[bytes]:
        return self._field(FIELDS.index(name), None)

    def rows(self) -> Iterator[tuple[bytes, ...]]:
        return zip(*self.columns)

    def rendered(self, renderer: Renderer | None) -> list[Sequence[bytes]]:
        """Every column with each cell rendered by `renderer` (None: the values themselves)."""
        return [self._field(i, renderer) for i in range(len(FIELDS))]

    def joined(self, renderer: Renderer | None, sep: bytes) -> list[Sequence[bytes]]:
        """`rendered(renderer)` with each run of adjacent project columns (项目名称, 企业, 园区; 包抓领导,
        首席服务官) as one column whose cells are the run's renderings joined by `sep` (a project's run
        is rendered and joined once): 14 columns instead of 17, for a format whose cells are joined by a
        separator (csv)."""
        out: list[Sequence[bytes]] = []
        i = 0
        while i < len(FIELDS):
            run = _PROJECT_RUNS.get(i)
            if run:
                out.append(self._lookups.span(renderer, run, sep).of(self._raw[1]))
                i += len(run)
            else:
                out.append(self._field(i, renderer))
                i += 1
        return out

    def _field(self, i: int, renderer: Renderer | None) -> Sequence[bytes]:
        lk, raw, name = self._lookups, self._raw, FIELDS[i]
        if name in _PROJECT_FIELDS:
            return lk.by_id(renderer, i, "projects", _PROJECT_FIELDS.index(name)).of(raw[1])
        if name in _BY_ID:  # (a missing one shows blank)
            table, ids = _BY_ID[name]
            return lk.by_id(renderer, i, table).of(raw[ids])
        if name == "closed":
            col = list(map(_CLOSED.get, raw[9], repeat(NO)))
        else:
            col = raw[_RAW[name]]
        if renderer is None or renderer.same(i, col if name in _MOSTLY_DISTINCT else list(set(col))):
            return col
        if name == "title":  # mostly different texts: rendered a batch at a time, not kept
            return renderer.render(i, list(col))
        return list(map(lk.by_value(renderer, i).__getitem__, col))

    def slice(self, start: int, stop: int) -> ExportBatch:
        return ExportBatch([c[start:stop] for c in self._raw], self._lookups)

    def counts(self) -> tuple[int, int, int, int]:
        """Its rows: all, not yet closed (未销号), closed (已销号), overdue (红): the 合计 row's counts."""
        status, light = self.column("status"), self.column("light")
        return len(self), sum(status.count(s) for s in _OPEN), status.count(_CLOSED_STATUS), light.count(_RED)


_CLOSED = {ProblemStatus.CLOSED.value.encode(): YES}
_OPEN = tuple(s.encode() for s in OPEN_STATUSES)
_CLOSED_STATUS, _RED = ProblemStatus.CLOSED.value.encode(), Light.RED.value.encode()
# the columns looked up by an id of the row: (the Lookups table, the query column of the id)
_BY_ID = {"department": ("departments", 2), "owner": ("people", 3), "latest_note": ("notes", 0)}
_MOSTLY_DISTINCT = frozenset({"title", "co_departments"})  # the other columns repeat a few values: checked once each


def _project_runs() -> dict[int, tuple[int, ...]]:
    """{first index: the indexes} of each run of adjacent FIELDS looked up by project id."""
    runs: dict[int, tuple[int, ...]] = {}
    i = 0
    while i < len(FIELDS):
        j = i
        while j < len(FIELDS) and FIELDS[j] in _PROJECT_FIELDS:
            j += 1
        if j > i:
            runs[i] = tuple(range(i, j))
        i = max(j, i + 1)
    return runs


_PROJECT_RUNS = _project_runs()


class _Rendered(dict):
    """value -> its rendering, computed on first use (and forgotten past _CACHE_LIMIT values)."""

    def __init__(self, renderer: Renderer | None, field: int):
        super().__init__()
        self.renderer, self.field = renderer, field

    def __missing__(self, value: bytes) -> bytes:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        out = self[value] = value if self.renderer is None else self.renderer.render(self.field, [value])[0]
        return out


class Lookups:
    """Names by id and the latest progress note by problem, for the filtered problems (bytes), and
    their renderings per renderer.

    projects: id -> (name, company, park, leader, officer); departments, people: id -> name (None and 0,
    the packed "none", -> b""); notes: problem id -> its latest progress note. `dense`: the rows' ids are
    non-negative ints, none = 0 (see _ById). `rendered` and `adopt` hand the rendered names to a helper."""

    def __init__(self, projects: dict, departments: dict, people: dict, notes: dict, dense: bool = False):
        self.projects, self.departments, self.people, self.notes = projects, departments, people, notes
        self.dense = dense
        self._by_id: dict[tuple, _ById] = {}
        self._by_value: dict[tuple, _Rendered] = {}
        self._spans: dict[tuple, _ById] = {}

    def rendered(self, renderer: Renderer, sep: bytes) -> dict:
        """What `prepared((renderer, sep))` makes of the names (project runs, departments, people; not the
        notes), by id, for another process's Lookups (`adopt`): a helper then renders none of them."""
        self.prepared((renderer, sep))
        return {"spans": {fields: got._dict for (r, fields, s), got in self._spans.items() if r is renderer and s == sep},
                "by_id": {field: got._dict for (r, field), got in self._by_id.items()
                          if r is renderer and FIELDS[field] in _BY_ID and FIELDS[field] != "latest_note"}}

    def with_notes(self, notes: dict) -> Lookups:
        """The latest notes, in place of those read so far (their renderings are made again)."""
        self.notes = notes
        note = FIELDS.index("latest_note")
        for key in [k for k in self._by_id if k[1] == note]:
            del self._by_id[key]
        return self

    def adopt(self, rendered: dict, renderer: Renderer, sep: bytes) -> Lookups:
        """Take the names another process rendered (`rendered(renderer, sep)`); `prepared` then renders
        only what is missing (the notes)."""
        for fields, values in rendered["spans"].items():
            default = sep.join([self.by_value(renderer, f)[b""] for f in fields])
            self._spans[(renderer, tuple(fields), sep)] = _ById(values, default, self.dense)
        for field, values in rendered["by_id"].items():
            self._by_id[(renderer, field)] = _ById(values, self.by_value(renderer, field)[b""], self.dense)
        return self

    def prepared(self, joined: tuple[Renderer, bytes] | None) -> Lookups:
        """Render now what `ExportBatch.joined(*joined)` looks up by id (the project runs, departments,
        people and notes)."""
        if joined is not None:
            renderer, sep = joined
            for i, name in enumerate(FIELDS):
                if i in _PROJECT_RUNS:
                    self.span(renderer, _PROJECT_RUNS[i], sep)
                elif name in _BY_ID:
                    self.by_id(renderer, i, _BY_ID[name][0])
        return self

    def by_id(self, renderer: Renderer | None, field: int, table: str, part: int | None = None) -> _ById:
        """id -> rendering of the table's value (or of part `part` of it) for FIELDS[field]: a project, a
        person, a note … is rendered once per renderer, a whole table at a time. A missing one (no
        department, or a broken database's missing project) shows blank."""
        key = (renderer, field)
        got = self._by_id.get(key)
        if got is None:
            values = getattr(self, table)
            if part is not None:
                values = {i: v[part] for i, v in values.items()}
            if renderer is not None and not renderer.same(field, list(values.values())):
                values = dict(zip(values, renderer.render(field, list(values.values()))))
            got = self._by_id[key] = _ById(values, self.by_value(renderer, field)[b""], self.dense)
        return got

    def span(self, renderer: Renderer | None, fields: tuple[int, ...], sep: bytes) -> _ById:
        """project id -> the renderings of FIELDS[f] for f in `fields` joined by `sep` (see ExportBatch.joined)."""
        key = (renderer, fields, sep)
        got = self._spans.get(key)
        if got is None:
            parts = [self.by_id(renderer, f, "projects", _PROJECT_FIELDS.index(FIELDS[f])) for f in fields]
            ids = list(self.projects)
            got = self._spans[key] = _ById(
                dict(zip(ids, map(sep.join, zip(*[part.of(ids) for part in parts])))),
                sep.join([self.by_value(renderer, f)[b""] for f in fields]), self.dense)
        return got

    def by_value(self, renderer: Renderer | None, field: int) -> _Rendered:
        key = (renderer, field)
        got = self._by_value.get(key)
        if got is None:
            got = self._by_value[key] = _Rendered(renderer, field)
        return got


class _ById:
    """id -> value, looked up a column of ids at a time (`of`), `default` for an id it does not have.

    A dict lookup of an id that SQLite returned compares the new int object with the stored key (the
    hash alone does not prove equality): ≈ 400 ns a lookup in a dict of 20 000 projects, cache misses
    included, against ≈ 80 ns to index a list. So when the caller promises non-negative int ids (`dense`:
    the packed urgency query unpacks them with masks; "none" is 0) and the largest id is not far above
    their number, the values also sit in a list indexed by id; an id past its end takes the dict."""

    __slots__ = ("_by_index", "_dict", "default")

    def __init__(self, values: dict, default: bytes, dense: bool):
        self._dict, self.default, self._by_index = values, default, None
        if dense:
            values = {k: v for k, v in values.items() if k is not None} if None in values else values
            try:
                low, top = min(values, default=0), max(values, default=-1)
            except TypeError:  # not all ints
                return
            if type(low) is int and type(top) is int and low >= 0 and top < 4 * len(values) + 100_000:
                by_index = [default] * (top + 1)  # (a list of at most a few MB of pointers)
                deque(map(by_index.__setitem__, values.keys(), values.values()), maxlen=0)  # (a C loop)
                self._by_index = by_index

    def of(self, ids: Sequence) -> list[bytes]:
        if self._by_index is not None:
            try:
                return list(map(self._by_index.__getitem__, ids))
            except (IndexError, TypeError):  # an id above every known one (a broken database), or not
                pass  # an int: the dict's way
        return list(map(self._dict.get, ids, repeat(self.default)))


_ID_BITS = 21  # bits of each id in the packed ids (see export_packed)

_GREEN, _YELLOW, _RED = Light.GREEN.value.encode(), Light.YELLOW.value.encode(), Light.RED.value.encode()


class Unpacker:
    """Rows of the packed query -> the columns of the general one (ids, project/department/owner ids,
    title, category, co_departments, raised_on, due, status, closed_on, light)."""

    def __init__(self, red_before: date, yellow_until: date):
        """The light's bounds: `rules.light_bounds(today, warn_days)` (not imported here: the csv helper
        process loads only what it needs)."""
        self.red_before, self.yellow_until = (int(d.strftime("%Y%m%d")) for d in (red_before, yellow_until))
        # (rank * 2 + no_due) << 27 | YYYYMMDD -> the due text and the light, as the SQL light has them
        self.dues: dict[int, bytes] = {}
        self.lights: dict[int, bytes] = {}

    def _learn(self, head: int) -> None:
        group, day = head >> 27, head & ((1 << 27) - 1)
        self.dues[head] = b"%04d-%02d-%02d" % (day // 10000, day // 100 % 100, day % 100) if day else b""
        self.lights[head] = (b"" if group >> 1 == 3 else _GREEN if group >> 1 == 2 or group & 1
                             else _RED if day < self.red_before else _YELLOW if day <= self.yellow_until else _GREEN)

    def __call__(self, rows) -> list:
        keys, packed, title, category, co, raised, status, closed_on = zip(*rows)
        mask = (1 << _ID_BITS) - 1
        dues, lights = self._runs(keys)
        return [list(map(operator.and_, keys, repeat((1 << 30) - 1))),
                list(map(operator.rshift, packed, repeat(2 * _ID_BITS))),
                list(map(operator.and_, map(operator.rshift, packed, repeat(_ID_BITS)), repeat(mask))),  # 0: none
                list(map(operator.and_, packed, repeat(mask))),
                title, category, co, raised, dues, status, closed_on, lights]

    def _runs(self, keys: Sequence[int]) -> tuple[list[bytes], list[bytes]]:
        """The due and light columns. The rows come in key order, so the rows of one head (status group
        and due date: a few hundred in the whole list) are one run, found by bisection and written as
        one repeated value: no per-row lookup."""
        dues: list[bytes] = []
        lights: list[bytes] = []
        start, n = 0, len(keys)
        while start < n:
            head = keys[start] >> 33
            end = bisect.bisect_left(keys, (head + 1) << 33, start)
            if head not in self.dues:
                self._learn(head)
            dues += repeat(self.dues[head], end - start)
            lights += repeat(self.lights[head], end - start)
            start = end
        return dues, lights
