"""Hostile arguments on the command line: one clear line on stderr, a non-zero exit, no traceback,
and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(*args: str, db: str | None = None) -> subprocess.CompletedProcess:
    extra = ["--db", db] if db else []
    return subprocess.run([sys.executable, "-m", "servicetui", *extra, *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "SERVICETUI_DB": ""})


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-cli") / "demo.db"
    done = run("demo", "--no-open", db=str(path))
    assert done.returncode == 0, done.stderr
    return str(path)


def _problems(db: str) -> tuple[int, int]:
    """(problems, audit entries): read straight from the file, no process needed."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM problem").fetchone()[0],
                conn.execute("SELECT count(*) FROM auditentry").fetchone()[0])
    finally:
        conn.close()


CASES = [
    ("bad --today", ["--today", "2022-02-30", "export", "problems"]),
    ("garbage --today", ["--today", "\x1b[2J", "export", "problems"]),
    ("unknown light", ["export", "problems", "--light", "紫"]),
    ("sql in department", ["export", "problems", "--department", "'; DROP TABLE problem; --"]),
    ("unknown status", ["export", "problems", "--status", "搞定了"]),
    ("unknown project", ["export", "problems", "--project", "99999"]),
    ("formula as project", ["history", "--project", "=HYPERLINK(\"x\")"]),
    ("month 13", ["report", "monthly", "--month", "2022-13"]),
    ("month words", ["report", "monthly", "--month", "上个月吧"]),
    ("quarter 5", ["report", "quarterly", "--quarter", "2022Q5", "-o", "/tmp/q.xlsx"]),
    ("bad as-of", ["report", "monthly", "--month", "2022-09", "--as-of", "2022-02-30"]),
    ("missing import file", ["import", "/nonexistent/台账.xlsx"]),
    ("import a directory", ["import", "/tmp"]),
    ("export into a missing directory", ["export", "problems", "-o", "/nonexistent/dir/清单.xlsx"]),
    ("backup into a missing directory", ["backup", "-o", "/nonexistent/dir/b.db"]),
    ("restore a text file", ["restore", "/etc/hostname", "--force"]),
    ("unknown session", ["export", "decisions", "--session", "424242", "--format", "md"]),
    ("template of nothing", ["template", "everything", "-o", "/tmp/t.xlsx"]),
    ("unknown option", ["export", "problems", "--colour", "red"]),
    ("unknown command", ["destroy"]),
]


@pytest.mark.parametrize("args", [a for _, a in CASES], ids=[n for n, _ in CASES])
def test_hostile_arguments_get_one_line_and_a_non_zero_exit(demo_db, args):
    before = _problems(demo_db)
    done = run(*args, db=demo_db)
    assert done.returncode in (1, 2), done.stdout
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in done.stderr
    assert len(lines) >= 1 and lines[-1].startswith(("servicetui:", "Usage", "Try", "Error")), done.stderr
    assert _problems(demo_db) == before


@pytest.mark.parametrize("db", ["/dev/null", "/nonexistent/dir/x.db", "postgresql://nobody@127.0.0.1:1/none",
                                "notadb://x"], ids=["dev-null", "missing-dir", "refused-server", "bad-url"])
def test_unusable_databases_get_one_line_and_exit_2(db, tmp_path):
    done = run("export", "problems", db=db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
