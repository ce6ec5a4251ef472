"""项目台账 and 季考核: read back, totals against the fixture's known numbers."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from servicetui.reports.ledger import HEADERS, LedgerOptions, ledger_rows, write_ledger
from servicetui.reports.quarterly import assess, parse_quarter, quarter_bounds, write_quarterly


def test_ledger_rows_and_totals_match_the_projects(county):
    rows, totals = ledger_rows(county.engine, LedgerOptions(today=county.today))
    by_name = {r[1]: r for r in rows}
    p1 = by_name["思思食品年产*吨航空系列食品加工项目"]
    col = {h: i for i, h in enumerate(HEADERS)}
    assert p1[col["协议总投资（亿元）"]] == Decimal("5.00")
    assert p1[col["年度计划（万元）"]] == 20_000
    assert p1[col["本年实际到位（万元）"]] == 3_500  # Jun + Sep + Oct 2022
    assert p1[col["占年度计划%"]] == Decimal("17.5")
    assert p1[col["新引进/续建"]] == "新引进" and p1[col["阶段"]] == "在建"
    assert p1[col["存在问题数"]] == 2
    assert by_name["啤酒项目"][col["占年度计划%"]] is None  # no plan: no percentage
    assert totals[0] == "合计"
    assert totals[col["协议总投资（亿元）"]] == Decimal("21.00")
    assert totals[col["年度计划（万元）"]] == 28_000
    assert totals[col["本年实际到位（万元）"]] == 6_500
    assert totals[col["存在问题数"]] == 3


def test_ledger_xlsx_reads_back_with_units_in_headers(county, tmp_path):
    import openpyxl

    path = tmp_path / "台账.xlsx"
    res = write_ledger(county.engine, LedgerOptions(today=county.today), path)
    assert res.rows == 3
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "测试县2022年重点项目台账（截至2022年9月30日）"
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
    total = [c.value for c in ws[7]]
    assert total[0] == "合计" and total[6] == 21 and total[8] == 6_500
    assert "亿元" in ws["G3"].value and "万元" in ws["H3"].value


def test_ledger_csv_has_bom_and_percent_text(county, tmp_path):
    path = tmp_path / "台账.csv"
    write_ledger(county.engine, LedgerOptions(today=county.today), path, "csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert rows[2] == HEADERS
    p1 = next(r for r in rows[3:] if r[1].startswith("思思食品"))
    assert p1[6] == "5.00" and p1[9] == "17.5%"
    assert rows[-1][0] == "合计" and rows[-1][6] == "21.00"


@pytest.mark.parametrize("text, expected", [("2022Q3", (2022, 3)), ("2022-q1", (2022, 1)), ("2022年第三季度", (2022, 3))])
def test_quarter_is_parsed_in_common_forms(text, expected):
    assert parse_quarter(text) == expected


def test_quarterly_assessment_counts_and_ranks_departments(county):
    scores = {d.name: d for d in assess(county.engine, 2022, 3, today=county.today)}
    power = scores["供电公司"]
    assert (power.received, power.on_time, power.late, power.still_open, power.overdue) == (2, 1, 0, 1, 0)
    assert power.avg_days == Decimal("60.0")  # 07-01 → 08-30
    assert power.funds == 3_000 and power.score == Decimal("100.0")
    park = scores["工业园区管委会"]
    assert (park.received, park.on_time, park.still_open, park.overdue) == (2, 0, 2, 2)
    assert park.score == Decimal("0.0")
    union = scores["工商联"]
    assert (union.funds, union.target, union.score) == (0, 5_000, Decimal("0.0"))
    ranked = [d.name for d in assess(county.engine, 2022, 3, today=county.today)]
    assert ranked == ["供电公司", "工商联", "工业园区管委会"]  # tie on 0.0: fewer overdue first
    assert quarter_bounds(2022, 3)[1].isoformat() == "2022-09-30"


def test_quarterly_xlsx_and_md_show_the_ranking_and_the_score_rule(county, tmp_path):
    import openpyxl

    write_quarterly(county.engine, 2022, 3, tmp_path / "q.xlsx", "xlsx", today=county.today)
    ws = openpyxl.load_workbook(tmp_path / "q.xlsx").active
    assert ws["A1"].value == "测试县2022年第三季度招商引资责任单位考核表"
    assert [ws.cell(r, 2).value for r in (4, 5, 6)] == ["供电公司", "工商联", "工业园区管委会"]
    assert ws.cell(4, 14).value == 100
    assert ws.cell(7, 1).value == "合计" and ws.cell(7, 3).value == 4
    assert "权重60" in ws.cell(8, 1).value
    write_quarterly(county.engine, 2022, 3, tmp_path / "q.md", "md", today=county.today)
    md = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "| 1 | 供电公司 | 2 | 1 | 0 | 1 | 0 | 60.0 |" in md
    assert "综合得分满分100分" in md


def test_quarterly_as_of_reproduces_the_assessment_before_later_changes(county, make_ctx):
    import time
    from datetime import date

    from servicetui.reports.asof import end_of_day
    from servicetui.reports.quarterly import report_date
    from servicetui.services import entities, problems
    from servicetui.store.models import utcnow

    def table(**kw):
        return [(d.name, d.received, d.on_time, d.late, d.still_open, d.overdue, d.funds, d.score)
                for d in assess(county.engine, 2022, 3, today=county.today, **kw)]

    before = table()
    time.sleep(0.01)
    moment = utcnow()
    time.sleep(0.01)
    admin = make_ctx(county.world.admin, today=date(2022, 10, 8))
    entities.record_funds(admin, county.p1, 2022, 9, 5_000, reported_on=date(2022, 9, 29))  # corrected upward
    entities.archive(admin, entities.Department, county.union, None)
    problems.close_problem(make_ctx(county.world.officer_login, today=date(2022, 10, 8)), county.a, None, "已到货")
    after = table()
    assert after != before and "工商联" not in [row[0] for row in after]
    assert table(as_of=moment) == before
    assert report_date(2022, 3, as_of=end_of_day(date(2022, 8, 15))) == date(2022, 8, 15)  # --as-of 2022-08-15
    assert report_date(2022, 3, today=date(2022, 9, 1), as_of=end_of_day(date(2022, 12, 1))) == date(2022, 9, 1)
