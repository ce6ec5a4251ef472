"""Fixtures for the reports: a small county with exact, known totals, built through the services.

    county   (on top of the shared `world`) — 3 projects, funds, activities, 4 problems; see below
    cli      invoke(*args) -> click Result, on the `engine` database, today 2022-09-30, user liming

Known numbers (report date 2022-09-30):
    projects  P1 思思食品 (world's project) 新引进 在建, agreed 50 000, plan 20 000, lead 工业园区管委会
              P2 图兰朵葡萄酒小镇 续建 在建, agreed 120 000, plan 8 000, lead 供电公司
              P3 啤酒项目 新引进 在谈, agreed 40 000, plan 0, lead 工商联 (funds target 5 000)
    funds     P1 2022-06 1 000, 2022-09 2 000, 2022-10 500; P2 2022-01 3 000; P2 2021-03 2 000, 2021-11 9 999
              → 1-9月 2022: 6 000 (新引进 3 000, 续建 3 000); 1-9月 2021: 2 000 → 同比 +200%
    activities 走出去 2022-03-01 (2), 走出去 2022-06-01 (1), 请进来 2022-05-01 (3); not counted:
              培训会 2022-04-01, 走出去 2021-12-01, 请进来 2022-10-10 → 3 批次, 对接 6
    problems  a P1 钢柱加工延迟 管委会 raised 09-01 due 09-20 已交办 (note)      → overdue
              b P1 =HYPERLINK(...) 供电公司 raised 09-10 due 12-31 已交办
              c P2 用电负荷不足 供电公司 raised 07-01 due 08-31, closed 08-30 (on time)
              d P2 施工许可办理 管委会 raised 09-02 due 09-28 已交办              → overdue
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

REPORT_DAY = date(2022, 9, 30)
EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def county(world, make_ctx):
    from servicetui.services import entities, problems

    admin = make_ctx(world.admin, today=REPORT_DAY)
    entities.set_setting(admin, "county", "测试县")
    entities.set_setting(admin, "bureau", "测试县投资促进局")
    union = entities.create_department(admin, name="工商联", funds_target=5_000)
    entities.update_project(admin, world.project, None, stage="在建")
    p2 = entities.create_project(admin, name="图兰朵葡萄酒小镇", company="图兰朵酒庄有限公司", kind="续建", stage="在建",
                                 agreed_investment=120_000, annual_plan=8_000, lead_department_id=world.dept2,
                                 leader_id=world.leader, officer_id=world.officer, park_id=world.park)
    p3 = entities.create_project(admin, name="啤酒项目", company="海川啤酒有限公司", kind="新引进", stage="在谈",
                                 agreed_investment=40_000, annual_plan=0, lead_department_id=union)
    for pid, year, month, amount in ((world.project, 2022, 6, 1_000), (world.project, 2022, 9, 2_000),
                                     (world.project, 2022, 10, 500), (p2, 2022, 1, 3_000), (p2, 2021, 3, 2_000),
                                     (p2, 2021, 11, 9_999)):
        entities.record_funds(admin, pid, year, month, amount, reported_on=date(year, month, 28))
    for kind, on, n in (("走出去", date(2022, 3, 1), 2), ("走出去", date(2022, 6, 1), 1), ("请进来", date(2022, 5, 1), 3),
                        ("培训会", date(2022, 4, 1), 0), ("走出去", date(2021, 12, 1), 5), ("请进来", date(2022, 10, 10), 4)):
        entities.create_activity(admin, kind=kind, on=on, title=f"{kind}{on}", contacted_count=n)
    a = problems.create_problem(admin, project_id=world.project, title="钢柱加工延迟", department_id=world.dept,
                                due=date(2022, 9, 20), raised_on=date(2022, 9, 1), category="基础设施",
                                co_departments="发改局")
    problems.add_note(admin, a, "已协调钢构厂加班生产")
    b = problems.create_problem(admin, project_id=world.project, title=EVIL, department_id=world.dept2,
                                due=date(2022, 12, 31), raised_on=date(2022, 9, 10))
    c = problems.create_problem(admin, project_id=p2, title="用电负荷不足", department_id=world.dept2,
                                due=date(2022, 8, 31), raised_on=date(2022, 7, 1), category="用电")
    problems.close_problem(make_ctx(world.officer_login, today=date(2022, 8, 30)), c, None, "专线已送电")
    d = problems.create_problem(admin, project_id=p2, title="施工许可办理", department_id=world.dept,
                                due=date(2022, 9, 28), raised_on=date(2022, 9, 2), category="审批手续")
    return SimpleNamespace(evil=EVIL, world=world, p1=world.project, p2=p2, p3=p3, union=union, a=a, b=b, c=c, d=d,
                           today=REPORT_DAY, engine=admin.engine)


@pytest.fixture
def cli(db_url, engine):
    """invoke(*args) runs `servicetui --db <engine's file> --today 2022-09-30 --user liming *args`."""
    from click.testing import CliRunner

    from servicetui.cli import reports_cmds  # noqa: F401  (registers the commands)
    from servicetui.cli.main import cli as group

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(group, ["--db", db_url, "--today", "2022-09-30", "--user", "liming", *args])

    return invoke


@pytest.fixture
def demo_engine(engine):
    """The demo county when `services.demo` is available (skips otherwise)."""
    demo = pytest.importorskip("servicetui.services.demo")
    demo.build_demo(engine, today=REPORT_DAY)
    return engine
