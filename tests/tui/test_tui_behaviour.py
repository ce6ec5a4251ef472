"""Keys, forms, conflicts, polling, keymap, help and palette of the officer's app."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from servicetui.domain.enums import ProblemStatus
from servicetui.services import problems
from servicetui.services.context import Ctx
from servicetui.store.models import Problem
from servicetui.tui.departments_screen import DepartmentsScreen
from servicetui.tui.forms import FormScreen
from servicetui.tui.help import HelpScreen
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.problems_screen import ProblemsScreen
from servicetui.tui.project_screen import ProjectScreen
from servicetui.tui.screens import ProjectsScreen

SIZE = (160, 45)


def _get(engine, pid: int) -> Problem:
    with Session(engine) as s:
        return s.get(Problem, pid)


async def test_stale_edit_shows_the_conflict_and_keeps_typed_values(make_app, demo):
    engine, user, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        board = app.screen
        assert isinstance(board, ProblemsScreen)
        row = board.query_one("#list", LazyTable).selected
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FormScreen)

        # meanwhile the department contact renames it in another process
        other = Ctx(engine, actor="zhenghao", today=today)
        problems.update_problem(other, row.id, _get(engine, row.id).version, title="别人改过的标题")

        form.query_one("#f-co_departments").value = "自然资源局"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "a conflict keeps the form open"
        message = str(form.query_one("#form-message").render())
        assert "冲突" in message and "zhenghao" in message
        assert form.query_one("#f-title").value == "别人改过的标题", "the new values are loaded"
        assert "自然资源局" in form.message("co_departments", "yours"), "the typed value stays visible"
        assert _get(engine, row.id).co_departments != "自然资源局", "nothing was overwritten"

        await pilot.press("ctrl+r")  # put my input back over the new version, then save
        assert form.query_one("#f-co_departments").value == "自然资源局"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is board
        saved = _get(engine, row.id)
        assert saved.title == "别人改过的标题" and saved.co_departments == "自然资源局"


async def test_problem_form_shows_validation_and_parse_errors_next_to_fields(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("a")
        form = app.screen
        form.query_one("#f-due").focus()
        await pilot.press(*"下下下周")
        assert "无法识别的日期" in form.message("due", "echo")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "标题" in form.message("title", "err")
        assert "无法识别的日期" in form.message("due", "err")


async def test_reopen_is_hidden_for_open_problems_and_close_for_closed_ones(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        table = app.screen.query_one("#list", LazyTable)
        assert table.selected.status != ProblemStatus.CLOSED.value
        actions = {ab.binding.action for ab in app.screen.active_bindings.values()}
        assert "close" in actions and "reopen" not in actions
        await pilot.press("f")
        form = app.screen
        form.query_one("#f-status").value = ProblemStatus.CLOSED.value
        form.query_one("#f-open_only").value = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert table.row_count == 5 and table.selected.status == ProblemStatus.CLOSED.value
        actions = {ab.binding.action for ab in app.screen.active_bindings.values()}
        assert "reopen" in actions and "close" not in actions


async def test_number_keys_switch_screens_and_summary_jumps_to_lists(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, DepartmentsScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen)
        await pilot.press("m", "o")  # all projects, then 逾期 N
        await pilot.pause()
        await pilot.pause()
        board = app.screen
        assert isinstance(board, ProblemsScreen)
        rows = [board.query_one("#list", LazyTable).row_at(i) for i in range(board.query_one("#list").row_count)]
        assert len(rows) == 4 and all(r.light == "红" for r in rows)
        assert board.query_one("#list", LazyTable).selected is not None
        assert "红：" in str(board.query_one("StatusLine").render())


async def test_help_lists_the_bindings_of_the_focused_grid(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("l", "l", "l")  # 一号车间 地面硬化: not started, so start/done/blocker apply
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from servicetui.tui.help import binding_groups

        groups = dict(binding_groups(app, app.screen.under))
        focused_ids = {ident for _, _, ident in groups["当前焦点"]}
        assert {"milestone.start", "milestone.done", "milestone.blocker"} <= focused_ids
        assert "app.undo" in {ident for _, _, ident in groups["全局"]}
        await pilot.press("escape")
        assert isinstance(app.screen, ProjectScreen)


async def test_user_keymap_rebinds_an_action_by_id(make_app, tui_config):
    (tui_config / "keymap.toml").write_text('"app.departments" = "D"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DepartmentsScreen)


async def test_palette_jumps_to_a_project(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"图兰朵")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ProjectScreen)
        assert "图兰朵" in app.screen.detail.facts["name"]


async def test_polling_refreshes_lists_after_another_process_writes(make_app, demo):
    engine, user, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        table = app.screen.query_one("#list", LazyTable)
        before = table.row_count
        with Session(engine) as s:
            project_id = s.scalars(select(Problem.project_id)).first()
        problems.create_problem(Ctx(engine, actor="zhenghao", today=today), project_id=project_id,
                                title="另一台电脑新增的问题", due=date(2022, 10, 8))
        app.poll_changes()
        await pilot.pause()
        assert table.row_count == before + 1


async def test_english_interface_translates_headers_and_values(make_app):
    app = make_app(lang="en")
    async with app.run_test(size=SIZE):
        table = app.screen.query_one("#list", LazyTable)
        labels = [c.label for c in table.columns]
        assert "Project" in labels and "Light" in labels
        assert str(table.columns[-1].render(table.selected)).endswith("Red")
        footer_descriptions = {ab.binding.description for ab in app.screen.active_bindings.values()}
        assert "Undo" in footer_descriptions


async def test_narrow_terminal_keeps_whole_columns_and_aligned_cjk(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#list", LazyTable)
        shown = [c.key for c, _ in table._widths]
        assert {"name", "invest", "progress", "open", "light"} <= set(shown)
        assert sum(w for _, w in table._widths) + len(shown) - 1 <= table.size.width
        for y in range(table.row_count + 1):
            assert table.render_line(y).cell_length == table.size.width
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        grid = screen.query_one("#grid")
        assert grid.region.width <= 100
        lines = str(grid.render()).splitlines()
        from rich.cells import cell_len

        assert len({cell_len(line.rstrip()) for line in lines[1:]}) == 1, "grid rows line up"
        assert max(cell_len(line) for line in lines) <= grid.size.width


async def test_the_departments_screen_fills_its_counts_from_a_worker(make_app, demo):
    from servicetui.services import queries

    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#depts")
        want = queries.department_stats(engine, today=today)
        assert table.row_count == len(want) > 0
        first = table.get_row_at(0)
        assert first[0] == want[0].name and str(first[2]) == str(want[0].overdue)
        await pilot.press("enter")  # the first department's open problems
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen) and app.screen.filter.department_id == want[0].id


async def test_resizing_the_terminal_refits_the_list_columns_and_scrollbar(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#list", LazyTable)
        wide = [c.key for c, _ in table._widths]
        assert not table.show_vertical_scrollbar  # the demo's projects fit in 45 lines
        await pilot.resize_terminal(90, 8)  # 3 lines of list for its 4 projects and the header
        await pilot.pause()
        await pilot.pause()
        narrow = [c.key for c, _ in table._widths]
        assert set(narrow) < set(wide) and "name" in narrow  # less important columns left out
        assert table.show_vertical_scrollbar and table.vertical_scrollbar.window_virtual_size == table.row_count + 1
        # the columns fit beside the scrollbar: none hides under it, and the list never scrolls sideways
        beside = table.size.width - table.scrollbar_size_vertical
        assert all(table.render_line(y).cell_length == beside for y in range(table.size.height))
        assert sum(w for _, w in table._widths) + len(narrow) - 1 <= beside
        assert not table.show_horizontal_scrollbar
        assert app.screen.query_one("TopBar").render().cell_length <= 90
