"""项目台账: one row per key project with investment, this year's plan and funds in place.

协议总投资 is shown in 亿元 (two places, Decimal); 年度计划 and 本年实际到位 in 万元 (exact
integers, as reported). 占年度计划% = 本年实际到位 / 年度计划. 存在问题数 = problems not yet closed.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from servicetui.reports.common import (
    Progress,
    ReportError,
    WriteResult,
    atomic_target,
    neutralise,
    pct_text,
    percent,
    yi,
    zh_date,
)
from servicetui.reports.xlsx_sheet import Column, LedgerSheet, close_workbook, open_workbook
from servicetui.services.queries import ProjectFilter, project_rows
from servicetui.store.models import FundsReport

FORMATS = ("xlsx", "csv")

COLUMNS = [
    Column("序号", 6, "int"), Column("项目名称", 30, "wrap"), Column("企业", 20, "wrap"), Column("园区", 12, "wrap"),
    Column("阶段", 8, "center"), Column("新引进/续建", 9, "center"), Column("协议总投资（亿元）", 11, "yi"),
    Column("年度计划（万元）", 11, "int"), Column("本年实际到位（万元）", 11, "int"),
    Column("占年度计划%", 9, "pct"), Column("形象进度%", 8, "int"), Column("存在问题数", 8, "int"),
    Column("包抓县领导", 10, "center"), Column("首席服务官", 10, "center"),
]
HEADERS = [c.header for c in COLUMNS]


@dataclass
class LedgerOptions:
    today: date = field(default_factory=date.today)
    year: int | None = None  # 本年: default today's year
    filter: ProjectFilter = field(default_factory=ProjectFilter)


def funds_by_project(engine, year: int, last_month: int = 12) -> dict[int, int]:
    """Funds in place (万元) per project for months 1..last_month of `year`."""
    q = (select(FundsReport.project_id, func.sum(FundsReport.amount))
         .where(FundsReport.year == year, FundsReport.month <= last_month, FundsReport.archived == False)  # noqa: E712
         .group_by(FundsReport.project_id))
    with engine.connect() as conn:
        return {pid: int(total or 0) for pid, total in conn.execute(q)}


def ledger_rows(engine, opts: LedgerOptions) -> tuple[list[list[Any]], list[Any]]:
    """(rows, totals) of the ledger, typed: 亿元 as Decimal, 万元 as int, percent as Decimal."""
    year = opts.year or opts.today.year
    warn = _warn_days(engine)
    projects = project_rows(engine, opts.filter, today=opts.today, warn_days=warn, sort="code", limit=None)
    funds = funds_by_project(engine, year)
    rows: list[list[Any]] = []
    agreed = plan = got = problems = 0
    for n, p in enumerate(projects, 1):
        f = funds.get(p.id, 0)
        stage = p.stage + ("（停滞）" if p.stalled else "")
        rows.append([n, p.name, p.company, p.park, stage, p.kind, yi(p.agreed_investment), p.annual_plan, f,
                     percent(f, p.annual_plan), p.progress, p.open_problems, p.leader, p.officer])
        agreed, plan, got, problems = agreed + p.agreed_investment, plan + p.annual_plan, got + f, problems + p.open_problems
    totals = ["合计", f"共 {len(rows)} 个项目", "", "", "", "", yi(agreed), plan, got, percent(got, plan), "",
              problems, "", ""]
    return rows, totals


def _warn_days(engine) -> int:
    from servicetui.services.entities import get_setting

    raw = get_setting(engine, "warn_days")
    return int(raw) if raw.isdigit() else 3


def write_ledger(engine, opts: LedgerOptions, path: str | os.PathLike, fmt: str = "xlsx",
                 progress: Progress = None) -> WriteResult:
    if fmt not in FORMATS:
        raise ReportError(f"项目台账不支持格式：{fmt}", f"the project ledger cannot be written as {fmt}")
    from servicetui.services.entities import get_setting

    county, bureau = get_setting(engine, "county"), get_setting(engine, "bureau")
    year = opts.year or opts.today.year
    heading = f"{county}{year}年重点项目台账（截至{zh_date(opts.today)}）"
    rows, totals = ledger_rows(engine, opts)
    with atomic_target(path) as tmp:
        if fmt == "xlsx":
            wb = open_workbook(tmp)
            try:
                sheet = LedgerSheet(wb, "项目台账", heading, f"填报单位：{bureau}", f"日期：{zh_date(opts.today)}",
                                    COLUMNS)
                for i, r in enumerate(rows, 1):
                    sheet.write_row(r)
                    if progress and i % 200 == 0:
                        progress(i, len(rows))
                sheet.finish(totals, notes=["注：协议总投资单位为亿元；年度计划、本年实际到位单位为万元；"
                                            "占年度计划% = 本年实际到位 ÷ 年度计划；存在问题数为未销号问题数。"])
            finally:
                close_workbook(wb)
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow([neutralise(heading)])
                w.writerow([neutralise(f"填报单位：{bureau}"), f"日期：{zh_date(opts.today)}"])
                w.writerow(HEADERS)
                for r in rows + [totals]:
                    w.writerow([_csv(v, c) for v, c in zip(r, COLUMNS)])
    if progress:
        progress(len(rows), len(rows))
    return WriteResult([Path(path)], len(rows))


def _csv(v: Any, c: Column) -> str:
    if v is None:
        return ""
    if c.kind == "pct" and not isinstance(v, str):
        return pct_text(v, "")
    return neutralise(v) if isinstance(v, str) else str(v)
