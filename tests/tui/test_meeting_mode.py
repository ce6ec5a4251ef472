"""The dispatch meeting (调度会) in the app: start, walk, decide, leave, resume in a new app, finish,
export, and the next meeting's first step (last time's decisions)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from textual.widgets import Select

from servicetui.domain.enums import ProblemKind
from servicetui.services import problems, review
from servicetui.services.context import Ctx
from servicetui.store.models import AuditEntry, Person, Problem, ReviewSession
from servicetui.tui.forms import ConfirmScreen, FormScreen
from servicetui.tui.meeting import MeetingScreen
from servicetui.tui.meeting_summary import MeetingSummaryScreen
from servicetui.tui.problem_table import ProblemTable
from servicetui.tui.transfer import ExportScreen

SIZE = (160, 45)


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause(0.1)


def _progress(app) -> str:
    return str(app.screen.query_one("#mt-progress").render())


async def _start(pilot, scope: str = "red_yellow", chair: str = "王刚") -> None:
    app = pilot.app
    await pilot.press("M")
    await _settle(pilot)
    form = app.screen
    assert isinstance(form, FormScreen)
    assert form.query_one("#f-title").value == "2022年09月30日重点项目调度会"
    form.query_one("#f-scope", Select).value = scope
    form.query_one("#f-chair").value = chair
    await pilot.press("ctrl+s")
    await _settle(pilot)
    assert isinstance(app.screen, MeetingScreen)


async def _decide(pilot, title: str, *, department_id: int | None = None, owner_id: int | None = None,
                  due: str = "+7d") -> None:
    app = pilot.app
    await pilot.press("a")
    await _settle(pilot)
    form = app.screen
    assert isinstance(form, FormScreen)
    form.query_one("#f-title").value = title
    if department_id is not None:
        form.query_one("#f-department_id", Select).value = department_id
    if owner_id is not None:
        form.query_one("#f-owner_id", Select).value = owner_id
    form.query_one("#f-due").value = due
    await pilot.press("ctrl+s")
    await _settle(pilot)
    assert isinstance(app.screen, MeetingScreen), "the decision form closes on save"


async def test_a_whole_meeting_with_a_break_in_the_middle(make_app, demo, tmp_path):
    engine, user, today = demo
    with engine.connect() as conn:
        liming = conn.scalar(select(Person.id).where(Person.name == "李明"))

    # GIVEN the demo county; WHEN the officer starts a red+yellow meeting and walks every project
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await _start(pilot)
        screen = app.screen
        n = len(screen.view.items)
        assert n == 6 and "项目 1 / 6 · 已审议 0" in _progress(app)
        first, second = screen.view.items[0], screen.view.items[1]

        await _decide(pilot, "协调供电公司10月7日前完成报装", department_id=2)
        assert "协调供电公司" in str(screen.query_one("#mt-decisions").render())
        for i in range(n):
            if i == 1:
                await _decide(pilot, "督促钢构厂加班生产钢柱", owner_id=liming, due="2022-10-14")
            await pilot.press("space")  # reviewed
            await _settle(pilot)
            assert f"项目 {i + 1} / {n} · 已审议 {i + 1}" in _progress(app)
            await pilot.press("right_square_bracket")
            await _settle(pilot)
        assert "项目 6 / 6" in _progress(app), "] at the last project stays there"

        # back to the middle, then the app goes away (someone closes the laptop)
        for _ in range(3):
            await pilot.press("left_square_bracket")
            await _settle(pilot)
        assert "项目 3 / 6" in _progress(app)
        middle = screen.view.current.project_id
        app.exit()

    with engine.connect() as conn:
        sid = conn.scalar(select(ReviewSession.id))
        assert conn.scalar(select(ReviewSession.current_index).where(ReviewSession.id == sid)) == 2

    # THEN a new app on the same database offers to resume, at the same project, with everything so far
    app2 = make_app()
    async with app2.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert isinstance(app2.screen, ConfirmScreen)
        await pilot.press("y")
        await _settle(pilot)
        screen = app2.screen
        assert isinstance(screen, MeetingScreen)
        assert screen.view.current.project_id == middle
        assert "项目 3 / 6 · 已审议 6" in _progress(app2)

        # back to the first project: its decision is still there
        await pilot.press("pageup", "pageup")
        await _settle(pilot)
        assert screen.view.current.project_id == first.project_id
        assert "协调供电公司" in str(screen.query_one("#mt-decisions").render())

        # finish (F, confirm) -> the summary
        await pilot.press("F")
        await _settle(pilot)
        assert isinstance(app2.screen, ConfirmScreen)
        await pilot.press("y")
        await _settle(pilot)
        summary = app2.screen
        assert isinstance(summary, MeetingSummaryScreen)
        text = str(summary.query_one("#mt-summary").render())
        assert "已审议 6 个项目" in text and "议定事项 2 项" in text

        # export the 议定事项清单 through the export modal (thread worker, progress bar, toast)
        await pilot.press("x")
        await _settle(pilot)
        modal = app2.screen
        assert isinstance(modal, ExportScreen) and modal.what == "decisions"
        assert modal.query_one("#path").value.endswith("议定事项清单-2022-09-30.xlsx")
        assert "范围：" in str(modal.query_one("#scope").render())
        out = tmp_path / "议定事项清单.xlsx"
        modal.query_one("#path").value = str(out)
        await pilot.press("ctrl+s")
        await app2.workers.wait_for_complete()
        await _settle(pilot)
        assert app2.screen is summary
        assert out.exists()
        assert any(str(out) in n.message for n in app2._notifications)

    # AND the database holds the finished session, its decisions and the audit trail
    with engine.connect() as conn:
        s = conn.execute(select(ReviewSession).where(ReviewSession.id == sid)).one()
        assert s.status == "finished" and s.finished_at is not None and s.chair == "王刚"
        rows = conn.execute(select(Problem.title, Problem.kind, Problem.session_id, Problem.department_id,
                                   Problem.owner_id, Problem.due, Problem.project_id)
                            .where(Problem.session_id == sid).order_by(Problem.id)).all()
        audit = conn.execute(select(AuditEntry.summary, AuditEntry.entity, AuditEntry.action)).all()
    assert [(r.kind, r.session_id) for r in rows] == [(ProblemKind.DECISION.value, sid)] * 2
    assert (rows[0].project_id, rows[0].department_id, rows[0].due) == (first.project_id, 2, today + timedelta(days=7))
    assert (rows[1].project_id, rows[1].owner_id, rows[1].due) == (second.project_id, liming, date(2022, 10, 14))
    summaries = {a.summary for a in audit}
    assert {"开始调度会", "标记已审议", "结束调度会"} <= summaries
    assert sum(1 for a in audit if a.entity == "problem" and a.action == "create") >= 2

    import openpyxl

    ws = openpyxl.load_workbook(out).active
    assert "议定事项清单" in ws.cell(1, 1).value
    assert {ws.cell(4, 3).value, ws.cell(5, 3).value} == {"协调供电公司10月7日前完成报装", "督促钢构厂加班生产钢柱"}


async def test_the_next_meeting_starts_with_last_times_decisions(make_app, demo):
    engine, user, today = demo
    ctx = Ctx(engine, actor=user, today=today)
    sid = review.start_session(ctx, scope="red_yellow")
    view = review.session_view(engine, sid, today=today)
    a = review.add_decision(ctx, sid, view.items[0].project_id, title="协调供电公司完成报装", department_id=2,
                            due=today + timedelta(days=7))
    b = review.add_decision(ctx, sid, view.items[1].project_id, title="督促钢柱加工", department_id=4,
                            due=today + timedelta(days=3))
    review.finish_session(ctx, sid)
    problems.set_status(ctx, a, None, "已办结", "已送电")

    app = make_app(today=today + timedelta(days=7))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("M")
        await _settle(pilot)
        app.screen.query_one("#f-scope", Select).value = "red_yellow"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert screen.view.current_index == -1 and "上次议定事项" in _progress(app)
        table = screen.query_one("#prev", ProblemTable)
        assert table.row_count == 2
        states = {d.problem.id: d.state for d in screen.view.previous}
        assert states == {a: "已完成", b: "逾期"}
        title = str(screen.query_one("#mt-prevtitle").render())
        assert "已完成 1" in title and "逾期 1" in title

        # mark the overdue one with a new due date, in place, with the usual quick action
        table.move_to(next(i for i in range(2) if table.row_at(i).id == b))
        await pilot.press("d")
        await _settle(pilot)
        app.screen.query_one("#f-due").value = "2022-10-20"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert {d.problem.id: d.state for d in screen.view.previous}[b] == "办理中"

        # and on to the projects
        await pilot.press("right_square_bracket")
        await _settle(pilot)
        assert "项目 1 /" in _progress(app)


async def test_meeting_bindings_have_ids_and_show_in_the_footer(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await _start(pilot, scope="all")
        ids = {ab.binding.id for ab in app.screen.active_bindings.values() if ab.binding.show}
        assert {"meeting.next", "meeting.prev", "meeting.reviewed", "meeting.decision", "meeting.minutes",
                "meeting.finish", "meeting.leave"} <= ids

        # minutes, then leave and come back with M
        await pilot.press("m")
        await _settle(pilot)
        from textual.widgets import TextArea

        app.screen.query_one("#f-minutes", TextArea).text = "园区表态10月底前完成土地处置"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert "园区表态" in str(app.screen.query_one("#mt-minutes").render())
        await pilot.press("escape")
        await _settle(pilot)
        assert not isinstance(app.screen, MeetingScreen)
        await pilot.press("M")
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await _settle(pilot)
        assert isinstance(app.screen, MeetingScreen)
        assert "园区表态" in str(app.screen.query_one("#mt-minutes").render())


def test_meeting_project_screen_in_chinese(snap_compare, make_app):
    async def run_before(pilot):
        await _settle(pilot)
        await _start(pilot)
        await _decide(pilot, "协调供电公司10月7日前完成报装", department_id=2)
        await pilot.press("space")
        await _settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause(0.2)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


async def test_in_a_browser_the_decisions_are_downloaded_and_only_meeting_screens_offer_them(
        make_browser_app, demo):
    engine, user, today = demo
    ctx = Ctx(engine, actor=user, today=today)
    sid = review.start_session(ctx, scope="red_yellow")
    view = review.session_view(engine, sid, today=today)
    review.add_decision(ctx, sid, view.items[0].project_id, title="协调供电公司完成报装", department_id=2,
                        due=today + timedelta(days=7))
    review.finish_session(ctx, sid)

    app = make_browser_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")  # elsewhere: no meeting, no 议定事项清单 to choose
        await _settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "decisions" not in [v for _, v in app.screen.query_one("#what", Select)._options]
        await pilot.press("escape")
        await _settle(pilot)
        app.push_screen(MeetingSummaryScreen(sid))
        await _settle(pilot)
        await pilot.press("x")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportScreen) and modal.what == "decisions"
        assert modal.query_one("#path").value == "议定事项清单-2022-09-30.xlsx", "a file name only: it is downloaded"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await _settle(pilot)
        assert any("浏览器正在下载 议定事项清单-2022-09-30.xlsx" in str(n.message) for n in app._notifications)
    [(path, name, data)] = app.delivered
    assert name == "议定事项清单-2022-09-30.xlsx" and data.startswith(b"PK")
    assert not path.parent.exists(), "nothing is left on the server"


def test_an_export_of_decisions_without_a_meeting_is_one_clear_error(demo, tmp_path):
    import pytest

    from servicetui.reports.common import ReportError
    from servicetui.tui.transfer import ExportRequest, run_export

    engine, _, today = demo
    with pytest.raises(ReportError, match="没有选定调度会"):
        run_export(engine, ExportRequest(what="decisions", fmt="xlsx", path=tmp_path / "x.xlsx", today=today))
