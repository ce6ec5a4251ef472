"""Problem lists: filters, the SQL light, pages in urgency order, counts, streams for exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Sequence

from sqlalchemy import (
    Boolean,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.visitors import InternalTraversal

from servicetui.domain import rules
from servicetui.domain.enums import OPEN_STATUSES, Light, ProblemStatus
from servicetui.store.models import (
    Department,
    Park,
    Person,
    Problem,
    ProblemEvent,
    Project,
)

ACTIVE = tuple(s for s in OPEN_STATUSES if s != ProblemStatus.DONE)  # open and not yet reported done


def problem_light_sql(today: date, warn_days: int = rules.DEFAULT_WARN_DAYS):
    """SQL mirror of rules.problem_light's colour."""
    red_before, yellow_until = rules.light_bounds(today, warn_days)
    return case(
        (Problem.status == ProblemStatus.CLOSED.value, literal(Light.NONE.value)),
        (Problem.status == ProblemStatus.DONE.value, literal(Light.GREEN.value)),
        (Problem.due.is_(None), literal(Light.GREEN.value)),
        (Problem.due < red_before, literal(Light.RED.value)),
        (Problem.due <= yellow_until, literal(Light.YELLOW.value)),
        else_=literal(Light.GREEN.value),
    )


def _light_condition(light: str, today: date, warn_days: int):
    """WHERE clause for one light, written so the (status, due) index can serve it."""
    red_before, yellow_until = rules.light_bounds(today, warn_days)
    active = Problem.status.in_(ACTIVE)
    if light == Light.RED:
        return and_(active, Problem.due < red_before)
    if light == Light.YELLOW:
        return and_(active, Problem.due >= red_before, Problem.due <= yellow_until)
    if light == Light.GREEN:
        return or_(
            Problem.status == ProblemStatus.DONE.value,
            and_(active, or_(Problem.due.is_(None), Problem.due > yellow_until)),
        )
    return Problem.status == ProblemStatus.CLOSED.value


@dataclass
class ProblemFilter:
    text: str = ""
    department_id: int | None = None
    statuses: Sequence[str] = ()
    lights: Sequence[str] = ()
    category: str | None = None
    kind: str | None = None
    exclude_kinds: Sequence[str] = ()
    project_id: int | None = None
    officer_id: int | None = None
    session_id: int | None = None
    open_only: bool = False
    escalated: bool = False
    due_from: date | None = None
    due_to: date | None = None
    ids: Sequence[int] = ()


@dataclass
class ProblemRow:
    id: int
    version: int
    project_id: int
    project_code: str
    project_name: str
    company: str
    park: str
    kind: str
    title: str
    category: str
    department_id: int | None
    department: str
    co_departments: str
    owner: str
    raised_on: date | None
    raised_by: str
    due: date | None
    status: str
    escalation: int
    turn: str
    resolution: str
    done_on: date | None
    closed_on: date | None
    leader: str
    officer: str
    light: str
    latest_note: str = ""

    def facts(self) -> rules.ProblemFacts:
        return rules.ProblemFacts(self.title, self.status, self.due, self.category, self.escalation, self.kind)

    def verdict(self, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> rules.Verdict:
        return rules.problem_light(self.facts(), today, warn_days)


SORTS = ("urgency", "due", "project", "department", "status", "raised")


class ContainsText(ColumnElement[bool]):
    """`text` anywhere in a column, ignoring case, with `%` and `_` matching themselves: what the board's
    search index does (search.py). SQLite: `col LIKE '%…%' ESCAPE '/'` (LIKE ignores case there;
    `lower(col)` would cost a function call per row, twice the time of a scan); PostgreSQL, whose LIKE
    is case-sensitive: ILIKE."""

    __visit_name__ = "contains_text"
    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("col", InternalTraversal.dp_clauseelement),
                           ("pattern", InternalTraversal.dp_clauseelement)]

    def __init__(self, col, text: str):
        self.col = col
        escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
        self.pattern = bindparam(None, f"%{escaped}%", type_=String(), unique=True)


def _compile_contains(operator: str):
    def compile_contains(element: ContainsText, compiler, **kw) -> str:
        col, pattern = compiler.process(element.col, **kw), compiler.process(element.pattern, **kw)
        return f"({col} {operator} {pattern} ESCAPE '/')"

    return compile_contains


compiles(ContainsText)(_compile_contains("LIKE"))
compiles(ContainsText, "postgresql")(_compile_contains("ILIKE"))
contains_text = ContainsText


def _problem_where(f: ProblemFilter, today: date, warn_days: int) -> list:
    conds: list = [Problem.archived == False]  # noqa: E712
    if f.text:
        # one pass over problem: projects and departments that match are looked up once, not joined row by row
        text = f.text.strip()
        conds.append(or_(
            contains_text(Problem.title, text),
            Problem.project_id.in_(select(Project.id).where(or_(contains_text(Project.name, text),
                                                                contains_text(Project.company, text)))),
            Problem.department_id.in_(select(Department.id).where(contains_text(Department.name, text))),
        ))
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
    if f.exclude_kinds:
        conds.append(Problem.kind.not_in(list(f.exclude_kinds)))
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


def _order(sort: str, today: date):
    status_rank = case(
        (Problem.status == ProblemStatus.CLOSED.value, 3),
        (Problem.status == ProblemStatus.DONE.value, 2),
        else_=1,
    )
    no_due = case((Problem.due.is_(None), 1), else_=0)
    if sort == "due":
        return [no_due, Problem.due, Problem.id]
    if sort == "project":
        return [Project.code, Problem.id]
    if sort == "department":
        return [Department.name, no_due, Problem.due, Problem.id]
    if sort == "status":
        return [Problem.status, Problem.id]
    if sort == "raised":
        return [Problem.raised_on.desc(), Problem.id.desc()]
    # urgency: active first by due (most overdue first), escalated first on equal days; then 已办结; closed last
    return [status_rank, no_due, Problem.due, Problem.escalation.desc(), Problem.id]


@lru_cache(maxsize=32)
def _problem_select(today: date, warn_days: int, *, with_note: bool):
    """The joined columns of a problem row (built once per day and setting: a select is immutable,
    and building one — three aliases, the light CASE — costs more than running it for a page).
    Its columns are ProblemRow's fields in order, so a row is `ProblemRow(*r)` (a test checks)."""
    leader = aliased(Person)
    officer = aliased(Person)
    owner = aliased(Person)
    cols = [
        Problem.id, Problem.version, Problem.project_id, Project.code.label("project_code"),
        Project.name.label("project_name"), Project.company, func.coalesce(Park.name, "").label("park"),
        Problem.kind, Problem.title, Problem.category, Problem.department_id,
        func.coalesce(Department.name, "").label("department"), Problem.co_departments,
        func.coalesce(owner.name, "").label("owner"), Problem.raised_on, Problem.raised_by, Problem.due,
        Problem.status, Problem.escalation, Problem.turn, Problem.resolution, Problem.done_on,
        Problem.closed_on, func.coalesce(leader.name, "").label("leader"),
        func.coalesce(officer.name, "").label("officer"),
        problem_light_sql(today, warn_days).label("light"),
    ]
    if with_note:
        note = (
            select(ProblemEvent.text)
            .where(ProblemEvent.problem_id == Problem.id, ProblemEvent.kind == "note",
                   ProblemEvent.archived == False)  # noqa: E712
            .order_by(ProblemEvent.id.desc())
            .limit(1)
            .correlate(Problem)
            .scalar_subquery()
        )
        cols.append(func.coalesce(note, "").label("latest_note"))
    return (
        select(*cols)
        .select_from(Problem)
        .join(Project, Project.id == Problem.project_id)
        .outerjoin(Park, Park.id == Project.park_id)
        .outerjoin(Department, Department.id == Problem.department_id)
        .outerjoin(owner, owner.id == Problem.owner_id)
        .outerjoin(leader, leader.id == Project.leader_id)
        .outerjoin(officer, officer.id == Project.officer_id)
    )


def problem_rows(
    engine,
    f: ProblemFilter | None = None,
    *,
    today: date,
    warn_days: int = rules.DEFAULT_WARN_DAYS,
    sort: str = "urgency",
    offset: int = 0,
    limit: int | None = 200,
    with_note: bool = True,
    total: int | None = None,
) -> list[ProblemRow]:
    """One page of problems. A page is found in two steps: first the ids of the page from the problem
    table alone (narrow rows, served by its indexes), then the joined columns of just those rows.

    `total` (the count the caller has, e.g. a list's row count): a page in the far half is read from
    the other end, in the reversed order, so OFFSET steps over fewer rows (the last page of 200 000
    costs what the first does). Every order ends on the id, so the reversed order is exactly the
    reverse; if the count is stale the page may shift by as many rows as changed, as any OFFSET page.
    With `total`, the urgency order over a list that holds closed problems is read group by group
    (`_urgency_page_ids`)."""
    f = f or ProblemFilter()
    order = _order(sort, today)
    where = _problem_where(f, today, warn_days)
    q = _problem_select(today, warn_days, with_note=with_note)
    if limit is not None and sort not in _JOINED_SORTS:
        with engine.connect() as conn:
            if sort == "urgency" and total is not None and _may_hold_closed(f):
                ids = _urgency_page_ids(conn, where, today, offset, limit, total)
            else:
                ids = _page_ids(conn, where, order, offset, limit, total)
            if not ids:
                return []
            rows = conn.execute(q.where(Problem.id.in_(ids)))
            by_id = {r.id: ProblemRow(*r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]
    backwards = False
    if limit is not None:
        order, offset, limit, backwards = _window(order, offset, limit, total)
    q = q.where(*where).order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        found = [ProblemRow(*r) for r in conn.execute(q)]
    return found[::-1] if backwards else found


def _window(order: list, offset: int, limit: int, total: int | None) -> tuple[list, int, int, bool]:
    """(order, offset, limit, backwards) that read the page [offset, offset + limit) of `total` rows:
    the same in the far half of the list, in the reversed order from the other end (then reverse
    what it returns)."""
    if total is None or offset >= total or 2 * offset + limit <= total:
        return order, offset, limit, False
    limit = min(limit, total - offset)
    return _reversed(order), total - offset - limit, limit, True


def _page_ids(conn, where, order, offset: int, limit: int, total: int | None) -> list[int]:
    """The ids of one page in `order` (from the other end when it lies in the far half of `total`)."""
    order, offset, limit, backwards = _window(order, offset, limit, total)
    ids = list(conn.scalars(select(Problem.id).where(*where).order_by(*order).offset(offset).limit(limit)))
    return ids[::-1] if backwards else ids


def _may_hold_closed(f: ProblemFilter) -> bool:
    return not f.open_only and (not f.statuses or ProblemStatus.CLOSED.value in f.statuses)


_ACTIVE = tuple(s.value for s in ProblemStatus if s not in (ProblemStatus.DONE, ProblemStatus.CLOSED))


def _urgency_groups():
    """The urgency order's status groups, in order: active, 已办结, 已销号 (see `_order`). Each is an
    IN list (which the status indexes can seek; NOT IN scans them)."""
    return [Problem.status.in_(_ACTIVE), Problem.status == ProblemStatus.DONE.value,
            Problem.status == ProblemStatus.CLOSED.value]


def _urgency_page_ids(conn, where, today: date, offset: int, limit: int, total: int) -> list[int]:
    """A page of the urgency order when closed problems are in the list: no index serves that order
    over the whole table (every page sorts all of it: 0.5 s at 200 000), but within a status group
    it is (no due, due, escalation, id), and the active group comes first and is small. So the
    groups are counted (off the status indexes), and the page is read from the groups it spans,
    each sorting only its own rows."""
    order = _order("urgency", today)[1:]  # within a group the status rank is constant
    groups = _urgency_groups()
    counts = {i: conn.scalar(select(func.count()).select_from(Problem).where(*where, cond))
              for i, cond in enumerate(groups)}
    if sum(counts.values()) != total:
        # a status outside the known ones (not written by this app), or rows written since the caller
        # counted: the plain query
        return _page_ids(conn, where, _order("urgency", today), offset, limit, total)
    ids: list[int] = []
    start = 0
    for i, cond in enumerate(groups):
        n = counts.get(i, 0)
        lo, hi = max(offset, start), min(offset + limit, start + n)
        if lo < hi:
            ids += _page_ids(conn, [*where, cond], order, lo - start, hi - lo, n)
        start += n
    return ids


def _reversed(order: list) -> list:
    """The exact reverse of an ORDER BY (NULLs move to the other end with the direction, as both
    SQLite and PostgreSQL place them by direction)."""
    out = []
    for term in order:
        if isinstance(term, UnaryExpression) and term.modifier is operators.desc_op:
            out.append(term.element.asc())
        elif isinstance(term, UnaryExpression) and term.modifier is operators.asc_op:
            out.append(term.element.desc())
        else:
            out.append(term.desc())
    return out


@lru_cache(maxsize=32)
def _problem_select_by_ids(today: date, warn_days: int, *, with_note: bool):
    """`_problem_select` of the problems whose ids are given as the expanding parameter `page_ids`."""
    return _problem_select(today, warn_days, with_note=with_note).where(
        Problem.id.in_(bindparam("page_ids", expanding=True)))


_JOINED_SORTS = ("project", "department")  # these order by a joined table's column


def iter_problem_rows(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                     sort: str = "urgency", batch: int = 5000):
    """Every matching row, streamed in batches (for exports of any size)."""
    f = f or ProblemFilter()
    q = _problem_select(today, warn_days, with_note=True).where(*_problem_where(f, today, warn_days))
    q = q.order_by(*_order(sort, today))
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(q)
        for r in result:
            yield ProblemRow(*r)


def problem_count(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> int:
    f = f or ProblemFilter()
    q = select(func.count()).select_from(Problem).where(*_problem_where(f, today, warn_days))
    with engine.connect() as conn:
        return conn.scalar(q) or 0
