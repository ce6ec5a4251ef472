"""Project lists (light, progress and open problems aggregated in SQL) and one project's detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from servicetui.domain import rules
from servicetui.domain.enums import LIGHT_RANK, OPEN_STATUSES, Light, MilestoneStatus, ProblemStatus
from servicetui.store.models import (
    Department,
    FundsReport,
    Milestone,
    Park,
    Person,
    Problem,
    Project,
    Unit,
)
from servicetui.services.queries.problems import ACTIVE, ProblemFilter, ProblemRow, _order, problem_rows


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
