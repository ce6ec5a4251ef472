"""Read-only helpers the screens need beyond `services.queries`: counts for windowed lists and the
editable fields of one row (with its version) for the forms. Each returns plain data; each opens
and closes its own connection, so nothing in the interface holds a live session.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from servicetui.domain import rules
from servicetui.services import queries
from servicetui.store.models import Milestone, Park, Problem, Project, Unit

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
    q = select(func.count()).select_from(Project).where(Project.archived == False)  # noqa: E712
    if f.lights:
        prob, ms = queries._project_aggregates(today, warn_days)
        light = queries.project_light_sql(prob, ms)
        q = (select(func.count()).select_from(Project)
             .outerjoin(prob, prob.c.pid == Project.id).outerjoin(ms, ms.c.pid == Project.id)
             .where(Project.archived == False, light.in_(list(f.lights))))  # noqa: E712
    if f.text:
        like = f"%{f.text.strip()}%"
        q = q.where(or_(Project.name.like(like), Project.company.like(like), Project.code.like(like)))
    if f.stage:
        q = q.where(Project.stage == f.stage)
    if f.park_id is not None:
        zones = select(Park.id).where(Park.parent_id == f.park_id)
        q = q.where(or_(Project.park_id == f.park_id, Project.park_id.in_(zones)))
    if f.officer_id is not None:
        q = q.where(Project.officer_id == f.officer_id)
    if f.leader_id is not None:
        q = q.where(Project.leader_id == f.leader_id)
    if f.stalled is not None:
        q = q.where(Project.stalled == f.stalled)
    if f.kind:
        q = q.where(Project.kind == f.kind)
    if f.ids:
        q = q.where(Project.id.in_(list(f.ids)))
    with engine.connect() as conn:
        return conn.scalar(q) or 0


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
