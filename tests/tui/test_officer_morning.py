"""The acceptance story, driven through the keyboard with Pilot, checked in the database.

GIVEN the demo county on 2022-09-30 and the officer 李明 (liming)
WHEN he finds 思思食品, adds "钢柱加工延迟" for 工业园区管委会 due "下周五", closes it and undoes
THEN the database holds each step, with audit entries, and the screen says what happened.
"""

from __future__ import annotations

from sqlalchemy import select

from servicetui.domain.enums import MilestoneStatus, ProblemStatus
from servicetui.domain.parsing import format_date_echo, parse_date
from servicetui.store.models import AuditEntry, Department, Problem
from servicetui.tui.forms import FormScreen
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.milestone_grid import MilestoneGrid
from servicetui.tui.project_screen import ProjectScreen
from servicetui.tui.screens import ProjectsScreen

SIZE = (160, 45)


def _rows(table: LazyTable) -> list:
    return [table.row_at(i) for i in range(table.row_count)]


def _problem(engine, title: str) -> Problem | None:
    from sqlmodel import Session

    with Session(engine) as session:
        return session.scalars(select(Problem).where(Problem.title == title)).first()


def _dept_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(Department.id).where(Department.name == name))


async def _open_sisi(pilot) -> ProjectScreen:
    app = pilot.app
    await pilot.press("slash", *"思思", "enter")
    table = app.screen.query_one("#list", LazyTable)
    assert [r.name for r in _rows(table)] == ["思思食品年产2万吨航空系列食品加工项目"]
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ProjectScreen)
    return app.screen


async def test_projects_screen_lists_the_officers_projects_and_all_with_m(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ProjectsScreen)
        table = app.screen.query_one("#list", LazyTable)
        mine = [r.name for r in _rows(table)]
        assert len(mine) == 4 and any("思思食品" in n for n in mine)
        assert all(r.officer == "李明" for r in _rows(table))
        await pilot.press("m")
        assert table.row_count == 12
        await pilot.press("j", "j", "k")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == 11
        await pilot.press("g")
        assert table.cursor == 0


async def test_project_screen_shows_the_grid_of_the_seed_report(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_sisi(pilot)
        grid = screen.query_one(MilestoneGrid)
        by_unit = {u.name: u.milestones for u in grid.units}
        assert list(by_unit) == ["一号车间", "二号车间", "三号车间", "四号车间"]
        for unit in ("一号车间", "二号车间", "三号车间"):
            assert by_unit[unit]["地基"].status == MilestoneStatus.DONE.value
            assert by_unit[unit]["屋面钢结构"].status == MilestoneStatus.IN_PROGRESS.value
        assert by_unit["二号车间"]["地面硬化"].status == MilestoneStatus.IN_PROGRESS.value
        assert by_unit["四号车间"]["地基"].status == MilestoneStatus.DONE.value
        steel = by_unit["四号车间"]["主体钢结构"]
        assert steel.status == MilestoneStatus.BLOCKED.value and steel.blocker == "等待钢柱加工"
        rendered = str(grid.render())
        assert "✗" in rendered and "◐" in rendered and "✓" in rendered
        assert "四号车间 主体钢结构：等待钢柱加工" in str(screen.query_one("#blockers").render())


async def test_officer_adds_closes_and_undoes_a_problem(make_app, demo):
    engine, user, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_sisi(pilot)

        # a: add "钢柱加工延迟" for 工业园区管委会, due 下周五
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"钢柱加工延迟")
        dept = _dept_id(engine, "工业园区管委会")
        form.query_one("#f-department_id").value = dept
        form.query_one("#f-due").focus()
        await pilot.press(*"下周五")
        due = parse_date("下周五", today)
        assert form.message("due", "echo") == f"下周五 → {format_date_echo(due)}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen

        problem = _problem(engine, "钢柱加工延迟")
        assert problem is not None
        assert problem.department_id == dept and problem.due == due
        assert problem.status == ProblemStatus.ASSIGNED.value
        with engine.connect() as conn:
            audit = conn.execute(select(AuditEntry.actor, AuditEntry.action).where(
                AuditEntry.entity == "problem", AuditEntry.entity_id == problem.id)).all()
        assert (user, "create") in audit

        # the new problem is in the project's list; select it
        problems = screen.query_one("#problems", LazyTable)
        index = next(i for i, r in enumerate(_rows(problems)) if r.id == problem.id)
        problems.focus()
        problems.move_to(index)
        await pilot.pause()

        # x without a note: refused, with the reason next to the field
        await pilot.press("x")
        close_form = app.screen
        assert isinstance(close_form, FormScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is close_form
        assert "销号需要填写说明" in close_form.message("note", "err")
        assert _problem(engine, "钢柱加工延迟").status == ProblemStatus.ASSIGNED.value

        # x with a note: closed by the officer
        await pilot.press(*"钢柱已到场")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        closed = _problem(engine, "钢柱加工延迟")
        assert closed.status == ProblemStatus.CLOSED.value and closed.closed_by == user
        assert "钢柱已到场" in closed.resolution

        # u: undo restores the problem as it was before closing
        await pilot.press("u")
        await pilot.pause()
        back = _problem(engine, "钢柱加工延迟")
        assert back.status == ProblemStatus.ASSIGNED.value and back.closed_on is None and back.closed_by == ""
        assert any("撤销" in n.message or "销号" in n.message for n in app._notifications)


async def test_ctrl_z_undoes_too_and_nothing_left_is_said(make_app):
    app = make_app(user="nobody")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert any(n.message == "没有可撤销的操作" for n in app._notifications)


async def test_milestone_keys_mark_started_and_done(make_app, demo):
    engine, user, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_sisi(pilot)
        grid = screen.query_one(MilestoneGrid)
        grid.focus()
        await pilot.press("l", "l", "l")  # 一号车间 地面硬化
        assert grid.cell.kind == "地面硬化" and grid.unit.name == "一号车间"
        await pilot.press("s")
        await pilot.pause()
        assert screen.query_one(MilestoneGrid).cell.status == MilestoneStatus.IN_PROGRESS.value
        await pilot.press("d")
        await pilot.pause()
        cell = screen.query_one(MilestoneGrid).cell
        assert cell.status == MilestoneStatus.DONE.value and cell.actual_finish_on == today
