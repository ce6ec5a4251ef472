"""The demo county (services.demo.build_demo): built through the services, as the seed describes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicetui.domain.enums import OPEN_STATUSES, MilestoneStatus, ProblemStatus, Role
from servicetui.domain.rules import MilestoneFacts, ProblemFacts, milestone_light, problem_light
from servicetui.services import demo
from servicetui.services.errors import RuleError
from servicetui.store import migrate
from servicetui.store.db import make_engine
from servicetui.store.models import (
    Activity,
    AuditEntry,
    Department,
    FundsReport,
    Milestone,
    Park,
    Person,
    Problem,
    ProblemEvent,
    Project,
    Setting,
    Unit,
)

TODAY = demo.DEMO_TODAY


def _fresh(path):
    eng = make_engine(path)
    migrate.upgrade(eng)
    return eng


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One demo database for the whole module (building takes a few seconds)."""
    eng = _fresh(tmp_path_factory.mktemp("demo") / "demo.db")
    summary = demo.build_demo(eng)
    yield eng, summary
    eng.dispose()


@pytest.fixture
def eng(built):
    return built[0]


def _rows(eng, query):
    with eng.connect() as conn:
        return conn.execute(query).all()


def _scalar(eng, query):
    with eng.connect() as conn:
        return conn.scalar(query)


def _objects(eng, query) -> list:
    with Session(eng) as session:
        objs = list(session.scalars(query))
        session.expunge_all()
    return objs


def _project(eng, needle: str) -> Project:
    found = _objects(eng, select(Project).where(Project.name.contains(needle)))
    assert found, needle
    return found[0]


# -- what was built -------------------------------------------------------------------------------


def test_summary_counts_match_the_database(built):
    eng, summary = built
    assert summary == {
        "parks": 4,
        "departments": 13,
        "people": len(demo.PEOPLE),
        "projects": 12,
        "units": sum(len(u) for u in demo.UNITS.values()),
        "milestones": 7 * sum(len(u) for u in demo.UNITS.values()),
        "funds_reports": len(demo.monthly_funds()),
        "activities": len(demo.ACTIVITIES),
        "problems": 17,
        "tasks": 3,
    }
    count = lambda m: _scalar(eng, select(func.count()).select_from(m))  # noqa: E731
    assert count(Park) == summary["parks"]
    assert count(Department) == summary["departments"]
    assert count(Person) == summary["people"]
    assert count(Project) == summary["projects"]
    assert count(Unit) == summary["units"]
    assert count(Milestone) == summary["milestones"]
    assert count(FundsReport) == summary["funds_reports"]
    assert count(Activity) == summary["activities"]
    assert count(Problem) == summary["problems"] + summary["tasks"]


def test_settings_parks_and_departments(eng):
    settings = dict(_rows(eng, select(Setting.key, Setting.value)))
    assert settings["county"] == "示范县"
    assert settings["bureau"] == "县投资促进局"
    parks = {name: (pid, parent) for pid, name, parent in _rows(eng, select(Park.id, Park.name, Park.parent_id))}
    park_id = parks["示范工业园区"][0]
    for zone in ("德胜片区", "金贵片区", "暖泉片区"):
        assert parks[zone][1] == park_id
    names = {n for (n,) in _rows(eng, select(Department.name))}
    for name in ("自然资源局", "供电公司", "人社局", "工业园区管委会", "工商联", "发改局", "住建局",
                 "生态环境局", "行政审批服务局", "商务和投资促进局", "农业农村局", "文旅局", "财政局"):
        assert name in names


def test_people_and_demo_user(eng):
    people = _rows(eng, select(Person.name, Person.login, Person.role, Person.department_id))
    roles = [r.role for r in people]
    assert roles.count(Role.LEADER.value) == 3
    assert 3 <= roles.count(Role.OFFICER.value) <= 4
    assert roles.count(Role.CONTACT.value) >= 3
    assert all(r.login for r in people if r.role == Role.OFFICER.value)
    me = [r for r in people if r.login == demo.DEMO_USER]
    assert len(me) == 1 and me[0].role == Role.OFFICER.value
    # the demo user follows the two projects signed on the trip
    for needle in ("晶兰特", "思思食品"):
        p = _project(eng, needle)
        assert _scalar(eng, select(Person.login).where(Person.id == p.officer_id)) == demo.DEMO_USER


def test_projects_as_the_seed_names_them(eng):
    projects = _objects(eng, select(Project).order_by(Project.code))
    assert [p.code for p in projects][:8] == [f"XM2022-{i:03d}" for i in range(1, 9)]
    for needle in ("深圳市晶兰特科技有限公司LED电子屏生产线项目", "航空系列食品加工项目", "爱至礼观光产业园",
                   "图兰朵葡萄酒小镇", "电子陶瓷封装材料项目", "易拉罐啤酒生产线项目",
                   "枸杞食品车间及职工宿舍楼建设项目", "成功红葡萄酒产学研及文旅综合开发项目"):
        assert any(needle in p.name for p in projects), needle
    kinds = {p.kind for p in projects}
    assert kinds == {"新引进", "续建"}
    assert sum(p.stalled for p in projects) == 1
    assert all(p.leader_id and p.officer_id and p.lead_department_id for p in projects)
    trip = [p for p in projects if p.source_event == demo.TRIP]
    assert {p.code for p in trip} == {"XM2022-001", "XM2022-002"}
    negotiating = {p.name for p in projects if p.stage == "在谈"}
    assert len(negotiating) == 3 and any("啤酒" in n for n in negotiating)
    sisi = _project(eng, "思思食品")
    assert sisi.stage == "在建" and sisi.kind == "新引进"
    zone = _scalar(eng, select(Park.name).where(Park.id == sisi.park_id))
    assert zone in ("德胜片区", "金贵片区")
    assert all(isinstance(p.agreed_investment, int) and p.agreed_investment > 0 for p in projects)
    assert sum(p.agreed_investment for p in projects) == 520_000


# -- 思思食品: the four workshops exactly as the seed -------------------------------------------------


def test_sisi_workshops_exactly_as_the_seed(eng):
    sisi = _project(eng, "思思食品")
    rows = _rows(
        eng,
        select(Unit.name, Milestone.kind, Milestone.status, Milestone.blocker, Milestone.planned_on,
               Milestone.actual_start_on, Milestone.actual_finish_on)
        .join(Unit, Unit.id == Milestone.unit_id)
        .where(Milestone.project_id == sisi.id)
        .order_by(Unit.seq, Milestone.seq),
    )
    grid = {(r.name, r.kind): r for r in rows}
    assert sorted({r.name for r in rows}) == sorted(["一号车间", "二号车间", "三号车间", "四号车间"])
    assert len(rows) == 28
    done, run, blocked = MilestoneStatus.DONE, MilestoneStatus.IN_PROGRESS, MilestoneStatus.BLOCKED
    for unit in ("一号车间", "二号车间", "三号车间"):
        assert grid[(unit, "地基")].status == done
        assert grid[(unit, "主体钢结构")].status == done
        assert grid[(unit, "屋面钢结构")].status == run
    assert grid[("二号车间", "地面硬化")].status == run
    assert grid[("一号车间", "地面硬化")].status == MilestoneStatus.NOT_STARTED
    assert grid[("三号车间", "地面硬化")].status == MilestoneStatus.NOT_STARTED
    assert grid[("四号车间", "地基")].status == done
    steel4 = grid[("四号车间", "主体钢结构")]
    assert steel4.status == blocked and steel4.blocker == "等待钢柱加工"
    for kind in ("屋面钢结构", "地面硬化", "设备安装", "竣工验收", "投产"):
        assert grid[("四号车间", kind)].status == MilestoneStatus.NOT_STARTED
    # dates consistent with 2022-09-30: finished in the past, open ones started in the past
    for r in rows:
        if r.actual_finish_on:
            assert r.actual_start_on <= r.actual_finish_on <= TODAY
        if r.status in (run,):
            assert r.actual_start_on and r.actual_start_on <= TODAY and r.actual_finish_on is None
        if r.status == MilestoneStatus.NOT_STARTED:
            assert r.actual_start_on is None and r.planned_on > TODAY
        assert r.planned_on is not None


def test_some_milestones_are_behind_plan(eng):
    rows = _rows(eng, select(Milestone.kind, Milestone.status, Milestone.planned_on, Milestone.baseline_on,
                             Milestone.slip_count, Milestone.blocker, Unit.name)
                 .join(Unit, Unit.id == Milestone.unit_id))
    late = [r for r in rows if r.status != MilestoneStatus.DONE and r.planned_on and r.planned_on < TODAY]
    assert len(late) >= 2
    lights = {milestone_light(MilestoneFacts(r.name, r.kind, r.status, r.planned_on, blocker=r.blocker), TODAY).light
              for r in late}
    assert {"红", "黄"} <= {str(x) for x in lights}
    slipped = [r for r in rows if r.slip_count]
    assert slipped and all(r.baseline_on < r.planned_on for r in slipped)


# -- problems ---------------------------------------------------------------------------------------


def _problems(eng):
    return _objects(eng, select(Problem).order_by(Problem.id))


def test_problems_cover_every_status(eng):
    statuses = {p.status for p in _problems(eng)}
    assert statuses == {s.value for s in ProblemStatus}


def test_seed_problems_are_there(eng):
    probs = _problems(eng)
    depts = dict(_rows(eng, select(Department.id, Department.name)))
    by_title = {p.title: p for p in probs}

    def find(needle):
        hits = [p for t, p in by_title.items() if needle in t]
        assert hits, needle
        return hits[0]

    land = find("德胜片区土地遗留问题")
    assert land.category == "土地" and depts[land.department_id] == "自然资源局"
    assert land.status in OPEN_STATUSES and land.due < TODAY and land.escalation == 2
    assert find("解决缓慢").category == "其他"
    late_report = find("上报不及时")
    assert depts[late_report.department_id] == "商务和投资促进局"
    steel = find("钢柱加工延迟")
    assert depts[steel.department_id] == "工业园区管委会"
    assert steel.project_id == _project(eng, "思思食品").id
    cats = {(p.category, depts.get(p.department_id)) for p in probs}
    for pair in (("用电", "供电公司"), ("用工", "人社局"), ("融资", "工商联"), ("审批手续", "行政审批服务局")):
        assert pair in cats, pair
    tasks = [p for p in probs if p.kind == "任务"]
    assert any("起草外出方案" in t.title for t in tasks)


def test_problem_flow_and_lights_on_demo_day(eng):
    probs = _problems(eng)
    open_ = [p for p in probs if p.status in OPEN_STATUSES and p.status != ProblemStatus.DONE]
    overdue = [p for p in open_ if p.due and p.due < TODAY]
    near = [p for p in open_ if p.due and TODAY <= p.due <= date(2022, 10, 3)]
    assert len(overdue) >= 2 and len(near) >= 2
    assert any(p.escalation for p in probs)
    closed = [p for p in probs if p.status == ProblemStatus.CLOSED]
    assert any(p.done_on <= p.due for p in closed) and any(p.done_on > p.due for p in closed)
    assert all(p.closed_on and p.closed_by and p.closed_on <= TODAY for p in closed)
    assert sum(p.status == ProblemStatus.DONE for p in probs) >= 2
    assert any(p.reopen_count for p in probs)
    lights = {str(problem_light(ProblemFacts(p.title, p.status, p.due, p.category, p.escalation, p.kind), TODAY).light)
              for p in probs}
    assert {"红", "黄", "绿", "无"} <= lights
    # each problem's progress notes happened on simulated days up to the demo day
    events = _rows(eng, select(ProblemEvent.on, ProblemEvent.actor))
    assert events and all(on <= TODAY for on, _ in events)


def test_closing_was_done_by_officers_or_leaders(eng):
    closers = {p.closed_by for p in _problems(eng) if p.closed_by}
    roles = dict(_rows(eng, select(Person.name, Person.role)))
    assert closers and all(roles[c] in (Role.OFFICER.value, Role.LEADER.value) for c in closers)


def test_demo_user_has_nothing_to_undo(eng):
    """The demo's steps are recorded under names, not logins: the officer's first undo is theirs."""
    from servicetui.services.context import Ctx
    from servicetui.services.history import last_undoable

    assert last_undoable(Ctx(eng, actor=demo.DEMO_USER, today=TODAY)) is None


# -- funds and activities ---------------------------------------------------------------------------


def test_funds_for_2021_and_2022_give_year_on_year_growth(eng):
    def ytd(year):
        return _scalar(eng, select(func.sum(FundsReport.amount)).where(FundsReport.year == year, FundsReport.month <= 9))

    assert ytd(2021) == 34_060
    assert ytd(2022) == 40_840
    assert round((ytd(2022) - ytd(2021)) * 100 / ytd(2021), 1) == 19.9
    assert not _rows(eng, select(FundsReport.id).where(FundsReport.year == 2022, FundsReport.month > 9))
    with_money = {pid for (pid,) in _rows(eng, select(FundsReport.project_id).distinct())}
    all_projects = {pid for (pid,) in _rows(eng, select(Project.id))}
    assert len(all_projects - with_money) >= 2


def test_some_departments_with_targets_have_zero_funds(eng):
    funded = {
        d for (d,) in _rows(
            eng, select(Project.lead_department_id).join(FundsReport, FundsReport.project_id == Project.id).distinct()
        )
    }
    zero = {name for did, name, target in _rows(eng, select(Department.id, Department.name, Department.funds_target))
            if target > 0 and did not in funded}
    assert zero == {"工商联", "住建局", "财政局"}


def test_activities(eng):
    rows = _rows(eng, select(Activity.kind, Activity.on, Activity.place, Activity.people, Activity.contacted_count))
    kinds = [r.kind for r in rows]
    assert kinds.count("走出去") == 4 and kinds.count("请进来") == 4 and kinds.count("培训会") == 2
    assert "签约会" in kinds
    assert all(r.on and r.place and r.people for r in rows)
    assert all(r.on.year == 2022 and r.on <= TODAY for r in rows)
    assert any(r.kind == "走出去" and "深圳" in r.place for r in rows)


def test_everything_is_audited(eng):
    assert _scalar(eng, select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create",
                                                                          AuditEntry.entity == "project")) == 12


# -- refusals and determinism -----------------------------------------------------------------------


def test_second_build_on_the_same_database_is_refused(eng):
    before = _scalar(eng, select(func.count()).select_from(AuditEntry))
    with pytest.raises(RuleError) as info:
        demo.build_demo(eng)
    assert "--reset" in info.value.zh
    assert _scalar(eng, select(func.count()).select_from(AuditEntry)) == before
    assert not demo.is_empty(eng)
    assert demo.looks_like_demo(eng)


def test_uninitialised_database_is_refused(tmp_path):
    eng = make_engine(tmp_path / "bare.db")
    try:
        with pytest.raises(RuleError):
            demo.build_demo(eng)
    finally:
        eng.dispose()


def test_a_user_change_means_it_is_no_longer_just_the_demo(tmp_path, built):
    from servicetui.services import entities
    from servicetui.services.context import Ctx

    eng = _fresh(tmp_path / "own.db")
    try:
        assert demo.is_empty(eng) and demo.looks_like_demo(eng)
        entities.create_department(Ctx(eng, actor="someone"), name="教育局")
        assert not demo.is_empty(eng)
        assert not demo.looks_like_demo(eng)
    finally:
        eng.dispose()


def test_build_is_deterministic(tmp_path, built):
    first = built[0]
    second = _fresh(tmp_path / "again.db")
    try:
        demo.build_demo(second)

        def snapshot(e):
            return (
                _rows(e, select(Project.code, Project.name, Project.agreed_investment, Project.stage).order_by(Project.id)),
                _rows(e, select(Problem.title, Problem.status, Problem.due, Problem.done_on, Problem.closed_on,
                                Problem.escalation).order_by(Problem.id)),
                _rows(e, select(Milestone.unit_id, Milestone.kind, Milestone.status, Milestone.planned_on)
                      .order_by(Milestone.id)),
                _rows(e, select(FundsReport.project_id, FundsReport.year, FundsReport.month, FundsReport.amount)
                      .order_by(FundsReport.id)),
            )

        assert snapshot(first) == snapshot(second)
    finally:
        second.dispose()
