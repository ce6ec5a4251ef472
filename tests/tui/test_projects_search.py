"""The projects list's `/` search: typed text narrows the list from an in-memory index built in a
worker (as on the board), and an order too slow to page in SQL pages from one too."""

from __future__ import annotations

from dataclasses import replace

import pytest


async def _idle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def _shown(table) -> list[int]:
    return [table.row_at(i).id for i in range(table.row_count)]


def _sql(engine, screen, today, text: str) -> list[int]:
    from servicetui.services import queries

    f = replace(screen._effective(), text=text)
    return [r.id for r in queries.project_rows(engine, f, today=today, sort=screen.sort, limit=None)]


@pytest.mark.asyncio
async def test_typing_on_the_projects_list_uses_the_index_and_shows_the_same_rows_as_sql(make_app, demo,
                                                                                            monkeypatch):
    from servicetui.services import queries

    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        home = app.screen
        await pilot.press("c")  # every project, not just "mine"
        await pilot.pause()
        summaries = []
        real = queries.desk_summary
        monkeypatch.setattr(queries, "desk_summary", lambda *a, **k: summaries.append(1) or real(*a, **k))
        await pilot.press("slash")
        await _idle(app, pilot)
        assert home._search is not None  # built when the box took the focus
        await pilot.press(*"食品")
        await _idle(app, pilot)
        table = home.query_one("#list")
        want = _sql(engine, home, today, "食品")
        assert home._search_index() is home._search and home._search.count("食品") == len(want)
        assert _shown(table) == want and len(want) == 2
        assert f"共 {len(want)} 项" in str(home.query_one("#filterdesc").render())
        await pilot.press("backspace", "backspace", *"xm2022-01")  # the code, in lower case
        await _idle(app, pilot)
        assert _shown(table) == _sql(engine, home, today, "xm2022-01") and table.row_count == 3
        assert summaries == []  # the text does not change the summary line: not counted again per key
        await pilot.press("enter", "s")  # back in the list, another order: another index, the same rows
        await _idle(app, pilot)
        assert home._search.sort == home.sort != "light"
        assert _shown(table) == _sql(engine, home, today, "xm2022-01")
        assert summaries == []  # nor does the order


@pytest.mark.asyncio
async def test_a_write_drops_the_projects_index_so_search_shows_the_change(make_app, demo):
    from sqlalchemy import select

    from servicetui.services import entities
    from servicetui.store.models import Project

    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c", "slash")
        await _idle(app, pilot)
        await pilot.press(*"啤酒")
        await _idle(app, pilot)
        home = app.screen
        table = home.query_one("#list")
        assert table.row_count == 1
        old_index = home._search
        with engine.connect() as conn:
            row = conn.execute(select(Project.id, Project.version, Project.name).where(
                Project.name.like("%冷链%"))).one()
        entities.update_project(app.ctx(), row.id, row.version, name=row.name + "（啤酒仓储）")
        app.after_write()
        await _idle(app, pilot)
        assert home._search is not None and home._search is not old_index
        assert _shown(table) == _sql(engine, home, today, "啤酒") and table.row_count == 2


@pytest.mark.asyncio
async def test_slow_sql_pages_switch_the_projects_list_to_an_index_of_its_order(make_app, demo, monkeypatch):
    from servicetui.tui.screens import ProjectsScreen

    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("c")
        await _idle(app, pilot)
        home = app.screen
        assert home._search is None  # quick SQL pages, no text: no index
        monkeypatch.setattr(ProjectsScreen, "SLOW_PAGE_S", -1.0)  # from now on every SQL page is slow
        await pilot.press("s")  # another order, read in SQL once: slow, so the list gets an index of it
        await _idle(app, pilot)
        index = home._search
        assert index is not None and index.sort == home.sort == "due" and home._search_index() is index
        table = home.query_one("#list")
        assert _shown(table) == _sql(engine, home, today, "") and table.row_count == len(index)


@pytest.mark.asyncio
async def test_the_status_line_gives_the_highlighted_project_s_reason_once_the_list_is_drawn(make_app, demo,
                                                                                              monkeypatch):
    from servicetui.services import queries

    engine = demo[0]
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        home = app.screen
        table = home.query_one("#list")
        asked = []
        real = queries.project_verdict
        monkeypatch.setattr(queries, "project_verdict", lambda e, pid, **k: asked.append(pid) or real(e, pid, **k))
        await pilot.press("j")
        await pilot.pause()
        row = table.selected
        assert table.cursor == 1 and asked == [row.id]
        v = real(engine, row.id, today=app.today, warn_days=app.warn_days)
        assert f"{v.reason('zh')} · {row.name}" in str(home.query_one("StatusLine").render())
        home._show_verdict(table.row_at(0).id, table.row_at(0).name)  # a row the cursor has left since
        assert asked == [row.id]  # is not worked out
        assert row.name in str(home.query_one("StatusLine").render())
