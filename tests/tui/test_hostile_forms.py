"""Hostile input typed into the forms: each value gets a message next to its field, the form stays
open with what was typed, nothing is written and nothing crashes."""

from __future__ import annotations

from sqlalchemy import func, select

from servicetui.store.models import AuditEntry, Problem, Project
from servicetui.tui.forms import FormScreen

SIZE = (160, 45)

BAD_TITLES = ["", "   ", "\x00", "钢柱\x00加工", "\x1b[31m红\x1b[0m", "\u202e项目", "a\u2066b", "问" * 501,
              "长" * 100_000, "a\x07b", "\ufeff问题"]
BAD_DUES = ["2022-02-30", "13月1日", "下下下下周五", "1e20", "=HYPERLINK(1)", "9999-99-99", "\x00"]
BAD_MONEY = ["1e20亿", "-5万", "NaN", "1亿亿", "三千万", "=1+1", "99999999999亿", "0.00001万"]


def _counts(engine):
    with engine.connect() as conn:
        return tuple(conn.scalar(select(func.count()).select_from(m)) for m in (Problem, Project, AuditEntry))


async def _save_expecting_error(pilot, form: FormScreen, field: str, value: str = "") -> str:
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert pilot.app.screen is form, "a refused form stays open"
    message = form.message(field, "err")
    assert message, f"no message next to {field} for {value[:20]!r}"
    return message


async def test_nasty_titles_and_dates_in_the_problem_form_are_refused_next_to_the_field(make_app, demo):
    engine = demo[0]
    before = _counts(engine)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # 思思食品's project screen
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        title = form.query_one("#f-title")
        for value in BAD_TITLES:
            title.value = value
            await pilot.pause()
            await _save_expecting_error(pilot, form, "title", value)
            assert title.value == value  # what was typed is kept
        title.value = "钢柱加工延迟"
        due = form.query_one("#f-due")
        for value in BAD_DUES:
            due.value = value
            await pilot.pause()
            assert await _save_expecting_error(pilot, form, "due", value)
        await pilot.press("escape")
        await pilot.pause()
    assert _counts(engine) == before


async def test_absurd_amounts_in_the_project_form_are_refused_next_to_the_field(make_app, demo):
    engine = demo[0]
    before = _counts(engine)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # add project
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-name").value = "新项目"
        money = form.query_one("#f-agreed_investment")
        for value in BAD_MONEY:
            money.value = value
            await pilot.pause()
            assert await _save_expecting_error(pilot, form, "agreed_investment", value)
        await pilot.press("escape")
        await pilot.pause()
    assert _counts(engine) == before
