"""Alembic migrations: fresh upgrade, idempotence, downgrade/upgrade round trip, models and
migrations in agreement, and the backup taken before a migration touches an existing file."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlmodel import SQLModel

import servicetui.store.models  # noqa: F401  (registers every table on SQLModel.metadata)
from servicetui.store import migrate
from servicetui.store.backup import check_file
from servicetui.store.db import make_engine, write_session
from servicetui.store.models import ENTITIES, AuditEntry, Department


@pytest.fixture
def fresh(tmp_path):
    """An engine on a brand-new, empty SQLite file (no tables at all)."""
    eng = make_engine(tmp_path / "fresh.db")
    yield eng
    eng.dispose()


def backups_in(directory) -> list:
    return sorted(p for p in directory.iterdir() if ".pre-migrate-" in p.name)


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def expected_tables() -> set[str]:
    return {m.__tablename__ for m in ENTITIES.values()} | {AuditEntry.__tablename__}


def test_given_an_empty_database_when_upgraded_then_it_is_at_head_with_every_table(fresh):
    assert migrate.current_revision(fresh) is None
    assert migrate.needs_upgrade(fresh)
    migrate.upgrade(fresh)
    assert migrate.current_revision(fresh) == migrate.head_revision()
    assert not migrate.needs_upgrade(fresh)
    assert tables(fresh) == expected_tables() | {"alembic_version"}


def test_given_a_database_at_head_when_upgraded_again_then_nothing_changes_and_no_backup(fresh, tmp_path):
    migrate.upgrade(fresh)
    with write_session(fresh) as s:
        s.add(Department(name="自然资源局"))
    assert migrate.upgrade(fresh) is None
    assert migrate.current_revision(fresh) == migrate.head_revision()
    with fresh.connect() as conn:
        assert conn.scalars(select(Department.name)).all() == ["自然资源局"]
    assert backups_in(tmp_path) == []


def test_given_a_fresh_empty_file_when_upgraded_then_no_backup_is_made(fresh, tmp_path):
    assert migrate.upgrade(fresh) is None
    assert backups_in(tmp_path) == []


def test_the_models_and_the_migrations_agree_autogenerate_finds_no_difference(engine):
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(mc, SQLModel.metadata)
    assert diff == []


def test_given_an_empty_database_when_downgraded_to_base_and_upgraded_again_then_back_at_head(fresh):
    migrate.upgrade(fresh)
    migrate.downgrade(fresh, "base")
    assert migrate.current_revision(fresh) is None
    assert tables(fresh) <= {"alembic_version"}
    migrate.upgrade(fresh, backup=False)
    assert migrate.current_revision(fresh) == migrate.head_revision()
    assert tables(fresh) == expected_tables() | {"alembic_version"}


def test_backup_before_migration_makes_a_sound_copy_beside_the_file(engine, db_path):
    with write_session(engine) as s:
        s.add(Department(name="供电公司"))
    made = migrate.backup_before_migration(engine)
    assert made is not None and made.parent == db_path.parent
    assert made.name.startswith("servicetui.db.pre-migrate-") and made.name.endswith(".bak")
    assert check_file(made) == []
    conn = sqlite3.connect(made)
    try:
        assert conn.execute("SELECT name FROM department").fetchall() == [("供电公司",)]
    finally:
        conn.close()


def test_backup_before_migration_of_an_in_memory_database_is_none():
    eng = make_engine(":memory:")
    try:
        assert migrate.backup_before_migration(eng) is None
    finally:
        eng.dispose()


def test_given_an_existing_file_behind_head_when_upgraded_then_a_backup_is_made_first(fresh, tmp_path):
    """Simulate an older file: migrate, then downgrade to base (alembic_version stays, at no
    revision) and keep a table of our own; upgrading must back the file up before migrating."""
    migrate.upgrade(fresh)
    migrate.downgrade(fresh, "base")
    with fresh.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE keepsake (note TEXT)")
        conn.exec_driver_sql("INSERT INTO keepsake VALUES ('旧数据')")
    assert migrate.needs_upgrade(fresh)
    made = migrate.upgrade(fresh)
    assert made is not None and made.exists() and backups_in(tmp_path) == [made]
    conn = sqlite3.connect(made)
    try:
        assert conn.execute("SELECT note FROM keepsake").fetchall() == [("旧数据",)]
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (0,)
    finally:
        conn.close()
    assert migrate.current_revision(fresh) == migrate.head_revision()


def test_upgrade_with_backup_disabled_makes_no_backup(fresh, tmp_path):
    migrate.upgrade(fresh)
    migrate.downgrade(fresh, "base")
    assert migrate.upgrade(fresh, backup=False) is None
    assert backups_in(tmp_path) == []


def test_the_head_revision_is_a_single_known_revision():
    head = migrate.head_revision()
    assert isinstance(head, str) and head


def test_the_head_constant_used_at_start_up_is_the_real_head():
    from servicetui.store import migrate

    assert migrate.HEAD == migrate.head_revision()
