"""季考核: the quarterly assessment of responsible departments.

Per department (not archived), for the quarter [start, end] and report date R = min(end, today):

* 收到问题   problems (not archived) assigned to it that were raised in the quarter, or raised
             before it and not yet finished at its start;
* 按期办结 / 逾期办结   of those, finished in the quarter (by R) on or before / after the due date;
             "finished" is the day the department reported it done (done_on), else the 销号 day;
* 未办结     of those, not finished by R; 其中逾期: due before R;
* 平均办结天数  mean of (finished − raised) over the ones finished in the quarter, one decimal;
* 到位资金   funds in place from January to the quarter's last month of the projects the
             department leads (牵头单位), against its yearly target (departments.funds_target).

Score (综合得分, 0–100, one decimal):
    问题办理 (weight 60) = 按期办结 ÷ (按期办结 + 逾期办结 + 未办结中逾期)
    资金到位 (weight 40) = min(1, 到位资金 ÷ 年度目标)
A part that does not apply (no problem finished or overdue; no funds target) is left out and the
other part's weight is scaled to 100; a department with neither is listed, not ranked.
Ties: more 按期办结 first, then fewer overdue, then the name.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from sqlalchemy import func, select

from servicetui.domain.enums import ProblemStatus
from servicetui.reports.asof import as_of_day, snapshot
from servicetui.reports.common import ReportError, WriteResult, atomic_target, pct_text, percent, zh_date
from servicetui.reports.figures import month_end
from servicetui.reports.xlsx_sheet import Column, LedgerSheet, close_workbook, open_workbook
from servicetui.store.models import Department, FundsReport, Problem, Project

FORMATS = ("xlsx", "md")
PROBLEM_WEIGHT, FUNDS_WEIGHT = 60, 40
FINISHED = (ProblemStatus.DONE.value, ProblemStatus.CLOSED.value)


@dataclass
class DepartmentScore:
    department_id: int
    name: str
    received: int = 0
    on_time: int = 0
    late: int = 0
    still_open: int = 0
    overdue: int = 0
    days_total: int = 0
    funds: int = 0  # 万元
    target: int = 0  # 万元
    rank: int | None = None
    problem_rate: Fraction | None = None
    funds_rate: Fraction | None = None
    score: Decimal | None = None

    @property
    def avg_days(self) -> Decimal | None:
        n = self.on_time + self.late
        return (Decimal(self.days_total) / n).quantize(Decimal("0.1"), ROUND_HALF_UP) if n else None

    @property
    def funds_pct(self) -> Decimal | None:
        return percent(self.funds, self.target)


def parse_quarter(value: str) -> tuple[int, int]:
    """"2022Q3" / "2022-Q3" / "2022年第3季度" → (2022, 3)."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-?\s*[Qq]\s*([1-4])|年第?([1-4一二三四])季度?)\s*", value or "")
    if not m or not 1990 <= int(m[1]) <= 2100:
        raise ReportError(f"季度格式应为 2022Q3：{value}", f"quarter must look like 2022Q3: {value}")
    q = m[2] or m[3]
    return int(m[1]), int(q) if q.isdigit() else "一二三四".index(q) + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    return date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter)


def _rate(num: int, den: int) -> Fraction | None:
    return Fraction(num, den) if den else None


_ProblemRow = namedtuple("_ProblemRow", "department_id status raised_on due done_on closed_on")


def report_date(year: int, quarter: int, *, today: date | None = None, as_of: datetime | None = None) -> date:
    """R: the quarter's last day, or today / the `as_of` day when that is earlier."""
    ref = quarter_bounds(year, quarter)[1]
    if today:
        ref = min(ref, today)
    if as_of is not None:
        ref = min(ref, as_of_day(as_of))
    return ref


def _current_rows(conn, year: int, quarter: int):
    depts = {d.id: DepartmentScore(d.id, d.name, target=d.funds_target) for d in conn.execute(
        select(Department.id, Department.name, Department.funds_target)
        .where(Department.archived == False).order_by(Department.name))}  # noqa: E712
    problems = conn.execute(
        select(Problem.department_id, Problem.status, Problem.raised_on, Problem.due, Problem.done_on,
               Problem.closed_on)
        .join(Project, Project.id == Problem.project_id)
        .where(Problem.archived == False, Project.archived == False,  # noqa: E712
               Problem.department_id.in_(list(depts)))
    ).all()
    funds = conn.execute(
        select(Project.lead_department_id, func.sum(FundsReport.amount))
        .join(Project, Project.id == FundsReport.project_id)
        .where(FundsReport.year == year, FundsReport.month <= 3 * quarter, FundsReport.archived == False,  # noqa: E712
               Project.archived == False, Project.lead_department_id.is_not(None))  # noqa: E712
        .group_by(Project.lead_department_id)
    ).all()
    return depts, problems, funds


def _rows_as_of(conn, year: int, quarter: int, as_of: datetime):
    """The same three lists as `_current_rows`, from the tables as they stood at `as_of`."""
    names = sorted(snapshot(conn, Department, ["name", "funds_target"], as_of), key=lambda d: d["name"])
    depts = {d["id"]: DepartmentScore(d["id"], d["name"], target=d["funds_target"]) for d in names}
    projects = {p["id"]: p["lead_department_id"] for p in snapshot(conn, Project, ["lead_department_id"], as_of)}
    problems = [_ProblemRow(p["department_id"], p["status"], p["raised_on"], p["due"], p["done_on"], p["closed_on"])
                for p in snapshot(conn, Problem, ["project_id", "department_id", "status", "raised_on", "due",
                                                  "done_on", "closed_on"], as_of)
                if p["project_id"] in projects and p["department_id"] in depts]
    totals: dict[int, int] = {}
    for f in snapshot(conn, FundsReport, ["project_id", "year", "month", "amount"], as_of):
        lead = projects.get(f["project_id"])
        if lead is not None and f["year"] == year and f["month"] <= 3 * quarter:
            totals[lead] = totals.get(lead, 0) + (f["amount"] or 0)
    return depts, problems, list(totals.items())


def assess(engine, year: int, quarter: int, *, today: date | None = None,
           as_of: datetime | None = None) -> list[DepartmentScore]:
    """Every department's row. With `as_of`, from the data as it stood at that moment (rebuilt from
    the audit trail, see reports.asof), and the report date is no later than that day."""
    start, end = quarter_bounds(year, quarter)
    ref = report_date(year, quarter, today=today, as_of=as_of)
    with engine.connect() as conn:
        if as_of is None:
            depts, problems, funds = _current_rows(conn, year, quarter)
        else:
            depts, problems, funds = _rows_as_of(conn, year, quarter, as_of)
    for dept_id, total in funds:
        if dept_id in depts:
            depts[dept_id].funds = int(total or 0)
    for p in problems:
        d = depts[p.department_id]
        finished = (p.done_on or p.closed_on) if p.status in FINISHED else None
        raised = p.raised_on or start
        if raised > ref:
            continue
        if raised < start and finished is not None and finished < start:
            continue  # finished before the quarter began
        d.received += 1
        if finished is not None and start <= finished <= ref:
            if p.due is None or finished <= p.due:
                d.on_time += 1
            else:
                d.late += 1
            d.days_total += max(0, (finished - raised).days)
        elif finished is None or finished > ref:
            d.still_open += 1
            if p.due is not None and p.due < ref:
                d.overdue += 1
    scores = list(depts.values())
    for d in scores:
        d.problem_rate = _rate(d.on_time, d.on_time + d.late + d.overdue)
        d.funds_rate = min(Fraction(1), Fraction(d.funds, d.target)) if d.target > 0 else None
        parts = [(PROBLEM_WEIGHT, d.problem_rate), (FUNDS_WEIGHT, d.funds_rate)]
        weight = sum(w for w, r in parts if r is not None)
        if weight:
            value = sum(w * r for w, r in parts if r is not None) * 100 / weight
            d.score = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    ranked = sorted((d for d in scores if d.score is not None),
                    key=lambda d: (-d.score, -d.on_time, d.overdue, d.name))
    for i, d in enumerate(ranked, 1):
        d.rank = i
    return ranked + [d for d in scores if d.score is None]


COLUMNS = [
    Column("排名", 6, "int"), Column("责任单位", 18, "wrap"), Column("收到问题", 8, "int"), Column("按期办结", 8, "int"),
    Column("逾期办结", 8, "int"), Column("未办结", 8, "int"), Column("其中逾期", 8, "int"),
    Column("平均办结天数", 9, "pct"), Column("到位资金（万元）", 11, "int"), Column("年度目标（万元）", 11, "int"),
    Column("完成率%", 9, "pct"), Column("问题办理得分", 9, "pct"), Column("资金到位得分", 9, "pct"),
    Column("综合得分", 9, "pct"),
]
HEADERS = [c.header for c in COLUMNS]
SCORE_NOTE = ("注：综合得分满分100分。问题办理（权重60）= 按期办结 ÷（按期办结 + 逾期办结 + 未办结中逾期）；"
              "资金到位（权重40）= 到位资金 ÷ 年度目标（最高按100%计）。不适用的部分不计，另一部分按比例折算为100分；"
              "两部分均不适用的单位不参与排名。得分相同时，按期办结多者在前，逾期少者在前。")


def _part(rate: Fraction | None, weight: int) -> Decimal | None:
    if rate is None:
        return None
    v = rate * weight
    return (Decimal(v.numerator) / Decimal(v.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def row_values(d: DepartmentScore) -> list:
    return [d.rank if d.rank is not None else "不排名", d.name, d.received, d.on_time, d.late, d.still_open,
            d.overdue, d.avg_days, d.funds, d.target or None, d.funds_pct, _part(d.problem_rate, PROBLEM_WEIGHT),
            _part(d.funds_rate, FUNDS_WEIGHT), d.score]


def _totals(scores: list[DepartmentScore]) -> list:
    s = lambda attr: sum(getattr(d, attr) for d in scores)  # noqa: E731
    return ["合计", f"{len(scores)} 个单位", s("received"), s("on_time"), s("late"), s("still_open"), s("overdue"),
            "", s("funds"), s("target"), percent(s("funds"), s("target")), "", "", ""]


def _md(v) -> str:
    if v is None:
        return "—"
    return str(v).replace("|", "\\|")


def write_quarterly(engine, year: int, quarter: int, path: str | os.PathLike, fmt: str = "xlsx", *,
                    today: date | None = None, as_of: datetime | None = None, progress=None) -> WriteResult:
    if fmt not in FORMATS:
        raise ReportError(f"季考核不支持格式：{fmt}", f"the quarterly assessment cannot be written as {fmt}")
    from servicetui.services.entities import get_setting

    county, bureau = get_setting(engine, "county"), get_setting(engine, "bureau")
    scores = assess(engine, year, quarter, today=today, as_of=as_of)
    start, end = quarter_bounds(year, quarter)
    ref = report_date(year, quarter, today=today, as_of=as_of)
    heading = f"{county}{year}年第{'一二三四'[quarter - 1]}季度招商引资责任单位考核表"
    period = f"考核期：{zh_date(start)}—{zh_date(ref)}"
    with atomic_target(path) as tmp:
        if fmt == "xlsx":
            wb = open_workbook(tmp)
            try:
                sheet = LedgerSheet(wb, "季考核", heading, f"填报单位：{bureau}", period, COLUMNS)
                for d in scores:
                    sheet.write_row(row_values(d))
                sheet.finish(_totals(scores), notes=[SCORE_NOTE])
            finally:
                close_workbook(wb)
        else:
            lines = [f"# {heading}", "", f"填报单位：{bureau}　　{period}", "",
                     "| " + " | ".join(HEADERS) + " |", "|" + "|".join("---" for _ in HEADERS) + "|"]
            for d in scores:
                vals = row_values(d)
                vals[10] = pct_text(vals[10]) if vals[10] is not None else None
                lines.append("| " + " | ".join(_md(v) for v in vals) + " |")
            t = _totals(scores)
            t[10] = pct_text(t[10])
            lines += ["| " + " | ".join(_md(v) if v != "" else "" for v in t) + " |", "", SCORE_NOTE, ""]
            tmp.write_text("\n".join(lines), encoding="utf-8")
    if progress:
        progress(1, 1)
    return WriteResult([Path(path)], len(scores))
