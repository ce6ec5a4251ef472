"""The report commands through `servicetui` (click), and the start-up import guard."""

from __future__ import annotations

import json
import subprocess
import sys


def test_export_problems_without_output_prints_json(county, cli):
    res = cli("export", "problems", "--light", "red")
    assert res.exit_code == 0, res.output
    items = json.loads(res.stdout)
    assert sorted(i["title"] for i in items) == ["施工许可办理", "钢柱加工延迟"]


def test_export_problems_by_department_name_to_xlsx(county, cli, tmp_path):
    import openpyxl

    out = tmp_path / "供电.xlsx"
    res = cli("export", "problems", "--department", "供电公司", "--open-only", "-o", str(out))
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(4, 5).value == county.evil and ws.cell(5, 1).value == "合计"


def test_export_to_a_missing_directory_is_exit_2_and_one_line(county, cli, tmp_path):
    res = cli("export", "problems", "-o", str(tmp_path / "nope" / "x.xlsx"))
    assert res.exit_code == 2
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("servicetui: ") and "不存在" in lines[0]


def test_unknown_department_or_light_is_a_user_error(county, cli):
    assert cli("export", "problems", "--department", "气象局").exit_code == 2
    res = cli("export", "problems", "--light", "purple")
    assert res.exit_code == 2 and "--light" in res.stderr


def test_split_by_department_creates_the_directory(county, cli, tmp_path):
    res = cli("export", "problems", "--split-by-department", str(tmp_path / "清单"))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "清单").iterdir()) == ["问题清单-供电公司.xlsx", "问题清单-工业园区管委会.xlsx"]


def test_ledger_and_reports_write_their_files(county, cli, tmp_path):
    assert cli("export", "ledger", "-o", str(tmp_path / "l.csv")).exit_code == 0
    assert (tmp_path / "l.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    res = cli("report", "monthly", "--month", "2022-09", "-o", str(tmp_path / "m.docx"))
    assert res.exit_code == 0, res.output and (tmp_path / "m.docx").stat().st_size > 0
    res = cli("report", "quarterly", "--quarter", "2022Q3", "-o", str(tmp_path / "q.xlsx"))
    assert res.exit_code == 0, res.output


def test_monthly_markdown_goes_to_stdout_and_as_of_is_accepted(county, cli):
    res = cli("report", "monthly", "--month", "2022-09", "--as-of", "2099-01-01")
    assert res.exit_code == 0, res.output
    assert "1-9月，全县实施招商引资项目3个" in res.stdout
    assert cli("report", "monthly", "--month", "2022-13").exit_code == 2


def test_import_with_bad_rows_lists_them_and_exits_2(county, cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("项目名称,问题,责任单位\n无此项目,x,供电公司\n思思食品年产*吨航空系列食品加工项目,y,无此局\n",
                    encoding="utf-8")
    res = cli("import", str(path))
    assert res.exit_code == 2
    assert "第 2 行「项目名称」" in res.stderr and "第 3 行「责任单位」" in res.stderr
    assert "未写入任何数据" in res.stderr.splitlines()[-1]


def test_template_then_dry_run_import(county, cli, tmp_path):
    out = tmp_path / "t.xlsx"
    assert cli("template", "problems", "-o", str(out)).exit_code == 0
    res = cli("import", str(out), "--dry-run")
    assert res.exit_code == 0, res.output
    assert "试导入" in res.stdout


def test_missing_import_file_is_one_line(county, cli, tmp_path):
    res = cli("import", str(tmp_path / "none.xlsx"))
    assert res.exit_code == 2 and "找不到文件" in res.stderr


def test_reports_do_not_load_heavy_libraries_at_start_up():
    code = (
        "import sys\n"
        "import servicetui.cli.reports_cmds\n"
        "import servicetui.reports.problem_list, servicetui.reports.ledger, servicetui.reports.monthly\n"
        "import servicetui.reports.quarterly, servicetui.reports.importer, servicetui.reports.templates\n"
        "heavy = [m for m in ('xlsxwriter', 'openpyxl', 'docx') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_quarterly_as_of_is_accepted_and_a_bad_date_is_one_line(county, cli, tmp_path):
    res = cli("report", "quarterly", "--quarter", "2022Q3", "--as-of", "2099-01-01", "-o", str(tmp_path / "q.md"))
    assert res.exit_code == 0, res.output
    assert "| 1 | 供电公司 |" in (tmp_path / "q.md").read_text(encoding="utf-8")
    res = cli("report", "quarterly", "--quarter", "2022Q3", "--as-of", "not-a-day", "-o", str(tmp_path / "x.md"))
    assert res.exit_code == 2 and "--as-of" in res.output and "Traceback" not in res.output
