"""The app keeps one project screen per mode and shows the next project on it (composing a new one was
half of opening a project). The next project must look exactly as on a screen of its own."""

from __future__ import annotations

from servicetui.services import queries
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.milestone_grid import MilestoneGrid
from servicetui.tui.project_screen import ProjectScreen
from servicetui.tui.screens import ProjectsScreen
from servicetui.tui.widgets import TopBar

SIZE = (160, 45)


async def _open_row(pilot, row: int) -> ProjectScreen:
    app = pilot.app
    table = app.screen.query_one("#list", LazyTable)
    table.cursor = row
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, ProjectScreen)
    return app.screen


async def _all_projects_open_first(pilot) -> ProjectScreen:
    await pilot.press("m")  # every project
    await pilot.pause()
    return await _open_row(pilot, 0)


def _shown(screen: ProjectScreen) -> dict:
    """What the screen shows that belongs to its project."""
    problems = screen.query_one("#problems", LazyTable)
    return {
        "top": screen.query_one(TopBar).extra,
        "facts": str(screen.query_one("#facts").render()),
        "units": [u.name for u in screen.query_one(MilestoneGrid).units],
        "problems": [r.id for r in (problems.row_at(i) for i in range(problems.row_count))],
        "history": len(screen._history),
        "notes_for": screen._notes_for,
    }


async def test_the_next_project_is_shown_on_the_same_screen_as_on_a_screen_of_its_own(make_app, demo):
    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")  # every project
        await pilot.pause()
        ids = [r.id for r in (app.screen.query_one("#list", LazyTable).row_at(i) for i in range(12))]
        counts = {pid: queries.problem_count(engine, queries.ProblemFilter(project_id=pid), today=today)
                  for pid in ids}
        first, second = sorted(ids, key=lambda pid: -counts[pid])[:2]  # two projects with problems
        screen = await _open_row(pilot, ids.index(first))
        # move about on the first project: another grid cell, a problem further down, marked
        await pilot.press("j", "l")
        problems = screen.query_one("#problems", LazyTable)
        problems.focus()
        await pilot.press("j", "space")
        assert problems.cursor >= 1 and problems.marked  # (a mark moves down a row)
        await pilot.press("escape", "escape")  # (the first esc clears the marks, the second goes back)
        if isinstance(app.screen, ProjectScreen):
            await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen)

        again = await _open_row(pilot, ids.index(second))
        assert again is screen, "the screen is kept and shown again"
        assert again.project_id == second
        grid = again.query_one(MilestoneGrid)
        assert (grid.row, grid.col) == (0, 0) and app.focused is grid
        problems = again.query_one("#problems", LazyTable)
        assert problems.cursor == 0 and not problems.marked
        shown = _shown(again)
        await pilot.press("escape")
        await pilot.pause()

    # the same project on a screen of its own, in a fresh app
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        fresh = await _open_row(pilot, ids.index(second))
        assert _shown(fresh) == shown
        assert shown["problems"] and shown["top"]


async def test_a_project_opened_while_the_kept_screen_is_under_another_gets_a_screen_of_its_own(make_app):
    from servicetui.tui.screens import BaseScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        kept = await _all_projects_open_first(pilot)
        other = BaseScreen()
        await app.push_screen(other)  # a full screen over the project (as a meeting would be)
        await pilot.pause()
        pid = app.screen_stack[0].query_one("#list", LazyTable).row_at(1).id
        app.open_project(pid)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen) and app.screen is not kept
        assert app.screen.project_id == pid and kept.project_id != pid


async def test_after_a_language_switch_the_project_screen_speaks_the_new_language(make_app):
    from servicetui.tui.settings_screen import rebuild_screens

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        zh = await _all_projects_open_first(pilot)
        assert "问题" in str(zh.query_one("#problemsbox").query("Label").first().render())
        await pilot.press("escape")
        await pilot.pause()
        await rebuild_screens(app, "en")
        await pilot.pause()
        en = await _all_projects_open_first(pilot)
        assert en is not zh
        label = str(en.query_one("#problemsbox").query("Label").first().render())
        assert "问题" not in label and label.strip()


async def test_a_language_switch_made_on_the_project_screen_leaves_no_kept_screen_behind(make_app):
    from servicetui.tui.settings_screen import rebuild_screens

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        zh = await _all_projects_open_first(pilot)
        await rebuild_screens(app, "en")  # (what saving the settings form does, here over the project)
        await pilot.pause()
        assert not any(n.startswith("project:") for n in app._installed_screens)
        assert not zh.is_attached
        en = await _all_projects_open_first(pilot)
        assert en is not zh and en.project_id == zh.project_id
