"""The lists compute lights and progress in SQL (to filter and sort a big table); the rules in
domain.rules are the definition. On the demo county, on several days, the two must agree row by row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from servicetui.services import queries
from servicetui.services.demo import build_demo

DAYS = [date(2022, 9, 30), date(2022, 9, 1), date(2022, 10, 3), date(2022, 10, 20), date(2022, 12, 31)]


@pytest.fixture(scope="module")
def demo(module_engine):
    """The demo county, built once for this module (the tests only read)."""
    build_demo(module_engine)
    return module_engine


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_problem_light_in_sql_equals_the_rule_for_every_problem(demo, today):
    rows = queries.problem_rows(demo, today=today, limit=None)
    assert rows
    for row in rows:
        assert row.light == row.verdict(today).light.value, (row.title, row.status, row.due)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_project_light_and_progress_in_sql_equal_the_rules_for_every_project(demo, today):
    for row in queries.project_rows(demo, today=today, limit=None):
        detail = queries.project_detail(demo, row.id, today=today)
        assert row.light == detail.verdict.light.value, (row.name, detail.verdict.zh)
        assert row.progress == detail.progress, row.name
        assert queries.project_verdict(demo, row.id, today=today) == detail.verdict, row.name


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_light_filter_returns_exactly_the_rows_of_that_light(demo, today):
    everything = queries.problem_rows(demo, today=today, limit=None)
    for light in ("红", "黄", "绿", "无"):
        picked = queries.problem_rows(demo, queries.ProblemFilter(lights=(light,)), today=today, limit=None)
        assert {r.id for r in picked} == {r.id for r in everything if r.light == light}
        assert queries.problem_count(demo, queries.ProblemFilter(lights=(light,)), today=today) == len(picked)


def test_summary_counts_are_the_sizes_of_the_lists_they_jump_to(demo):
    today = date(2022, 9, 30)
    summary = queries.desk_summary(demo, today=today)
    filters = queries.summary_filters(today)
    assert summary.overdue == len(queries.problem_rows(demo, filters["overdue"], today=today, limit=None)) == 4
    assert summary.due_this_week == len(queries.problem_rows(demo, filters["due_this_week"], today=today, limit=None))
    assert summary.to_close == len(queries.problem_rows(demo, filters["to_close"], today=today, limit=None))
    assert summary.stalled_projects == len(queries.project_rows(demo, filters["stalled_projects"], today=today))
    week_end = today + timedelta(days=6 - today.weekday())
    assert all(today <= r.due <= week_end for r in queries.problem_rows(demo, filters["due_this_week"], today=today))


@pytest.mark.parametrize("sort", queries.SORTS)
def test_pages_put_together_are_the_whole_list_in_the_same_order(demo, sort):
    today = date(2022, 9, 30)
    whole = [r.id for r in queries.problem_rows(demo, today=today, sort=sort, limit=None)]
    paged = []
    for offset in range(0, len(whole) + 7, 7):
        paged += [r.id for r in queries.problem_rows(demo, today=today, sort=sort, offset=offset, limit=7)]
    assert paged == whole


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_department_counts_equal_counting_the_problems_one_by_one(demo, today):
    from servicetui.domain.enums import OPEN_STATUSES, ProblemStatus
    from servicetui.services.queries.problems import ACTIVE

    rows = queries.problem_rows(demo, today=today, limit=None)
    stats = queries.department_stats(demo, today=today)
    assert stats and sum(s.open + s.closed for s in stats) > 0
    closed = ProblemStatus.CLOSED.value
    for s in stats:
        mine = [r for r in rows if r.department_id == s.id]
        assert s.open == sum(r.status in OPEN_STATUSES for r in mine), s.name
        assert s.overdue == sum(r.status in ACTIVE and r.due is not None and r.due < today for r in mine), s.name
        assert s.closed == sum(r.status == closed for r in mine), s.name
        assert s.closed_on_time == sum(r.status == closed and (r.due is None or (r.done_on or r.closed_on) <= r.due)
                                       for r in mine), s.name
    assert [s.overdue for s in stats] == sorted((s.overdue for s in stats), reverse=True)  # most overdue first
