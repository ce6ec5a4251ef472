"""The footer keeps its keys when the bindings are refreshed but the same keys apply."""

from __future__ import annotations

import pytest


def _keys(app):
    return {k.action: k for k in app.screen.query("FooterKey")}


@pytest.mark.asyncio
async def test_typing_a_search_that_empties_the_board_keeps_the_footer_keys(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2", "slash")
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = _keys(app)
        await pilot.press(*"无此问题")  # the list empties: the table asks for the bindings to be refreshed
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#list").row_count == 0
        after = _keys(app)
        assert after.keys() == before.keys() and all(after[a] is k for a, k in before.items())


@pytest.mark.asyncio
async def test_the_footer_shows_the_keys_of_what_has_focus(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert "close" in _keys(app)  # the list has focus: a row's keys
        await pilot.press("slash")
        await pilot.pause()
        assert "close" not in _keys(app)  # the search box has focus
        await pilot.press("escape")
        await pilot.pause()
        assert "close" in _keys(app)
        await pilot.press("1")
        await pilot.pause()
        shown = {b.action for _, b, _, _ in app.screen.active_bindings.values() if b.show}
        assert set(_keys(app)) == shown | {"command_palette"} and "close" not in shown


@pytest.mark.asyncio
async def test_a_key_that_stops_applying_is_dimmed_in_place(make_app):
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        footer = app.screen.query_one("AppFooter")
        table = app.screen.query_one("#list")
        keys = _keys(app)
        real = table.check_action
        table.check_action = lambda action, params: None if action == "edit" else real(action, params)  # dims it
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert _keys(app)["edit"] is keys["edit"] and keys["edit"].has_class("-disabled")
        del table.check_action
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert not keys["edit"].has_class("-disabled") and footer is app.screen.query_one("AppFooter")
