"""SVG snapshots at 160×45 (fixed today, fixed demo data, frozen audit times, no blinking cursor).

Update after LOOKING at the result: `.venv/bin/pytest tests/tui/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

SIZE = (160, 45)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause(0.2)


def test_projects_screen_in_chinese(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_settle)


def test_projects_screen_in_english(snap_compare, make_app):
    assert snap_compare(make_app(lang="en"), terminal_size=SIZE, run_before=_settle)


def test_sisi_project_screen(snap_compare, make_app):
    async def run_before(pilot):
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_problems_board(snap_compare, make_app):
    async def run_before(pilot):
        await pilot.press("2")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_problem_form_with_a_validation_error(snap_compare, make_app):
    async def run_before(pilot):
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("a")
        await _settle(pilot)
        pilot.app.screen.query_one("#f-due").focus()
        await pilot.press(*"下下下周")
        await pilot.press("ctrl+s")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
