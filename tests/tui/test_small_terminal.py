"""An 80×24 terminal (the default of many terminals) and smaller: every screen keeps what matters in view,
nothing hides under a scrollbar, and nothing scrolls sideways."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import DataTable

from servicetui.tui.forms import FormScreen
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.meeting import MeetingScreen
from servicetui.tui.project_screen import ProjectScreen


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause(0.1)


async def test_a_narrow_board_keeps_its_row_count_in_view(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await _settle(pilot)
        board = app.screen
        n = board.query_one("#list", LazyTable).row_count
        line = board.query_one("#filterdesc")
        shown = line.render().plain
        count = f"共 {n} 项"
        # the line is longer than its room at 80 columns: it is the sort's name at its end that is cut
        assert cell_len(shown) > line.content_region.width
        assert shown.startswith(count) and cell_len(count) <= line.content_region.width


async def test_the_departments_table_fits_a_small_terminal_without_scrolling_the_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.press("3")
        await _settle(pilot)
        screen = app.screen
        table = screen.query_one("#depts", DataTable)
        assert table.row_count > 8  # more departments than lines: the table scrolls, inside itself
        assert table.show_vertical_scrollbar and not table.show_horizontal_scrollbar
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert not screen.show_vertical_scrollbar
        footer = screen.query_one("AppFooter")
        assert footer.region.bottom == 12 and footer.region.width == 80
        assert str(footer.render()).rstrip().endswith("^p 命令")  # whole, not under a screen scrollbar


async def test_a_project_on_an_80_by_24_terminal_gives_the_facts_the_width_and_keeps_its_problems(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProjectScreen)
        assert not screen.query_one("#fundsbox").display  # this year's funds are in the facts
        assert not screen.query_one("#gridtitle").display
        assert "本年到位" in str(screen.query_one("#facts").render())
        assert screen.query_one("#facts").region.width > 70
        problems = screen.query_one("#problems", LazyTable)
        assert problems.size.height >= 3  # the header and at least two problems
        # the box is narrower than the problem columns: the flexible ones give way, the status stays whole
        header = problems.render_line(0).text
        assert "状态" in header and "办结时限" in header
        first = problems.render_line(1).text
        assert problems.row_at(0).status in first

        await pilot.resize_terminal(160, 45)
        await _settle(pilot)
        assert screen.query_one("#fundsbox").display and screen.query_one("#gridtitle").display


async def test_the_meeting_on_an_80_by_24_terminal_keeps_the_facts_readable_and_the_problems_in_view(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("M")
        await _settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        facts, side = screen.query_one("#facts"), screen.query_one("#mt-side")
        assert facts.region.width > side.region.width  # a 64-column side panel left the facts 16
        assert "协议总投资：60,000 万元" in facts.render().plain.replace("\n", "")
        assert all("60,000" in line or "协议总投资" not in line for line in facts.render().plain.splitlines())
        problems = screen.query_one("#problems", LazyTable)
        assert problems.row_count and problems.size.height >= 2  # the header and a problem
        assert problems.region.bottom <= screen.query_one("StatusLine").region.y


async def test_every_screen_opens_on_a_tiny_terminal_and_survives_shrinking(make_app):
    app = make_app()
    async with app.run_test(size=(40, 10)) as pilot:
        await _settle(pilot)
        seen = []
        for keys in (["2"], ["3"], ["4"], ["5"], ["1", "enter"], ["escape", "M"], ["escape", "question_mark"],
                     ["escape", "comma"], ["escape", "ctrl+e"], ["escape", "2", "a"], ["escape"]):
            await pilot.press(*keys)
            await _settle(pilot)
            seen.append(type(app.screen).__name__)
        assert seen == ["ProblemsScreen", "DepartmentsScreen", "ActivitiesScreen", "ReferenceScreen", "ProjectScreen",
                        "FormScreen", "HelpScreen", "SettingsScreen", "ExportScreen", "FormScreen", "ProblemsScreen"]
        for width in (20, 5):
            await pilot.resize_terminal(width, 4)
            await _settle(pilot)
        table = app.screen.query_one("#list", LazyTable)
        assert all(w > 0 for _, w in table._widths)
    assert app._exception is None


async def test_the_home_summary_fits_80_columns_in_english_with_its_last_key(make_app):
    app = make_app(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        summary = app.screen.query_one("#summary")
        line = summary.render().plain
        assert line.rstrip().endswith("(t)") and cell_len(line.rstrip()) <= summary.content_region.width


async def test_a_cut_chinese_name_ends_in_its_ellipsis_and_keeps_its_column(make_app):
    import re

    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("#list", LazyTable)
        width = table.scrollable_content_region.width
        lines = ["".join(seg.text for seg in table.render_line(y)) for y in range(1, table.row_count + 1)]
        assert any(re.search(r"[\u4e00-\u9fff]…", line) for line in lines)  # names are cut at 120 columns
        assert not any(re.search(r"[\u4e00-\u9fff] …", line) for line in lines)  # with no gap before the …
        assert {cell_len(line) for line in lines} == {width}
        # and the columns after a cut name start where they do on the other rows
        starts = {cell_len(line[:line.index("李明")]) for line in lines}
        assert len(starts) == 1


def test_a_styled_text_cut_short_ends_in_its_ellipsis_and_keeps_its_styles():
    from rich.text import Text

    from servicetui.tui.widgets import clip_text

    bar = Text.assemble(("首席服务官工作台", "bold"), "  1 项目")
    clip_text(bar, 13)  # the top bar on a narrow terminal, the status line's light cell: the same cut
    assert bar.plain == "首席服务官工…" and bar.cell_len == 13 and bar.spans[0].style == "bold"
    clip_text(bar, 14)  # wide enough already: unchanged
    assert bar.plain == "首席服务官工…"
    odd = Text("首席服务官")
    clip_text(odd, 6)  # a wide character that does not fit: left out whole, the cell after the …
    assert odd.plain == "首席… " and odd.cell_len == 6
