"""Shared fixtures for every test suite (services, store, TUI, reports, CLI).

    engine     a migrated SQLite file under tmp_path (one per test)
    make_ctx   make_ctx(actor="liming", today=date(2022, 10, 5), lang="zh") -> Ctx on `engine`
    world      a small county built through the services; its ids in a SimpleNamespace

No user configuration is read: SERVICETUI_CONFIG_DIR points at an empty temporary directory for
the whole session (subprocesses inherit it).
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from types import SimpleNamespace

import pytest

TODAY = date(2022, 10, 5)

OFFICER = "liming"  # 首席服务官 李明
LEADER = "wanggang"  # 县领导 王刚
CONTACT = "zhaoli"  # 部门联络员 赵丽 (of the 工业园区管委会)
ADMIN = "admin"  # who built the world (not a person in the database)


@pytest.fixture(scope="session", autouse=True)
def _isolated_config_dir(tmp_path_factory):
    """Never read the developer's ~/.config/servicetui during tests."""
    path = tmp_path_factory.mktemp("servicetui-config")
    old = os.environ.get("SERVICETUI_CONFIG_DIR")
    os.environ["SERVICETUI_CONFIG_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("SERVICETUI_CONFIG_DIR", None)
    else:
        os.environ["SERVICETUI_CONFIG_DIR"] = old


@pytest.fixture
def db_path(tmp_path):
    """Where the `engine` fixture's SQLite file lives."""
    return tmp_path / "servicetui.db"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory):
    """One database migrated to head per session; `engine` starts from a copy (much faster than
    running every migration for every test). tests/store/test_migrations.py migrates from scratch."""
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    path = tmp_path_factory.mktemp("template") / "template.db"
    eng = make_engine(path)
    migrate.upgrade(eng)
    eng.dispose()  # checkpoints the WAL into the main file
    return path


# SERVICETUI_TEST_BACKEND=postgresql runs the `engine`-based suites on the PostgreSQL server named by
# SERVICETUI_TEST_PG_URL (`make test` does this after the SQLite run when CI has started a server).
BACKEND = os.environ.get("SERVICETUI_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("SERVICETUI_TEST_PG_URL", "")


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgresql":
        return
    skip = pytest.mark.skip(reason="SQLite-only behaviour (file, PRAGMA or backup)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: needs a SQLite file (skipped on the PostgreSQL run)")


@pytest.fixture(scope="session")
def _pg_database():
    """One migrated PostgreSQL database per test session; each test starts from empty tables."""
    from sqlalchemy import text

    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    admin = make_engine(PG_URL)
    name = f"servicetui_test_{os.getpid()}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(PG_URL.rsplit("/", 1)[0] + "/" + name)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_engine(request):
    from sqlalchemy import inspect, text

    eng = request.getfixturevalue("_pg_database")
    tables = [t for t in inspect(eng).get_table_names() if t != "alembic_version"]
    with eng.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    yield eng


@pytest.fixture(scope="module")
def module_engine(request, tmp_path_factory):
    """A migrated, empty database shared by the tests of one module (for read-only tests that
    build something expensive once), on the suite's backend."""
    if BACKEND == "postgresql":
        yield next(_pg_engine(request))
        return
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    eng = make_engine(tmp_path_factory.mktemp("module") / "module.db")
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db_url(engine) -> str:
    """What to pass as --db for the `engine` fixture's database (a file path or a URL)."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(request, db_path, _migrated_template):
    """A migrated (head) database: a SQLite file under tmp_path (mode 0600), or a fresh PostgreSQL
    database cloned from a migrated template when SERVICETUI_TEST_BACKEND=postgresql."""
    if BACKEND == "postgresql":
        if not PG_URL:
            pytest.fail("SERVICETUI_TEST_BACKEND=postgresql needs SERVICETUI_TEST_PG_URL")
        yield from _pg_engine(request)
        return
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    shutil.copyfile(_migrated_template, db_path)
    os.chmod(db_path, 0o600)
    eng = make_engine(db_path)
    migrate.upgrade(eng)  # a no-op at head; kept so the fixture fails loudly if the head moves
    yield eng
    eng.dispose()


@pytest.fixture
def make_ctx(engine):
    """Factory: make_ctx(actor, today=date(2022, 10, 5), lang="zh") -> a fresh Ctx on `engine`."""
    from servicetui.services.context import Ctx

    def _make(actor: str = OFFICER, today: date = TODAY, lang: str = "zh") -> Ctx:
        return Ctx(engine, actor=actor, today=today, lang=lang)

    return _make


@pytest.fixture
def world(make_ctx):
    """A park with a zone, two departments, an officer, a leader, a department contact and one
    project (officer + leader + park zone) with one unit (and its 7 standard milestones).

    Returns a SimpleNamespace: park, zone, dept, dept2, officer, leader, contact, project, unit
    (ids), milestones (ids in standard order), logins (officer/leader/contact) and today.
    """
    from sqlalchemy import select

    from servicetui.services import entities
    from servicetui.store.models import Milestone

    ctx = make_ctx(ADMIN)
    park = entities.create_park(ctx, name="工业园区")
    zone = entities.create_park(ctx, name="德胜片区", parent_id=park)
    dept = entities.create_department(ctx, name="工业园区管委会", short_name="管委会")
    dept2 = entities.create_department(ctx, name="供电公司")
    officer = entities.create_person(ctx, name="李明", login=OFFICER, role="首席服务官")
    leader = entities.create_person(ctx, name="王刚", login=LEADER, role="县领导", title="副县长")
    contact = entities.create_person(ctx, name="赵丽", login=CONTACT, role="部门联络员", department_id=dept)
    project = entities.create_project(
        ctx,
        name="思思食品年产*吨航空系列食品加工项目",
        company="思思食品有限公司",
        industry="食品加工",
        park_id=zone,
        agreed_investment=50_000,
        annual_plan=20_000,
        signed_on=date(2022, 3, 1),
        leader_id=leader,
        officer_id=officer,
        lead_department_id=dept,
    )
    unit = entities.create_unit(ctx, project, "一号车间")
    with ctx.engine.connect() as conn:
        milestones = list(conn.scalars(select(Milestone.id).where(Milestone.unit_id == unit).order_by(Milestone.seq)))
    return SimpleNamespace(
        park=park,
        zone=zone,
        dept=dept,
        dept2=dept2,
        officer=officer,
        leader=leader,
        contact=contact,
        project=project,
        unit=unit,
        milestones=milestones,
        officer_login=OFFICER,
        leader_login=LEADER,
        contact_login=CONTACT,
        admin=ADMIN,
        today=TODAY,
    )
