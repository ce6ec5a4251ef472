"""Read side: the lists and details the screens and reports show, as plain dataclasses.

Lists filter, sort and page in SQL with column selects (never ORM objects, never every row).
Lights are computed in SQL with the same bounds as `domain.rules` (`light_bounds`), and tests
check that the SQL light and the rule agree; the human reason of one row comes from the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from servicetui.domain import rules
from servicetui.domain.enums import (
    LIGHT_RANK,
    OPEN_STATUSES,
    Light,
    MilestoneStatus,
    ProblemStatus,
)
from servicetui.store.models import (
    Department,
    FundsReport,
    Milestone,
    Park,
    Person,
    Problem,
    ProblemEvent,
    Project,
    Unit,
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


def _problem_where(f: ProblemFilter, today: date, warn_days: int) -> list:
    conds: list = [Problem.archived == False]  # noqa: E712
    if f.text:
        # one pass over problem: projects and departments that match are looked up once, not joined row by row
        like = f"%{f.text.strip()}%"
        conds.append(or_(
            Problem.title.like(like),
            Problem.project_id.in_(select(Project.id).where(or_(Project.name.like(like), Project.company.like(like)))),
            Problem.department_id.in_(select(Department.id).where(Department.name.like(like))),
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


def _problem_select(today: date, warn_days: int, *, with_note: bool):
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
) -> list[ProblemRow]:
    """One page of problems. A page is found in two steps: first the ids of the page from the problem
    table alone (narrow rows, served by its indexes), then the joined columns of just those rows."""
    f = f or ProblemFilter()
    order = _order(sort, today)
    where = _problem_where(f, today, warn_days)
    q = _problem_select(today, warn_days, with_note=with_note)
    if limit is not None and sort not in _JOINED_SORTS:
        page = select(Problem.id).where(*where).order_by(*order).offset(offset).limit(limit)
        with engine.connect() as conn:
            ids = list(conn.scalars(page))
            if not ids:
                return []
            rows = conn.execute(q.where(Problem.id.in_(ids)))
            by_id = {r.id: ProblemRow(**r._mapping) for r in rows}
        return [by_id[i] for i in ids if i in by_id]
    q = q.where(*where).order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [ProblemRow(**r._mapping) for r in conn.execute(q)]


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
            yield ProblemRow(**r._mapping)


def problem_count(engine, f: ProblemFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> int:
    f = f or ProblemFilter()
    q = select(func.count()).select_from(Problem).where(*_problem_where(f, today, warn_days))
    with engine.connect() as conn:
        return conn.scalar(q) or 0


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


def _project_aggregates(today: date, warn_days: int):
    red_before, yellow_until = rules.light_bounds(today, warn_days)
    late_before = today.toordinal() - rules.MILESTONE_RED_AFTER_DAYS
    from datetime import date as _d

    very_late = _d.fromordinal(late_before)
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
        .group_by(Problem.project_id)
        .subquery()
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
        .group_by(Milestone.project_id)
        .subquery()
    )
    return prob, ms


def project_light_sql(prob, ms):
    red = or_(func.coalesce(prob.c.red, 0) > 0, func.coalesce(ms.c.m_red, 0) > 0)
    yellow = or_(func.coalesce(prob.c.yellow, 0) > 0, func.coalesce(ms.c.m_yellow, 0) > 0, Project.stalled == True)  # noqa: E712
    return case((red, literal(Light.RED.value)), (yellow, literal(Light.YELLOW.value)), else_=literal(Light.GREEN.value))


PROJECT_SORTS = ("light", "due", "name", "code", "progress", "investment")


def _project_where(f: ProjectFilter, light) -> list:
    conds: list = []
    if f.text:
        like = f"%{f.text.strip()}%"
        conds.append(or_(Project.name.like(like), Project.company.like(like), Project.code.like(like)))
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
    if f.lights:
        conds.append(light.in_(list(f.lights)))
    return conds


def project_count(engine, f: ProjectFilter | None = None, *, today: date,
                  warn_days: int = rules.DEFAULT_WARN_DAYS) -> int:
    """How many rows `project_rows(engine, f)` returns, counted in SQL (joins the aggregates only
    when the light is filtered on)."""
    f = f or ProjectFilter()
    q = select(func.count()).select_from(Project).where(Project.archived == False)  # noqa: E712
    light = None
    if f.lights:
        prob, ms = _project_aggregates(today, warn_days)
        light = project_light_sql(prob, ms)
        q = q.outerjoin(prob, prob.c.pid == Project.id).outerjoin(ms, ms.c.pid == Project.id)
    q = q.where(*_project_where(f, light))
    with engine.connect() as conn:
        return conn.scalar(q) or 0


def project_rows(engine, f: ProjectFilter | None = None, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                 sort: str = "light", offset: int = 0, limit: int | None = 500) -> list[ProjectRow]:
    f = f or ProjectFilter()
    prob, ms = _project_aggregates(today, warn_days)
    leader, officer = aliased(Person), aliased(Person)
    light = project_light_sql(prob, ms)
    # progress % = 100 * sum(w * share) / sum(w), share done=1, half=0.5 (w_half counts halves), rounded
    # half up in integer arithmetic: floor((w_half * 100 + w_total) / (2 * w_total)), as rules.project_progress
    progress = case(
        (func.coalesce(ms.c.w_total, 0) == 0, 0),
        else_=(func.coalesce(ms.c.w_half, 0) * 100 + ms.c.w_total) / (2 * ms.c.w_total),
    )
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
    )
    q = q.where(*_project_where(f, light))
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
    q = q.order_by(*orders.get(sort, orders["light"])).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [ProjectRow(**{**r._mapping, "progress": int(r.progress or 0), "stalled": bool(r.stalled)})
                for r in conn.execute(q)]


# -- one project ----------------------------------------------------------------------------
@dataclass
class MilestoneCell:
    id: int
    version: int
    kind: str
    status: str
    planned_on: date | None
    baseline_on: date | None
    actual_start_on: date | None
    actual_finish_on: date | None
    blocker: str
    slip_count: int

    def facts(self, unit: str) -> rules.MilestoneFacts:
        return rules.MilestoneFacts(unit, self.kind, self.status, self.planned_on, self.actual_start_on,
                                    self.actual_finish_on, self.blocker)


@dataclass
class UnitRow:
    id: int
    version: int
    name: str
    milestones: dict[str, MilestoneCell] = field(default_factory=dict)


@dataclass
class ProjectDetail:
    facts: dict[str, Any]
    units: list[UnitRow]
    milestone_kinds: list[str]
    problems: list[ProblemRow]
    funds: list[tuple[int, int, int]]  # (year, month, amount)
    funds_this_year: int
    funds_same_period_last_year: int
    progress: int
    verdict: rules.Verdict


def project_detail(engine, project_id: int, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> ProjectDetail | None:
    leader, officer = aliased(Person), aliased(Person)
    with engine.connect() as conn:
        row = conn.execute(
            select(*Project.__table__.c, func.coalesce(Park.name, "").label("park"), func.coalesce(leader.name, "").label("leader"),
                   func.coalesce(officer.name, "").label("officer"),
                   func.coalesce(Department.name, "").label("lead_department"))
            .select_from(Project)
            .outerjoin(Park, Park.id == Project.park_id)
            .outerjoin(leader, leader.id == Project.leader_id)
            .outerjoin(officer, officer.id == Project.officer_id)
            .outerjoin(Department, Department.id == Project.lead_department_id)
            .where(Project.id == project_id)
        ).first()
        if row is None:
            return None
        facts = dict(row._mapping)
        units = [UnitRow(u.id, u.version, u.name) for u in conn.execute(
            select(Unit.id, Unit.version, Unit.name).where(Unit.project_id == project_id, Unit.archived == False)  # noqa: E712
            .order_by(Unit.seq, Unit.id))]
        by_id = {u.id: u for u in units}
        kinds: list[str] = []
        for m in conn.execute(
            select(Milestone.id, Milestone.version, Milestone.unit_id, Milestone.kind, Milestone.status,
                   Milestone.planned_on, Milestone.baseline_on, Milestone.actual_start_on, Milestone.actual_finish_on,
                   Milestone.blocker, Milestone.slip_count, Milestone.seq)
            .where(Milestone.project_id == project_id, Milestone.archived == False)  # noqa: E712
            .order_by(Milestone.seq, Milestone.id)
        ):
            unit = by_id.get(m.unit_id)
            if unit is None:
                continue
            unit.milestones[m.kind] = MilestoneCell(m.id, m.version, m.kind, m.status, m.planned_on, m.baseline_on,
                                                    m.actual_start_on, m.actual_finish_on, m.blocker, m.slip_count)
            if m.kind not in kinds:
                kinds.append(m.kind)
        funds = [(r.year, r.month, r.amount) for r in conn.execute(
            select(FundsReport.year, FundsReport.month, FundsReport.amount)
            .where(FundsReport.project_id == project_id, FundsReport.archived == False)  # noqa: E712
            .order_by(FundsReport.year, FundsReport.month))]
    problems = problem_rows(engine, ProblemFilter(project_id=project_id), today=today, warn_days=warn_days, limit=None)
    this_year = sum(a for y, m, a in funds if y == today.year and m <= today.month)
    last_year = sum(a for y, m, a in funds if y == today.year - 1 and m <= today.month)
    mfacts = [cell.facts(u.name) for u in units for cell in u.milestones.values()]
    open_facts = [p.facts() for p in problems if p.status != ProblemStatus.CLOSED]
    verdict = rules.project_light(open_facts, mfacts, today, stalled=bool(facts.get("stalled")), warn_days=warn_days)
    return ProjectDetail(facts, units, kinds, problems, funds, this_year, last_year, rules.project_progress(mfacts), verdict)


def project_verdict(engine, project_id: int, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> rules.Verdict | None:
    """The project's light and its reason (what `project_detail` computes), from just the facts the
    rule needs: the list screens call this on every cursor move."""
    with engine.connect() as conn:
        stalled = conn.scalar(select(Project.stalled).where(Project.id == project_id))
        if stalled is None:
            return None
        problems = conn.execute(
            select(Problem.title, Problem.status, Problem.due, Problem.category, Problem.escalation, Problem.kind)
            .where(Problem.project_id == project_id, Problem.archived == False,  # noqa: E712
                   Problem.status != ProblemStatus.CLOSED.value)
            .order_by(*_order("urgency", today))).all()  # the order project_detail sees them in
        milestones = conn.execute(
            select(Unit.name, Milestone.kind, Milestone.status, Milestone.planned_on, Milestone.actual_start_on,
                   Milestone.actual_finish_on, Milestone.blocker)
            .join(Unit, Unit.id == Milestone.unit_id)
            .where(Milestone.project_id == project_id, Milestone.archived == False, Unit.archived == False)  # noqa: E712
            .order_by(Unit.seq, Unit.id, Milestone.seq, Milestone.id)).all()
    return rules.project_light([rules.ProblemFacts(*p) for p in problems],
                               [rules.MilestoneFacts(*m) for m in milestones],
                               today, stalled=bool(stalled), warn_days=warn_days)


# -- departments and the desk summary ------------------------------------------------------
@dataclass
class DepartmentStats:
    id: int
    name: str
    open: int
    overdue: int
    closed: int
    closed_on_time: int


def department_stats(engine, *, today: date) -> list[DepartmentStats]:
    active = Problem.status.in_(ACTIVE)
    closed = Problem.status == ProblemStatus.CLOSED.value
    finished = func.coalesce(Problem.done_on, Problem.closed_on)
    q = (
        select(
            Department.id, Department.name,
            func.coalesce(func.sum(case((Problem.status.in_(OPEN_STATUSES), 1), else_=0)), 0).label("open"),
            func.coalesce(func.sum(case((and_(active, Problem.due < today), 1), else_=0)), 0).label("overdue"),
            func.coalesce(func.sum(case((closed, 1), else_=0)), 0).label("closed"),
            func.coalesce(func.sum(case((and_(closed, or_(Problem.due.is_(None), finished <= Problem.due)), 1),
                                        else_=0)), 0).label("closed_on_time"),
        )
        .select_from(Department)
        .outerjoin(Problem, and_(Problem.department_id == Department.id, Problem.archived == False))  # noqa: E712
        .where(Department.archived == False)  # noqa: E712
        .group_by(Department.id, Department.name)
        .order_by(func.coalesce(func.sum(case((and_(active, Problem.due < today), 1), else_=0)), 0).desc(),
                  Department.name)
    )
    with engine.connect() as conn:
        return [DepartmentStats(**r._mapping) for r in conn.execute(q)]


@dataclass
class DeskSummary:
    overdue: int
    due_this_week: int
    to_close: int
    stalled_projects: int


def summary_filters(today: date, officer_id: int | None = None) -> dict[str, ProblemFilter | ProjectFilter]:
    """The list behind each number of the desk summary (the screens jump to exactly these)."""
    from datetime import timedelta

    red_before, _ = rules.light_bounds(today)
    week_end = today + timedelta(days=6 - today.weekday())
    return {
        "overdue": ProblemFilter(statuses=ACTIVE, due_to=red_before - timedelta(days=1), officer_id=officer_id),
        "due_this_week": ProblemFilter(statuses=ACTIVE, due_from=red_before, due_to=week_end, officer_id=officer_id),
        "to_close": ProblemFilter(statuses=(ProblemStatus.DONE.value,), officer_id=officer_id),
        "stalled_projects": ProjectFilter(stalled=True, officer_id=officer_id),
    }


def desk_summary(engine, *, today: date, officer_id: int | None = None) -> DeskSummary:
    """逾期 N · 本周到期 N · 待销号 N · 停滞项目 N (for one officer's projects when officer_id is given)."""
    fs = summary_filters(today, officer_id)
    return DeskSummary(
        overdue=problem_count(engine, fs["overdue"], today=today),
        due_this_week=problem_count(engine, fs["due_this_week"], today=today),
        to_close=problem_count(engine, fs["to_close"], today=today),
        stalled_projects=project_count(engine, fs["stalled_projects"], today=today),
    )


# -- reference lists for pickers ------------------------------------------------------------
def choices(engine, what: str) -> list[tuple[int, str]]:
    """(id, label) pairs for a picker: departments, parks, people, leaders, officers, projects."""
    with engine.connect() as conn:
        if what == "departments":
            q = select(Department.id, Department.name).where(Department.archived == False).order_by(Department.name)  # noqa: E712
        elif what == "parks":
            q = select(Park.id, Park.name).where(Park.archived == False).order_by(Park.parent_id.is_not(None), Park.id)  # noqa: E712
        elif what in ("people", "leaders", "officers"):
            q = select(Person.id, Person.name).where(Person.archived == False).order_by(Person.name)  # noqa: E712
            if what == "leaders":
                q = q.where(Person.role == "县领导")
            elif what == "officers":
                q = q.where(Person.role == "首席服务官")
        elif what == "projects":
            q = select(Project.id, Project.name).where(Project.archived == False).order_by(Project.code)  # noqa: E712
        else:
            raise ValueError(what)
        return [(r[0], r[1]) for r in conn.execute(q)]
