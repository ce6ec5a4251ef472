"""Smoke tests of the benchmark harness (benchmarks/) and of the cold-start import budget.

No test here asserts a time: timings live in `make bench` (benchmarks/run.py).
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
HEAVY = ("xlsxwriter", "openpyxl", "docx")


def _heavy_after_import(module: str) -> list[str]:
    """Import `module` in a fresh interpreter; the heavy report libraries it dragged in."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["servicetui.cli.main", "servicetui.tui.app"])
def test_cold_start_does_not_import_report_libraries(module):
    """Starting the app must not pay for xlsxwriter / openpyxl / python-docx: they load on first export."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    assert _heavy_after_import(module) == []


def _load_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generate_tiny_scale(tmp_path):
    out = tmp_path / "tiny.db"
    proc = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale", "tiny", "-o", str(out), "-q"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    reported = json.loads(proc.stdout.strip().splitlines()[-1])
    gen = _load_generate()
    expected = gen.expected_counts("tiny")

    con = sqlite3.connect(out)
    try:
        def count(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        for table, n in expected.items():
            assert count(f'SELECT count(*) FROM "{table}"') == n, table
            assert reported[table] == n, table
        for table in ("park", "reviewsession", "problemevent", "fundsreport", "auditentry"):
            assert count(f'SELECT count(*) FROM "{table}"') == reported[table] > 0, table
        # every unit holds the standard milestones once; milestones point at their unit's project
        assert count("SELECT count(*) FROM milestone m JOIN unit u ON u.id = m.unit_id "
                     "WHERE u.project_id != m.project_id") == 0
        # a real database has a 'create' audit entry for every project
        assert count("SELECT count(*) FROM project p WHERE NOT EXISTS (SELECT 1 FROM auditentry a "
                     "WHERE a.entity = 'project' AND a.entity_id = p.id AND a.action = 'create')") == 0
        # the schema is the migrated one, and the database was analysed
        assert count("SELECT count(*) FROM alembic_version") == 1
        assert count("SELECT count(*) FROM sqlite_stat1") > 0
        assert gen.marker(out) == f"{gen.GENERATOR_VERSION}:tiny:20220930"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()

    # the rows read back through the app's own queries, with proper types
    from servicetui.services import queries
    from servicetui.store.db import make_engine

    engine = make_engine(out)
    try:
        today = date(2022, 9, 30)
        rows = queries.problem_rows(engine, today=today, limit=None)
        assert len(rows) == expected["problem"]
        assert all(isinstance(r.raised_on, date) for r in rows)
        statuses = {r.status for r in rows}
        assert "已销号" in statuses and statuses & {"已交办", "办理中"}
        assert queries.project_detail(engine, 1, today=today) is not None
        assert len(queries.project_rows(engine, today=today, limit=None)) == expected["project"]
    finally:
        engine.dispose()


def test_generate_refuses_to_overwrite(tmp_path):
    out = tmp_path / "x.db"
    out.write_bytes(b"")
    proc = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale", "tiny", "-o", str(out), "-q"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode != 0
    assert "exists" in proc.stderr


@pytest.mark.skipif(not __import__("os").environ.get("SERVICETUI_TEST_PG_URL"),
                    reason="needs a PostgreSQL server (SERVICETUI_TEST_PG_URL; .ci/run starts one)")
def test_to_postgres_copies_a_generated_database_that_the_app_reads_the_same(tmp_path):
    import os

    from sqlalchemy import text

    from servicetui.services import queries
    from servicetui.store.db import make_engine

    out = tmp_path / "tiny.db"
    proc = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale", "tiny", "-o", str(out), "-q"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    admin_url = os.environ["SERVICETUI_TEST_PG_URL"]
    name = f"servicetui_bench_copy_{os.getpid()}"
    admin = make_engine(admin_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        for _ in range(2):  # a second copy into the same database replaces the first
            done = subprocess.run([sys.executable, str(BENCH / "to_postgres.py"), str(out), url, "-q"],
                                  capture_output=True, text=True, check=False, timeout=300)
            assert done.returncode == 0, done.stderr
        con = sqlite3.connect(out)
        lite, pg = make_engine(out), make_engine(url)
        try:
            with pg.connect() as conn:
                for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                                            "('sqlite_stat1', 'alembic_version')"):
                    n = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                    assert conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == n, table
            today = date(2022, 9, 30)
            assert queries.problem_rows(pg, today=today, limit=50) == queries.problem_rows(lite, today=today, limit=50)
            assert queries.project_rows(pg, today=today, limit=50) == queries.project_rows(lite, today=today, limit=50)
            with pg.begin() as conn:  # the sequences are past the copied ids: a new row gets a new id
                top = conn.execute(text("SELECT max(id) FROM problem")).scalar()
                new = conn.execute(text("SELECT nextval(pg_get_serial_sequence('problem', 'id'))")).scalar()
                assert new == top + 1
        finally:
            con.close()
            lite.dispose()
            pg.dispose()
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
