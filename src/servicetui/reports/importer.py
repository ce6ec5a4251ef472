"""Import projects or problems from an xlsx / csv ledger, all or nothing.

Every row is checked with the services' own field checks (`problems._check_fields`,
`entities._check_project`, through a stand-in for the transaction's session that answers
look-ups from rows loaded once), plus the same status rules; well-formed problem rows take a
proven-equivalent fast path (see `import_problems`). The whole import runs in ONE write transaction:
good rows are inserted in chunks, each with its audit entry under one batch id (so one undo
reverts the import); if any row is bad, or on a dry run, the transaction is rolled back and
nothing is written. Every bad row is reported (row number, column, why). A row already present
(same project and title; for projects the same code or name) is reported and skipped, never
duplicated.

How rows are written (`_Writer`):

* SQLite: the transaction began with BEGIN IMMEDIATE and holds the write lock, so we number the
  new rows ourselves (max(id) + 1 …) and executemany at the driver level an INSERT compiled once
  by SQLAlchemy for the dialect, each value converted by its column type's own bind processor
  once per distinct value (dates, timestamps, booleans). A bulk import (`BULK_MIN` rows and at
  least half the table's size) drops the table's secondary indexes inside the transaction and
  re-creates them from their own DDL before the commit (one sort instead of a B-tree insert per
  row and index), keeping their planner statistics (sqlite_stat1/4); a rollback restores them
  with everything else.
* PostgreSQL (any other dialect): SQLAlchemy Core executemany of plain dicts, with
  `INSERT … RETURNING id` in parameter order for the rows whose ids the audit needs.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column, select

from servicetui.reports.common import Progress, ReportError, gc_paused
from servicetui.reports.import_read import Header, open_sheet
from servicetui.reports.import_problems import ProblemRows
from servicetui.reports.import_projects import ProjectRows
from servicetui.reports.import_rows import Issue
from servicetui.services.base import _iso, encode
from servicetui.services.context import Ctx
from servicetui.store import bulk as bulk_rows
from servicetui.store.db import is_sqlite
from servicetui.store.models import AuditEntry, ProblemEvent, utcnow

CHUNK = 5000
MAX_REPORTED = 1000  # issues kept in full; the count goes on
BULK_MIN = 20_000  # SQLite: fewer new rows than this never drop a table's indexes
MULTI_ROWS = 16  # SQLite: rows per INSERT statement


@dataclass
class ImportResult:
    kind: str
    path: Path
    dry_run: bool
    rows: int = 0  # data rows read
    created: int = 0  # inserted (or, on a dry run, that would be)
    errors: list[Issue] = field(default_factory=list)
    duplicates: list[Issue] = field(default_factory=list)
    error_count: int = 0
    batch: str = ""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and self.created > 0


def import_file(ctx: Ctx, path: str | Path, *, kind: str | None = None, dry_run: bool = False,
                progress: Progress = None) -> ImportResult:
    """Import `path` (xlsx or csv). `kind` = "projects" | "problems"; None guesses from the header."""
    if kind not in (None, "projects", "problems"):
        raise ReportError(f"导入类型须为 projects 或 problems：{kind}", f"kind must be projects or problems: {kind}")
    sheet = open_sheet(path, kind)
    result = ImportResult(sheet.header.kind, Path(path), dry_run, batch=uuid.uuid4().hex)
    engine = ctx.engine
    bind = engine.execution_options(sqlite_immediate=True) if is_sqlite(engine) else engine
    with gc_paused(), bind.connect() as conn:
        trans = conn.begin()
        try:
            _run(ctx, conn, sheet, result, progress)
            if result.ok and not dry_run:
                trans.commit()
            else:
                trans.rollback()
        except BaseException:
            trans.rollback()
            raise
    if not result.ok or dry_run:
        result.batch = ""
    return result


def _run(ctx: Ctx, conn, sheet, result: ImportResult, progress: Progress) -> None:
    header: Header = sheet.header
    rows_cls = ProblemRows if header.kind == "problems" else ProjectRows
    checker = rows_cls(ctx, conn, header)
    writer = None if result.dry_run else _Writer(ctx, conn, checker, result.batch,
                                                  max(sheet.total - header.row, 0))
    pending: list[tuple[dict[str, Any], str]] = []

    def fail(n: int, column: str, zh: str, en: str) -> None:
        result.error_count += 1
        if len(result.errors) < MAX_REPORTED:
            result.errors.append(Issue(n, column, zh, en))

    check, duplicates, total = checker.check, result.duplicates, max(sheet.total - header.row, 0)
    rows = created = 0
    for n, cells in sheet.rows:
        rows += 1
        outcome = check(n, cells, fail)
        if outcome is None:
            pass
        elif isinstance(outcome, Issue):
            if len(duplicates) < MAX_REPORTED:
                duplicates.append(outcome)
        else:
            created += 1
            if writer is not None and not result.error_count:
                pending.append(outcome)
                if len(pending) >= CHUNK:
                    _flush(writer, pending, rows)
        if progress and rows % 1000 == 0:
            progress(rows, max(total, rows))
    result.rows, result.created = rows, created
    if writer is not None and result.ok:
        _flush(writer, pending, rows, final=True)
    if progress:
        progress(rows, rows)


def _flush(writer: _Writer, pending: list[tuple[dict[str, Any], str]], rows_read: int, *,
           final: bool = False) -> None:
    """Insert one chunk of rows with their audit entries (and progress notes); on the final call,
    also re-create any index dropped for the bulk load."""
    if pending:
        writer.write(pending, rows_read)
        pending.clear()
    if final:
        writer.finish()


class _Writer:
    """Writes checked rows, their progress notes and one audit entry each, in the import's transaction.

    Rows are turned into parameters column by column (`map`, `zip`: no Python code per row and
    value), which is what makes 200 000 rows cheap."""

    def __init__(self, ctx: Ctx, conn, checker, batch: str, expected_rows: int):
        self.ctx, self.conn, self.checker = ctx, conn, checker
        self.table = checker.model.__table__
        self.sqlite = conn.dialect.name == "sqlite"
        # rows come as tuples of ROW_KEYS' values (problems) or as dicts (projects)
        self.keys: tuple[str, ...] | None = getattr(checker, "ROW_KEYS", None)
        groups = getattr(checker, "JSON_GROUPS", None) or ((k,) for k in self.keys or ())
        self.json = _RowJson(self.keys, tuple(groups)) if self.keys else None
        self.audit = dict(actor=ctx.actor, batch=batch, action="create", field="", old=None,
                          summary=checker.summary, undo_of=None)
        self.expected_rows = expected_rows
        self.inserted: dict[str, int] = {}  # table -> rows inserted so far
        self.bulk = _BulkLoad(conn) if self.sqlite else None
        self._driver: dict[str, _Driver] = {}

    def write(self, pending: list[tuple[dict[str, Any], str]], rows_read: int) -> None:
        now = utcnow()
        rows = [row for row, _ in pending]
        notes = [note for _, note in pending]
        # the audit's content: each row as checked (= services.base.encode(row))
        news = self.json.encode_rows(rows) if self.json else [encode(row) for row in rows]
        ids = self._insert(self.table, len(rows), rows_read, rows=rows, keys=self.keys,
                           fixed={"version": 1, "created_at": now, "updated_at": now})
        project_ids = list(map(self.checker.project_of, ids, rows))
        entities, entity_ids = [self.checker.entity] * len(ids), list(ids)
        if any(notes):
            columns, fixed, ev_projects = self.checker.note_events(ids, rows, notes, now)
            ev_ids = self._insert(ProblemEvent.__table__, len(ev_projects), rows_read, columns=columns, fixed=fixed)
            entities += ["problem_event"] * len(ev_ids)
            entity_ids += ev_ids
            project_ids += ev_projects
            # = encode({"problem_id": …, "kind": "note", "text": …})
            news += map('{{"problem_id": {}, "kind": "note", "text": {}}}'.format,
                        map(int.__repr__, columns["problem_id"]), map(_json_str, columns["text"]))
        self._insert(AuditEntry.__table__, len(entity_ids), rows_read, ids=False,
                     columns={"entity": entities, "entity_id": entity_ids, "project_id": project_ids, "new": news},
                     fixed=dict(self.audit, at=now))

    def finish(self) -> None:
        if self.bulk is not None:
            self.bulk.restore()

    def _insert(self, table, n: int, rows_read: int, *, rows: list | None = None, keys: tuple[str, ...] | None = None,
                columns: dict[str, list] | None = None, fixed: dict[str, Any] | None = None,
                ids: bool = True) -> list[int]:
        """Insert n rows, given as dicts (`rows`), as tuples of the values of `keys` (`rows` and
        `keys`) or as lists of values (`columns`), plus the values all of them share (`fixed`):
        every column but the id. Their new ids in order (unless `ids` is false)."""
        if not n:
            return []
        fixed = fixed or {}
        done = self.inserted[table.name] = self.inserted.get(table.name, 0) + n
        if rows is not None and keys is not None:
            columns, rows = {k: map(itemgetter(i), rows) for i, k in enumerate(keys)}, None
        if not self.sqlite:
            if rows is None:
                rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
            for row in rows:
                row.update(fixed)
            if self.conn.dialect.name == "postgresql":
                # The ids come from the table's sequence and the rows go in through COPY: an INSERT …
                # RETURNING of many rows is sent as statements of a thousand rows each, which psycopg
                # parses anew (200 000 problems took 52 s, against 7 s on SQLite).
                new_ids = bulk_rows.next_ids(self.conn, table, n) if ids else []
                for new_id, row in zip(new_ids, rows):
                    row["id"] = new_id
                bulk_rows.insert_rows(self.conn, table, rows)
                return new_ids
            if not ids:
                self.conn.execute(insert(table), rows)
                return []
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(self.conn.execute(stmt, rows).scalars().all())
        # this many rows for this table, at the pace of the rows read so far
        self.bulk.consider(table, done * max(1.0, self.expected_rows / max(rows_read, 1)))
        driver = self._driver.get(table.name)
        if driver is None:
            driver = self._driver[table.name] = _Driver(self.conn, table)
        start = (self.conn.scalar(select(func.max(table.c.id))) or 0) + 1
        new_ids = list(range(start, start + n))
        if rows is not None:
            columns = {name: map(itemgetter(name), rows) for name in driver.names if name != "id" and name not in fixed}
        columns = {**columns, "id": new_ids}
        if all(name in columns or name in fixed for name in driver.names):
            try:
                driver.insert(self.conn, columns, n, fixed)
                return new_ids
            except KeyError:  # a row (dict) leaves a column out
                if rows is None:
                    raise
        # a column left to its default: SQLAlchemy fills it in
        if rows is None:
            rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
        for i, row in zip(new_ids, rows):
            row.update(fixed, id=i)
        self.conn.execute(insert(table), rows)
        return new_ids


class _RowJson:
    """`services.base.encode(dict(zip(keys, row)))` for many rows (tuples of the values of `keys`),
    column by column.

    Consecutive keys are grouped (`groups`: the columns whose values repeat from row to row go
    together); the text of a group is memoised by its values, a text column (a title) is escaped
    as it comes. Each key and value is written as `json.dumps` writes it, so the text is the same.
    Memo keys are the values of one column each, of one type by the rows' construction (ids int or
    None, dates or None, texts), so no two equal keys (1 and True) stand for different texts.
    """

    def __init__(self, keys: tuple[str, ...], groups: tuple[tuple[str, ...], ...]):
        if tuple(k for g in groups for k in g) != tuple(keys):
            raise ValueError("JSON groups must cover the row's keys in order")  # pragma: no cover
        self.keys = tuple(keys)
        self.parts = []
        at = 0
        for n, g in enumerate(groups):
            heads = [("{" if n == 0 and i == 0 else ", ") + _json_str(k) + ": " for i, k in enumerate(g)]
            self.parts.append((itemgetter(*range(at, at + len(g))), heads, _Fragments(heads, len(g) > 1)))
            at += len(g)

    def encode_rows(self, rows: list[tuple]) -> list[str]:
        if set(map(len, rows)) - {len(self.keys)}:  # pragma: no cover - not a row of ours
            return [encode(dict(zip(self.keys, row))) for row in rows]
        pieces = []
        for get, heads, memo in self.parts:
            values = list(map(get, rows))
            if len(heads) == 1 and set(map(type, values)) == {str}:
                pieces.append(map(heads[0].__add__, map(_json_str, values)))  # a text: no memo
            else:
                pieces.append(map(memo.__getitem__, values))
        pieces.append(repeat("}", len(rows)))
        return list(map("".join, zip(*pieces)))


class _Fragments(dict):
    """A group's values -> its JSON text (`"key": value` pairs), worked out once per distinct values."""

    def __init__(self, heads: list[str], many: bool):
        super().__init__()
        self.heads, self.many = heads, many

    def __missing__(self, values):
        text = "".join(h + _json_value(v) for h, v in zip(self.heads, values if self.many else (values,)))
        if len(self) < 20_000:
            self[values] = text
        return text


_json_str = json.encoder.encode_basestring  # = json.dumps(str, ensure_ascii=False)


def _json_value(value: Any) -> str:
    """= json.dumps(value, ensure_ascii=False, default=_iso)."""
    return json.dumps(value, ensure_ascii=False, default=_iso)


class _Driver:
    """One table's INSERT for a positional driver (sqlite3), built by SQLAlchemy for the connection's
    dialect, executemany'd at the driver level.

    Each value is converted by its column type's own bind processor, once per distinct value (the
    conversion SQLAlchemy would apply, without its per-row machinery). A column whose value is the
    same in every row of the call (the timestamps, the actor, the batch, NULLs …) is written into
    the statement as a literal instead of being bound again for every row: binding is most of
    sqlite3's cost per row (a NULL goes through its adapter look-ups). Only NULL, integers and
    texts without control characters are written so; anything else stays a parameter.
    """

    def __init__(self, conn, table):
        dialect = self.dialect = conn.dialect
        self.table = table
        self.names = [c.key for c in table.c]
        self.procs = {c.key: c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.c}
        self.memos = {name: _Converted(proc) for name, proc in self.procs.items() if proc is not None}
        self._statements: dict[tuple, tuple[str, list[str]]] = {}

    def _statement(self, literals: tuple[tuple[str, str], ...], rows: int = 1) -> tuple[str, list[str]]:
        """(SQL inserting `rows` rows, the names of its parameters in order) with these columns given
        as literals; a multi-row statement has the single-row one's parameters row after row."""
        key = (literals, rows)
        found = self._statements.get(key)
        if found is None:
            inline = {name: literal_column(text) for name, text in literals}
            bound = [n for n in self.names if n not in inline]
            if rows == 1:
                compiled = insert(self.table).values(inline).compile(dialect=self.dialect, column_keys=bound)
                names = list(compiled.positiontup or ())
                if not compiled.positional or sorted(names) != sorted(bound):
                    raise RuntimeError(f"cannot compile a positional INSERT for {self.table.name}")  # pragma: no cover
            else:
                names = self._statement(literals)[1]
                stmt = insert(self.table).values(
                    [{**inline, **{n: bindparam(f"{n}__{i}") for n in bound}} for i in range(rows)])
                compiled = stmt.compile(dialect=self.dialect)
                if list(compiled.positiontup or ()) != [f"{n}__{i}" for i in range(rows) for n in names]:
                    raise RuntimeError(f"cannot compile a multi-row INSERT for {self.table.name}")  # pragma: no cover
            found = self._statements[key] = (compiled.string, names)
        return found

    def insert(self, conn, columns: dict[str, Any], n: int, fixed: dict[str, Any]) -> None:
        """Insert n rows: `columns` holds the values of every column not in `fixed` (the values all
        rows share), id included."""
        values: dict[str, list] = {}
        literals = []
        for name in self.names:
            if name in fixed:
                value = fixed[name]
                proc = self.procs[name]
                col = [value if proc is None or value is None else proc(value)]
            else:
                memo = self.memos.get(name)
                col = list(columns[name] if memo is None else map(memo.__getitem__, columns[name]))
            first = col[0] if col else None
            same = col and (len(col) == 1 or (col[-1] == first and col.count(first) == len(col)))
            text = _literal(first) if same else None
            if text is not None and type(first) is int and set(map(type, col)) != {int}:  # noqa: E721
                text = None  # 1, 1.0 and True are equal, not the same value
            if text is not None:
                literals.append((name, text))
            else:
                values[name] = col if len(col) == n else col * n
        literals = tuple(literals)
        sql, names = self._statement(literals)
        if not names:
            conn.exec_driver_sql(sql, [()] * n)
            return
        rows = zip(*[values[name] for name in names])
        # several rows per statement: fewer statements to step through (at most 999 parameters,
        # the smallest limit SQLite was ever built with)
        per = min(MULTI_ROWS, 999 // len(names))
        full = n // per * per if per > 1 else 0
        if full:
            flat = list(chain.from_iterable(rows))
            width = per * len(names)
            conn.exec_driver_sql(self._statement(literals, per)[0],
                                 [tuple(flat[i:i + width]) for i in range(0, full * len(names), width)])
            rows = zip(*[iter(flat[full * len(names):])] * len(names))
        rest = list(rows)
        if rest:
            conn.exec_driver_sql(sql, rest)


def _literal(value: Any) -> str | None:
    """SQL text for a value written into a statement: NULL, an integer, a plain text; else None."""
    if value is None:
        return "NULL"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str and len(value) <= 200 and _PLAIN.fullmatch(value):
        return "'" + value.replace("'", "''") + "'"
    return None


_PLAIN = re.compile(r"[^\x00-\x1f\x7f?%:\\]*")  # no control characters, no parameter marks, no backslash


class _Converted(dict):
    """value -> what a column type's bind processor makes of it, worked out once per distinct value."""

    def __init__(self, proc):
        super().__init__()
        self.proc = proc
        self[None] = None

    def __missing__(self, value):
        out = self.proc(value)
        if len(self) < 10_000:
            self[value] = out
        return out


class _BulkLoad:
    """SQLite: drop a table's secondary indexes for a bulk load, re-create them before the commit.

    All inside the import's transaction (SQLite DDL is transactional): a rollback, or a crash,
    leaves the indexes as they were. The DDL is the table's own (sqlite_master), so whatever the
    migrations created comes back exactly; so do its planner statistics, which DROP INDEX deletes.
    """

    def __init__(self, conn):
        self.conn = conn
        self.decided: set[str] = set()
        self.dropped: list[tuple[str, str]] = []  # (index name, CREATE INDEX …)
        self.stats: list[tuple[str, list[str], list[tuple]]] = []  # (stat table, columns, rows)
        self.existing: dict[str, int] = {}

    def consider(self, table, projected: float) -> None:
        name = table.name
        if name in self.decided or projected < BULK_MIN:
            return
        existing = self.existing.get(name)
        if existing is None:
            existing = self.existing[name] = self.conn.scalar(select(func.count()).select_from(table)) or 0
        if projected * 2 < existing:
            return
        self.decided.add(name)
        self._drop(name)

    def _drop(self, table_name: str) -> None:
        conn = self.conn
        indexes = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table_name,)).all()]
        if not indexes:
            return
        names = [n for n, _ in indexes]
        marks = ", ".join("?" * len(names))
        for stat in ("sqlite_stat1", "sqlite_stat4"):
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (stat,)).first():
                result = conn.exec_driver_sql(f"SELECT * FROM {stat} WHERE idx IN ({marks})", tuple(names))
                cols, rows = list(result.keys()), [tuple(r) for r in result.all()]
                if rows:
                    self.stats.append((stat, cols, rows))
        for name in names:
            conn.exec_driver_sql(f"DROP INDEX {_quote(name)}")
        self.dropped += indexes

    def restore(self) -> None:
        conn = self.conn
        for _, ddl in self.dropped:
            conn.exec_driver_sql(ddl)
        for stat, cols, rows in self.stats:
            conn.exec_driver_sql(f"INSERT INTO {stat} ({', '.join(_quote(c) for c in cols)}) "
                                 f"VALUES ({', '.join('?' * len(cols))})", rows)
        self.dropped, self.stats = [], []


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
