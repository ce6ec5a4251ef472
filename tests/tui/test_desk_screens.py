"""Screens 4 (activities) and 5 (reference data), a project's 分工方案 tasks and 办理进展, settings.

GIVEN the demo county on 2022-09-30 (liming, 首席服务官), WHEN the officer uses the keys, THEN the
database holds what the screen says.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from textual.widgets import Select

from servicetui.services import entities
from servicetui.store.models import Activity, Department, Person, Problem, Project
from servicetui.tui.activities import ActivitiesScreen
from servicetui.tui.forms import FormScreen
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.problems_screen import ProblemsScreen
from servicetui.tui.project_screen import ProblemLogScreen, ProjectScreen
from servicetui.tui.reference import ReferenceScreen
from servicetui.tui.settings_screen import SettingsScreen

SIZE = (160, 45)
SISI = "思思食品年产2万吨航空系列食品加工项目"


def _one(engine, q):
    with engine.connect() as conn:
        return conn.execute(q).first()


def _tally(screen) -> str:
    return str(screen.query_one("#tally").render())


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_logging_an_activity_counts_it_in_its_month(make_app, demo):
    engine, _, _ = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActivitiesScreen)
        assert screen.month == (2022, 9)
        assert "2022年9月：走出去 0 批次 · 请进来 1 次" in _tally(screen)

        await pilot.press("a")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-on").value = "9月20日"
        await pilot.pause()
        assert "2022-09-20" in form.message("on", "echo"), "the parsed date is echoed under the field"
        form.query_one("#f-kind", Select).value = "走出去"
        form.query_one("#f-title").value = "赴银川对接新材料企业"
        form.query_one("#f-place").value = "银川"
        form.query_one("#f-people").value = "李明、赵磊"
        form.query_one("#f-projects_contacted").text = "新材料项目\n光伏支架项目\n"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is screen

        row = _one(engine, select(Activity).where(Activity.title == "赴银川对接新材料企业"))
        assert row is not None
        assert (row.on, row.kind, row.place, row.contacted_count) == (date(2022, 9, 20), "走出去", "银川", 2)
        assert "走出去 1 批次 · 请进来 1 次" in _tally(screen)
        assert "对接项目 3 个" in _tally(screen)
        assert screen.query_one("#list", LazyTable).row_count == 2

        await pilot.press("left_square_bracket")  # August
        await _settle(pilot)
        assert screen.month == (2022, 8) and "2022年8月：走出去 1 批次 · 请进来 1 次" in _tally(screen)
        await pilot.press("A")
        await _settle(pilot)
        assert screen.month is None and "全部月份：走出去 5 批次" in _tally(screen)


async def test_deleting_an_activity_archives_it_after_confirmation(make_app, demo):
    engine, _, _ = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await _settle(pilot)
        screen = app.screen
        row = screen.query_one("#list", LazyTable).selected
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("n")  # changed my mind
        await _settle(pilot)
        assert not _one(engine, select(Activity.archived).where(Activity.id == row.id))[0]
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await _settle(pilot)
        assert _one(engine, select(Activity.archived).where(Activity.id == row.id))[0]
        assert "请进来 0 次" in _tally(screen)


async def test_reference_screen_adds_a_department_and_a_person(make_app, demo):
    engine, _, _ = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReferenceScreen) and screen.active == "departments"

        await pilot.press("a")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+s")  # empty name
        await pilot.pause()
        assert app.screen is form
        assert "名称：必填" in form.message("name", "err"), "the error sits next to the name field"
        form.query_one("#f-name").value = "应急管理局"
        form.query_one("#f-short_name").value = "应急"
        form.query_one("#f-funds_target").value = "1.2亿"
        form.query_one("#f-phone").value = "0951-5010020"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is screen
        dept = _one(engine, select(Department).where(Department.name == "应急管理局"))
        assert (dept.short_name, dept.funds_target, dept.phone) == ("应急", 12_000, "0951-5010020")

        await pilot.press("a")  # the same name again: the service's uniqueness check lands on the field
        form = app.screen
        form.query_one("#f-name").value = "应急管理局"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "已存在" in form.message("name", "err")
        await pilot.press("escape")
        await _settle(pilot)

        await pilot.press("right_square_bracket")  # people
        await _settle(pilot)
        assert screen.active == "people"
        await pilot.press("a")
        form = app.screen
        form.query_one("#f-name").value = "钱进"
        form.query_one("#f-login").value = "qianjin"
        form.query_one("#f-role", Select).value = "部门联络员"
        form.query_one("#f-department_id", Select).value = dept.id
        await pilot.press("ctrl+s")
        await _settle(pilot)
        person = _one(engine, select(Person).where(Person.login == "qianjin"))
        assert (person.name, person.role, person.department_id) == ("钱进", "部门联络员", dept.id)
        assert screen.selected_id() == person.id, "the cursor lands on the new row"


async def test_the_people_tab_of_a_province_lists_every_person_and_edits_the_one_selected(make_app, demo):
    from sqlalchemy import func, insert

    engine, _, _ = demo
    with engine.begin() as conn:  # a province's people, written in bulk (no audit needed to list them)
        conn.execute(insert(Person), [{"name": f"人员{i:04d}", "role": "部门联络员", "title": "科员",
                                       "phone": f"1380000{i:04d}"} for i in range(1500)])
        people = conn.scalar(select(func.count()).select_from(Person).where(Person.archived == False))  # noqa: E712
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await _settle(pilot)
        await pilot.press("right_square_bracket", "G")  # people, the last row
        await _settle(pilot)
        screen = app.screen
        table = screen.table()
        assert screen.active == "people" and isinstance(table, LazyTable)
        assert table.row_count == people >= 1500 and "共 %d 项" % people in str(screen.query_one("StatusLine").render())
        last = screen._rows["people"][-1]
        assert screen.selected_id() == last["id"]
        await pilot.press("enter")  # edits the selected person
        await _settle(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.query_one("#f-name").value == last["name"]


async def test_a_task_added_on_sisi_shows_on_the_board_filtered_by_kind(make_app, demo):
    engine, _, _ = demo
    pid = _one(engine, select(Project.id).where(Project.name == SISI))[0]
    dept = _one(engine, select(Department.id).where(Department.name == "工业园区管委会"))[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_project(pid)
        await _settle(pilot)
        project = app.screen
        assert isinstance(project, ProjectScreen)
        tasks = project.query_one("#tasks", LazyTable)
        before = tasks.row_count
        assert before >= 1 and all(tasks.row_at(i).kind == "任务" for i in range(before))

        await pilot.press("T")
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-kind", Select).value == "任务", "the form is preset to a task"
        form.query_one("#f-title").value = "完成四号车间钢柱进场验收"
        form.query_one("#f-department_id", Select).value = dept
        form.query_one("#f-due").value = "2022-10-20"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is project
        row = _one(engine, select(Problem).where(Problem.title == "完成四号车间钢柱进场验收"))
        assert (row.kind, row.project_id, row.department_id, row.due) == ("任务", pid, dept, date(2022, 10, 20))
        assert tasks.row_count == before + 1

        await pilot.press("2")
        await _settle(pilot)
        board = app.screen
        assert isinstance(board, ProblemsScreen)
        await pilot.press("f")
        filt = app.screen
        filt.query_one("#f-kind", Select).value = "任务"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        table = board.query_one("#list", LazyTable)
        rows = [table.row_at(i) for i in range(table.row_count)]
        assert rows and all(r.kind == "任务" for r in rows)
        assert "完成四号车间钢柱进场验收" in [r.title for r in rows]


async def test_progress_notes_show_newest_first_on_the_project_and_the_board(make_app, demo):
    engine, _, _ = demo
    pid = _one(engine, select(Project.id).where(Project.name == SISI))[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_project(pid)
        await _settle(pilot)
        project = app.screen
        problems_table = project.query_one("#problems", LazyTable)
        problems_table.focus()
        await _settle(pilot)
        first = problems_table.selected
        notes = project.query_one("#notes", LazyTable)
        shown = [notes.row_at(i) for i in range(notes.row_count)]
        assert shown, "the selected problem's 办理进展 are listed"
        assert [e["id"] for e in shown] == sorted((e["id"] for e in shown), reverse=True)
        assert first.title[:10] in str(project.query_one("#notestitle").render())

        await pilot.press("j")  # another problem: its own notes
        await _settle(pilot)
        assert project._notes_for[0] == problems_table.selected.id

        await pilot.press("2")
        await _settle(pilot)
        await pilot.press("l")
        await _settle(pilot)
        log = app.screen
        assert isinstance(log, ProblemLogScreen)
        ids = [e["id"] for e in log.events]
        assert ids == sorted(ids, reverse=True) and len(ids) >= 2
        await pilot.press("escape")
        await _settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)


async def test_settings_switch_language_at_once_and_persist(make_app, demo, tui_config):
    engine, _, _ = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await _settle(pilot)
        await pilot.press("comma")
        await _settle(pilot)
        form = app.screen
        assert isinstance(form, SettingsScreen)
        form.query_one("#f-warn_days").value = "99"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "0–60" in form.message("warn_days", "err")

        form.query_one("#f-warn_days").value = "5"
        form.query_one("#f-lang", Select).value = "en"
        form.query_one("#f-money_unit", Select).value = "亿"
        form.query_one("#f-county").value = "测试县"
        await pilot.press("ctrl+s")
        for _ in range(6):
            await pilot.pause()
        assert app.lang == "en" and app.money_unit == "亿" and app.warn_days == 5
        screen = app.screen
        assert isinstance(screen, ActivitiesScreen), "the officer stays where they were"
        assert "All months" not in _tally(screen) and "outbound 0 trips" in _tally(screen)
        footer = {b.binding.description for b in screen.active_bindings.values()}
        assert "Prev month" in footer and "上月" not in footer
        assert "Activities" in str(screen.query_one("TopBar").render())

        await pilot.press("1")
        await _settle(pilot)
        assert "Agreed (100M CNY)" in str(app.screen.query_one("#list", LazyTable).columns[7].label) or \
            any("Agreed" in c.label for c in app.screen.query_one("#list", LazyTable).columns)

    text = (tui_config / "settings.toml").read_text(encoding="utf-8")
    assert 'lang = "en"' in text and 'money_unit = "亿"' in text
    assert entities.get_setting(engine, "warn_days") == "5"
    assert entities.get_setting(engine, "county") == "测试县"


def test_activities_screen_snapshot(snap_compare, make_app):
    """Screen 4 in Chinese at 160×45, September 2022 then all months."""

    async def run_before(pilot):
        await pilot.press("4")
        await _settle(pilot)
        await pilot.press("A")
        await _settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
