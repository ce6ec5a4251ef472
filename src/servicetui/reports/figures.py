"""The numbers of the monthly bulletin (月通报), computed from the data as it stood at a moment.

Definitions (also in the README):

* 实施项目 — every project in the ledger (not archived) except those still 储备 (prospects);
  新引进 / 续建 by the project's kind.
* 实际到位资金 — the sum of monthly funds reports of those projects for months 1..M of the year;
  同比 compares with months 1..M of the year before (same projects). With `as_of`, a report
  counts only when its 填报日期 (reported_on) is on or before that day.
* 招商引资活动 — activities dated 1 January .. the report date, every kind except 培训会;
  对接在谈项目 = the sum of their 对接项目数.
* 到位资金为"零"的责任单位 — a department (not archived) that has a yearly funds target or leads
  (牵头单位) at least one 实施项目, and whose led projects received no funds in months 1..M.
* 逾期问题 — problems not archived, still 待交办/已交办/办理中, due before the report date.
* 在建项目 — projects at stage 在建; share of those whose annual plan is at least 1 亿元.
* 在谈项目 — projects at stage 在谈.

`as_of` rolls every table back through the audit trail (see `reports.asof`).
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from servicetui.domain import rules
from servicetui.domain.enums import ActivityKind, MilestoneStatus, ProblemStatus, ProjectKind, Stage
from servicetui.reports.asof import as_of_day, snapshot
from servicetui.reports.common import percent
from servicetui.store.models import Activity, Department, FundsReport, Milestone, Problem, Project

BIG_PLAN_WAN = 10_000  # 1 亿元
ACTIVE = (ProblemStatus.NEW.value, ProblemStatus.ASSIGNED.value, ProblemStatus.IN_PROGRESS.value)


@dataclass
class Share:
    projects: int = 0
    agreed: int = 0  # 万元
    funds: int = 0  # 万元


@dataclass
class KeyProject:
    name: str
    company: str
    stage: str
    agreed: int
    funds: int
    progress: int
    open_problems: int
    overdue_problems: int


@dataclass
class MonthlyFigures:
    year: int
    month: int
    report_date: date
    as_of: datetime | None
    all: Share = field(default_factory=Share)
    new: Share = field(default_factory=Share)
    continuing: Share = field(default_factory=Share)
    funds_last_year: int = 0
    growth: Decimal | None = None  # percent, None when last year had no funds
    activities: int = 0
    outbound: int = 0
    inbound: int = 0
    contacted: int = 0
    zero_funds_departments: list[str] = field(default_factory=list)
    overdue_by_department: list[tuple[str, int]] = field(default_factory=list)
    overdue: int = 0
    problems: int = 0  # raised this year up to the report date
    problems_closed: int = 0  # of those, 已销号
    problems_open: int = 0  # all not yet closed
    building: int = 0
    building_plan: int = 0  # 万元
    building_big: int = 0
    building_big_share: Decimal | None = None
    negotiating: int = 0
    key_projects: list[KeyProject] = field(default_factory=list)

    @property
    def period(self) -> str:
        return "1月" if self.month == 1 else f"1-{self.month}月"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def monthly_figures(engine, year: int, month: int, *, as_of: datetime | None = None,
                    report_date: date | None = None, key_projects: int = 5) -> MonthlyFigures:
    """Numbers for the bulletin of `year`-`month`. `report_date` defaults to the month's end (or
    the as-of day when that is earlier)."""
    end = month_end(year, month)
    if report_date is None:
        report_date = min(end, as_of_day(as_of)) if as_of else end
    fig = MonthlyFigures(year, month, report_date, as_of)
    with engine.connect() as conn:
        projects = [p for p in snapshot(conn, Project, ["name", "company", "kind", "stage", "agreed_investment",
                                                         "annual_plan", "lead_department_id", "code"], as_of)]
        funds = snapshot(conn, FundsReport, ["project_id", "year", "month", "amount", "reported_on"], as_of)
        acts = snapshot(conn, Activity, ["kind", "on", "contacted_count"], as_of)
        depts = snapshot(conn, Department, ["name", "funds_target"], as_of)
        probs = snapshot(conn, Problem, ["project_id", "department_id", "status", "due", "raised_on"], as_of)
        counted = {p["id"]: p for p in projects if p["stage"] != Stage.RESERVE}
        active_stages = (Stage.STARTED, Stage.BUILDING)
        ranked = sorted((p for p in counted.values() if p["stage"] in active_stages),
                        key=lambda p: (-p["agreed_investment"], p["code"]))[:key_projects]
        # the milestones of the key projects only (their progress): a province has 400 000
        miles = snapshot(conn, Milestone, ["project_id", "kind", "status"], as_of,
                         where=[Milestone.project_id.in_([p["id"] for p in ranked])])

    if as_of is not None:
        funds = [f for f in funds if f["reported_on"] is None or f["reported_on"] <= report_date]
    this_year: Counter[int] = Counter()
    last_year = 0
    for f in funds:
        if f["project_id"] not in counted or f["month"] > month:
            continue
        if f["year"] == year:
            this_year[f["project_id"]] += f["amount"]
        elif f["year"] == year - 1:
            last_year += f["amount"]

    for pid, p in counted.items():
        for share in (fig.all, fig.new if p["kind"] == ProjectKind.NEW else fig.continuing):
            share.projects += 1
            share.agreed += p["agreed_investment"]
            share.funds += this_year[pid]
    fig.funds_last_year = last_year
    if last_year:
        fig.growth = percent(fig.all.funds - last_year, last_year)

    start = date(year, 1, 1)
    for a in acts:
        if start <= a["on"] <= report_date and a["kind"] != ActivityKind.TRAINING:
            fig.activities += 1
            fig.outbound += a["kind"] == ActivityKind.OUTBOUND
            fig.inbound += a["kind"] == ActivityKind.INBOUND
            fig.contacted += a["contacted_count"] or 0

    led: dict[int, int] = defaultdict(int)
    leads: set[int] = set()
    for pid, p in counted.items():
        if p["lead_department_id"] is not None:
            leads.add(p["lead_department_id"])
            led[p["lead_department_id"]] += this_year[pid]
    fig.zero_funds_departments = sorted(
        (d["name"] for d in depts if (d["funds_target"] > 0 or d["id"] in leads) and led[d["id"]] == 0),
    )

    dept_names = {d["id"]: d["name"] for d in depts}
    overdue: Counter[str] = Counter()
    open_by_project: Counter[int] = Counter()
    overdue_by_project: Counter[int] = Counter()
    for p in probs:
        if p["project_id"] not in counted:
            continue
        if p["status"] != ProblemStatus.CLOSED:
            fig.problems_open += 1
            open_by_project[p["project_id"]] += 1
        if p["raised_on"] and start <= p["raised_on"] <= report_date:
            fig.problems += 1
            fig.problems_closed += p["status"] == ProblemStatus.CLOSED
        if p["status"] in ACTIVE and p["due"] is not None and p["due"] < report_date:
            overdue[dept_names.get(p["department_id"], "未指定责任单位")] += 1
            overdue_by_project[p["project_id"]] += 1
    fig.overdue = sum(overdue.values())
    fig.overdue_by_department = sorted(overdue.items(), key=lambda kv: (-kv[1], kv[0]))

    building = [p for p in counted.values() if p["stage"] == Stage.BUILDING]
    fig.building = len(building)
    fig.building_plan = sum(p["annual_plan"] for p in building)
    fig.building_big = sum(1 for p in building if p["annual_plan"] >= BIG_PLAN_WAN)
    fig.building_big_share = percent(fig.building_big, fig.building, 0)
    fig.negotiating = sum(1 for p in counted.values() if p["stage"] == Stage.NEGOTIATING)

    by_project: dict[int, list[rules.MilestoneFacts]] = defaultdict(list)
    for m in miles:
        by_project[m["project_id"]].append(rules.MilestoneFacts("", m["kind"], m["status"] or MilestoneStatus.NOT_STARTED))
    fig.key_projects = [
        KeyProject(p["name"], p["company"], p["stage"], p["agreed_investment"], this_year[p["id"]],
                   rules.project_progress(by_project[p["id"]]), open_by_project[p["id"]],
                   overdue_by_project[p["id"]])
        for p in ranked
    ]
    return fig
