"""The projects list's search index lists exactly what the SQL list does, in the same order, for every
sort and filter, and a page read from it has the same rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from servicetui.services import entities, problems, queries
from servicetui.services.context import Ctx
from servicetui.services.demo import DEMO_TODAY, DEMO_USER, build_demo
from servicetui.services.queries.projects import PROJECT_SORTS
from servicetui.services.queries.search import ProjectSearch
from servicetui.store.models import Park, Person, Project

TODAY = DEMO_TODAY
TEXTS = ["", "项目", "公司", "有限公司", "钢", "食品", "PRJ", "prj", "二期", "%", "_", " 项目 ", "无此项目"]


@pytest.fixture(scope="module")
def county(module_engine):
    """The demo county plus projects with tied investments, shared words, no company and a code to find,
    some with an overdue problem (so the light and due orders have ties to break)."""
    build_demo(module_engine)
    ctx = Ctx(module_engine, actor=DEMO_USER, today=TODAY)
    with module_engine.connect() as conn:
        parks = list(conn.scalars(select(Park.id).order_by(Park.id)))
        people = list(conn.scalars(select(Person.id).order_by(Person.id)))
    for i in range(30):
        pid = entities.create_project(
            ctx, code=f"PRJ-{i:03d}", name=f"测试{'二期' if i % 3 == 0 else ''}项目{i}号",
            company="" if i % 7 == 0 else f"第{i % 4}食品有限公司", park_id=parks[i % len(parks)],
            agreed_investment=1000 * (i % 5), officer_id=people[i % len(people)], stalled=i % 8 == 0)
        if i % 2:
            problems.create_problem(ctx, project_id=pid, title=f"问题{i}", raised_on=TODAY - timedelta(days=20),
                                    due=TODAY + timedelta(days=(i % 5) * 4 - 8))
    return module_engine


def _sql(engine, f, sort):
    return queries.project_rows(engine, f, today=TODAY, sort=sort, limit=None)


def _filters(engine):
    with engine.connect() as conn:
        officer = conn.scalar(select(Project.officer_id).where(Project.officer_id.is_not(None)).limit(1))
    return [queries.ProjectFilter(), queries.ProjectFilter(officer_id=officer), queries.ProjectFilter(stalled=True),
            queries.ProjectFilter(lights=("red", "yellow"))]


@pytest.mark.parametrize("sort", PROJECT_SORTS)
def test_the_index_lists_the_same_projects_in_the_same_order_as_sql(county, sort):
    for base in _filters(county):
        index = ProjectSearch(county, base, today=TODAY, sort=sort)
        assert index.matches(base, sort=sort, today=TODAY, warn_days=3)
        for text in TEXTS:
            want = _sql(county, replace(base, text=text), sort)
            assert index.ids_for(text) == [r.id for r in want], (base, text)
            assert index.count(text) == len(want)
            assert index.rows(text, 0, 5) == want[:5]
            assert index.rows(text, 5, 5) == want[5:10]


def test_the_index_of_a_text_filter_is_the_index_of_the_filter_without_it(county):
    index = ProjectSearch(county, queries.ProjectFilter(text="食品"), today=TODAY)
    assert len(index) == len(_sql(county, queries.ProjectFilter(), "light"))
    assert index.matches(queries.ProjectFilter(text="钢"), sort="light", today=TODAY, warn_days=3)
    assert not index.matches(queries.ProjectFilter(), sort="name", today=TODAY, warn_days=3)
    assert not index.matches(queries.ProjectFilter(stalled=True), sort="light", today=TODAY, warn_days=3)
    assert not index.matches(queries.ProjectFilter(), sort="light", today=TODAY + timedelta(days=1), warn_days=3)


def test_project_ids_is_the_order_of_the_whole_list(county):
    with county.connect() as conn:
        for sort in PROJECT_SORTS:
            ids = queries.projects.project_ids(conn, queries.ProjectFilter(), today=TODAY, sort=sort)
            assert ids == [r.id for r in _sql(county, queries.ProjectFilter(), sort)], sort
