"""The problem list's rows for exports (xlsx, csv), streamed in batches of UTF-8 bytes.

Same rows, order and values as `iter_problem_rows` (the board's filters, `_order`, the SQL light), for
200 000 rows in a few seconds. At that size the time goes per row and per value in Python and in the
driver (a Row object, a date object, a str decoded from UTF-8, a function call per cell; the sqlite3
module even releases the GIL for every value it reads), so:

- one SELECT over the problem table alone (no join, no correlated subquery), read from the DB-API cursor
  as plain tuples; on SQLite text comes back as UTF-8 bytes (`CAST(… AS BLOB)`: nothing decoded on the
  way in or encoded on the way out) and dates as the ISO text SQLite stores;
- projects, parks, departments, people and each problem's latest progress note are read once and looked
  up a column at a time with `map` (C speed), from lists indexed by id where the ids allow (`_ById`);
- in the urgency order on SQLite each row is 8 values instead of 12, sorted on one integer that also
  carries the id, the due date and the light (see `export_packed`); the rows of one due date and status
  group are one run, so their due and light are written without a lookup per row;
- a writer renders cells through `ExportBatch.rendered(renderer)`: each distinct name, note, date or
  status is rendered once however many rows show it, the titles a batch at a time;
- on SQLite the rows are read and sorted (the query's first step, in C) in a thread while the names and
  notes are read on a second connection, and both are checked to have read the same committed state
  (`_run_beside_lookups`); elsewhere everything is read in one REPEATABLE READ transaction.

On PostgreSQL the general query runs and its str/date values are turned into the same bytes in Python.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import chain, repeat
from typing import Protocol

from sqlalchemy import (
    LargeBinary,
    String,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.pool import QueuePool

from servicetui.domain import rules
from servicetui.domain.enums import Light, ProblemStatus
from servicetui.services.queries import raw_rows
from servicetui.services.queries.export_packed import Unpacker, packed_ids, urgency_key
from servicetui.services.queries.export_packed import packed_rows_fit as _packed_rows_fit
from servicetui.services.queries.problems import (
    ProblemFilter,
    _order,
    _problem_where,
    problem_light_sql,
)
from servicetui.store.models import (
    AuditEntry,
    Department,
    Park,
    Person,
    Problem,
    ProblemEvent,
    Project,
)

# The columns of an ExportBatch, in the problem list's order (the list's 序号 is the writer's business).
FIELDS = ("project_name", "company", "park", "title", "category", "department", "co_departments", "owner",
          "raised_on", "due", "status", "latest_note", "closed", "closed_on", "leader", "officer", "light")
YES, NO = "是".encode(), "否".encode()  # the 是否销号 column

BATCH = 2000
SORT_THREADS = max(1, min(4, os.cpu_count() or 1))  # PRAGMA threads for the export's ORDER BY (SQLite)
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

    def __init__(self, raw: Sequence[Sequence], lookups: _Lookups):
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


_CLOSED = {ProblemStatus.CLOSED.value.encode(): YES}
# the columns looked up by an id of the row: (the _Lookups table, the query column of the id)
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


def export_batches(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                   sort: str = "urgency", size: int = BATCH, joined: tuple[Renderer, bytes] | None = None,
                   ) -> Iterator[ExportBatch]:
    """Every problem matching `f`, in `sort` order, as ExportBatch-es of up to `size` rows.

    `joined`: the (renderer, separator) the caller will pass to `ExportBatch.joined`; the names and notes
    are then rendered while SQLite sorts the rows, instead of at the first batch."""
    f = f or ProblemFilter()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:  # one snapshot for the lookups and the rows
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        where = _problem_where(f, today, warn_days)
        everything = f == ProblemFilter()
        text = _as_bytes if sqlite else _as_text
        if sqlite:  # SQLite's sorter may merge in helper threads of its own (C, outside the GIL)
            conn.exec_driver_sql(f"PRAGMA threads={SORT_THREADS}")
        try:
            if sort == "urgency" and sqlite and _packed_rows_fit(conn):
                q = select(urgency_key(), packed_ids(), text(Problem.title), text(Problem.category),
                           text(Problem.co_departments), _date(Problem.raised_on, sqlite), text(Problem.status),
                           _date(Problem.closed_on, sqlite)).where(*where).order_by(urgency_key())
                rows, lookups = _run_beside_lookups(engine, conn, q, where, sqlite, everything, joined, dense=True)
                unpack = Unpacker(today, warn_days)
                for part in raw_rows.batches(rows, size):
                    yield ExportBatch(unpack(part), lookups)
                return
            q = select(
                Problem.id, Problem.project_id, Problem.department_id, Problem.owner_id,
                text(Problem.title), text(Problem.category), text(Problem.co_departments),
                _date(Problem.raised_on, sqlite), _date(Problem.due, sqlite), text(Problem.status),
                _date(Problem.closed_on, sqlite),
                text(func.nullif(problem_light_sql(today, warn_days), Light.NONE.value)),
            ).select_from(Problem).where(*where)
            if sort == "project":
                q = q.join(Project, Project.id == Problem.project_id)
            elif sort == "department":
                q = q.outerjoin(Department, Department.id == Problem.department_id)
            q = q.order_by(*_order(sort, today))
            rows, lookups = _run_beside_lookups(engine, conn, q, where, sqlite, everything, joined)
            as_bytes = None if sqlite else _DriverValues()
            for part in raw_rows.batches(rows, size):
                raw = list(zip(*part))
                yield ExportBatch(raw if as_bytes is None else as_bytes(raw), lookups)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA threads=0")


def _run_beside_lookups(engine, conn, q, where, sqlite: bool, everything: bool,
                        joined: tuple[Renderer, bytes] | None, dense: bool = False):
    """(the result of `q` on `conn`, the _Lookups) for the same committed state.

    On SQLite, executing `q` is its first step, in which SQLite reads and sorts every row (C code, the
    GIL released: 0.25–0.4 s at 200 000), so it runs in a thread while the names and notes are read on
    a second connection (0.2–0.3 s of mostly Python) — about 0.2 s off an export. Both connections read
    in a transaction; every commit writes an audit entry, so when both see the same last audit entry
    they read the same state. When they do not (a write landed between the two snapshots), the lookups
    are read again on `conn`, in `q`'s own snapshot. Elsewhere one after the other, on `conn`."""
    if not sqlite or not isinstance(getattr(engine, "pool", None), QueuePool):
        # (an in-memory database has one connection per thread, shared: one after the other then)
        lookups = _Lookups(conn, where, sqlite, everything, dense).prepared(joined)
        return raw_rows.execute(conn, q), lookups
    mark = conn.scalar(select(func.max(AuditEntry.id)))  # (`conn`'s snapshot began with its first read)
    done: dict = {}

    def run() -> None:
        try:
            done["rows"] = raw_rows.execute(conn, q)
        except BaseException as exc:  # raised again below, in the caller's thread
            done["error"] = exc

    worker = threading.Thread(target=run, name="servicetui-export-sort", daemon=True)
    worker.start()
    lookups = None
    try:
        with engine.connect() as other:
            if other.scalar(select(func.max(AuditEntry.id))) == mark:
                lookups = _Lookups(other, where, sqlite, everything, dense).prepared(joined)
    finally:
        worker.join()
    if "error" in done:
        raise done["error"]
    if lookups is None:
        lookups = _Lookups(conn, where, sqlite, everything, dense).prepared(joined)
    return done["rows"], lookups


# -- values as bytes ------------------------------------------------------------------------------
def _as_bytes(expr):
    """A text column as UTF-8 bytes straight from SQLite ('' for NULL)."""
    return cast(func.coalesce(expr, ""), LargeBinary)


def _as_text(expr):
    return func.coalesce(expr, "")


def _date(col, sqlite: bool):
    # SQLite stores a date as ISO text: pass it through as it is. Elsewhere the driver returns a date.
    return cast(func.coalesce(type_coerce(col, String), ""), LargeBinary) if sqlite else col


class _DriverValues:
    """The general query's columns as a driver other than SQLite's returns them (str, date, None) -> the
    bytes SQLite gives: text as UTF-8, a date as b"YYYY-MM-DD", nothing as b""."""

    def __init__(self):
        self.dates: dict = {None: b""}  # a list holds a few hundred distinct dates

    def _date(self, d) -> bytes:
        got = self.dates.get(d)
        if got is None:
            got = self.dates[d] = d.isoformat().encode() if isinstance(d, date) else _encode([d])[0]
        return got

    def __call__(self, raw: list) -> list:
        out = raw[:4]
        for i, col in enumerate(raw[4:], 4):
            out.append([self._date(v) for v in col] if i in _DATE_COLUMNS else _encode(col))
        return out


_DATE_COLUMNS = (_RAW["raised_on"], _RAW["due"], _RAW["closed_on"])


def _encode(col) -> list[bytes]:
    return [v.encode() if isinstance(v, str) else (b"" if v is None else v) for v in col]


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


class _Lookups:
    """Names by id and the latest progress note by problem, for the filtered problems (bytes), and
    their renderings per renderer."""

    def __init__(self, conn, where, sqlite: bool, everything: bool, dense: bool = False):
        self.dense = dense  # ids are non-negative ints, none = 0 (see _ById)
        text = _as_bytes if sqlite else _as_text

        def rows(q):
            got = chain.from_iterable(raw_rows.batches(raw_rows.execute(conn, q), 5000))
            return got if sqlite else ([_encode([v])[0] if isinstance(v, str) else v for v in r] for r in got)

        def names(model) -> dict:
            return dict(rows(select(model.id, text(model.name))))

        parks, self.departments, self.people = names(Park), names(Department), names(Person)
        self.departments[None] = self.people[None] = self.departments[0] = self.people[0] = b""  # 0: packed none
        projects = select(Project.id, text(Project.name), text(Project.company), Project.park_id, Project.leader_id,
                          Project.officer_id)
        if not everything:  # only the projects of the filtered problems
            projects = projects.where(Project.id.in_(select(Problem.project_id).where(*where)))
        people = self.people
        self.projects = {pid: (name, company, parks.get(park_id, b""), people.get(leader, b""),
                               people.get(officer, b""))
                         for pid, name, company, park_id, leader, officer in rows(projects)}
        # every note of the filtered problems in id order: dict() keeps the last one = the latest
        notes = (select(ProblemEvent.problem_id, text(ProblemEvent.text))
                 .where(ProblemEvent.kind == "note", ProblemEvent.archived == False)  # noqa: E712
                 .order_by(ProblemEvent.id))
        if not everything:
            notes = notes.join(Problem, Problem.id == ProblemEvent.problem_id).where(*where)
        self.notes = dict(rows(notes))
        self._by_id: dict[tuple, _ById] = {}
        self._by_value: dict[tuple, _Rendered] = {}
        self._spans: dict[tuple, _ById] = {}

    def prepared(self, joined: tuple[Renderer, bytes] | None) -> _Lookups:
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
