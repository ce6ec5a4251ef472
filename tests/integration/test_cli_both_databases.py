"""The command line on SQLite and PostgreSQL alike: init, migrate, check, demo, export, report,
history, import — real subprocesses, real exit codes, one-line errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest


def run(*args: str, db: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SERVICETUI_DB": ""}
    return subprocess.run([sys.executable, "-m", "servicetui", *args, "--db", db], capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture
def demo_url(any_db_url):
    done = run("demo", "--no-open", db=any_db_url)
    assert done.returncode == 0, done.stderr
    return any_db_url


def test_init_migrate_and_check_are_clean_on_a_migrated_database(any_db_url):
    for cmd in (["init"], ["migrate"], ["check"]):
        done = run(*cmd, db=any_db_url)
        assert done.returncode == 0, (cmd, done.stderr)
        assert "Traceback" not in done.stderr


def test_demo_then_json_export_prints_the_seed_problems_with_the_seed_day_lights(demo_url):
    done = run("export", "problems", "--format", "json", db=demo_url)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    titles = " ".join(r["title"] for r in rows)
    assert "德胜片区土地遗留问题" in titles and "钢柱加工延迟" in titles
    assert {r["light"] for r in rows} >= {"红", "黄", "绿"}  # as of 2022-09-30, pinned by the demo


def test_reports_and_history_run_on_the_demo(demo_url, tmp_path):
    out = tmp_path / "台账.csv"
    assert run("export", "ledger", "-o", str(out), db=demo_url).returncode == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert any("思思食品" in cell for row in csv.reader(fh) for cell in row)
    bulletin = run("report", "monthly", "--month", "2022-09", db=demo_url)
    assert bulletin.returncode == 0, bulletin.stderr
    assert "全县实施招商引资项目12个" in bulletin.stdout
    history = run("history", "--project", "XM2022-002", db=demo_url)
    assert history.returncode == 0 and "demo" in history.stdout


def test_import_with_a_bad_row_writes_nothing_and_exits_2(demo_url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("项目名称,问题,责任单位,办结时限\n思思食品年产2万吨航空系列食品加工项目,新的问题,供电公司,2022-02-30\n",
                    encoding="utf-8-sig")
    before = json.loads(run("export", "problems", "--format", "json", db=demo_url).stdout)
    done = run("import", str(path), db=demo_url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "2022-02-30" in done.stderr
    after = json.loads(run("export", "problems", "--format", "json", db=demo_url).stdout)
    assert len(after) == len(before)


def test_unknown_project_history_is_one_line_exit_2(demo_url):
    done = run("history", "--project", "XM1999-999", db=demo_url)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
