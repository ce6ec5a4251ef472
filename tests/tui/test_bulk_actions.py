"""Bulk actions on the problems board: mark rows, change them at once, one undo reverts the lot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from textual.widgets import Select

from servicetui.store.models import Problem, Project
from servicetui.tui.forms import FormScreen
from servicetui.tui.problem_table import ProblemTable
from servicetui.tui.problems_screen import ProblemsScreen

SIZE = (160, 45)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause(0.1)


def _shown(app) -> set[str]:
    """Binding ids the footer shows (active_bindings leaves out what check_action refuses)."""
    return {ab.binding.id for ab in app.screen.active_bindings.values() if ab.binding.show and ab.enabled}


def _dues(engine, ids) -> dict[int, date | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Problem.id, Problem.due).where(Problem.id.in_(list(ids)))).all())


async def test_bulk_due_change_of_three_problems_and_its_single_undo(make_app, demo):
    engine, user, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await _settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        table = app.screen.query_one("#list", ProblemTable)
        assert "problem.bulk" not in _shown(app), "no marks: no bulk action in the footer"

        # GIVEN three marked rows (v marks and moves down)
        await pilot.press("v", "v", "space")
        await _settle(pilot)
        ids = list(table.marked)
        assert len(ids) == 3
        assert {"problem.bulk", "problem.unmark"} <= _shown(app)
        assert table.columns[0].key == "mark", "a marker column appears"
        before = _dues(engine, ids)

        # WHEN their due date changes at once
        await pilot.press("b")
        await _settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-what", Select).value = "due"
        form.query_one("#f-due").value = "2022-10-31"
        await pilot.press("ctrl+s")
        await _settle(pilot)

        # THEN all three changed, the marks are gone
        assert app.screen.__class__ is ProblemsScreen
        assert set(_dues(engine, ids).values()) == {date(2022, 10, 31)}
        assert not table.marked and table.columns[0].key != "mark"

        # AND one u reverts all three
        await pilot.press("u")
        await _settle(pilot)
        assert _dues(engine, ids) == before


async def test_closing_in_bulk_asks_for_the_note_and_escape_clears(make_app, demo):
    engine, user, today = demo
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await _settle(pilot)
        table = app.screen.query_one("#list", ProblemTable)
        await pilot.press("ctrl+a")
        await _settle(pilot)
        assert len(table.marked) == table.row_count > 3
        await pilot.press("escape")
        await _settle(pilot)
        assert not table.marked

        await pilot.press("v", "v")
        ids = list(table.marked)
        await pilot.press("b")
        await _settle(pilot)
        form = app.screen
        form.query_one("#f-what", Select).value = "status"
        form.query_one("#f-status", Select).value = "已销号"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is form, "closing without a note is refused"
        assert form.message("note", "err")
        from textual.widgets import TextArea

        form.query_one("#f-note", TextArea).text = "经调度会核实已办结"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is not form
        with engine.connect() as conn:
            statuses = set(conn.scalars(select(Problem.status).where(Problem.id.in_(ids))))
        assert statuses == {"已销号"}


async def test_undoing_an_import_runs_in_a_worker_with_a_notice_and_reverts_every_row(make_app, demo, tmp_path,
                                                                                      monkeypatch):
    """An import's undo is seconds of work at 200 000 rows: `u` says what it is undoing, the screen
    keeps answering, and the rows are archived when the worker is done."""
    import csv

    from servicetui.reports.importer import import_file
    from servicetui.services import history
    from servicetui.services.context import Ctx

    engine, user, today = demo
    monkeypatch.setattr(history, "BULK_UNDO_MIN", 5)  # this import counts as a large one
    with engine.connect() as conn:
        name = conn.scalar(select(Project.name).where(Project.id == select(Problem.project_id).limit(1)
                                                      .scalar_subquery()))
    path = tmp_path / "import.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目名称", "问题", "责任单位"])
        w.writerows([name, f"导入后撤销{i}", "供电公司"] for i in range(6))
    res = import_file(Ctx(engine, actor=user, today=today), path)
    assert res.ok and res.created == 6, [i.message() for i in res.errors]

    app = make_app()
    notes: list[str] = []
    real_notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **kw: (notes.append(str(message)), real_notify(message, **kw)))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("u")
        assert app._undo_worker is not None, "the undo went to a worker"
        await app.workers.wait_for_complete()
        await _settle(pilot)
    with engine.connect() as conn:
        archived = set(conn.scalars(select(Problem.archived).where(Problem.title.like("导入后撤销%"))))
    assert archived == {True}
    assert any(n.startswith("正在撤销：导入问题清单") and "条记录" in n for n in notes), notes
    assert "已撤销：导入问题清单" in notes
