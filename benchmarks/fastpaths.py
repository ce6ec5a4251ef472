"""Patched COPIES of the read-side functions the screens call (servicetui.services.queries), with the
fixes the benchmark proposes, so `run.py --patched` / `investigate.py` can measure before and after
without touching src/. Same signatures and results as the originals (investigate.py checks that).

Proposed changes (see benchmarks/README.md for the measured effect):

1. problem_count / problem_rows — the text filter joined project and department for every problem
   and SQLite drove the join from `project` (SCAN project → ix_problem_project_id per project →
   table row per problem): every keystroke touched all 200 000 problem rows twice (count, page),
   then sorted every match with all 26 output columns.
   * the text condition matches the project / department side in two small uncorrelated
     sub-queries (`project_id IN (SELECT id FROM project WHERE name LIKE ? OR company LIKE ?)`,
     `department_id IN (SELECT id FROM department WHERE name LIKE ?)`), so the count needs no join
     at all and the problem side is one pass;
   * a covering index `ix_problem_board (status, archived, project_id, department_id, title, due,
     escalation)` makes that pass index-only (no wide table rows: detail, resolution …);
   * the page is fetched in two phases: the ids of the page (sorted on the narrow index columns,
     LIMIT/OFFSET) first, then the joined columns for those ≤ page ids only.
2. project_rows (the home screen) — see `PROJECT_INDEXES`: the two per-project aggregates read
   covering indexes in project_id order instead of every milestone / problem row.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from servicetui.domain import rules
from servicetui.services import queries as Q
from servicetui.services.queries.projects import ProjectFilter  # noqa: F401
from servicetui.services.queries.problems import (  # noqa: F401  (iter_problem_rows re-exported: same surface)
    ProblemFilter,
    ProblemRow,
    _light_condition,
    _order,
    _problem_select,
    iter_problem_rows,
)
from servicetui.domain.enums import OPEN_STATUSES
from servicetui.store.models import Department, Problem, Project

BOARD_INDEXES = [
    # the board's filter + sort columns, so count and page-id queries never read the wide rows
    "CREATE INDEX IF NOT EXISTS ix_problem_board ON problem (status, archived, project_id, department_id, title, "
    "due, escalation)",
]
PROJECT_INDEXES = [
    # the per-project aggregates of project_rows / project light, read index-only in project_id order
    "CREATE INDEX IF NOT EXISTS ix_problem_project_agg ON problem (project_id, archived, status, due)",
    "CREATE INDEX IF NOT EXISTS ix_milestone_project_agg ON milestone (project_id, archived, kind, status, planned_on)",
]
INDEXES = BOARD_INDEXES + PROJECT_INDEXES


def apply_indexes(path, statements=None) -> None:
    """Create the proposed indexes on a COPY of a benchmark database, then ANALYZE."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements or INDEXES:
            con.execute(sql)
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _text_condition(text: str):
    like = f"%{text.strip()}%"
    projects = select(Project.id).where(or_(Project.name.like(like), Project.company.like(like)))
    departments = select(Department.id).where(Department.name.like(like))
    return or_(Problem.title.like(like), Problem.project_id.in_(projects), Problem.department_id.in_(departments))


def _problem_where(f: ProblemFilter, today: date, warn_days: int) -> list:
    """queries._problem_where with every condition on the problem row alone (no join needed)."""
    conds: list = [Problem.archived == False]  # noqa: E712
    if f.text and f.text.strip():
        conds.append(_text_condition(f.text))
    if f.department_id is not None:
        conds.append(Problem.department_id == f.department_id)
    if f.statuses:
        conds.append(Problem.status.in_(list(f.statuses)))
    if f.open_only:
        conds.append(Problem.status.in_(OPEN_STATUSES))
    if f.lights:
        conds.append(or_(*[_light_condition(x, today, warn_days) for x in f.lights]))
    if f.category:
        conds.append(Problem.category == f.category)
    if f.kind:
        conds.append(Problem.kind == f.kind)
    if f.project_id is not None:
        conds.append(Problem.project_id == f.project_id)
    if f.officer_id is not None:
        conds.append(Problem.project_id.in_(select(Project.id).where(Project.officer_id == f.officer_id)))
    if f.session_id is not None:
        conds.append(Problem.session_id == f.session_id)
    if f.escalated:
        conds.append(Problem.escalation > 0)
    if f.due_from is not None:
        conds.append(Problem.due >= f.due_from)
    if f.due_to is not None:
        conds.append(Problem.due <= f.due_to)
    if f.ids:
        conds.append(Problem.id.in_(list(f.ids)))
    return conds


def problem_count(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> int:
    f = f or ProblemFilter()
    # The original's INNER JOIN project only drops problems whose project row is missing, which the
    # foreign key forbids; the LEFT JOIN department never changes a count.
    q = select(func.count()).select_from(Problem).where(*_problem_where(f, today, warn_days))
    with engine.connect() as conn:
        return conn.scalar(q) or 0


def problem_rows(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                 sort: str = "urgency", offset: int = 0, limit: int | None = 200,
                 with_note: bool = True) -> list[ProblemRow]:
    f = f or ProblemFilter()
    if limit is None or sort in ("project", "department"):
        # whole lists (exports, a project's problems) and the sorts on joined columns: the original
        # query shape, with the join-free WHERE
        q = _problem_select(today, warn_days, with_note=with_note).where(*_problem_where(f, today, warn_days))
        q = q.order_by(*_order(sort, today)).offset(offset)
        if limit is not None:
            q = q.limit(limit)
    else:
        page = (select(Problem.id).where(*_problem_where(f, today, warn_days))
                .order_by(*_order(sort, today)).offset(offset).limit(limit))
        q = (_problem_select(today, warn_days, with_note=with_note).where(Problem.id.in_(page.scalar_subquery()))
             .order_by(*_order(sort, today)))
    with engine.connect() as conn:
        return [ProblemRow(**r._mapping) for r in conn.execute(q)]


# -- start-up and screen patches (monkeypatches applied only inside benchmark processes) -----------
def _head_without_alembic() -> str:
    """The head revision read from the version files (what a `migrate.HEAD` constant would hold)."""
    import re

    from servicetui.store.migrate import MIGRATIONS_DIR

    revs, downs = set(), set()
    for p in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = p.read_text(encoding="utf-8")
        m = re.search(r"^revision\s*=\s*['\"]([^'\"]+)", text, re.M)
        d = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)", text, re.M)
        if m:
            revs.add(m[1])
        if d:
            downs.add(d[1])
    heads = revs - downs
    return heads.pop() if len(heads) == 1 else ""


def patch_startup() -> None:
    """Proposed for store/migrate.py: the start-up revision check without importing alembic
    (current = one SELECT on alembic_version; head = a constant kept honest by a test). Alembic is
    imported only when they differ (`servicetui migrate`)."""
    from servicetui.store import migrate

    head = _head_without_alembic()

    def current_revision(engine):
        from sqlalchemy import inspect

        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    migrate.current_revision = current_revision
    migrate.head_revision = lambda: head


def patch_app(board: bool = False) -> None:
    """Proposed for tui/widgets.py + tui/screens.py:
    * LazyTable.on_mount must not load when its screen's on_mount (→ _apply → reload) will: today
      both run, so the first page of the home screen is queried twice before the first paint;
    * LazyTable._highlight refreshes the screen's bindings (→ Footer recompose) only when the enabled
      state of an action changed, not on every reload / cursor move;
    * (board=True) the board's keystroke counts once: `_describe()` and `LazyTable.reload()` both
      call problem_count for the same filter — emulated here by reusing the count of the same
      filter within 0.5 s — and the board uses the join-free count and two-phase page above."""
    from servicetui.services import queries
    from servicetui.tui.widgets import LazyTable

    LazyTable.on_mount = lambda self: None
    # LazyTable._highlight calls screen.refresh_bindings() on every cursor move / reload; the
    # Footer answers with a full recompose (every FooterKey removed and mounted again). Proposed:
    # refresh the bindings only when the enabled state of the screen's actions changed.
    def _highlight(self) -> None:
        self.post_message(self.Highlighted(self, self.selected))
        if not self.is_mounted:
            return
        screen = self.screen
        state = tuple(sorted((k, ab.enabled) for k, ab in screen.active_bindings.items()))
        if getattr(self, "_binding_state", None) != state:
            self._binding_state = state
            screen.refresh_bindings()

    LazyTable._highlight = _highlight
    if board:
        import time

        queries.problem_rows = problem_rows
        memo: dict = {}

        def problem_count_once(engine, f=None, *, today, warn_days=rules.DEFAULT_WARN_DAYS):
            key = (id(engine), repr(f), today, warn_days)
            hit = memo.get(key)
            if hit and time.monotonic() - hit[0] < 0.5:
                return hit[1]
            n = problem_count(engine, f, today=today, warn_days=warn_days)
            memo.clear()
            memo[key] = (time.monotonic(), n)
            return n

        queries.problem_count = problem_count_once


def project_rows(engine, f: ProjectFilter | None = None, **kw):
    return Q.project_rows(engine, f, **kw)


def project_detail(engine, project_id: int, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS):
    return Q.project_detail(engine, project_id, today=today, warn_days=warn_days)


__all__ = ["problem_rows", "problem_count", "iter_problem_rows", "project_rows", "project_detail", "apply_indexes",
           "INDEXES", "patch_startup", "patch_app"]
