"""Project lists: filters, the light and next due in SQL, pages in the screen's sorts, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Sequence

from sqlalchemy import and_, bindparam, case, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased

from servicetui.domain import rules
from servicetui.domain.enums import LIGHT_RANK, OPEN_STATUSES, Light, MilestoneStatus
from servicetui.store.models import (
    Milestone,
    Park,
    Person,
    Problem,
    Project,
)
from servicetui.services.queries.problems import ACTIVE, contains_text


# -- projects -------------------------------------------------------------------------------
@dataclass
class ProjectFilter:
    text: str = ""
    stage: str | None = None
    park_id: int | None = None  # a park includes its zones
    officer_id: int | None = None
    leader_id: int | None = None
    lights: Sequence[str] = ()
    stalled: bool | None = None
    kind: str | None = None
    ids: Sequence[int] = ()


@dataclass
class ProjectRow:
    id: int
    version: int
    code: str
    name: str
    company: str
    stage: str
    kind: str
    stalled: bool
    park: str
    officer: str
    leader: str
    agreed_investment: int
    annual_plan: int
    progress: int
    open_problems: int
    overdue_problems: int
    next_due: date | None
    light: str


def _weight_sql():
    return case(
        *[(Milestone.kind == k, w) for k, w in rules.MILESTONE_WEIGHTS.items()],
        else_=rules.CUSTOM_MILESTONE_WEIGHT,
    )


def _bounds(today: date, warn_days: int) -> tuple[date, date, date]:
    """(red_before, yellow_until, very_late): the problem light bounds and the day before which a
    milestone that is not done is red."""
    red_before, yellow_until = rules.light_bounds(today, warn_days)
    return red_before, yellow_until, date.fromordinal(today.toordinal() - rules.MILESTONE_RED_AFTER_DAYS)


# `status IN (these)` rather than `status != 已完成`, so an index on status can serve it (the status is
# a validated choice of MilestoneStatus)
_NOT_DONE = tuple(s.value for s in MilestoneStatus if s != MilestoneStatus.DONE)


def _project_aggregates(today: date, warn_days: int, pids=None):
    """Per project: open problems (count, red, yellow, next due) and milestones (progress weights,
    red, yellow). `pids` (ids or a SELECT of ids) restricts both to those projects."""
    red_before, yellow_until, very_late = _bounds(today, warn_days)
    prob = (
        select(
            Problem.project_id.label("pid"),
            func.count().label("open_problems"),
            func.sum(case((and_(Problem.status.in_(ACTIVE), Problem.due < red_before), 1), else_=0)).label("red"),
            func.sum(case((and_(Problem.status.in_(ACTIVE), Problem.due >= red_before,
                                Problem.due <= yellow_until), 1), else_=0)).label("yellow"),
            func.min(case((Problem.status.in_(ACTIVE), Problem.due), else_=None)).label("next_due"),
        )
        .where(Problem.archived == False, Problem.status.in_(OPEN_STATUSES))  # noqa: E712
    )
    w = _weight_sql()
    done = MilestoneStatus.DONE.value
    not_done = Milestone.status != done
    ms = (
        select(
            Milestone.project_id.label("pid"),
            func.sum(w).label("w_total"),
            func.sum(case((Milestone.status == done, w * 2),
                          (Milestone.status.in_([MilestoneStatus.IN_PROGRESS.value, MilestoneStatus.BLOCKED.value]), w),
                          else_=0)).label("w_half"),
            func.sum(case((and_(not_done, or_(
                and_(Milestone.status == MilestoneStatus.BLOCKED.value, Milestone.planned_on < today),
                Milestone.planned_on < very_late)), 1), else_=0)).label("m_red"),
            func.sum(case((and_(not_done, or_(Milestone.status == MilestoneStatus.BLOCKED.value,
                                              Milestone.planned_on < today)), 1), else_=0)).label("m_yellow"),
        )
        .where(Milestone.archived == False)  # noqa: E712
    )
    if pids is not None:
        prob = prob.where(Problem.project_id.in_(pids))
        ms = ms.where(Milestone.project_id.in_(pids))
    return prob.group_by(Problem.project_id).subquery(), ms.group_by(Milestone.project_id).subquery()


def project_light_sql(prob, ms):
    red = or_(func.coalesce(prob.c.red, 0) > 0, func.coalesce(ms.c.m_red, 0) > 0)
    yellow = or_(func.coalesce(prob.c.yellow, 0) > 0, func.coalesce(ms.c.m_yellow, 0) > 0, Project.stalled == True)  # noqa: E712
    return case((red, literal(Light.RED.value)), (yellow, literal(Light.YELLOW.value)), else_=literal(Light.GREEN.value))


# -- the sort keys of the list, from the few rows that decide them ------------------------------
# A project's light and its next due date depend only on its active problems (the earliest due
# decides: red when before today, yellow when within the warning window) and on its milestones
# that are late or blocked. These read narrow indexes over just those rows (ix_problem_overdue,
# ix_milestone_late) instead of aggregating every problem and milestone of every project; the
# columns of a page (open problems, progress …) are then computed for the page's projects only.
@dataclass
class _Keys:
    next_due: Any  # earliest due of the project's active problems (NULL: none)
    red: Any  # condition: the project is red
    yellow: Any  # condition: yellow, when not red
    light: Any  # the light's value, as project_light_sql gives it


def _light_keys(today: date, warn_days: int, pids=None, *, few: bool = False) -> tuple[_Keys, Any, Any]:
    """(keys, pk, mk): pk = (pid, next_due) over active problems; mk = (pid, m_red) for projects
    with a milestone that is late or blocked (m_red = 1 when one of them is red). `pids` restricts
    pk to those projects, and mk too when they are `few` (an officer's, a leader's: read project by
    project); otherwise mk reads the late and the blocked milestones of every project by range."""
    red_before, yellow_until, very_late = _bounds(today, warn_days)
    pk = (select(Problem.project_id.label("pid"), func.min(Problem.due).label("next_due"))
          .where(Problem.archived == False, Problem.status.in_(ACTIVE)))  # noqa: E712
    if pids is not None:
        pk = pk.where(Problem.project_id.in_(pids))
    pk = pk.group_by(Problem.project_id).subquery("pk")
    blocked = Milestone.status == MilestoneStatus.BLOCKED.value
    if pids is not None and few:
        mk = (select(Milestone.project_id.label("pid"),
                     func.max(case((or_(and_(blocked, Milestone.planned_on < today),
                                        Milestone.planned_on < very_late), 1), else_=0)).label("m_red"))
              .where(Milestone.archived == False, Milestone.project_id.in_(pids),  # noqa: E712
                     Milestone.status != MilestoneStatus.DONE.value, or_(blocked, Milestone.planned_on < today))
              .group_by(Milestone.project_id).subquery("mk"))
    else:
        # late (not done, planned before today: red when blocked or more than 14 days late) and
        # blocked (red only when also late, which the first part has): two ranges of ix_milestone_late
        late = (select(Milestone.project_id.label("pid"),
                       case((or_(blocked, Milestone.planned_on < very_late), 1), else_=0).label("red"))
                .where(Milestone.archived == False, Milestone.status.in_(_NOT_DONE),  # noqa: E712
                       Milestone.planned_on < today))
        stuck = (select(Milestone.project_id.label("pid"), literal_column("0").label("red"))
                 .where(Milestone.archived == False, blocked))  # noqa: E712
        both = union_all(late, stuck).subquery("m")
        mk = select(both.c.pid, func.max(both.c.red).label("m_red")).group_by(both.c.pid).subquery("mk")
    red = or_(pk.c.next_due < red_before, mk.c.m_red == 1)
    yellow = or_(pk.c.next_due <= yellow_until, mk.c.pid.is_not(None), Project.stalled == True)  # noqa: E712
    light = case((red, literal(Light.RED.value)), (yellow, literal(Light.YELLOW.value)),
                 else_=literal(Light.GREEN.value))
    return _Keys(pk.c.next_due, red, yellow, light), pk, mk


def _keys_for(f: ProjectFilter, today: date, warn_days: int) -> tuple[_Keys, Any, Any]:
    return _light_keys(today, warn_days, _scope(f), few=_few(f))


PROJECT_SORTS = ("light", "due", "name", "code", "progress", "investment")


def _project_where(f: ProjectFilter, light=None) -> list:
    """The filter's conditions on the project table; the light's too when `light` is given."""
    conds: list = []
    if f.text:
        text = f.text.strip()
        conds.append(or_(contains_text(Project.name, text), contains_text(Project.company, text),
                         contains_text(Project.code, text)))
    if f.stage:
        conds.append(Project.stage == f.stage)
    if f.park_id is not None:
        zones = select(Park.id).where(Park.parent_id == f.park_id)
        conds.append(or_(Project.park_id == f.park_id, Project.park_id.in_(zones)))
    if f.officer_id is not None:
        conds.append(Project.officer_id == f.officer_id)
    if f.leader_id is not None:
        conds.append(Project.leader_id == f.leader_id)
    if f.stalled is not None:
        conds.append(Project.stalled == f.stalled)
    if f.kind:
        conds.append(Project.kind == f.kind)
    if f.ids:
        conds.append(Project.id.in_(list(f.ids)))
    if f.lights and light is not None:
        conds.append(light.in_(list(f.lights)))
    return conds


def _few(f: ProjectFilter) -> bool:
    """Whether the filter keeps only a few projects (read project by project rather than by range)."""
    return f.officer_id is not None or f.leader_id is not None or bool(f.ids)


def _scope(f: ProjectFilter):
    """The filter's projects as a SELECT of ids (to restrict the aggregates to them), or None when
    the filter keeps every live project."""
    conds = _project_where(f)
    if not conds:
        return None
    return select(Project.id).where(Project.archived == False, *conds).correlate(None)  # noqa: E712


def project_count(engine, f: ProjectFilter | None = None, *, today: date,
                  warn_days: int = rules.DEFAULT_WARN_DAYS) -> int:
    """How many rows `project_rows(engine, f)` returns, counted in SQL (joins the light's keys
    only when the light is filtered on)."""
    f = f or ProjectFilter()
    q = select(func.count()).select_from(Project).where(Project.archived == False)  # noqa: E712
    light = None
    if f.lights:
        keys, pk, mk = _keys_for(f, today, warn_days)
        light = keys.light
        q = q.outerjoin(pk, pk.c.pid == Project.id).outerjoin(mk, mk.c.pid == Project.id)
    q = q.where(*_project_where(f, light))
    with engine.connect() as conn:
        return conn.scalar(q) or 0


def _progress_sql(ms):
    # progress % = 100 * sum(w * share) / sum(w), share done=1, half=0.5 (w_half counts halves), rounded
    # half up in integer arithmetic: floor((w_half * 100 + w_total) / (2 * w_total)), as rules.project_progress
    return case(
        (func.coalesce(ms.c.w_total, 0) == 0, 0),
        else_=(func.coalesce(ms.c.w_half, 0) * 100 + ms.c.w_total) / (2 * ms.c.w_total),
    )


def _full_select(f: ProjectFilter, today: date, warn_days: int, pids=None):
    """(query, prob, ms, light, progress): every column of the list with the aggregates of every
    project (or of `pids` only), filtered by `f`, not yet ordered."""
    prob, ms = _project_aggregates(today, warn_days, pids)
    leader, officer = aliased(Person), aliased(Person)
    light = project_light_sql(prob, ms)
    progress = _progress_sql(ms)
    q = (
        select(
            Project.id, Project.version, Project.code, Project.name, Project.company, Project.stage, Project.kind,
            Project.stalled, func.coalesce(Park.name, "").label("park"),
            func.coalesce(officer.name, "").label("officer"), func.coalesce(leader.name, "").label("leader"),
            Project.agreed_investment, Project.annual_plan, progress.label("progress"),
            func.coalesce(prob.c.open_problems, 0).label("open_problems"),
            func.coalesce(prob.c.red, 0).label("overdue_problems"), prob.c.next_due, light.label("light"),
        )
        .select_from(Project)
        .outerjoin(Park, Park.id == Project.park_id)
        .outerjoin(leader, leader.id == Project.leader_id)
        .outerjoin(officer, officer.id == Project.officer_id)
        .outerjoin(prob, prob.c.pid == Project.id)
        .outerjoin(ms, ms.c.pid == Project.id)
        .where(Project.archived == False)  # noqa: E712
        .where(*_project_where(f, light))
    )
    return q, prob, ms, light, progress


def _full_order(sort: str, prob, light, progress) -> list:
    light_rank = case(*[(light == k.value, -v) for k, v in LIGHT_RANK.items()], else_=0)
    no_due = case((prob.c.next_due.is_(None), 1), else_=0)
    orders = {
        "light": [light_rank, no_due, prob.c.next_due, Project.code],
        "due": [no_due, prob.c.next_due, Project.code],
        "name": [Project.name, Project.code],
        "code": [Project.code],
        "progress": [progress.desc(), Project.code],
        "investment": [Project.agreed_investment.desc(), Project.code],
    }
    return orders.get(sort, orders["light"])


def _to_row(r) -> ProjectRow:
    return ProjectRow(**{**r._mapping, "progress": int(r.progress or 0), "stalled": bool(r.stalled)})


def _project_rows_full(engine, f: ProjectFilter, *, today: date, warn_days: int, sort: str, offset: int,
                       limit: int | None) -> list[ProjectRow]:
    """The list in one query: every column of every matching project, ordered, then paged."""
    q, prob, _ms, light, progress = _full_select(f, today, warn_days, _scope(f))
    q = q.order_by(*_full_order(sort, prob, light, progress)).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [_to_row(r) for r in conn.execute(q)]


def _overdue_first(f: ProjectFilter) -> bool:
    """Whether the filter's list begins with the overdue projects (see _overdue_page)."""
    return _scope(f) is None and (not f.lights or Light.RED.value in f.lights)


def _overdue_page(red_before: date, offset: int, limit: int, due_to: date | None = None):
    """A page of the projects that have an active problem past due, ordered by their next due and
    code (with `due_to`: only those whose next due is on or before it).

    Such a project's next due is before today and it is red; every other project's next due is
    today or later, or missing. So in the light order and in the due order (unfiltered, or filtered
    on a light that includes red) these projects come first and in this order, and a page that lies
    within them is read from the overdue problems alone."""
    # `project_id + 0`: group the overdue rows, read by range from ix_problem_overdue, by sorting
    # them, rather than walk every problem in project order through ix_problem_project_agg, which
    # SQLite would otherwise choose to save that sort.
    pid = (Problem.project_id + literal_column("0")).label("pid")
    rows = select(pid, func.min(Problem.due).label("next_due")).where(
        Problem.archived == False, Problem.status.in_(ACTIVE), Problem.due < red_before)  # noqa: E712
    if due_to is not None:
        rows = rows.where(Problem.due <= due_to)
    overdue = rows.group_by(pid).subquery("overdue")
    return (select(Project.id).join(overdue, overdue.c.pid == Project.id)
            .where(Project.archived == False)  # noqa: E712
            .order_by(overdue.c.next_due, Project.code).offset(offset).limit(limit))


OVERDUE_SAMPLE = 4  # problems read per row of the pages, to find the projects of the first pages
OVERDUE_SAMPLE_MAX = 4000


def _overdue_cutoff(red_before: date, n: int):
    """The due date of the n-th earliest active overdue problem (NULL when there are fewer): each
    active status's earliest n, read in order from ix_problem_overdue. The projects with a problem
    due on or before it are the first ones of the overdue stretch, with their true next due (every
    problem due before it is among them), so when they fill a page that page is exact."""
    firsts = [select(Problem.due.label("due"))
              .where(Problem.status == s, Problem.archived == False, Problem.due < red_before)  # noqa: E712
              .order_by(Problem.due).limit(n).subquery() for s in ACTIVE]
    earliest = union_all(*[select(x.c.due) for x in firsts]).subquery("earliest")
    return select(earliest.c.due).order_by(earliest.c.due).offset(n - 1).limit(1)


def _page_ids_query(f: ProjectFilter, today: date, warn_days: int, sort: str, offset: int, limit: int):
    """The ids of one page, in order, from the sort keys alone."""
    q = select(Project.id).where(Project.archived == False)  # noqa: E712
    keys = None
    if f.lights or sort in ("light", "due"):
        keys, pk, mk = _keys_for(f, today, warn_days)
        q = q.outerjoin(pk, pk.c.pid == Project.id).outerjoin(mk, mk.c.pid == Project.id)
    q = q.where(*_project_where(f, keys.light if keys else None))
    if sort in ("light", "due"):
        no_due = case((keys.next_due.is_(None), 1), else_=0)
        order = [no_due, keys.next_due, Project.code]
        if sort == "light":  # red, yellow, green: LIGHT_RANK's order
            order.insert(0, case((keys.red, 0), (keys.yellow, 1), else_=2))
    elif sort == "name":
        order = [Project.name, Project.code]
    elif sort == "code":
        order = [Project.code]
    else:
        order = [Project.agreed_investment.desc(), Project.code]
    return q.order_by(*order).offset(offset).limit(limit)


_KEY_SORTS = ("light", "due", "name", "code", "investment")  # progress needs every milestone: one query


def project_rows(engine, f: ProjectFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                 sort: str = "light", offset: int = 0, limit: int | None = 500) -> list[ProjectRow]:
    """One page of projects. A page is found in two steps: the ids of the page from the sort keys
    (light and next due from the overdue, active, late or blocked rows only), then every column of
    just those projects. Whole lists (`limit=None`) and the progress order are one query."""
    f = f or ProjectFilter()
    if sort not in PROJECT_SORTS:
        sort = "light"
    if limit is None or limit < 0 or sort not in _KEY_SORTS:
        return _project_rows_full(engine, f, today=today, warn_days=warn_days, sort=sort, offset=offset,
                                  limit=limit)
    if limit == 0:
        return []
    with engine.connect() as conn:
        ids: list[int] = []
        if sort in ("light", "due") and _overdue_first(f):
            red_before, _, _ = _bounds(today, warn_days)
            n = (offset + limit) * OVERDUE_SAMPLE
            cutoff = conn.scalar(_overdue_cutoff(red_before, n)) if n <= OVERDUE_SAMPLE_MAX else None
            if cutoff is not None:  # the earliest overdue problems name the projects of the page
                ids = list(conn.scalars(_overdue_page(red_before, offset, limit, cutoff)))
            if len(ids) < limit:  # otherwise from every overdue problem
                ids = list(conn.scalars(_overdue_page(red_before, offset, limit)))
        if len(ids) < limit:  # not a whole page of overdue projects: from the keys of every project
            ids = list(conn.scalars(_page_ids_query(f, today, warn_days, sort, offset, limit)))
        if not ids:
            return []
        by_id = {r.id: r for r in project_rows_by_ids(conn, ids, today=today, warn_days=warn_days)}
    return [by_id[i] for i in ids if i in by_id]


def project_rows_by_ids(conn, ids: list[int], *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS
                        ) -> list[ProjectRow]:
    """Every column of these projects (live ones, in no particular order)."""
    return [_to_row(r) for r in conn.execute(_page_select(today, warn_days), {"ids": ids})]


def project_ids(conn, f: ProjectFilter, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                sort: str = "light") -> list[int]:
    """The ids of the whole list in `sort` order: what `project_rows(limit=None)` lists, without its
    columns (for the search index, which reads a page's columns by id)."""
    if sort not in PROJECT_SORTS:
        sort = "light"
    if sort in _KEY_SORTS:
        q = _page_ids_query(f, today, warn_days, sort, 0, None)
    else:
        q, prob, _ms, light, progress = _full_select(f, today, warn_days, _scope(f))
        q = q.with_only_columns(Project.id).order_by(*_full_order(sort, prob, light, progress))
    return list(conn.scalars(q))


@lru_cache(maxsize=16)
def _page_select(today: date, warn_days: int):
    """Every column of the projects whose ids are bound as `ids` (built once per day: building the
    aggregates' expressions costs more than running them for a page)."""
    ids = bindparam("ids", expanding=True)
    q, *_ = _full_select(ProjectFilter(), today, warn_days, ids)
    return q.where(Project.id.in_(ids))
