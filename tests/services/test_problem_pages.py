"""A page of the problems list is the same slice of the whole list whether it is read from the front
or, in the far half, from the back in the reversed order (`problem_rows(…, total=)`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from servicetui.services import problems, queries
from servicetui.services.context import Ctx
from servicetui.services.demo import DEMO_TODAY, DEMO_USER, build_demo
from servicetui.store.models import Department, Project

TODAY = DEMO_TODAY


@pytest.fixture(scope="module")
def busy(module_engine):
    """The demo county plus problems with tied dues, no due, escalations and every status."""
    build_demo(module_engine)
    ctx = Ctx(module_engine, actor=DEMO_USER, today=TODAY)
    with module_engine.connect() as conn:
        projects = list(conn.scalars(select(Project.id).order_by(Project.id)))
        departments = list(conn.scalars(select(Department.id).order_by(Department.id)))
    for i in range(45):
        pid = problems.create_problem(
            ctx, project_id=projects[i % len(projects)], title=f"第{i}号问题", raised_on=TODAY - timedelta(days=30),
            department_id=departments[i % len(departments)],
            due=None if i % 7 == 0 else TODAY + timedelta(days=(i % 5) * 3 - 6))  # ties and overdue ones
        if i % 4 == 1:
            problems.escalate(ctx, pid, None, "督办")
        if i % 6 == 2:
            problems.set_status(ctx, pid, None, "办理中")
        if i % 9 == 3:
            problems.close_problem(ctx, pid, None, "已解决")
    return module_engine


@pytest.mark.parametrize("sort", queries.SORTS)
@pytest.mark.parametrize("f", [queries.ProblemFilter(), queries.ProblemFilter(open_only=True),
                               queries.ProblemFilter(statuses=("已办结", "已销号")),
                               queries.ProblemFilter(statuses=("已销号",)),
                               queries.ProblemFilter(statuses=("待交办", "已销号"), text="问题")],
                         ids=["all", "open", "done-closed", "closed", "new-closed-text"])
def test_a_page_read_from_the_far_end_is_the_same_slice(busy, sort, f):
    whole = [r.id for r in queries.problem_rows(busy, f, today=TODAY, sort=sort, limit=None, with_note=False)]
    total = len(whole)
    assert total > 4
    for limit in (5, 13):
        for offset in range(0, total + 2):
            page = queries.problem_rows(busy, f, today=TODAY, sort=sort, offset=offset, limit=limit,
                                        with_note=False, total=total)
            assert [r.id for r in page] == whole[offset:offset + limit], (limit, offset)


def test_the_reversed_order_is_the_exact_reverse(busy):
    from servicetui.services.queries.problems import _order, _reversed
    from servicetui.store.models import Problem

    with busy.connect() as conn:
        for sort in queries.SORTS:
            order = _order(sort, TODAY)
            if sort in ("project", "department"):
                continue  # these order by a joined column (covered through problem_rows above)
            forward = list(conn.scalars(select(Problem.id).order_by(*order)))
            backward = list(conn.scalars(select(Problem.id).order_by(*_reversed(order))))
            assert backward == forward[::-1], sort


def test_a_stale_count_falls_back_to_the_plain_query_with_the_same_rows(busy):
    f = queries.ProblemFilter()
    whole = [r.id for r in queries.problem_rows(busy, f, today=TODAY, limit=None, with_note=False)]
    for stale in (len(whole) - 3, len(whole) + 3):
        page = queries.problem_rows(busy, f, today=TODAY, offset=0, limit=10, with_note=False, total=stale)
        assert [r.id for r in page] == whole[:10]
