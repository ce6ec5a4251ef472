"""The officer's desk: department statistics, the summary line and its lists, picker choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from servicetui.domain import rules
from servicetui.domain.enums import OPEN_STATUSES, ProblemStatus
from servicetui.store.models import (
    Department,
    Park,
    Person,
    Problem,
    Project,
)
from servicetui.services.queries.problems import ACTIVE, ProblemFilter, problem_count
from servicetui.services.queries.projects import ProjectFilter, project_count


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
    overdue = func.coalesce(func.sum(case((and_(active, Problem.due < today), 1), else_=0)), 0).label("overdue")
    # (the counts come from ix_problem_department_stats alone, revision 0006)
    q = (
        select(
            Department.id, Department.name,
            func.coalesce(func.sum(case((Problem.status.in_(OPEN_STATUSES), 1), else_=0)), 0).label("open"),
            overdue,
            func.coalesce(func.sum(case((closed, 1), else_=0)), 0).label("closed"),
            func.coalesce(func.sum(case((and_(closed, or_(Problem.due.is_(None), finished <= Problem.due)), 1),
                                        else_=0)), 0).label("closed_on_time"),
        )
        .select_from(Department)
        .outerjoin(Problem, and_(Problem.department_id == Department.id, Problem.archived == False))  # noqa: E712
        .where(Department.archived == False)  # noqa: E712
        .group_by(Department.id, Department.name)
        .order_by(overdue.desc(), Department.name)
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
