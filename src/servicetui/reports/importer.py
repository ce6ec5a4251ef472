"""Import projects or problems from an xlsx / csv ledger, all or nothing.

Every row is checked with the services' own field checks (`problems._check_fields`,
`entities._check_project`, through a stand-in for the transaction's session that answers
look-ups from rows loaded once), plus the same status rules. The whole import runs in ONE write
transaction: good rows are inserted in batches with SQLAlchemy Core (executemany), each with its
audit entry under one batch id (so one undo reverts the import); if any row is bad, or on a dry
run, the transaction is rolled back and nothing is written. Every bad row is reported (row
number, column, why). A row already present (same project and title; for projects the same code
or name) is reported and skipped, never duplicated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from servicetui.reports.common import Progress, ReportError
from servicetui.reports.import_read import Header, open_sheet
from servicetui.reports.import_rows import Issue, ProblemRows, ProjectRows
from servicetui.services.base import encode
from servicetui.services.context import Ctx
from servicetui.store.db import is_sqlite
from servicetui.store.models import AuditEntry, utcnow

CHUNK = 2000
MAX_REPORTED = 1000  # issues kept in full; the count goes on


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
    with bind.connect() as conn:
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
    pending: list[dict[str, Any]] = []
    notes: list[str] = []

    def fail(n: int, column: str, zh: str, en: str) -> None:
        result.error_count += 1
        if len(result.errors) < MAX_REPORTED:
            result.errors.append(Issue(n, column, zh, en))

    for n, cells in sheet.rows:
        result.rows += 1
        outcome = checker.check(n, cells, fail)
        if outcome is None:
            pass
        elif isinstance(outcome, Issue):
            if len(result.duplicates) < MAX_REPORTED:
                result.duplicates.append(outcome)
        else:
            result.created += 1
            if result.ok and not result.dry_run:
                pending.append(outcome[0])
                notes.append(outcome[1])
                if len(pending) >= CHUNK:
                    _flush(ctx, conn, checker, pending, notes, result.batch)
        if progress and result.rows % 1000 == 0:
            progress(result.rows, max(sheet.total - sheet.header.row, result.rows))
    if result.ok and not result.dry_run and pending:
        _flush(ctx, conn, checker, pending, notes, result.batch)
    if progress:
        progress(result.rows, result.rows)


def _insert(conn, table, rows: list[dict]) -> list[int]:
    """executemany insert returning the new ids in order.

    SQLite cannot return ids in parameter order from a batched insert (SQLAlchemy falls back to
    one statement per row), so there we number the rows ourselves: the transaction began with
    BEGIN IMMEDIATE and holds the write lock, so no one else can take those ids meanwhile.
    Elsewhere (PostgreSQL) a batched INSERT … RETURNING keeps the order.
    """
    if conn.dialect.name == "sqlite":
        from sqlalchemy import func, select

        start = (conn.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = list(range(start, start + len(rows)))
        for i, row in zip(ids, rows):
            row["id"] = i
        conn.execute(insert(table), rows)
        return ids
    return conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()


def _flush(ctx: Ctx, conn, checker, pending: list[dict], notes: list[str], batch: str) -> None:
    """Insert one chunk of rows with their audit entries (and progress notes)."""
    table = checker.model.__table__
    now = utcnow()
    for row in pending:
        row.update(version=1, archived=False, created_at=now, updated_at=now)
    ids = _insert(conn, table, pending)
    summary = checker.summary
    audit = []
    for obj_id, row in zip(ids, pending):
        data = {k: v for k, v in row.items() if k not in ("id", "version", "created_at", "updated_at")}
        audit.append(dict(at=now, actor=ctx.actor, batch=batch, action="create", entity=checker.entity,
                          entity_id=obj_id, project_id=checker.project_of(obj_id, row), field="", old=None,
                          new=encode(data), summary=summary, undo_of=None))
    events = checker.events(ids, pending, notes, now) if any(notes) else []
    if events:
        from servicetui.store.models import ProblemEvent

        ev_table = ProblemEvent.__table__
        ev_ids = _insert(conn, ev_table, [ev for ev, _ in events])
        for ev_id, (ev, project_id) in zip(ev_ids, events):
            audit.append(dict(at=now, actor=ctx.actor, batch=batch, action="create", entity="problem_event",
                              entity_id=ev_id, project_id=project_id, field="", old=None,
                              new=encode({"problem_id": ev["problem_id"], "kind": "note", "text": ev["text"]}),
                              summary=summary, undo_of=None))
    conn.execute(insert(AuditEntry.__table__), audit)
    pending.clear()
    notes.clear()

