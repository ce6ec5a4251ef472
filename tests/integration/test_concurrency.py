"""Two officers at once: a second process's edit makes the first one's stale save fail with a
conflict naming who changed what; concurrent SQLite writers wait instead of "database is locked".
Runs on SQLite and, when SERVICETUI_TEST_PG_URL is set (CI starts a server), on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import pytest
from sqlalchemy import func, select

from servicetui.services import entities, problems
from servicetui.services.context import Ctx
from servicetui.services.errors import ConflictError
from servicetui.store.db import make_engine
from servicetui.store.models import Problem

TODAY = date(2022, 10, 5)


def _other_process(url: str, code: str) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        from datetime import date
        from servicetui.services import problems
        from servicetui.services.context import Ctx
        from servicetui.store.db import make_engine
        ctx = Ctx(make_engine({url!r}), actor="zhangwei", today=date(2022, 10, 5))
    """) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


@pytest.fixture
def problem(any_db_url):
    engine = make_engine(any_db_url)
    ctx = Ctx(engine, actor="admin", today=TODAY)
    dept = entities.create_department(ctx, name="供电公司")
    project = entities.create_project(ctx, name="LED电子屏生产线项目")
    pid = problems.create_problem(ctx, project_id=project, title="用电报装", department_id=dept,
                                  due=date(2022, 10, 14))
    yield engine, pid
    engine.dispose()


def test_second_process_edit_makes_a_stale_save_fail_with_a_named_conflict(any_db_url, problem):
    engine, pid = problem
    with engine.connect() as conn:
        version_read_by_me = conn.scalar(select(Problem.version).where(Problem.id == pid))
    done = _other_process(any_db_url, f"problems.update_problem(ctx, {pid}, {version_read_by_me}, title='用电报装（加急）')")
    assert done.returncode == 0, done.stderr
    me = Ctx(engine, actor="liming", today=TODAY)
    with pytest.raises(ConflictError) as exc:
        problems.update_problem(me, pid, version_read_by_me, due=date(2022, 10, 21))
    assert exc.value.changed_by == "zhangwei"
    assert "zhangwei" in exc.value.zh and "标题" in exc.value.zh
    assert "title" in exc.value.en.lower()
    with engine.connect() as conn:
        title, due = conn.execute(select(Problem.title, Problem.due).where(Problem.id == pid)).one()
    assert (title, due) == ("用电报装（加急）", date(2022, 10, 14))  # their edit kept, mine not applied
    # reload and reapply: works
    with engine.connect() as conn:
        fresh = conn.scalar(select(Problem.version).where(Problem.id == pid))
    problems.update_problem(me, pid, fresh, due=date(2022, 10, 21))


def test_concurrent_writers_wait_for_each_other_instead_of_failing(any_db_url, problem):
    engine, pid = problem
    with engine.connect() as conn:
        project = conn.scalar(select(Problem.project_id).where(Problem.id == pid))
    code = f"""
        for i in range(40):
            problems.create_problem(ctx, project_id={project}, title=f"并发{{i}}-" + __import__("os").environ["TAG"])
        print("done")
    """
    procs = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
            from datetime import date
            from servicetui.services import problems
            from servicetui.services.context import Ctx
            from servicetui.store.db import make_engine
            ctx = Ctx(make_engine({any_db_url!r}), actor="w", today=date(2022, 10, 5))
        """) + textwrap.dedent(code)], env={**__import__("os").environ, "TAG": tag},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b", "c")
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "locked" not in err
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Problem).where(Problem.title.like("并发%"))) == 120
