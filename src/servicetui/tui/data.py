"""Read-only helpers the screens need beyond `services.queries`: counts for windowed lists and the
editable fields of one row (with its version) for the forms. Each returns plain data; each opens
and closes its own connection, so nothing in the interface holds a live session.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import func, select

from servicetui.domain import rules
from servicetui.services import queries
from servicetui.store.models import Activity, Department, Milestone, Park, Person, Problem, Project, Unit

PROBLEM_FORM_FIELDS = (
    "title", "detail", "category", "kind", "department_id", "co_departments", "owner_id", "raised_on", "due",
)
PROJECT_FORM_FIELDS = (
    "code", "name", "company", "industry", "park_id", "kind", "stage", "stalled", "agreed_investment",
    "annual_plan", "signed_on", "start_on", "target_production_on", "leader_id", "officer_id",
    "lead_department_id", "notes",
)
MILESTONE_FORM_FIELDS = ("kind", "status", "baseline_on", "planned_on", "actual_start_on", "actual_finish_on", "blocker")


def _record(engine, model, entity_id: int, fields: tuple[str, ...]) -> dict[str, Any] | None:
    cols = [getattr(model, f) for f in ("id", "version", *fields)]
    with engine.connect() as conn:
        row = conn.execute(select(*cols).where(model.id == entity_id, model.archived == False)).first()  # noqa: E712
    return dict(row._mapping) if row else None


def problem_record(engine, problem_id: int) -> dict[str, Any] | None:
    rec = _record(engine, Problem, problem_id, PROBLEM_FORM_FIELDS + ("project_id", "status", "escalation"))
    return rec


def project_record(engine, project_id: int) -> dict[str, Any] | None:
    return _record(engine, Project, project_id, PROJECT_FORM_FIELDS)


def milestone_record(engine, milestone_id: int) -> dict[str, Any] | None:
    return _record(engine, Milestone, milestone_id, MILESTONE_FORM_FIELDS)


def unit_record(engine, unit_id: int) -> dict[str, Any] | None:
    return _record(engine, Unit, unit_id, ("name", "project_id"))


def project_count(engine, f: queries.ProjectFilter, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> int:
    """How many rows `queries.project_rows(engine, f)` would return, counted in SQL."""
    return queries.project_count(engine, f, today=today, warn_days=warn_days)


def project_name(engine, project_id: int) -> str:
    with engine.connect() as conn:
        return conn.scalar(select(Project.name).where(Project.id == project_id)) or ""


def project_choices(engine, limit: int = 2000) -> list[tuple[int, str, str]]:
    """(id, code, name) of live projects, for the command palette's "jump to project"."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Project.id, Project.code, Project.name).where(Project.archived == False)  # noqa: E712
            .order_by(Project.code).limit(limit)
        ).all()
    return [(r.id, r.code, r.name) for r in rows]


# -- activities (招商活动) ------------------------------------------------------------------------
@dataclass
class ActivityRow:
    id: int
    version: int
    kind: str
    on: date
    title: str
    place: str
    people: str
    projects_contacted: str
    contacted_count: int


ACTIVITY_FORM_FIELDS = ("kind", "on", "title", "place", "people", "projects_contacted", "notes")


def _month_bounds(month: tuple[int, int] | None) -> tuple[date, date] | None:
    if month is None:
        return None
    y, m = month
    start = date(y, m, 1)
    end = date(y + (m == 12), m % 12 + 1, 1)
    return start, end


def _activity_where(month: tuple[int, int] | None) -> list:
    conds = [Activity.archived == False]  # noqa: E712
    bounds = _month_bounds(month)
    if bounds:
        conds += [Activity.on >= bounds[0], Activity.on < bounds[1]]
    return conds


def activity_count(engine, month: tuple[int, int] | None) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Activity).where(*_activity_where(month))) or 0


def activity_rows(engine, month: tuple[int, int] | None, offset: int = 0, limit: int = 100) -> list[ActivityRow]:
    """Activities of `month` ((year, month), None = all), newest first, one page."""
    cols = [getattr(Activity, f.name) for f in fields(ActivityRow)]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).where(*_activity_where(month))
                            .order_by(Activity.on.desc(), Activity.id.desc()).offset(offset).limit(limit)).all()
    return [ActivityRow(*r) for r in rows]


def activity_tally(engine, month: tuple[int, int] | None) -> tuple[dict[str, int], int]:
    """({kind: number of activities}, projects contacted) for `month` (None = all)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Activity.kind, func.count(), func.coalesce(func.sum(Activity.contacted_count), 0))
                            .where(*_activity_where(month)).group_by(Activity.kind)).all()
    return {r[0]: r[1] for r in rows}, sum(int(r[2]) for r in rows)


def activity_record(engine, activity_id: int) -> dict[str, Any] | None:
    return _record(engine, Activity, activity_id, ACTIVITY_FORM_FIELDS)


# -- reference data (departments, people, parks) ------------------------------------------------
DEPARTMENT_FORM_FIELDS = ("name", "short_name", "funds_target", "phone")
PERSON_FORM_FIELDS = ("name", "login", "role", "title", "department_id", "phone")
PARK_FORM_FIELDS = ("name", "parent_id", "notes")


def department_list(engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Department.id, Department.version, Department.name, Department.short_name,
                                   Department.funds_target, Department.phone)
                            .where(Department.archived == False).order_by(Department.name)).all()  # noqa: E712
    return [dict(r._mapping) for r in rows]


def person_list(engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Person.id, Person.version, Person.name, Person.login, Person.role, Person.title,
                                   Person.phone, Department.name.label("department"))
                            .outerjoin(Department, Department.id == Person.department_id)
                            .where(Person.archived == False).order_by(Person.role, Person.name)).all()  # noqa: E712
    return [dict(r._mapping) for r in rows]


def park_list(engine) -> list[dict[str, Any]]:
    """Parks first, each followed by its zones."""
    parent = Park.__table__.alias("parent")
    with engine.connect() as conn:
        rows = conn.execute(select(Park.id, Park.version, Park.name, Park.parent_id, parent.c.name.label("parent"))
                            .outerjoin(parent, parent.c.id == Park.parent_id)
                            .where(Park.archived == False).order_by(func.coalesce(Park.parent_id, Park.id),  # noqa: E712
                                                                    Park.parent_id.is_not(None), Park.id)).all()
    return [dict(r._mapping) for r in rows]


def department_record(engine, department_id: int) -> dict[str, Any] | None:
    return _record(engine, Department, department_id, DEPARTMENT_FORM_FIELDS)


def person_record(engine, person_id: int) -> dict[str, Any] | None:
    return _record(engine, Person, person_id, PERSON_FORM_FIELDS)


def park_record(engine, park_id: int) -> dict[str, Any] | None:
    return _record(engine, Park, park_id, PARK_FORM_FIELDS)


def top_parks(engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Park.id, Park.name).where(Park.archived == False, Park.parent_id.is_(None))  # noqa: E712
                            .order_by(Park.id)).all()
    return [(r[0], r[1]) for r in rows]


def actor_names(engine) -> dict[str, str]:
    """login -> person name, to show who wrote a progress note."""
    with engine.connect() as conn:
        rows = conn.execute(select(Person.login, Person.name).where(Person.login.is_not(None))).all()
    return {r[0]: r[1] for r in rows}


def problem_events(engine, problem_id: int) -> list[dict[str, Any]]:
    """`problems.events()` newest first, with the actor's name."""
    from servicetui.services import problems

    names = actor_names(engine)
    out = []
    for e in reversed(problems.events(engine, problem_id)):
        out.append({**e, "who": names.get(e["actor"], e["actor"])})
    return out
