"""问题清单: the xlsx ledger, csv, md and json read back and checked against the database."""

from __future__ import annotations

import csv
import json
from io import StringIO

import pytest

from servicetui.reports.common import neutralise, safe_filename
from servicetui.reports.problem_list import (
    HEADERS,
    ProblemListOptions,
    dump_json,
    write_by_department,
    write_problem_list,
)
from servicetui.services.queries import ProblemFilter, problem_count

TITLE = "测试县重点项目问题清单（截至2022年9月30日）"


def _opts(county, **filters):
    return ProblemListOptions(filter=ProblemFilter(**filters), today=county.today)


def _data_rows(ws):
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    return rows[:-1], rows[-1]


def test_xlsx_ledger_has_title_header_totals_and_print_setup(county, tmp_path):
    import openpyxl

    path = tmp_path / "清单.xlsx"
    calls = []
    res = write_problem_list(county.engine, _opts(county), path, "xlsx", progress=lambda d, t: calls.append((d, t)))
    assert res.rows == 4 and calls[-1] == (4, 4)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == TITLE
    assert "A1:R1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：测试县投资促进局"
    assert any(c.value == "日期：2022年9月30日" for c in ws[2])
    assert [c.value for c in ws[3]] == HEADERS
    assert all(c.font.b for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$1:$3"
    assert ws.auto_filter.ref == "A3:R7"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    rows, total = _data_rows(ws)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert total[0] == "合计" and total[1] == "共 4 项"
    assert total[HEADERS.index("状态")] == "未销号 3 项"
    assert total[HEADERS.index("办结时限")] == "逾期 2 项"
    assert total[HEADERS.index("是否销号")] == "已销号 1 项"
    assert len(rows) == problem_count(county.engine, today=county.today)


def test_xlsx_rows_carry_note_light_colour_and_dates(county, tmp_path):
    import openpyxl

    path = tmp_path / "清单.xlsx"
    write_problem_list(county.engine, _opts(county), path, "xlsx")
    ws = openpyxl.load_workbook(path).active
    by_title = {ws.cell(r, 5).value: r for r in range(4, 8)}
    steel = by_title["钢柱加工延迟"]
    col = {h: i + 1 for i, h in enumerate(HEADERS)}
    assert ws.cell(steel, col["办理进展"]).value == "已协调钢构厂加班生产"
    assert ws.cell(steel, col["配合单位"]).value == "发改局"
    assert ws.cell(steel, col["办结时限"]).value.date().isoformat() == "2022-09-20"
    light = ws.cell(steel, col["灯"])
    assert light.value == "红" and light.fill.fgColor.rgb.endswith("FF4D4F")
    closed = by_title["用电负荷不足"]
    assert ws.cell(closed, col["是否销号"]).value == "是"
    assert ws.cell(closed, col["销号日期"]).value.date().isoformat() == "2022-08-30"
    assert ws.cell(closed, col["灯"]).value is None
    assert ws.cell(steel, col["问题"]).alignment.wrap_text


def test_formula_in_a_title_stays_text_in_xlsx(county, tmp_path):
    import openpyxl

    path = tmp_path / "清单.xlsx"
    write_problem_list(county.engine, _opts(county), path, "xlsx")
    ws = openpyxl.load_workbook(path).active
    cells = [ws.cell(r, 5) for r in range(4, 8) if str(ws.cell(r, 5).value).startswith("=")]
    assert len(cells) == 1 and cells[0].value == county.evil and cells[0].data_type == "s"
    # and in read-only mode (what our importer uses) it is the same plain string
    ro = openpyxl.load_workbook(path, read_only=True).active
    assert county.evil in [r[4] for r in ro.iter_rows(min_row=4, values_only=True)]


def test_csv_is_utf8_with_bom_and_neutralises_formulas(county, tmp_path):
    path = tmp_path / "清单.csv"
    write_problem_list(county.engine, _opts(county), path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [TITLE]
    assert rows[2] == HEADERS
    titles = [r[4] for r in rows[3:-1]]
    assert "'" + county.evil in titles and county.evil not in titles
    assert rows[-1][0] == "合计" and rows[-1][1] == "共 4 项"


@pytest.mark.parametrize("text, safe", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\tx", "'\tx"), ("钢柱", "钢柱"), ("", "")])
def test_neutralise_prefixes_only_what_a_spreadsheet_would_run(text, safe):
    assert neutralise(text) == safe


def test_markdown_is_a_table_with_totals(county, tmp_path):
    path = tmp_path / "清单.md"
    write_problem_list(county.engine, _opts(county), path, "md")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == f"# {TITLE}"
    table = [x for x in lines if x.startswith("|")]
    assert table[0] == "| " + " | ".join(HEADERS) + " |"
    assert len(table) == 2 + 4
    assert "合计：共 4 项，未销号 3 项（其中逾期 2 项），已销号 1 项。" in text


def test_json_has_one_object_per_problem_for_scripts(county):
    out = StringIO()
    n = dump_json(county.engine, _opts(county), out)
    items = json.loads(out.getvalue())
    assert n == len(items) == 4
    steel = next(i for i in items if i["title"] == "钢柱加工延迟")
    assert steel["project"] == "思思食品年产*吨航空系列食品加工项目"
    assert steel["department"] == "工业园区管委会"
    assert (steel["status"], steel["due"], steel["light"]) == ("已交办", "2022-09-20", "红")


def test_filters_narrow_the_list_like_the_board(county, tmp_path):
    out = StringIO()
    dump_json(county.engine, _opts(county, lights=["红"]), out)
    assert sorted(i["title"] for i in json.loads(out.getvalue())) == ["施工许可办理", "钢柱加工延迟"]
    out = StringIO()
    dump_json(county.engine, _opts(county, department_id=county.world.dept2, open_only=True), out)
    assert [i["title"] for i in json.loads(out.getvalue())] == [county.evil]


def test_split_by_department_writes_one_file_each_named_after_it(county, tmp_path):
    import openpyxl

    res = write_by_department(county.engine, _opts(county), tmp_path / "out")
    names = sorted(p.name for p in res.paths)
    assert names == ["问题清单-供电公司.xlsx", "问题清单-工业园区管委会.xlsx"]
    assert res.rows == 4
    for p in res.paths:
        ws = openpyxl.load_workbook(p).active
        dept = p.stem.split("-", 1)[1]
        rows, total = _data_rows(ws)
        assert {r[HEADERS.index("责任单位")] for r in rows} == {dept}
        assert total[1] == "共 2 项"
        assert dept in ws["A2"].value


def test_safe_filename_strips_path_and_reserved_characters():
    assert safe_filename("a/b\\c:d*e?") == "a_b_c_d_e"
    assert safe_filename("../..") == "未命名"
    assert safe_filename("CON") == "未命名"


def test_missing_directory_is_one_clear_error(county, tmp_path):
    from servicetui.reports.common import ReportError

    with pytest.raises(ReportError) as err:
        write_problem_list(county.engine, _opts(county), tmp_path / "nope" / "x.xlsx", "xlsx")
    assert "不存在" in err.value.zh and "does not exist" in err.value.en


def test_a_failed_export_leaves_no_partial_file(county, tmp_path, monkeypatch):
    from servicetui.reports import problem_list

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(problem_list, "_write_csv", boom)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError):
        write_problem_list(county.engine, _opts(county), out / "x.csv", "csv")
    assert list(out.iterdir()) == []


def test_an_export_writes_a_new_file_beside_the_target_and_replaces_it(tmp_path):
    from servicetui.reports.common import atomic_target

    target = tmp_path / "问题清单.csv"
    target.write_bytes(b"old")
    with atomic_target(target) as tmp:
        # a path of its own that the writer creates (not an existing file opened again), same name
        assert not tmp.exists() and tmp.name == target.name and tmp.parent.parent == tmp_path
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # the real name untouched until the writer is done
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # nothing else left beside it
    with pytest.raises(RuntimeError), atomic_target(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_an_export_removes_what_a_killed_export_left_and_leaves_a_running_one_alone(tmp_path):
    import os
    import time

    from servicetui.reports.common import STALE_PART_S, atomic_target

    target = tmp_path / "问题清单.csv"
    killed = tmp_path / ".问题清单.csv.k1ll3d_x.part"  # as mkdtemp names them: 8 random characters
    running = tmp_path / ".问题清单.csv.running1.part"
    helper = tmp_path / ".servicetui-part-abcd_123"
    other = tmp_path / ".问题清单.csv.notours.part.bak"  # not one of ours: never touched
    for d in (killed, running, helper, other):
        d.mkdir()
        (d / "问题清单.csv").write_bytes(b"half")
    long_ago = time.time() - STALE_PART_S - 60
    for d in (killed, helper, other):
        os.utime(d, (long_ago, long_ago))
    with atomic_target(target) as tmp:
        tmp.write_bytes(b"new")
    assert not killed.exists() and running.exists() and other.exists()
    assert helper.exists()  # the csv helper's own directories are swept by the helper's side


def test_demo_export_has_every_problem(demo_engine, tmp_path):
    import openpyxl

    from servicetui.reports.common import WriteResult

    today = ProblemListOptions().today.replace(2022, 9, 30)
    res: WriteResult = write_problem_list(demo_engine, ProblemListOptions(today=today), tmp_path / "d.xlsx", "xlsx")
    assert res.rows == problem_count(demo_engine, today=today) > 0
    ws = openpyxl.load_workbook(res.path).active
    assert ws.max_row == 3 + res.rows + 1
