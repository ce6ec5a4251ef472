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
  (`_run_beside_lookups`); elsewhere everything is read in one REPEATABLE READ transaction;
- a large export in the urgency order on a SQLite file may be split at a due date (`_split_at`) and its
  last rows handed to a `Helper` in another process (the csv writer's, `reports.csv_part`), which reads
  them, and the notes for both, in the same snapshot (`Snapshot`, `Part`).

On PostgreSQL the general query runs and its str/date values are turned into the same bytes in Python.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
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
from servicetui.domain.enums import Light
from servicetui.services.export_cells import (
    _RAW,
    ExportBatch,
    Lookups,
    Renderer,
    Unpacker,
)
from servicetui.services.queries import raw_rows
from servicetui.services.queries.export_packed import (
    RANKS,
    group_key,
    packed_ids,
    urgency_key,
    urgency_split,
)
from servicetui.services.queries.export_packed import (
    packed_rows_fit as _packed_rows_fit,
)
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

BATCH = 2000
SORT_THREADS = max(1, min(4, os.cpu_count() or 1))  # PRAGMA threads for the export's ORDER BY (SQLite)


# A large export in the urgency order on SQLite may be split in two at a due date: the rows up to it
# are read here, the rows from it on by a `Helper` (the csv writer's helper process), in parallel.
SPLIT_MIN_ROWS = 50_000  # fewer rows: not split (starting a helper costs about 0.1 s)
SPLIT_SHARE = 0.45  # the share of the rows read here
SPLIT_SORT_THREADS = 0  # PRAGMA threads in each process of a split export (the two processes use the cores)


@dataclass(frozen=True)
class Snapshot:
    """How a helper in another process reads what this export reads: the SQLite file `database`, in a
    snapshot whose last audit id (`mark_sql`) is `mark` (see `_run_beside_lookups`). `notes_sql`: the
    latest notes of the whole export (the helper reads them for both processes, at once). Queries are
    text with their values inlined, for the standard `sqlite3` module. `sort_threads`: PRAGMA threads."""

    database: str
    mark_sql: str
    mark: int | None
    notes_sql: str
    sort_threads: int = 0


@dataclass(frozen=True)
class Part:
    """The rows of the export from position `first` on (0-based, in the whole list; `rows` of them):
    `sql` is the packed urgency query of those rows, and they go through
    `export_cells.Unpacker(*lights)` (`rules.light_bounds`), `size` at a time."""

    sql: str
    first: int
    rows: int
    lights: tuple[date, date]
    size: int


class Helper(Protocol):
    """Who reads and writes the last rows of an export (`Part`) while `export_batches` yields the first."""

    def open(self, snapshot: Snapshot) -> None:
        """Start reading the notes of `snapshot` (the export may still not be split: then `begin` never
        comes)."""

    def begin(self, part: Part) -> None:
        """Start on `part` (before this generator's rows are read)."""

    def lookups(self, lookups: Lookups) -> None:
        """The names the rows look up, read and rendered here (`Lookups.rendered`; the notes are left to
        the helper)."""

    def notes(self) -> dict | None:
        """The latest notes the helper read (`Snapshot.notes_sql`), once it has; None when it could not
        (they are then read here, in the same snapshot)."""

    def end(self) -> bool:
        """Called after this generator's last batch: True once the part is written; False when the
        helper could not write it (the generator then yields the part's rows itself, same snapshot)."""


def export_batches(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                   sort: str = "urgency", size: int = BATCH, joined: tuple[Renderer, bytes] | None = None,
                   helper: Helper | None = None) -> Iterator[ExportBatch]:
    """Every problem matching `f`, in `sort` order, as ExportBatch-es of up to `size` rows.

    `joined`: the (renderer, separator) the caller will pass to `ExportBatch.joined`; the names and notes
    are then rendered while SQLite sorts the rows, instead of at the first batch.
    `helper`: may be handed the last rows of a large urgency-ordered export on a SQLite file (`Part`); the
    batches yielded here then stop before them, unless the helper fails (see `Helper.end`)."""
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
            opened, mark = False, None
            if sort == "urgency" and sqlite:  # the helper reads the notes while the packing is checked here
                mark = conn.scalar(select(func.max(AuditEntry.id)))  # (`conn`'s snapshot began with its first read)
                opened = _open_helper(helper, engine, conn, where, everything, mark)  # (not used when the rows do
                # not fit the packing below: its writer stops it)
            if sort == "urgency" and sqlite and _packed_rows_fit(conn):
                key = urgency_key()
                q = select(key, packed_ids(), text(Problem.title), text(Problem.category),
                           text(Problem.co_departments), _date(Problem.raised_on, sqlite), text(Problem.status),
                           _date(Problem.closed_on, sqlite)).where(*where)
                rest = _hand_over(helper, conn, q, key, where, today, warn_days, size) if opened else None
                if rest is None:
                    rows, lookups = _run_beside_lookups(engine, conn, q.order_by(key), where, sqlite, everything,
                                                        joined, dense=True, mark=mark)
                else:  # the helper reads the notes (then sorts its rows) while the names are read and rendered here
                    conn.exec_driver_sql(f"PRAGMA threads={SPLIT_SORT_THREADS}")
                    rows, lookups = _run_beside_lookups(engine, conn, q.where(urgency_split(rest[0])[0]).order_by(key),
                                                        where, sqlite, everything, joined, dense=True, mark=mark,
                                                        notes=False)
                    helper.lookups(lookups)
                    notes = helper.notes()
                    lookups.with_notes(read_notes(conn, where, sqlite, everything) if notes is None else notes)
                    lookups.prepared(joined)
                unpack = Unpacker(*rules.light_bounds(today, warn_days))
                for part in raw_rows.batches(rows, size):
                    yield ExportBatch(unpack(part), lookups)
                if rest is not None and not helper.end():  # the helper failed: its rows here, same snapshot
                    for part in raw_rows.batches(raw_rows.execute(conn, rest[1]), size):
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


def may_split(engine) -> bool:
    """Whether an export on `engine` may be split: a SQLite file whose problem ids reach SPLIT_MIN_ROWS
    (one index read). A writer can start its helper early on that, before the export is read."""
    if _database_file(engine) is None:
        return False
    with engine.connect() as conn:  # (plain SQL: an ORM select's first compile configures the mappers, 20 ms
        # that would delay the helper's start)
        top = conn.exec_driver_sql(f"SELECT max(id) FROM {Problem.__tablename__}").scalar()
    return top is not None and top >= SPLIT_MIN_ROWS


def _database_file(engine) -> str | None:
    """The SQLite file another process can open, or None (another database, in memory, a URI)."""
    if engine.dialect.name != "sqlite" or not isinstance(getattr(engine, "pool", None), QueuePool):
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database)


def _open_helper(helper: Helper | None, engine, conn, where, everything: bool, mark: int | None) -> bool:
    """Give `helper` the snapshot (`Snapshot`) when this export may be split: a SQLite file another
    process can open, and queries whose values can be written into their text."""
    database = None if helper is None else _database_file(engine)
    if database is None:
        return False
    try:
        notes_sql = _inline(conn, _notes_query(where, True, everything))
    except Exception:  # noqa: BLE001  (a filter value SQLAlchemy cannot write as a literal: not split)
        return False
    helper.open(Snapshot(database, _inline(conn, select(func.max(AuditEntry.id))), mark, notes_sql,
                         SPLIT_SORT_THREADS))
    return True


def _hand_over(helper: Helper, conn, q, key, where, today: date, warn_days: int, size: int):
    """Split a large packed export (`q`, not yet ordered) at a due date near SPLIT_SHARE of its rows and
    hand the rows from there on to `helper` (`Part`): (the key they start at, their query), or None when
    the export is not split (too few rows, a single due date, values the query text cannot inline)."""
    split = _split_at(conn, where)
    if split is None:
        return None
    bound, first, total = split
    rest = q.where(urgency_split(bound)[1]).order_by(key)
    try:
        sql = _inline(conn, rest)
    except Exception:  # noqa: BLE001  (as in _open_helper)
        return None
    helper.begin(Part(sql, first, total - first, rules.light_bounds(today, warn_days), size))
    return bound, rest


def _inline(conn, q) -> str:
    return str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _split_at(conn, where) -> tuple[int, int, int] | None:
    """(the urgency key where the last rows start, the number of rows before it, all rows), split between
    two due dates (or status groups) so that about SPLIT_SHARE of the rows come before; None when there
    are fewer than SPLIT_MIN_ROWS rows or no such place. A few index reads (status, due): about 40 ms
    for 200 000 problems, where grouping by every due date took 0.1–0.5 s."""
    groups: dict[int, list] = {}  # (rank * 2 + no_due), as urgency_key() -> [rows, statuses]
    for status, n, with_due in conn.execute(select(Problem.status, func.count(), func.count(Problem.due))
                                            .where(*where).group_by(Problem.status)):
        for no_due, rows in ((0, with_due), (1, n - with_due)):
            if rows:
                group = groups.setdefault(RANKS.get(status, 1) * 2 + no_due, [0, []])
                group[0] += rows
                group[1].append(status)
    total = sum(n for n, _ in groups.values())
    if total < SPLIT_MIN_ROWS:
        return None
    target, before = round(total * SPLIT_SHARE), 0
    for group in sorted(groups):
        n, statuses = groups[group]
        if before + n <= target and before + n < total:
            before += n
            continue
        # where the target row falls: before or after its group, or (rows with due dates) before or after
        # the due date of the target row, whichever leaves a share nearest SPLIT_SHARE on each side
        places = [(before, group_key(group)), (before + n, group_key(group + 1))]
        if group % 2 == 0:
            of_group = (*where, Problem.status.in_(statuses), Problem.due.is_not(None))
            due = conn.scalar(select(type_coerce(Problem.due, String)).where(*of_group)
                              .order_by(Problem.due).limit(1).offset(max(0, min(n - 1, target - before))))
            day = int(due.replace("-", ""))
            on = date.fromisoformat(due)
            places += [(before + conn.scalar(select(func.count()).where(*of_group, Problem.due < on)),
                        group_key(group, day)),
                       (before + conn.scalar(select(func.count()).where(*of_group, Problem.due <= on)),
                        group_key(group, day + 1))]
        places = [(first, bound) for first, bound in places if 0 < first < total and bound < 1 << 63]
        if not places:
            return None
        first, bound = min(places, key=lambda p: abs(p[0] - target))
        return bound, first, total
    return None


def _run_beside_lookups(engine, conn, q, where, sqlite: bool, everything: bool,
                        joined: tuple[Renderer, bytes] | None, dense: bool = False, mark: int | None = None,
                        notes: bool = True):
    """(the result of `q` on `conn`, the _Lookups) for the same committed state.

    On SQLite, executing `q` is its first step, in which SQLite reads and sorts every row (C code, the
    GIL released: 0.25–0.4 s at 200 000), so it runs in a thread while the names and notes are read on
    a second connection (0.2–0.3 s of mostly Python) — about 0.2 s off an export. Both connections read
    in a transaction; every commit writes an audit entry, so when both see the same last audit entry
    they read the same state. When they do not (a write landed between the two snapshots), the lookups
    are read again on `conn`, in `q`'s own snapshot. Elsewhere one after the other, on `conn`."""
    if not sqlite or not isinstance(getattr(engine, "pool", None), QueuePool):
        # (an in-memory database has one connection per thread, shared: one after the other then)
        lookups = read_lookups(conn, where, sqlite, everything, dense, notes).prepared(joined)
        return raw_rows.execute(conn, q), lookups
    if mark is None:
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
                lookups = read_lookups(other, where, sqlite, everything, dense, notes).prepared(joined)
    finally:
        worker.join()
    if "error" in done:
        raise done["error"]
    if lookups is None:
        lookups = read_lookups(conn, where, sqlite, everything, dense, notes).prepared(joined)
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


def read_lookups(conn, where, sqlite: bool, everything: bool, dense: bool = False, notes: bool = True) -> Lookups:
    """The names and latest notes of the problems matching `where`, read on `conn` (see Lookups);
    `notes=False`: the notes left empty (a helper reads them, see `Part.notes_sql`)."""
    text = _as_bytes if sqlite else _as_text

    def names(model) -> dict:
        return dict(_rows(conn, select(model.id, text(model.name)), sqlite))

    parks, departments, people = names(Park), names(Department), names(Person)
    departments[None] = people[None] = departments[0] = people[0] = b""  # 0: packed none
    of_projects = select(Project.id, text(Project.name), text(Project.company), Project.park_id, Project.leader_id,
                         Project.officer_id)
    if not everything:  # only the projects of the filtered problems
        of_projects = of_projects.where(Project.id.in_(select(Problem.project_id).where(*where)))
    projects = {pid: (name, company, parks.get(park_id, b""), people.get(leader, b""), people.get(officer, b""))
                for pid, name, company, park_id, leader, officer in _rows(conn, of_projects, sqlite)}
    latest = read_notes(conn, where, sqlite, everything) if notes else {}
    return Lookups(projects, departments, people, latest, dense)


def read_notes(conn, where, sqlite: bool, everything: bool) -> dict:
    """problem id -> its latest progress note, for the problems matching `where`."""
    return dict(_rows(conn, _notes_query(where, sqlite, everything), sqlite))


def _notes_query(where, sqlite: bool, everything: bool):
    # every note of the filtered problems in id order: dict() keeps the last one = the latest
    q = (select(ProblemEvent.problem_id, (_as_bytes if sqlite else _as_text)(ProblemEvent.text))
         .where(ProblemEvent.kind == "note", ProblemEvent.archived == False)  # noqa: E712
         .order_by(ProblemEvent.id))
    if not everything:
        q = q.join(Problem, Problem.id == ProblemEvent.problem_id).where(*where)
    return q


def _rows(conn, q, sqlite: bool):
    got = chain.from_iterable(raw_rows.batches(raw_rows.execute(conn, q), 5000))
    return got if sqlite else ([_encode([v])[0] if isinstance(v, str) else v for v in r] for r in got)
