"""月通报: section 一 reads like the seed with real numbers; docx layout; --as-of rolls back."""

from __future__ import annotations

import time
from datetime import date

import pytest

from servicetui.reports.figures import monthly_figures
from servicetui.reports.monthly import build_bulletin, parse_month, render_md, write_monthly
from servicetui.store.models import utcnow

SECTION_ONE = (
    "1-9月，全县实施招商引资项目3个，协议总投资21.00亿元，实际到位资金0.60亿元，同比增长200%。"
    "其中，新引进、新开工项目2个，协议总投资9.00亿元，实际到位资金0.30亿元；续建项目1个，协议总投资12.00亿元，"
    "实际到位资金0.30亿元。全县组织招商引资活动共计3批次，其中“走出去”2批次，“请进来”1次，对接在谈项目6个。"
)


def test_section_one_reads_like_the_seed_with_real_numbers(county):
    b = build_bulletin(county.engine, 2022, 9)
    assert b.title == "测试县2022年1-9月招商引资工作情况及下一步工作计划"
    heads = [p.lead for p in b.paras if p.level == 1]
    assert heads == ["一、工作落实情况", "二、存在的问题", "三、下一步工作计划"]
    funds = next(p for p in b.paras if p.lead == "（一）项目资金到位情况。")
    assert funds.text == SECTION_ONE


def test_problems_section_names_zero_funds_departments_overdue_and_pipeline(county):
    text = build_bulletin(county.engine, 2022, 9).text()
    assert "截至9月底，工商联等1个责任单位到位资金为“零”。" in text
    assert "逾期未办结问题2个，其中：工业园区管委会2个。" in text
    assert "入库在建项目2个，年度计划总投资2.80亿元，年度投资亿元以上的项目1个，仅占在建项目数量的50%。目前在谈项目1个。" in text
    assert "【请补充】" in text  # the plan is an outline the officer completes


def test_month_one_and_falling_funds_are_worded_properly(county):
    f = monthly_figures(county.engine, 2022, 1)
    assert f.period == "1月"
    assert f.all.funds == 3_000 and f.funds_last_year == 0 and f.growth is None
    assert "上年同期无到位资金" in build_bulletin(county.engine, 2022, 1).text()
    assert parse_month("2022年9月") == (2022, 9)


def test_as_of_reproduces_the_numbers_before_later_changes(county, make_ctx):
    from servicetui.services import entities, problems

    before = build_bulletin(county.engine, 2022, 9).text()
    time.sleep(0.01)
    moment = utcnow()
    time.sleep(0.01)
    ctx = make_ctx(county.world.admin, today=date(2022, 10, 8))
    entities.record_funds(ctx, county.p1, 2022, 9, 5_000, reported_on=date(2022, 9, 29))  # corrected upward
    entities.create_project(ctx, name="新签项目", kind="新引进", stage="签约", agreed_investment=10_000)
    entities.create_activity(ctx, kind="走出去", on=date(2022, 9, 15), contacted_count=2)  # entered late
    entities.archive(ctx, entities.Department, county.union, None)
    problems.close_problem(make_ctx(county.world.officer_login, today=date(2022, 10, 8)), county.a, None, "已到货")

    after = build_bulletin(county.engine, 2022, 9).text()
    assert after != before
    assert "实施招商引资项目4个" in after and "实际到位资金0.90亿元" in after
    assert "工商联" not in after and "工业园区管委会1个" in after

    again = build_bulletin(county.engine, 2022, 9, as_of=moment).text()
    assert again == before
    f = monthly_figures(county.engine, 2022, 9, as_of=moment)
    assert (f.all.projects, f.all.funds, f.outbound, f.overdue) == (3, 6_000, 2, 2)
    assert f.zero_funds_departments == ["工商联"]


def test_docx_looks_like_an_official_document(county, tmp_path):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    path = tmp_path / "月通报.docx"
    write_monthly(county.engine, 2022, 9, path, "docx")
    d = docx.Document(str(path))

    def east_asia(run):
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    title = d.paragraphs[0]
    assert title.text == "测试县2022年1-9月招商引资工作情况及下一步工作计划"
    assert title.alignment == 1  # centred
    assert east_asia(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    paras = {p.text: p for p in d.paragraphs if p.text}
    h1 = paras["一、工作落实情况"]
    assert east_asia(h1.runs[0]) == "黑体" and h1.runs[0].font.size == Pt(16)
    funds = next(p for t, p in paras.items() if t.startswith("（一）项目资金到位情况。"))
    assert east_asia(funds.runs[0]) == "楷体_GB2312"
    assert east_asia(funds.runs[1]) == "仿宋_GB2312" and funds.runs[1].font.size == Pt(16)
    assert funds.runs[1].text == SECTION_ONE
    assert funds.paragraph_format.first_line_indent == Pt(32)
    s = d.sections[0]
    def mm(length):  # Word stores twips: compare to 0.1 mm
        return round(length.mm, 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert [mm(x) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    normal = d.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert normal == "仿宋_GB2312"


def test_markdown_bulletin_has_the_outline(county, tmp_path):
    write_monthly(county.engine, 2022, 9, tmp_path / "m.md", "md")
    md = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert md.startswith("# 测试县2022年1-9月")
    assert "## 二、存在的问题" in md and f"**（一）项目资金到位情况。**{SECTION_ONE}" in md
    assert render_md(build_bulletin(county.engine, 2022, 9)) == md


def test_demo_bulletin_matches_the_demo_numbers(demo_engine):
    f = monthly_figures(demo_engine, 2022, 9)
    assert (f.all.projects, f.all.agreed, f.all.funds, f.funds_last_year) == (12, 520_000, 40_840, 34_060)
    assert str(f.growth) == "19.9"
    assert (f.new.agreed, f.continuing.agreed) == (238_000, 282_000)
    assert (f.building, f.building_plan, f.negotiating) == (6, 59_500, 3)
    assert f.zero_funds_departments  # the demo makes some
    text = build_bulletin(demo_engine, 2022, 9).text()
    assert "协议总投资52.00亿元，实际到位资金4.08亿元，同比增长19.9%" in text


@pytest.mark.parametrize("bad", ["2022-13", "202209", "九月"])
def test_bad_month_is_refused(bad):
    from servicetui.reports.common import ReportError

    with pytest.raises(ReportError):
        parse_month(bad)


def test_as_of_a_day_reports_as_of_that_day(county):
    from servicetui.reports.asof import end_of_day

    f = monthly_figures(county.engine, 2022, 9, as_of=end_of_day(date(2022, 9, 15)))
    assert f.report_date == date(2022, 9, 15)  # the first instant after the 15th still belongs to the 15th
    assert monthly_figures(county.engine, 2022, 9, as_of=end_of_day(date(2022, 10, 5))).report_date == date(2022, 9, 30)
