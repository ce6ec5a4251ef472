"""`servicetui serve --login`: the login screen in front of the officer's app (servicetui.tui.web.login)."""

from __future__ import annotations

from datetime import date

import pytest

from servicetui.tui.web.login import find_person, login_app_class

SIZE = (150, 40)
TODAY = date(2022, 9, 30)


@pytest.fixture
def demo_engine(demo_db_copy):
    from servicetui.store.db import make_engine

    engine = make_engine(demo_db_copy)
    yield engine
    engine.dispose()


def test_find_person_by_login_or_name(demo_engine):
    assert find_person(demo_engine, "liming") == "liming"
    assert find_person(demo_engine, " 李明 ") == "liming"  # the name gives the login
    assert find_person(demo_engine, "nobody") is None
    assert find_person(demo_engine, "") is None


async def test_login_screen_comes_first_and_refuses_an_unknown_name(demo_engine):
    from textual.widgets import Input, Static

    from servicetui.tui.screens import ProjectsScreen

    app = login_app_class()(demo_engine, lang="zh", today=TODAY, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, app.LoginScreen)
        # the app's keys do nothing yet: no projects, no help, no command palette
        await pilot.press("escape", "1")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, app.LoginScreen)
        field = app.screen.query_one("#login-name", Input)
        field.clear()
        await pilot.press(*"nobody", "enter")
        await pilot.pause()
        assert isinstance(app.screen, app.LoginScreen)
        assert "nobody" in str(app.screen.query_one("#login-error", Static).render())
        assert not app.logged_in
        # "q" and digits are letters of a name here, not keys of the app
        await pilot.press(*"q1", "backspace", "backspace", *"liming", "enter")
        await pilot.pause()
        assert app.logged_in and app.user == "liming"
        assert isinstance(app.screen, ProjectsScreen)
        assert "李明（liming）" in app.user_label
        assert "login" not in app._modes


async def test_login_by_name_opens_the_officers_own_projects(demo_engine):
    from servicetui.tui.screens import ProjectsScreen

    app = login_app_class()(demo_engine, lang="en", today=TODAY, poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"李明", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen)
        assert app.user == "liming" and app.person_id is not None and app.role == "首席服务官"
        assert app.screen.mine  # an officer opens on his own projects, as in the terminal
        await pilot.press("2")  # the app's keys work now
        await pilot.pause()
        assert app.current_mode == "problems"
