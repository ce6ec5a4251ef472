"""Export (ctrl+e) and import (ctrl+o) modals: options in a modal, the writer in a thread worker with
a progress bar, one-line errors, the importer's row report, nothing written on a bad file."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select
from textual.widgets import Checkbox, DataTable, Select

from servicetui.services import queries
from servicetui.store.models import AuditEntry, Problem
from servicetui.tui.import_screen import ImportScreen
from servicetui.tui.problems_screen import ProblemsScreen
from servicetui.tui.transfer import (
    ExportRequest,
    ExportScreen,
    default_name,
    run_export,
)

SIZE = (160, 45)
SISI = "思思食品年产2万吨航空系列食品加工项目"


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def _finish(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    for _ in range(4):
        await pilot.pause()


async def test_export_the_board_with_its_current_filter_to_xlsx(make_app, demo, tmp_path):
    import openpyxl

    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await _settle(pilot)
        board = app.screen
        assert isinstance(board, ProblemsScreen)
        await pilot.press("slash", *"思思食品", "enter")
        await _settle(pilot)
        expected = queries.problem_count(engine, board.filter, today=today)
        assert 0 < expected < queries.problem_count(engine, queries.ProblemFilter(open_only=True), today=today)

        await pilot.press("ctrl+e")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportScreen) and modal.what == "problem_list"
        path_input = modal.query_one("#path")
        assert Path(path_input.value).name == "问题清单-2022-09-30.xlsx", "a dated Chinese default name"
        assert f"共 {expected} 项" in str(modal.query_one("#scope").render())
        target = tmp_path / "思思问题清单.xlsx"
        path_input.value = str(target)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert app.screen is board, "the modal closes when the file is written"
        assert modal.result is not None and modal.result.rows == expected

    wb = openpyxl.load_workbook(target, read_only=True)
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    titles = [r.title for r in queries.problem_rows(engine, queries.ProblemFilter(open_only=True, text="思思食品"),
                                                    today=today)]
    assert all(any(title == c for c in cells) for title in titles)
    assert not any("冷链物流园" in c for c in cells), "only the filtered view is exported"


async def test_an_export_that_cannot_be_written_is_one_line_not_a_traceback(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportScreen) and modal.what == "ledger", "from the projects screen: the ledger"
        modal.query_one("#path").value = str(tmp_path / "没有这个目录" / "台账.xlsx")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert app.screen is modal, "the modal stays open to fix the path"
        message = str(modal.query_one("#message").render())
        assert "导出失败" in message and "不存在" in message and "\n" not in message.strip()
        assert any("导出失败" in str(n.message) for n in app._notifications)
        assert not modal.running


async def test_export_the_monthly_bulletin_with_its_month(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await _settle(pilot)
        modal = app.screen
        modal.query_one("#what", Select).value = "monthly"
        await _settle(pilot)
        assert modal.query_one("#format", Select).value == "docx"
        assert modal.query_one("#period").value == "2022-09"
        assert Path(modal.query_one("#path").value).name == "月通报-2022年9月.docx"
        modal.query_one("#format", Select).value = "md"
        modal.query_one("#period").value = "2022-8"
        await _settle(pilot)
        assert Path(modal.query_one("#path").value).name == "月通报-2022年8月.md", "the default name follows"
        modal.query_one("#path").value = str(tmp_path / "月通报.md")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _finish(pilot)
    text = (tmp_path / "月通报.md").read_text(encoding="utf-8")
    assert "8月" in text and "走出去" in text


def test_run_export_needs_no_ui(demo, tmp_path):
    engine, _, today = demo
    res = run_export(engine, ExportRequest("quarterly", "md", tmp_path / "q.md", today, period="2022Q3"))
    assert res.path.exists() and "季度" in res.path.read_text(encoding="utf-8")
    assert default_name("quarterly", "xlsx", today, "2022Q3") == "季考核-2022年第三季度.xlsx"
    assert default_name("ledger", "csv", today) == "项目台账-2022-09-30.csv"


def _csv(path: Path, header, rows) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


async def test_import_with_a_bad_row_lists_it_and_writes_nothing(make_app, demo, tmp_path):
    engine, _, _ = demo
    before = _count(engine, Problem), _count(engine, AuditEntry)
    path = _csv(tmp_path / "问题.csv", ["项目名称", "问题", "责任单位", "办结时限"], [
        [SISI, "围墙施工受阻", "供电公司", "2022-10-20"],
        [SISI, "日期写错了", "供电公司", "2022-02-30"],
        [SISI, "厂区道路硬化", "住建局", "2022-11-15"],
    ])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await _settle(pilot)
        await pilot.press("ctrl+o")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ImportScreen)
        modal.query_one("#path").value = str(path)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert app.screen is modal
        table = modal.query_one("#report", DataTable)
        assert table.display and table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == "3" and row[1] == "办结时限" and "日期" in row[2]
        assert "未写入任何数据" in str(modal.query_one("#message").render())
        assert (_count(engine, Problem), _count(engine, AuditEntry)) == before

        # fixed file, dry run first: still nothing written
        path = _csv(tmp_path / "问题.csv", ["项目名称", "问题", "责任单位", "办结时限"], [
            [SISI, "围墙施工受阻", "供电公司", "2022-10-20"],
            [SISI, "厂区道路硬化", "住建局", "2022-11-15"],
        ])
        modal.query_one("#dry", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert "试导入：2 行问题可以导入" in str(modal.query_one("#message").render())
        assert _count(engine, Problem) == before[0]

        modal.query_one("#dry", Checkbox).value = False
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert isinstance(app.screen, ProblemsScreen), "success closes the modal"
        assert _count(engine, Problem) == before[0] + 2
        assert any("已导入 2 行问题" in str(n.message) for n in app._notifications)
        await pilot.press("slash", *"围墙施工", "enter")
        await _settle(pilot)
        assert app.screen.query_one("#list").row_count == 1, "the board shows the imported rows"


async def test_in_a_browser_the_export_is_downloaded_and_not_left_on_the_server(make_browser_app):
    app = make_browser_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportScreen) and modal.what == "ledger"
        assert modal.query_one("#path").value == "项目台账-2022-09-30.xlsx", "a file name only: it is downloaded"
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert app.screen is not modal and modal.result.rows > 0
        assert any("浏览器正在下载 项目台账-2022-09-30.xlsx" in str(n.message) for n in app._notifications)
    [(path, name, data)] = app.delivered
    assert name == "项目台账-2022-09-30.xlsx" and data.startswith(b"PK")
    assert not path.exists() and not path.parent.exists(), "nothing is left on the server"


async def test_in_a_browser_ctrl_u_uploads_the_file_to_import_and_the_box_goes_with_the_modal(
        make_browser_app, demo, monkeypatch, tmp_path):
    from servicetui.tui.web import uploads

    engine, _, _ = demo
    before = _count(engine, Problem)
    root = tmp_path / "uploads"
    root.mkdir()
    monkeypatch.setenv(uploads.ENV, str(root))
    app = make_browser_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await _settle(pilot)
        await pilot.press("ctrl+o")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ImportScreen) and modal.query_one("#path").has_focus
        await pilot.press("ctrl+u")  # even with the path field focused (where ctrl+u would clear it)
        await _settle(pilot)
        [url] = app.opened_urls
        assert url.startswith(uploads.SCHEME)
        box = root / url[len(uploads.SCHEME):]
        assert box.is_dir() and uploads.TOKEN.fullmatch(box.name)
        assert "请在浏览器的对话框中选择文件" in str(modal.query_one("#message").render())
        # the server writes the upload (a .part first: not taken until it is renamed)
        part = _csv(box / ("问题.csv" + uploads.PART), ["项目名称", "问题", "责任单位", "办结时限"],
                    [[SISI, "上传的问题：围墙施工", "供电公司", "2022-10-20"]])
        await pilot.pause(3 * modal.UPLOAD_POLL)
        assert modal.query_one("#path").value == ""
        part.rename(box / "问题.csv")
        await pilot.pause(3 * modal.UPLOAD_POLL)
        assert modal.query_one("#path").value == str(box / "问题.csv")
        assert "已上传 问题.csv" in str(modal.query_one("#message").render())
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert app.screen is not modal and _count(engine, Problem) == before + 1
    assert not box.exists(), "the upload box goes when the modal closes"


async def test_outside_a_browser_the_import_has_no_upload(make_app, monkeypatch, tmp_path):
    from servicetui.tui.web import uploads

    root = tmp_path / "uploads"
    root.mkdir()
    monkeypatch.setenv(uploads.ENV, str(root))
    app = make_app()
    asked: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: asked.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ImportScreen) and not modal.query("#upload")
        modal.query_one("#path").value = "abc"
        await pilot.press("ctrl+u")  # the path field's own key: clears to the start
        await _settle(pilot)
        assert asked == [] and list(root.iterdir()) == []
        assert modal.query_one("#path").value == ""


async def test_ctrl_t_in_the_import_writes_the_blank_template_of_the_chosen_kind(make_app, tmp_path):
    import openpyxl

    from servicetui.reports.templates import PROJECT_TEMPLATE

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await _settle(pilot)
        importer = app.screen
        assert isinstance(importer, ImportScreen)
        importer.query_one("#kind", Select).value = "projects"
        await pilot.press("ctrl+t")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportScreen) and modal.what == "template_projects"
        assert modal.query_one("#path").value == str(Path.cwd() / "项目导入模板.xlsx")
        out = tmp_path / "项目导入模板.xlsx"
        modal.query_one("#path").value = str(out)
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert app.screen is importer, "back to the import once the template is written"
        assert any(f"已生成空白模板 → {out}" in str(n.message) for n in app._notifications)
    header = [c.value for c in next(openpyxl.load_workbook(out)["导入"].iter_rows(max_row=1))]
    assert header == [spec[0] for spec in PROJECT_TEMPLATE]


async def test_in_a_browser_the_blank_template_is_downloaded(make_browser_app):
    app = make_browser_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await _settle(pilot)
        await pilot.click("#template")
        for _ in range(20):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExportScreen) and app.screen.is_mounted:
                break
        assert isinstance(app.screen, ExportScreen) and app.screen.query_one("#path").value == "问题导入模板.xlsx"
        await pilot.press("ctrl+s")
        await _finish(pilot)
        assert any("浏览器正在下载空白模板 问题导入模板.xlsx" in str(n.message) for n in app._notifications)
    [(_path, name, data)] = app.delivered
    assert name == "问题导入模板.xlsx" and data.startswith(b"PK")


async def test_an_upload_folder_that_went_away_is_one_line_in_the_modal(make_browser_app, monkeypatch, tmp_path):
    import shutil

    from servicetui.tui.web import uploads

    root = tmp_path / "uploads"
    root.mkdir()
    monkeypatch.setenv(uploads.ENV, str(root))
    app = make_browser_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await _settle(pilot)
        modal = app.screen
        assert modal.query("#upload")
        shutil.rmtree(root)  # the server stopped and removed it meanwhile
        await pilot.press("ctrl+u")
        await _settle(pilot)
        assert app.screen is modal and app.opened_urls == []
        assert "无法上传" in str(modal.query_one("#message").render())
