"""The projects list is paged in two steps (the ids of a page from the sort keys alone, then the
columns of just those projects) and its first pages in the light and due orders are read from the
overdue problems alone. Every page put together must be exactly the list the single full query gives
(same rows, same order, same lights and counts), for every sort, filter and page size, on the demo
county plus a synthetic one with ties, archived rows, stalled projects and late milestones."""

from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from servicetui.domain.enums import (
    STANDARD_MILESTONES,
    Light,
    MilestoneStatus,
    ProblemStatus,
    ProjectKind,
    Stage,
)
from servicetui.services import queries
from servicetui.services.demo import build_demo
from servicetui.services.queries import projects as P
from servicetui.store.db import write_session
from servicetui.store.models import Milestone, Park, Person, Problem, Project, Unit

DAYS = [date(2022, 9, 30), date(2022, 10, 20), date(2022, 12, 31)]
RED, YELLOW, GREEN = Light.RED.value, Light.YELLOW.value, Light.GREEN.value


def _synthetic_county(engine) -> SimpleNamespace:
    """80 more projects: due dates from a few days (ties), every problem status, archived problems
    and projects, problems without a due date, stalled projects, blocked and late milestones."""
    rnd = random.Random(20220930)
    dues = [date(2022, 9, 1) + timedelta(days=7 * i) for i in range(20)] + [None]
    plans = [date(2022, 8, 1) + timedelta(days=10 * i) for i in range(15)] + [None]
    with write_session(engine) as s:
        park = Park(name="测试园区")
        s.add(park)
        s.flush()
        zone = Park(name="测试片区", parent_id=park.id)
        s.add(zone)
        officers = [Person(name=f"测试服务官{i}", login=f"t_officer{i}", role="首席服务官") for i in range(3)]
        s.add_all(officers)
        s.flush()
        projects = []
        for i in range(80):
            p = Project(code=f"T2022-{i:03d}", name=f"测试项目{i % 9}号{'食品' if i % 5 == 0 else '装备'}",
                        company=f"测试公司{i % 7}", park_id=rnd.choice([park.id, zone.id, None]),
                        kind=rnd.choice(list(ProjectKind)).value, stage=rnd.choice(list(Stage)).value,
                        stalled=rnd.random() < 0.15, archived=rnd.random() < 0.08,
                        agreed_investment=rnd.choice([0, 5_000, 12_000, 30_000]),
                        officer_id=rnd.choice([o.id for o in officers] + [None]))
            s.add(p)
            projects.append(p)
        s.flush()
        for p in projects:
            for u in range(rnd.choice([0, 1, 2])):
                unit = Unit(project_id=p.id, name=f"{u + 1}号车间", seq=u)
                s.add(unit)
                s.flush()
                for k, kind in enumerate(STANDARD_MILESTONES[:rnd.randint(1, 7)]):
                    status = rnd.choice(list(MilestoneStatus)).value
                    s.add(Milestone(unit_id=unit.id, project_id=p.id, kind=kind, seq=k, status=status,
                                    planned_on=rnd.choice(plans), archived=rnd.random() < 0.05,
                                    blocker="等待" if status == MilestoneStatus.BLOCKED else ""))
            for j in range(rnd.choice([0, 0, 1, 2, 3, 5])):
                s.add(Problem(project_id=p.id, title=f"问题{j}", status=rnd.choice(list(ProblemStatus)).value,
                              due=rnd.choice(dues), archived=rnd.random() < 0.05))
    return SimpleNamespace(park=park.id, officer=officers[0].id, ids=[projects[i].id for i in range(0, 80, 3)])


@pytest.fixture(scope="module")
def county(module_engine):
    build_demo(module_engine)
    extra = _synthetic_county(module_engine)
    return SimpleNamespace(engine=module_engine, **vars(extra))


def _filters(c) -> dict[str, queries.ProjectFilter]:
    F = queries.ProjectFilter
    return {
        "none": F(), "red": F(lights=(RED,)), "yellow": F(lights=(YELLOW,)), "green": F(lights=(GREEN,)),
        "red+yellow": F(lights=(RED, YELLOW)), "yellow+green": F(lights=(YELLOW, GREEN)),
        "stalled": F(stalled=True), "officer": F(officer_id=c.officer), "text": F(text="食品"),
        "stage": F(stage=Stage.BUILDING.value), "park": F(park_id=c.park), "ids": F(ids=c.ids),
        "officer+red": F(officer_id=c.officer, lights=(RED,)), "kind": F(kind=ProjectKind.CONTINUING.value),
    }


FILTER_NAMES = list(_filters(SimpleNamespace(officer=0, park=0, ids=[])))


def whole_list(engine, f, today, sort) -> list[queries.ProjectRow]:
    """The list as the single full query gives it: every project's aggregates, ordered, no paging."""
    q, prob, _ms, light, progress = P._full_select(f, today, 3, None)
    q = q.order_by(*P._full_order(sort, prob, light, progress))
    with engine.connect() as conn:
        return [P._to_row(r) for r in conn.execute(q)]


def paged(engine, f, today, sort, size) -> list[queries.ProjectRow]:
    rows: list[queries.ProjectRow] = []
    offset = 0
    while True:
        page = queries.project_rows(engine, f, today=today, sort=sort, offset=offset, limit=size)
        assert len(page) <= size
        rows += page
        if len(page) < size:
            return rows
        offset += size


CASES = [(sort, today) for sort in P.PROJECT_SORTS for today in (DAYS if sort in ("light", "due") else DAYS[:1])]


@pytest.mark.parametrize(("sort", "today"), CASES, ids=[f"{s}-{d}" for s, d in CASES])
def test_pages_put_together_are_the_whole_list(county, sort, today):
    for name, f in _filters(county).items():
        if sort not in ("light", "due") and name not in ("none", "red", "yellow+green", "officer", "text"):
            continue  # these orders do not depend on the light: fewer filters suffice
        whole = whole_list(county.engine, f, today, sort)
        assert queries.project_rows(county.engine, f, today=today, sort=sort, limit=None) == whole, name
        for size in (9, 100):
            assert paged(county.engine, f, today, sort, size) == whole, (name, size)
        if sort in ("light", "due") and name in ("none", "officer"):  # one row at a time
            singles = [queries.project_rows(county.engine, f, today=today, sort=sort, offset=i, limit=1)
                       for i in range(min(len(whole), 30))]
            assert [r for page in singles for r in page] == whole[:30], name


@pytest.mark.parametrize("sample", [1, 100])
@pytest.mark.parametrize("sort", ["light", "due"])
def test_the_overdue_stretch_gives_the_same_pages_however_many_problems_it_samples(county, sort, sample,
                                                                                    monkeypatch):
    monkeypatch.setattr(P, "OVERDUE_SAMPLE", sample)
    for today in (DAYS[0], DAYS[-1]):
        for name in ("none", "red", "red+yellow"):
            f = _filters(county)[name]
            whole = whole_list(county.engine, f, today, sort)
            assert paged(county.engine, f, today, sort, 3) == whole, (today, name)


def test_the_overdue_stretch_is_long_enough_to_be_exercised(county):
    """The synthetic county has overdue projects, ties on the next due and archived overdue ones."""
    today = date(2022, 12, 31)
    rows = whole_list(county.engine, queries.ProjectFilter(), today, "light")
    overdue = [r for r in rows if r.next_due is not None and r.next_due < today]
    assert len(overdue) > 20
    assert len({r.next_due for r in overdue}) < len(overdue)  # ties, broken by code
    assert {r.light for r in rows} == {RED, YELLOW, GREEN}
    assert any(r.light == RED and (r.next_due is None or r.next_due >= today) for r in rows)  # red by milestones


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_counts_are_the_lengths_of_the_lists(county, today):
    for name, f in _filters(county).items():
        assert queries.project_count(county.engine, f, today=today) == len(whole_list(county.engine, f, today,
                                                                                      "code")), name


def test_an_empty_page_and_a_page_past_the_end(county):
    today = DAYS[0]
    n = len(whole_list(county.engine, queries.ProjectFilter(), today, "light"))
    for sort in P.PROJECT_SORTS:
        assert queries.project_rows(county.engine, today=today, sort=sort, limit=0) == []
        assert queries.project_rows(county.engine, today=today, sort=sort, offset=n, limit=10) == []
