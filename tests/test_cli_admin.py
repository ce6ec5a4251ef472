"""Administration commands: init, migrate, demo, check, backup, restore, history.

Every error is one line on stderr with exit code 2 and never a traceback; `check` exits 1 when it
finds a problem. Most tests go through click's CliRunner; a few run `python -m servicetui` for real.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from servicetui.cli import admin
from servicetui.cli.main import cli
from servicetui.services.demo import DEMO_TODAY, DEMO_USER


@pytest.fixture(autouse=True)
def _no_db_env(monkeypatch):
    monkeypatch.delenv("SERVICETUI_DB", raising=False)


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    err = result.stderr.strip()
    assert err and "\n" not in err, err
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return err


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_built(tmp_path_factory):
    """A demo database built once through `servicetui demo --no-open` (and what it printed)."""
    path = tmp_path_factory.mktemp("demo-master") / "demo.db"
    result = run("demo", "--db", path, "--no-open")
    assert result.exit_code == 0, result.output
    return path, result


@pytest.fixture
def demo_master(demo_built) -> Path:
    return demo_built[0]


@pytest.fixture
def quick_demo(monkeypatch):
    """Replace the (slow) full build by a tiny one for tests about the command's flow, not content."""
    from servicetui.services import demo as demo_module
    from servicetui.services import entities
    from servicetui.services.context import Ctx

    def build(engine, *, today=DEMO_TODAY):
        if not demo_module.is_empty(engine):
            raise AssertionError("the command must refuse a non-empty database before building")
        entities.create_park(Ctx(engine, actor=demo_module.DEMO_ACTOR, today=today), name="示范工业园区")
        return {"projects": 0, "problems": 0, "tasks": 0, "funds_reports": 0, "activities": 0}

    monkeypatch.setattr(demo_module, "build_demo", build)


@pytest.fixture
def demo_db(demo_master, tmp_path) -> Path:
    path = tmp_path / "demo.db"
    conn = sqlite3.connect(demo_master)
    dst = sqlite3.connect(path)
    try:
        conn.backup(dst)
    finally:
        dst.close()
        conn.close()
    return path


# -- start ----------------------------------------------------------------------------------------


def test_the_command_starts_with_the_collector_held_and_a_sub_command_turns_it_back_on(tmp_path, monkeypatch):
    import gc

    import servicetui.cli
    import servicetui.cli.main

    seen = []
    monkeypatch.setattr(servicetui.cli.main, "main", lambda: seen.append(gc.isenabled()))
    try:
        servicetui.cli.start()  # the console script (and python -m servicetui)
        assert seen == [False]  # the start-up imports and the command line run without it
        assert run("--db", tmp_path / "county.db", "init").exit_code == 0
        assert gc.isenabled()  # a sub-command turns it back on (the app: once its home list is up)
    finally:
        gc.enable()


# -- init / migrate / check -------------------------------------------------------------------------


def test_init_creates_a_migrated_database_and_says_where(tmp_path):
    db = tmp_path / "sub" / "county.db"
    result = run("--db", db, "init")
    assert result.exit_code == 0, result.output
    assert str(db) in result.stdout
    assert "alembic_version" in tables(db) and "project" in tables(db)
    again = run("--db", db, "init")
    assert again.exit_code == 0 and str(db) in again.stdout
    assert run("--db", db, "check").stdout.strip() == "ok"


def test_migrate_reports_before_and_after_and_the_backup(tmp_path):
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    db = tmp_path / "old.db"
    engine = make_engine(db)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    engine.dispose()
    head = migrate.head_revision()

    check = run("--db", db, "check")
    assert check.exit_code == 1 and "init" in check.stdout

    result = run("--db", db, "migrate")
    assert result.exit_code == 0, result.output
    assert f"→ {head}" in result.stdout
    backups = list(tmp_path.glob("old.db.pre-migrate-*.bak"))
    assert len(backups) == 1 and str(backups[0]) in result.stdout

    again = run("--db", db, "migrate")
    assert again.exit_code == 0 and head in again.stdout and "→" not in again.stdout
    assert run("--db", db, "check").stdout.strip() == "ok"


def test_migrate_refuses_a_missing_file(tmp_path):
    err = assert_one_line_error(run("--db", tmp_path / "nope.db", "migrate"))
    assert "nope.db" in err
    assert not (tmp_path / "nope.db").exists()


def test_check_finds_an_old_schema(tmp_path):
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    db = tmp_path / "c.db"
    engine = make_engine(db)
    migrate.upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute("update alembic_version set version_num = 'ffffffff'")
    conn.commit()
    conn.close()
    result = run("--db", db, "check")
    assert result.exit_code == 1
    assert "ffffffff" in result.stdout


def test_check_on_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("hello, not sqlite " * 100)
    result = run("--db", bad, "check")
    assert result.exit_code == 1
    assert result.stdout.strip() and "Traceback" not in result.output


def test_check_on_a_missing_file_is_an_error_and_creates_nothing(tmp_path):
    assert_one_line_error(run("--db", tmp_path / "missing.db", "check"))
    assert not (tmp_path / "missing.db").exists()


# -- demo -------------------------------------------------------------------------------------------


def test_demo_no_open_then_check_ok(demo_master):
    assert run("--db", demo_master, "check").stdout.strip() == "ok"
    assert count(demo_master, "project") == 12


def test_demo_summary_is_one_line(demo_built):
    path, result = demo_built
    assert str(path) in result.stdout
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and "12" in lines[0]


def test_demo_refuses_a_non_empty_database(demo_db):
    before = count(demo_db, "auditentry")
    err = assert_one_line_error(run("demo", "--db", demo_db, "--no-open"))
    assert "--reset" in err
    assert count(demo_db, "auditentry") == before


def test_demo_own_db_overrides_the_global_one(tmp_path, quick_demo):
    result = run("--db", tmp_path / "global.db", "demo", "--db", tmp_path / "own.db", "--no-open")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "own.db").exists() and not (tmp_path / "global.db").exists()


def test_demo_reset_rebuilds_a_demo_without_keeping_a_copy(demo_db, quick_demo):
    assert count(demo_db, "project") == 12
    result = run("demo", "--db", demo_db, "--reset", "--no-open")
    assert result.exit_code == 0, result.output
    assert count(demo_db, "project") == 0 and count(demo_db, "park") == 1  # rebuilt from nothing
    assert not list(demo_db.parent.glob("*.pre-reset-*.bak"))


def test_demo_reset_keeps_a_copy_of_real_work(tmp_path, quick_demo):
    db = tmp_path / "real.db"
    assert run("--db", db, "init").exit_code == 0
    from servicetui.services import entities
    from servicetui.services.context import Ctx
    from servicetui.store.db import make_engine

    engine = make_engine(db)
    entities.create_department(Ctx(engine, actor="wang"), name="教育局")
    engine.dispose()
    result = run("demo", "--db", db, "--reset", "--no-open")
    assert result.exit_code == 0, result.output
    saved = list(tmp_path.glob("real.db.pre-reset-*.bak"))
    assert len(saved) == 1 and str(saved[0]) in result.stdout
    assert count(saved[0], "department") == 1
    assert count(db, "department") == 0 and count(db, "park") == 1


def test_demo_reset_refuses_postgres():
    err = assert_one_line_error(run("demo", "--db", "postgresql://u:p@127.0.0.1:1/none", "--reset", "--no-open"))
    assert "SQLite" in err


def test_demo_opens_the_app_as_the_demo_officer_on_the_demo_day(tmp_path, monkeypatch, quick_demo):
    seen = {}

    def fake_open(state, engine=None):
        seen.update(user=state.user, today=state.today, db=state.db, engine=engine)

    monkeypatch.setattr(admin, "open_app", fake_open)
    db = tmp_path / "o.db"
    result = run("demo", "--db", db)
    assert result.exit_code == 0, result.output
    assert seen["user"] == DEMO_USER and seen["today"] == DEMO_TODAY
    assert seen["engine"] is not None and str(db) == str(seen["db"])

    seen.clear()
    result = run("--user", "chenjing", "--today", "2022-10-08", "demo", "--db", tmp_path / "o2.db")
    assert result.exit_code == 0, result.output
    assert seen["user"] == "chenjing" and seen["today"] == date(2022, 10, 8)


# -- backup / restore -------------------------------------------------------------------------------


def test_backup_and_restore_round_trip(demo_db, tmp_path):
    out = tmp_path / "b" / "copy.db"
    out.parent.mkdir()
    result = run("--db", demo_db, "backup", "-o", out)
    assert result.exit_code == 0, result.output
    assert count(out, "project") == 12
    assert str(out) in result.stdout

    # no silent overwrite of an existing backup
    assert "--force" in assert_one_line_error(run("--db", demo_db, "backup", "-o", out))
    assert run("--db", demo_db, "backup", "-o", out, "--force").exit_code == 0

    target = tmp_path / "restored.db"
    result = run("--db", target, "restore", out)
    assert result.exit_code == 0, result.output
    assert count(target, "project") == 12
    assert run("--db", target, "check").stdout.strip() == "ok"


def test_restore_refuses_to_overwrite_without_force(demo_db, tmp_path):
    out = tmp_path / "copy.db"
    assert run("--db", demo_db, "backup", "-o", out).exit_code == 0
    other = tmp_path / "other.db"
    assert run("--db", other, "init").exit_code == 0
    assert count(other, "project") == 0

    err = assert_one_line_error(run("--db", other, "restore", out))
    assert "--force" in err
    assert count(other, "project") == 0

    result = run("--db", other, "restore", out, "--force")
    assert result.exit_code == 0, result.output
    assert count(other, "project") == 12
    saved = list(tmp_path.glob("other.db.pre-restore-*.bak"))
    assert len(saved) == 1 and count(saved[0], "project") == 0


def test_backup_into_a_missing_directory(demo_db, tmp_path):
    err = assert_one_line_error(run("--db", demo_db, "backup", "-o", tmp_path / "nowhere" / "b.db"))
    assert "nowhere" in err
    assert not (tmp_path / "nowhere").exists()


def test_backup_onto_the_database_itself_is_refused(demo_db):
    assert_one_line_error(run("--db", demo_db, "backup", "-o", demo_db, "--force"))
    assert count(demo_db, "project") == 12


def test_backup_of_a_non_sqlite_database():
    err = assert_one_line_error(run("--db", "postgresql://u:p@127.0.0.1:1/none", "backup", "-o", "x.db"))
    assert "SQLite" in err


def test_backup_of_a_missing_database(tmp_path):
    assert_one_line_error(run("--db", tmp_path / "none.db", "backup", "-o", tmp_path / "b.db"))
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "b.db").exists()


def test_restore_of_a_file_that_is_not_a_database(demo_db, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("definitely not a database\n" * 50)
    assert_one_line_error(run("--db", demo_db, "restore", junk, "--force"))
    assert count(demo_db, "project") == 12


def test_restore_of_a_missing_file(tmp_path):
    assert_one_line_error(run("--db", tmp_path / "x.db", "restore", tmp_path / "missing.db"))


# -- history ----------------------------------------------------------------------------------------


def test_history_by_code_and_by_id(demo_db):
    by_code = run("--db", demo_db, "history", "--project", "XM2022-002")
    assert by_code.exit_code == 0, by_code.output
    lines = by_code.stdout.splitlines()
    assert lines[0].startswith("XM2022-002 思思食品")
    body = lines[1:]
    assert any("状态: 已交办 → 办理中" in line for line in body)
    assert any("受阻原因" in line and "等待钢柱加工" in line for line in body)
    by_id = run("--db", demo_db, "history", "--project", "2")
    assert by_id.stdout == by_code.stdout
    lower = run("--db", demo_db, "history", "--project", "xm2022-002")
    assert lower.stdout == by_code.stdout


def test_history_lines_are_aligned_and_limited(demo_db):
    result = run("--db", demo_db, "history", "--project", "XM2022-002", "--limit", "15")
    assert result.exit_code == 0, result.output
    body = result.stdout.splitlines()[1:]
    assert len(body) == 15
    # time, actor, action, entity #id: the detail column starts at the same screen column on every line
    starts = set()
    for line in body:
        parts = line.split("  ")
        assert parts[0][:4].isdigit()
        detail = re.search(r"#\d+ +", line)
        starts.add(cell_len(line[: detail.end()]))
    assert len(starts) == 1


def test_history_in_english(demo_db):
    result = run("--lang", "en", "--db", demo_db, "history", "--project", "XM2022-002", "--limit", "40")
    assert result.exit_code == 0
    assert "update" in result.stdout and "problem #" in result.stdout


def test_history_of_an_unknown_project(demo_db):
    err = assert_one_line_error(run("--db", demo_db, "history", "--project", "XM2099-404"))
    assert "XM2099-404" in err


def test_history_needs_an_initialised_database(tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert "init" in assert_one_line_error(run("--db", empty, "history", "--project", "1"))
    assert_one_line_error(run("--db", tmp_path / "missing.db", "history", "--project", "1"))
    assert not (tmp_path / "missing.db").exists()


def test_history_on_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("not a database " * 100)
    assert_one_line_error(run("--db", bad, "history", "--project", "1"))


@pytest.mark.parametrize(
    "args",
    [
        ("history",),  # --project is required
        ("history", "--project", "1", "--limit", "zero"),
        ("backup",),  # -o is required
        ("restore",),  # FILE is required
        ("demo", "--no-such-option"),
        ("no-such-command",),
    ],
)
def test_bad_arguments_exit_2(tmp_path, args):
    result = run("--db", tmp_path / "x.db", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# -- the real thing: python -m servicetui -----------------------------------------------------------


def servicetui(*args, cwd: Path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SERVICETUI_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "servicetui", *[str(a) for a in args]],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120,
    )


def assert_process_error(proc, code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert err.startswith("servicetui: ") and "\n" not in err, err
    assert "Traceback" not in proc.stdout + proc.stderr
    return err


def test_process_errors_are_one_line_exit_2(demo_db, tmp_path):
    assert_process_error(servicetui("--db", demo_db, "backup", "-o", tmp_path / "nodir" / "b.db", cwd=tmp_path))
    junk = tmp_path / "junk.txt"
    junk.write_text("not a database")
    assert_process_error(servicetui("--db", tmp_path / "r.db", "restore", junk, cwd=tmp_path))
    assert_process_error(servicetui("--db", demo_db, "history", "--project", "NOPE", cwd=tmp_path))
    assert_process_error(servicetui("--db", demo_db, "history", "--limit", "3", cwd=tmp_path))  # missing --project


def test_process_check_exit_codes(demo_db, tmp_path):
    ok = servicetui("--db", demo_db, "check", cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.strip() == "ok"
    bad = tmp_path / "bad.db"
    bad.write_text("garbage " * 200)
    proc = servicetui("--db", bad, "check", cwd=tmp_path)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr


def test_errors_speak_english_with_lang_en_before_or_after_the_command(tmp_path):
    import subprocess
    import sys

    for args in (["--lang", "en", "export", "problems"], ["export", "problems", "--lang", "en"]):
        done = subprocess.run([sys.executable, "-m", "servicetui", *args, "--db", str(tmp_path / "none.db")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert done.stderr.strip() == f"servicetui: database file not found: {tmp_path / 'none.db'}"


def test_a_command_that_does_not_migrate_never_loads_alembic(demo_db, tmp_path):
    """Alembic is about 0.4 s of imports; only init, migrate and the revision checks need it. The
    error mapping of every command used to import it first (history, export, import: 0.85 → 0.65 s)."""
    script = (
        "import sys\n"
        "from servicetui.cli import start\n"
        "try:\n"
        "    start()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('ALEMBIC' if any(m.split('.')[0] == 'alembic' for m in sys.modules) else 'NO-ALEMBIC',"
        " file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SERVICETUI_DB", None)
    for args in (["history", "--project", "XM2022-002"], ["export", "problems", "-o", str(tmp_path / "p.csv")],
                 ["history", "--project", "NOPE"]):
        proc = subprocess.run([sys.executable, "-c", script, "--db", str(demo_db), *args], capture_output=True,
                              text=True, encoding="utf-8", cwd=tmp_path, env=env, timeout=120)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.strip().splitlines()[-1] == "NO-ALEMBIC", (args, proc.stderr)
    assert (tmp_path / "p.csv").stat().st_size > 0


def test_an_alembic_error_in_a_command_is_one_line():
    from alembic.util.exc import CommandError

    from servicetui.cli.main import UserError, service_errors

    @service_errors
    def newer():
        raise CommandError("Can't locate revision identified by 'ffffffff'")

    @service_errors
    def other():
        raise CommandError("Multiple heads are present")

    with pytest.raises(UserError) as newer_error:
        newer()
    assert "升级 servicetui" in newer_error.value.zh and "newer servicetui" in newer_error.value.en
    with pytest.raises(UserError) as other_error:
        other()
    assert other_error.value.zh.startswith("迁移失败") and "Multiple heads" in other_error.value.en
