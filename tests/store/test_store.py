"""The store: engines from paths / URLs / the environment, SQLite pragmas and file mode, write
transactions (rollback, concurrent writers), integrity checks, backup and restore."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from servicetui.store import migrate
from servicetui.store.backup import (
    BackupError,
    backup_sqlite,
    check_file,
    integrity_problems,
    restore_sqlite,
)
from servicetui.store.db import (
    is_sqlite,
    make_engine,
    read_session,
    resolve_url,
    sqlite_path,
    write_session,
)
from servicetui.store.models import Department


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def pragma(engine, name: str):
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def dept_names(engine) -> list[str]:
    with read_session(engine) as s:
        return list(s.scalars(select(Department.name).order_by(Department.id)))


# -- engines from paths and URLs ------------------------------------------------------------
def test_make_engine_from_a_path_creates_the_file_and_its_missing_directories(tmp_path):
    path = tmp_path / "nested" / "dir" / "county.db"
    eng = make_engine(path)
    try:
        assert path.exists()
        assert is_sqlite(eng) and sqlite_path(eng) == path
        with eng.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        eng.dispose()


def test_make_engine_from_a_string_path_with_tilde_expands_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_url("~/x.db") == f"sqlite:///{tmp_path}/x.db"


def test_make_engine_from_memory_needs_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_url(":memory:") == "sqlite://"
    eng = make_engine(":memory:")
    try:
        assert sqlite_path(eng) is None and is_sqlite(eng)
        with eng.connect() as conn:
            assert conn.execute(text("SELECT 2")).scalar() == 2
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        eng.dispose()
    assert list(tmp_path.iterdir()) == []


def test_make_engine_from_a_sqlite_url(tmp_path):
    path = tmp_path / "url.db"
    eng = make_engine(f"sqlite:///{path}")
    try:
        assert sqlite_path(eng) == path and path.exists()
        migrate.upgrade(eng)
        assert migrate.current_revision(eng) == migrate.head_revision()
    finally:
        eng.dispose()


def test_make_engine_without_argument_uses_the_servicetui_db_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("SERVICETUI_DB", str(path))
    assert resolve_url() == f"sqlite:///{path}"
    eng = make_engine()
    try:
        assert sqlite_path(eng) == path and path.exists()
    finally:
        eng.dispose()


def test_an_explicit_db_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICETUI_DB", str(tmp_path / "env.db"))
    assert resolve_url(tmp_path / "arg.db") == f"sqlite:///{tmp_path / 'arg.db'}"


def test_without_db_or_environment_the_file_lives_in_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("SERVICETUI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = resolve_url()
    assert url.startswith("sqlite:///") and url.endswith("/servicetui.db") and "servicetui" in url


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://tui:s3cret@db.example:5432/county", "postgresql+psycopg://tui:s3cret@db.example:5432/county"),
        ("postgres://tui@localhost/county", "postgresql+psycopg://tui@localhost/county"),
        ("postgresql+psycopg://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
    ],
)
def test_resolve_url_maps_postgres_urls_to_the_psycopg3_driver_keeping_the_password(given, expected):
    assert resolve_url(given) == expected
    assert not is_sqlite(resolve_url(given))
    assert sqlite_path(resolve_url(given)) is None


# -- the SQLite file ------------------------------------------------------------------------
def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "private.db"
        eng = make_engine(path)
        try:
            migrate.upgrade(eng)
            assert mode(path) == 0o600
            for side in (tmp_path / "private.db-wal", tmp_path / "private.db-shm"):
                if side.exists():
                    assert mode(side) & 0o077 == 0, side
        finally:
            eng.dispose()
    finally:
        os.umask(old_umask)


def test_an_existing_files_mode_is_left_alone(tmp_path):
    path = tmp_path / "shared.db"
    path.touch()
    os.chmod(path, 0o640)
    make_engine(path).dispose()
    assert mode(path) == 0o640


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(engine):
    assert pragma(engine, "journal_mode") == "wal"
    assert pragma(engine, "foreign_keys") == 1
    assert pragma(engine, "busy_timeout") >= 5000


def test_foreign_keys_are_enforced(engine):
    from sqlalchemy.exc import IntegrityError

    from servicetui.store.models import Unit

    with pytest.raises(IntegrityError):
        with write_session(engine) as s:
            s.add(Unit(project_id=12345, name="孤儿车间"))


# -- transactions ---------------------------------------------------------------------------
def test_a_write_session_commits_on_success(engine):
    with write_session(engine) as s:
        s.add(Department(name="自然资源局"))
    assert dept_names(engine) == ["自然资源局"]


def test_a_write_session_that_raises_rolls_everything_back(engine):
    with pytest.raises(RuntimeError):
        with write_session(engine) as s:
            s.add(Department(name="发改局"))
            s.flush()
            s.add(Department(name="人社局"))
            s.flush()
            raise RuntimeError("boom")
    assert dept_names(engine) == []
    with write_session(engine) as s:  # the engine is still usable
        s.add(Department(name="发改局"))
    assert dept_names(engine) == ["发改局"]


def test_two_threads_writing_at_once_both_succeed_without_database_is_locked(engine):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(5):
                with write_session(engine) as s:
                    s.add(Department(name=f"{name}-{i}"))
                    s.flush()
                    time.sleep(0.02)  # hold the write lock a little while
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(dept_names(engine)) == 10


def test_two_engines_on_one_file_writing_at_once_both_succeed(engine, db_path):
    other = make_engine(db_path)
    errors: list[BaseException] = []

    def writer(eng, name):
        try:
            for i in range(5):
                with write_session(eng) as s:
                    s.add(Department(name=f"{name}-{i}"))
                    s.flush()
                    time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    try:
        threads = [threading.Thread(target=writer, args=a) for a in ((engine, "A"), (other, "B"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        other.dispose()
    assert errors == []
    assert len(dept_names(engine)) == 10


def test_a_read_session_sees_committed_writes(engine):
    with write_session(engine) as s:
        s.add(Department(name="工商联"))
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Department)) == 1


# -- integrity, backup, restore -------------------------------------------------------------
def test_a_fresh_database_has_no_integrity_problems(engine):
    assert integrity_problems(engine) == []


def test_an_in_memory_database_has_no_integrity_problems():
    eng = make_engine(":memory:")
    try:
        assert integrity_problems(eng) == []
    finally:
        eng.dispose()


def test_backup_of_a_live_database_passes_the_file_check_and_holds_the_data(engine, tmp_path):
    with write_session(engine) as s:
        s.add(Department(name="供电公司"))
    target = backup_sqlite(engine, tmp_path / "backup.db")
    assert target.exists() and mode(target) == 0o600
    assert check_file(target) == []
    copy = make_engine(target)
    try:
        assert dept_names(copy) == ["供电公司"]
    finally:
        copy.dispose()


def test_backup_refuses_a_missing_directory_and_an_in_memory_database(engine, tmp_path):
    with pytest.raises(BackupError):
        backup_sqlite(engine, tmp_path / "nope" / "backup.db")
    mem = make_engine(":memory:")
    try:
        with pytest.raises(BackupError):
            backup_sqlite(mem, tmp_path / "m.db")
    finally:
        mem.dispose()


def test_check_file_rejects_garbage_a_foreign_sqlite_file_and_a_missing_file(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    assert check_file(garbage) != []
    import sqlite3

    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert check_file(foreign) != []
    assert check_file(tmp_path / "missing.db") != []


def test_restore_refuses_to_overwrite_without_force_then_overwrites_with_force(engine, db_path, tmp_path):
    with write_session(engine) as s:
        s.add(Department(name="住建局"))
    backup = backup_sqlite(engine, tmp_path / "b.db")
    target = tmp_path / "restored.db"
    target.write_bytes(b"existing")
    with pytest.raises(BackupError) as exc:
        restore_sqlite(backup, target)
    assert "force" in str(exc.value)
    assert target.read_bytes() == b"existing"
    restore_sqlite(backup, target, force=True)
    assert check_file(target) == [] and mode(target) == 0o600
    eng = make_engine(target)
    try:
        assert dept_names(eng) == ["住建局"]
    finally:
        eng.dispose()


def test_restore_into_a_new_place_works_and_removes_stale_wal_files(engine, tmp_path):
    backup = backup_sqlite(engine, tmp_path / "b.db")
    target = tmp_path / "new" / "restored.db"
    target.parent.mkdir()
    (target.parent / "restored.db-wal").write_bytes(b"stale")
    restore_sqlite(backup, target)
    assert not (target.parent / "restored.db-wal").exists()
    assert check_file(target) == []


def test_restore_refuses_a_garbage_file_and_a_missing_file_without_touching_the_target(tmp_path, engine, db_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00garbage" * 512)
    before = db_path.read_bytes()
    with pytest.raises(BackupError):
        restore_sqlite(garbage, db_path, force=True)
    with pytest.raises(BackupError):
        restore_sqlite(tmp_path / "missing.db", db_path, force=True)
    assert db_path.read_bytes() == before
