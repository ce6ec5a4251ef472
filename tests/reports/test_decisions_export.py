"""议定事项清单: the decisions of a dispatch meeting as xlsx, md and docx, and `export decisions`."""

from __future__ import annotations

from datetime import date

import pytest

from servicetui.reports import decisions as dec
from servicetui.reports.common import ReportError
from servicetui.services import review

EVIL_DECISION = "=HYPERLINK(\"http://evil.example\",\"点我\")"


@pytest.fixture
def meeting(county, make_ctx):
    """A finished meeting on the report county with two decisions (one owned by a person)."""
    ctx = make_ctx(county.world.admin, today=county.today)
    sid = review.start_session(ctx, chair="王刚", attendees="各责任单位负责人")
    review.add_decision(ctx, sid, county.p1, title="协调钢构厂10月10日前交付钢柱", department_id=county.world.dept,
                        due=date(2022, 10, 10))
    review.add_decision(ctx, sid, county.p2, title=EVIL_DECISION, owner_id=county.world.officer,
                        due=date(2022, 10, 20))
    review.finish_session(ctx, sid)
    return sid


def test_xlsx_holds_the_decisions_owners_and_deadlines(county, meeting, tmp_path):
    import openpyxl

    seen = []
    out = tmp_path / "d.xlsx"
    res = dec.write_decisions(county.engine, meeting, out, "xlsx", today=date(2022, 10, 15),
                              progress=lambda d, n: seen.append((d, n)))
    assert res.rows == 2 and seen[-1] == (2, 2)
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(1, 1).value == "测试县2022年09月30日重点项目调度会议定事项清单"
    row2 = " ".join(str(ws.cell(2, c).value or "") for c in range(1, 8))
    assert "主持：王刚" in row2 and "日期：2022年9月30日" in row2
    assert [ws.cell(3, c).value for c in range(1, 8)] == dec.HEADERS
    assert ws.freeze_panes == "A4"
    rows = {ws.cell(r, 3).value: [ws.cell(r, c).value for c in range(1, 8)] for r in (4, 5)}
    first = rows["协调钢构厂10月10日前交付钢柱"]
    assert first[3] == "工业园区管委会" and first[5].date() == date(2022, 10, 10) and first[6] == "逾期"
    evil = rows[EVIL_DECISION]
    assert evil[4] and evil[5].date() == date(2022, 10, 20) and evil[6] == "办理中"
    assert ws.cell(6, 1).value == "合计"
    # the formula guard: a text cell stays text
    for r in (4, 5):
        assert ws.cell(r, 3).data_type == "s"


def test_markdown_and_docx(county, meeting, tmp_path):
    md = tmp_path / "d.md"
    dec.write_decisions(county.engine, meeting, md, "md", today=county.today)
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 测试县2022年09月30日重点项目调度会议定事项清单")
    assert "| 序号 | 项目 | 议定事项 | 责任单位 | 责任人 | 办结时限 | 状态 |" in text
    assert "协调钢构厂10月10日前交付钢柱 | 工业园区管委会 |  | 2022-10-10 | 办理中 |" in text
    assert "主持：王刚" in text

    from docx import Document

    out = tmp_path / "d.docx"
    dec.write_decisions(county.engine, meeting, out, "docx", today=county.today)
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "测试县2022年09月30日重点项目调度会议定事项清单"
    run = doc.paragraphs[0].runs[0]
    from docx.oxml.ns import qn

    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == dec.HEADERS
    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert ["2", "图兰朵葡萄酒小镇", EVIL_DECISION] == cells[1][:3] or ["1", "图兰朵葡萄酒小镇"] == cells[0][:2]
    assert any(r[3] == "工业园区管委会" and r[5] == "2022-10-10" for r in cells)


def test_session_ref(county, meeting):
    assert dec.session_ref(county.engine, "last") == meeting
    assert dec.session_ref(county.engine, str(meeting)) == meeting
    with pytest.raises(ReportError):
        dec.session_ref(county.engine, "999")
    with pytest.raises(ReportError):
        dec.session_ref(county.engine, "abc")


def test_cli_export_decisions(county, meeting, cli, tmp_path):
    import openpyxl

    out = tmp_path / "议定事项清单-2022-09-30.xlsx"
    res = cli("export", "decisions", "--session", "last", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "2 项议定事项" in res.stdout
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(4, 2).value and ws.cell(6, 1).value == "合计"

    res = cli("export", "decisions", "--session", str(meeting), "--format", "md")
    assert res.exit_code == 0 and "| 议定事项 |" in res.stdout

    res = cli("export", "decisions", "--session", "last", "--format", "docx", "-o", str(tmp_path / "d.docx"))
    assert res.exit_code == 0, res.output

    res = cli("export", "decisions", "--session", "999", "-o", str(tmp_path / "x.xlsx"))
    assert res.exit_code == 2
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert lines == ["servicetui: 找不到调度会：999"]
    assert not (tmp_path / "x.xlsx").exists()

    assert cli("export", "decisions", "--format", "docx").exit_code == 2  # docx needs -o


def test_no_meeting_yet_is_a_clear_error(county, cli):
    res = cli("export", "decisions", "--session", "last")
    assert res.exit_code == 2 and "还没有调度会" in res.stderr
