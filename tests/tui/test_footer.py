"""The footer: one line with the keys that apply now, drawn by one widget (Textual's Footer mounted a
widget per key whenever they changed)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.command import CommandPalette


def _footer(app):
    return app.screen.query_one("AppFooter")


def _keys(app):
    return {k.action: k for k in _footer(app).keys if k.key is not None}


def _line(app) -> str:
    return str(_footer(app).render())


async def _board(pilot):
    """The board open: its footer and the line it draws."""
    await pilot.press("2")
    await pilot.pause()
    return _footer(pilot.app), _line(pilot.app)


@pytest.mark.asyncio
async def test_typing_a_search_that_empties_the_board_keeps_the_footer_keys(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2", "slash")
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer, before = _footer(app), _keys(app)
        await pilot.press(*"无此问题")  # the list empties: the table asks for the bindings to be refreshed
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#list").row_count == 0
        assert _keys(app) == before and _footer(app) is footer
        assert not app.screen.query("FooterKey")  # no widget per key


@pytest.mark.asyncio
async def test_the_footer_shows_the_keys_of_what_has_focus(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert "close" in _keys(app) and "销号" in _line(app)  # the list has focus: a row's keys
        await pilot.press("slash")
        await pilot.pause()
        assert "close" not in _keys(app) and "销号" not in _line(app)  # the search box has focus
        await pilot.press("escape")
        await pilot.pause()
        assert "close" in _keys(app)
        await pilot.press("1")
        await pilot.pause()
        active = [b for _, b, _, _ in app.screen.active_bindings.values() if b.show]
        shown = list(dict.fromkeys(b.action for b in active))
        assert list(_keys(app)) == shown and "close" not in shown  # the screen's keys, in the bindings' order
        assert _footer(app).palette.action == "command_palette"
        line = _line(app)
        first = {}  # an action bound to two keys (?, f1) shows its first
        for b in active:
            first.setdefault(b.action, b)
        for b in first.values():
            assert f" {app.get_key_display(b)} {b.description} " in line
        assert line.rstrip().endswith("▏^p 命令")  # the palette's key at the right edge


@pytest.mark.asyncio
async def test_a_key_that_stops_applying_is_dimmed_in_place(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        footer = _footer(app)
        table = app.screen.query_one("#list")

        def dimmed(action: str) -> bool:
            text = footer.render()
            k = _keys(app)[action]
            start = text.plain.index(f" {k.display} {k.description} ")
            return any(span.start <= start < span.end and getattr(span.style, "dim", False) for span in text.spans)

        assert _keys(app)["edit"].enabled and not dimmed("edit")
        real = table.check_action
        table.check_action = lambda action, params: None if action == "edit" else real(action, params)  # dims it
        app.screen.refresh_bindings()
        await pilot.pause()
        assert not _keys(app)["edit"].enabled and dimmed("edit") and not dimmed("close")
        del table.check_action
        app.screen.refresh_bindings()
        await pilot.pause()
        assert _keys(app)["edit"].enabled and not dimmed("edit") and footer is _footer(app)


@pytest.mark.asyncio
async def test_clicking_a_footer_key_presses_it(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        footer, line = await _board(pilot)
        k = _keys(app)["search"]
        x = cell_len(line[: line.index(f" {k.display} {k.description} ")]) + 1  # (CJK: two cells a character)
        await pilot.click(footer, offset=(x, 0))
        await pilot.pause()
        assert app.focused is app.screen.query_one("#search")  # as if / was pressed
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click(footer, offset=(footer.size.width - 3, 0))  # the palette's key at the right edge
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)


@pytest.mark.asyncio
async def test_keys_that_do_not_fit_are_cut_at_a_whole_key(make_app):
    app = make_app()
    async with app.run_test(size=(60, 30)) as pilot:
        footer, line = await _board(pilot)
        assert cell_len(line) == 60  # one terminal line
        assert line.rstrip().endswith("▏^p 命令") and "…" in line
        shown = [k for k in footer.keys if f" {k.display} {k.description} " in line]
        assert 0 < len(shown) < len(footer.keys)
        assert shown == footer.keys[: len(shown)]  # the first keys, each whole
