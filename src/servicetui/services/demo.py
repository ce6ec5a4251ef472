"""The demo county: the seed report's county as it stood at the end of September 2022.

`build_demo(engine)` fills an empty, migrated database through the services with the data of
`demo_data` (every row has its audit trail, exactly as if officers had typed it in). `servicetui demo`
calls it and then opens the app as `DEMO_USER` on `DEMO_TODAY`, so the traffic lights are those of
the seed report's day. The numbers the seed hides, and what the demo invents for them, are listed
in `demo_data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

from sqlalchemy import Engine, func, select

from servicetui.domain.enums import (
    Category,
    ProblemKind,
    Role,
)
from servicetui.services import entities, problems
from servicetui.services.context import Ctx
from servicetui.services.demo_data import (  # noqa: F401 - re-exported: the demo's data as demo.X
    ACTIVITIES,
    DEMO_ACTOR,
    DEMO_TODAY,
    DEMO_USER,
    DEPARTMENTS,
    PARK,
    PEOPLE,
    PROBLEMS,
    PROJECTS,
    SETTINGS,
    TRIP,
    UNITS,
    ZONES,
    M,
    monthly_funds,
)
from servicetui.services.errors import RuleError
from servicetui.store.models import (
    Activity,
    Department,
    FundsReport,
    Milestone,
    Park,
    Person,
    Problem,
    Project,
)


# -- building ---------------------------------------------------------------------------------
def is_empty(engine: Engine) -> bool:
    """True when the database holds no county data yet (settings alone do not count)."""
    with engine.connect() as conn:
        for model in (Park, Department, Person, Project, Problem, FundsReport, Activity):
            if conn.scalar(select(func.count()).select_from(model)):
                return False
    return True


def looks_like_demo(engine: Engine) -> bool:
    """True when the database holds nothing but what `build_demo` wrote (or nothing at all), so
    throwing it away loses no one's work. Any change by a real user makes it False."""
    from sqlalchemy import inspect

    from servicetui.store.models import AuditEntry

    tables = set(inspect(engine).get_table_names())
    if not tables:
        return True
    if "auditentry" not in tables:
        return False
    demo_actors = {DEMO_ACTOR} | {name for name, *_ in PEOPLE}
    with engine.connect() as conn:
        actors = set(conn.scalars(select(AuditEntry.actor).distinct()))
    return actors <= demo_actors


@dataclass
class _Ids:
    parks: dict[str, int] = field(default_factory=dict)
    depts: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    officer_of: dict[str, str] = field(default_factory=dict)  # project code -> officer name
    contact_of: dict[str, str] = field(default_factory=dict)  # department -> contact name


def build_demo(engine: Engine, *, today: date = DEMO_TODAY) -> dict[str, int]:
    """Fill an empty, migrated database with the demo county. Returns counts of what was made.

    Raises RuleError when the database already holds data (the demo never mixes with real data)
    or is not initialised.
    """
    from servicetui.store import migrate

    if migrate.current_revision(engine) is None:
        raise RuleError("数据库尚未初始化：请先运行 servicetui init", "the database is not initialised: run `servicetui init`")
    if not is_empty(engine):
        raise RuleError(
            "数据库已有数据，不能再生成示范数据（servicetui demo --reset 会清空后重建）",
            "the database already holds data; refusing to add the demo (servicetui demo --reset rebuilds it)",
        )
    ctx = Ctx(engine, actor=DEMO_ACTOR, today=today)
    ids = _Ids()

    for key, value in SETTINGS.items():
        entities.set_setting(ctx, key, value)
    # the demo county lives on the seed report's day: pin "today" so lights and reports match it
    entities.set_setting(ctx, "today", today.isoformat())

    park = entities.create_park(ctx, name=PARK, notes="全县招商引资主战场")
    ids.parks[PARK] = park
    for zone in ZONES:
        ids.parks[zone] = entities.create_park(ctx, name=zone, parent_id=park)

    for name, short, target, phone in DEPARTMENTS:
        ids.depts[name] = entities.create_department(ctx, name=name, short_name=short, funds_target=target, phone=phone)

    for i, (name, login, role, title, dept) in enumerate(PEOPLE, 1):
        ids.people[name] = entities.create_person(
            ctx, name=name, login=login, role=role, title=title,
            department_id=ids.depts[dept] if dept else None, phone=f"1390951{i:04d}",
        )
        if role == Role.CONTACT.value and dept:
            ids.contact_of.setdefault(dept, name)

    for p in PROJECTS:
        ids.projects[p.code] = entities.create_project(
            ctx, code=p.code, name=p.name, company=p.company, industry=p.industry,
            park_id=ids.parks[p.park] if p.park else None, kind=p.kind, stage=p.stage, stalled=p.stalled,
            agreed_investment=p.agreed, annual_plan=p.plan, signed_on=p.signed, start_on=p.start,
            target_production_on=p.target, leader_id=ids.people[p.leader], officer_id=ids.people[p.officer],
            lead_department_id=ids.depts[p.dept], source_event=p.source, notes=p.notes,
        )
        ids.officer_of[p.code] = p.officer

    units = milestones = 0
    for code, unit_specs in UNITS.items():
        for seq, (unit_name, rows) in enumerate(unit_specs, 1):
            uid = entities.create_unit(ctx, ids.projects[code], unit_name, seq)
            units += 1
            with engine.connect() as conn:
                mids = list(conn.scalars(select(Milestone.id).where(Milestone.unit_id == uid).order_by(Milestone.seq)))
            for mid, row in zip(mids, rows, strict=True):
                _set_milestone(ctx, mid, row)
                milestones += 1

    funds = 0
    for code, year, month, amount in monthly_funds():
        reported = min(_next_month(year, month) + timedelta(days=4), today)
        entities.record_funds(ctx, ids.projects[code], year, month, amount, reported_on=reported)
        funds += 1

    for act in ACTIVITIES:
        entities.create_activity(ctx, **act)

    n_problems, n_tasks = _build_problems(engine, ids, today)

    return {
        "parks": len(ids.parks),
        "departments": len(ids.depts),
        "people": len(ids.people),
        "projects": len(ids.projects),
        "units": units,
        "milestones": milestones,
        "funds_reports": funds,
        "activities": len(ACTIVITIES),
        "problems": n_problems,
        "tasks": n_tasks,
    }


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def _set_milestone(ctx: Ctx, mid: int, row: M) -> None:
    status, planned, start, finish, blocker = row
    if isinstance(planned, tuple):  # (baseline, replanned): record the slip
        baseline, planned = planned
        entities.update_milestone(ctx, mid, None, planned_on=baseline)
    changes: dict[str, Any] = {"planned_on": planned, "status": status}
    if start:
        changes["actual_start_on"] = start
    if finish:
        changes["actual_finish_on"] = finish
    if blocker:
        changes["blocker"] = blocker
    entities.update_milestone(ctx, mid, None, **changes)


def _build_problems(engine: Engine, ids: _Ids, today: date) -> tuple[int, int]:
    """Replay every problem's history in date order, each step on its own day and by its own actor."""
    made: dict[int, int] = {}  # index in PROBLEMS -> problem id
    timeline: list[tuple[date, int, int, Callable[[], None]]] = []

    for i, q in enumerate(PROBLEMS):
        officer = ids.officer_of[q.project]
        contact = ids.contact_of.get(q.dept or "", DEMO_ACTOR)

        def create(i=i, q=q, officer=officer) -> None:
            ctx = Ctx(engine, actor=DEMO_ACTOR, today=q.raised)
            made[i] = problems.create_problem(
                ctx, project_id=ids.projects[q.project], title=q.title, kind=q.kind,
                category=Category(q.category).value,
                department_id=ids.depts[q.dept] if q.dept else None, due=q.due, detail=q.detail,
                co_departments=q.co, raised_on=q.raised, raised_by=officer, assign=q.assign,
            )

        timeline.append((q.raised, i, 0, create))
        for j, step in enumerate(q.steps, 1):
            usual = officer if step.action in ("close", "escalate", "reopen", "due") else contact
            actor = step.actor or usual

            def run(i=i, step=step, actor=actor) -> None:
                ctx = Ctx(engine, actor=actor, today=step.on)
                pid = made[i]
                if step.action == "advance":
                    problems.advance(ctx, pid, None, step.text)
                elif step.action == "done":
                    problems.set_status(ctx, pid, None, "已办结", step.text)
                elif step.action == "close":
                    problems.close_problem(ctx, pid, None, step.text)
                elif step.action == "note":
                    problems.add_note(ctx, pid, step.text, on=step.on)
                elif step.action == "escalate":
                    problems.escalate(ctx, pid, None, step.text)
                elif step.action == "reopen":
                    problems.reopen(ctx, pid, None, step.text)
                elif step.action == "due":
                    problems.change_due(ctx, pid, None, step.due)
                    if step.text:
                        problems.add_note(ctx, pid, step.text, on=step.on)
                else:  # pragma: no cover - a typo in the table above
                    raise ValueError(step.action)

            timeline.append((step.on, i, j, run))

    for _on, _i, _j, fn in sorted(timeline, key=lambda t: t[:3]):
        fn()
    tasks = sum(q.kind == ProblemKind.TASK.value for q in PROBLEMS)
    return len(PROBLEMS) - tasks, tasks
