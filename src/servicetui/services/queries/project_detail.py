"""One project: its facts, units × milestones, problems, funds and light (the project screen), and
the light alone (what the lists show for the selected row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from servicetui.domain import rules
from servicetui.domain.enums import ProblemStatus
from servicetui.services.queries.problems import ProblemFilter, ProblemRow, _order, problem_rows
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
