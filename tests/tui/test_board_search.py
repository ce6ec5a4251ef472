"""The board's `/` search: typed text narrows the list from an in-memory index built in a worker."""

from __future__ import annotations

import pytest


async def _idle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.asyncio
async def test_typing_on_the_board_uses_the_index_and_shows_the_same_rows_as_sql(make_app, demo):
    from servicetui.services import queries

    engine, _, today = demo
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        board = app.screen
        await pilot.press("slash")
        await _idle(app, pilot)
        await pilot.press(*"钢柱")
        await _idle(app, pilot)
        assert board._search is not None and board._search.count("钢柱") >= 1  # served from the index
        table = board.query_one("#list")
        want = queries.problem_rows(engine, queries.ProblemFilter(open_only=True, text="钢柱"), today=today,
                                    limit=None, with_note=False)
        assert table.row_count == len(want) >= 1
        assert [table.row_at(i).id for i in range(table.row_count)] == [r.id for r in want]
        assert f"共 {len(want)} 项" in str(board.query_one("#filterdesc").render())
        await pilot.press("backspace", "backspace", *"供电")
        await pilot.pause()
        want = queries.problem_count(engine, queries.ProblemFilter(open_only=True, text="供电"), today=today)
        assert table.row_count == want >= 1


@pytest.mark.asyncio
async def test_a_write_drops_the_index_so_search_shows_the_change(make_app, demo):
    from sqlalchemy import select

    from servicetui.services import problems
    from servicetui.store.models import Problem

    engine, _, _ = demo
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2", "slash")
        await _idle(app, pilot)
        await pilot.press(*"钢柱")
        await _idle(app, pilot)
        board = app.screen
        table = board.query_one("#list")
        before = table.row_count
        old_index = board._search
        with engine.connect() as conn:
            row = conn.execute(select(Problem.id, Problem.version).where(Problem.title.like("%钢柱%"),
                                                                          Problem.status != "已销号")).first()
        problems.close_problem(app.ctx(), row.id, row.version, "钢柱已到场")
        app.after_write()
        await _idle(app, pilot)
        assert board._search is not None and board._search is not old_index
        assert table.row_count == before - 1  # the closed one left the open-only board


@pytest.mark.asyncio
async def test_a_search_longer_than_the_box_scrolls_and_keeps_the_cursor_in_view(make_app, demo):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2", "slash")
        await _idle(app, pilot)
        box = app.screen.query_one("#search")
        assert box.size.width == 40
        text = "供电" + "x" * 50
        await pilot.press(*text)
        await _idle(app, pilot)
        assert box.value == text and box.cursor_position == len(text)
        assert box.scroll_x > 0  # scrolled to keep the cursor in the 40-cell box
        assert box.region.x < box.cursor_screen_offset.x <= box.region.right
        assert box.size.width == 40  # the box keeps its place: typing never lays the screen out again
        await pilot.press("home")
        await pilot.pause()
        assert box.cursor_position == 0 and box.scroll_x == 0


@pytest.mark.asyncio
async def test_the_open_app_keeps_its_long_lived_objects_out_of_full_collections_until_it_closes(make_app):
    import gc

    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        first = gc.get_freeze_count()
        assert first > 0  # frozen once the first screen is up
        await pilot.press("2", "slash")
        await _idle(app, pilot)
        assert app.screen._search is not None and gc.get_freeze_count() >= first  # and again with the index
    assert gc.get_freeze_count() == 0  # closed: everything can be collected again


@pytest.mark.asyncio
async def test_slow_sql_pages_switch_the_board_to_an_index_of_its_order(make_app, demo, monkeypatch):
    from servicetui.services import queries
    from servicetui.tui.problems_screen import ProblemsScreen

    engine, _, today = demo
    monkeypatch.setattr(ProblemsScreen, "SLOW_PAGE_S", -1.0)  # every SQL page counts as slow
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await _idle(app, pilot)
        board = app.screen
        index = board._search
        assert index is not None and board._search_index() is index, "built after a slow page, used without text"
        table = board.query_one("#list")
        want = queries.problem_rows(engine, queries.ProblemFilter(open_only=True), today=today, limit=None,
                                    with_note=False)
        assert table.row_count == len(want) == len(index)
        assert [table.row_at(i).id for i in range(table.row_count)] == [r.id for r in want]

        await pilot.press("s")  # another sort: its SQL pages are slow too, so it gets its own index
        await _idle(app, pilot)
        assert board._search is not None and board._search is not index and board._search.sort == board.sort
        want = queries.problem_rows(engine, queries.ProblemFilter(open_only=True), today=today, sort=board.sort,
                                    limit=None, with_note=False)
        assert [table.row_at(i).id for i in range(table.row_count)] == [r.id for r in want]

        before = board._search
        board.refresh_data()  # a write or a change poll: the snapshot is stale, a new one is built
        await _idle(app, pilot)
        assert board._search is not None and board._search is not before


@pytest.mark.asyncio
async def test_fast_sql_pages_keep_the_board_on_sql(make_app, demo, monkeypatch):
    from servicetui.tui.problems_screen import ProblemsScreen

    monkeypatch.setattr(ProblemsScreen, "SLOW_PAGE_S", 60.0)
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await _idle(app, pilot)
        board = app.screen
        assert board._search is None and board._search_index() is None
        board.refresh_data()
        await _idle(app, pilot)
        assert board._search is None


@pytest.mark.asyncio
async def test_typing_updates_the_scrollbar_without_laying_the_screen_out(make_app):
    """A keystroke changes the row count, and so the table's scrollable height: the scrollbar follows it,
    appears and goes with it, and a count change that keeps the scrollbar lays nothing out again."""
    app = make_app()
    async with app.run_test(size=(160, 14)) as pilot:  # 14 lines: the demo's 15 open problems need a scrollbar
        await pilot.press("2", "slash")
        await _idle(app, pilot)
        board = app.screen
        table = board.query_one("#list")
        layouts = []
        real = board._refresh_layout
        board._refresh_layout = lambda *a, **kw: (layouts.append(table.row_count), real(*a, **kw))[1]

        def scrollbar() -> tuple[bool, int]:
            return table.show_vertical_scrollbar, table.vertical_scrollbar.window_virtual_size

        all_rows = table.row_count
        assert all_rows > table.size.height and scrollbar() == (True, all_rows + 1)
        await pilot.press("局")  # in fewer rows (departments' names), still more than fit
        await _idle(app, pilot)
        fewer = table.row_count
        assert table.size.height < fewer < all_rows
        assert table.virtual_size.height == fewer + 1 and scrollbar() == (True, fewer + 1)
        assert layouts == []  # nothing around the table moved: no layout pass
        await pilot.press("backspace", *"钢柱")  # a few rows: the scrollbar goes
        await _idle(app, pilot)
        assert 1 <= table.row_count < table.size.height and not table.show_vertical_scrollbar
        await pilot.press("backspace", "backspace")  # all again: it is back, for every row
        await _idle(app, pilot)
        assert table.row_count == all_rows and scrollbar() == (True, all_rows + 1)
        table.action_cursor_bottom()
        await pilot.pause()
        top = round(table.scroll_offset.y)  # the list scrolled to its last row
        assert table.cursor == all_rows - 1 and 0 < top <= table.cursor < top + table._body_height()
