"""Dispatch meetings (调度会) through the services: scope, order, decisions, resume, summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from servicetui.services import entities, problems, review
from servicetui.services.errors import RuleError, ValidationError
from servicetui.store.models import AuditEntry, Problem, ReviewItem


@pytest.fixture
def county(world, make_ctx):
    """world + a second, overdue-problem project (red) and a quiet third one (green)."""
    ctx = make_ctx("admin")
    red = entities.create_project(ctx, name="电子陶瓷封装材料项目", company="某电子", officer_id=world.officer)
    green = entities.create_project(ctx, name="图兰朵葡萄酒小镇", company="图兰朵", leader_id=world.leader)
    problems.create_problem(ctx, project_id=red, title="用电报装未完成", department_id=world.dept2, category="用电",
                            raised_on=date(2022, 9, 1), due=date(2022, 9, 20))
    world.red, world.green = red, green
    return world


def test_start_session_orders_worst_light_first_and_saves_at_once(county, make_ctx, engine):
    ctx = make_ctx()
    sid = review.start_session(ctx, chair="王刚", attendees="各责任单位")
    view = review.session_view(engine, sid, today=ctx.today)
    assert view.items[0].project_id == county.red
    assert {i.project_id for i in view.items} == {county.project, county.red, county.green}
    assert review.open_session_id(engine) == sid
    assert "调度会" in view.title


def test_red_yellow_scope_leaves_green_projects_out(county, make_ctx, engine):
    sid = review.start_session(make_ctx(), scope="red_yellow")
    ids = [i.project_id for i in review.session_view(engine, sid, today=date(2022, 10, 5)).items]
    assert ids == [county.red]


def test_leader_scope_takes_only_that_leaders_projects(county, make_ctx, engine):
    sid = review.start_session(make_ctx(), scope=f"leader:{county.leader}", order="code")
    ids = [i.project_id for i in review.session_view(engine, sid, today=date(2022, 10, 5)).items]
    assert set(ids) == {county.project, county.green}


def test_empty_scope_is_refused(world, make_ctx):
    with pytest.raises(RuleError):
        review.start_session(make_ctx(), scope="red_yellow")


def test_decision_needs_owner_and_deadline(county, make_ctx):
    ctx = make_ctx()
    sid = review.start_session(ctx)
    with pytest.raises(ValidationError) as exc:
        review.add_decision(ctx, sid, county.red, title="协调供电公司本周内完成报装")
    assert set(exc.value.errors) == {"department_id", "due"}


def test_decisions_become_tracked_problems_and_show_at_the_next_meeting(county, make_ctx, engine):
    ctx = make_ctx()
    sid = review.start_session(ctx)
    d1 = review.add_decision(ctx, sid, county.red, title="协调供电公司完成报装", department_id=county.dept2,
                             due=ctx.today + timedelta(days=7))
    d2 = review.add_decision(ctx, sid, county.project, title="督促钢柱加工", owner_id=county.officer,
                             due=ctx.today + timedelta(days=3))
    review.mark_reviewed(ctx, sid, county.red)
    review.set_minutes(ctx, sid, county.red, "供电公司表态10月10日前完成")
    done = review.finish_session(ctx, sid)
    assert (done.reviewed, done.skipped, done.decisions) == (1, 2, 2)
    with engine.connect() as conn:
        kinds = conn.execute(select(Problem.kind, Problem.session_id).where(Problem.id.in_([d1, d2]))).all()
    assert kinds == [("议定事项", sid), ("议定事项", sid)]

    later = make_ctx(today=ctx.today + timedelta(days=7))
    problems.set_status(later, d1, None, "已办结", "已完成报装")
    sid2 = review.start_session(later)
    view = review.session_view(engine, sid2, today=later.today)
    states = {d.problem.id: d.state for d in view.previous}
    assert states == {d1: "已完成", d2: "逾期"}
    assert view.previous_session_id == sid


def test_navigation_is_kept_for_resume_but_not_undone(county, make_ctx, engine):
    from servicetui.services import history

    ctx = make_ctx()
    sid = review.start_session(ctx)
    review.set_minutes(ctx, sid, county.red, "记录")
    assert review.goto(ctx, sid, 2) == 2
    assert review.goto(ctx, sid, 99) == 2
    assert review.session_view(engine, sid, today=ctx.today).current_index == 2
    assert history.undo_last(ctx) == "会议记录"
    assert review.session_view(engine, sid, today=ctx.today).current_index == 2


def test_finished_meeting_refuses_changes_and_counts_closed_problems(county, make_ctx, engine):
    ctx = make_ctx()
    sid = review.start_session(ctx)
    pid = problems.create_problem(ctx, project_id=county.red, title="临时用地", department_id=county.dept,
                                  due=ctx.today + timedelta(days=3))
    problems.close_problem(ctx, pid, None, "现场核实已解决")
    problems.escalate(ctx, problems.create_problem(ctx, project_id=county.red, title="融资", department_id=county.dept),
                      None)
    s = review.finish_session(ctx, sid)
    assert (s.closed, s.escalated) == (1, 1)
    with pytest.raises(RuleError):
        review.set_minutes(ctx, sid, county.red, "太晚了")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.session_id == sid)) == 3
        assert conn.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.summary == "结束调度会")) >= 1
