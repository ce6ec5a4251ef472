"""A large csv problem list is written by two processes: the main one writes the first rows, a helper
process (`reports.csv_part`) the last ones, split at a due date (`export_rows._split_at`). The file must
be byte for byte the one a single process writes, whatever happens to the helper.

The split is forced here on a small county (SPLIT_MIN_ROWS lowered); the awkward texts come from the
fast-path tests' fixture."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import insert, select
from test_problem_list_fast_paths import TODAY, _opts, _reference_csv, awkward  # noqa: F401  (a fixture)

from servicetui.reports import csv_part
from servicetui.reports import problem_list as pl
from servicetui.services.queries import ProblemFilter
from servicetui.services.queries import export_rows as xr
from servicetui.services.queries.export_packed import urgency_key
from servicetui.services.queries.problems import _problem_where
from servicetui.store.models import Problem

pytestmark = pytest.mark.sqlite_only  # another process opens the SQLite file


@pytest.fixture
def split(monkeypatch):
    """Every export split (SPLIT_MIN_ROWS = 1); `split.helpers` are the CsvParts used, `split.copied`
    how many of them appended their rows."""

    class Spy:
        helpers: list = []
        copied = 0

    monkeypatch.setattr(xr, "SPLIT_MIN_ROWS", 1)
    init, copy_to = csv_part.CsvPart.__init__, csv_part.CsvPart.copy_to

    def spy_init(self, *args, **kw):
        init(self, *args, **kw)
        Spy.helpers.append(self)

    def spy_copy(self, fh):
        Spy.copied += 1
        return copy_to(self, fh)

    monkeypatch.setattr(csv_part.CsvPart, "__init__", spy_init)
    monkeypatch.setattr(csv_part.CsvPart, "copy_to", spy_copy)
    Spy.helpers = []
    return Spy


def _export(engine, tmp_path, **filters) -> bytes:
    path = tmp_path / "list.csv"
    pl.write_problem_list(engine, _opts(**filters), path, "csv")
    return path.read_bytes()


@pytest.mark.parametrize("filters", [{}, {"lights": ["红", "黄"]}, {"open_only": True}, {"text": "问题"},
                                     {"text": '"'}])
def test_a_split_export_is_byte_for_byte_the_single_process_one(awkward, tmp_path, split, filters):  # noqa: F811
    got = _export(awkward.engine, tmp_path, **filters)
    assert split.copied == 1, split.helpers[0].failure  # the helper wrote its rows
    assert got == _reference_csv(awkward.engine, _opts(**filters))
    assert not list(tmp_path.glob(".servicetui-part-*"))  # its file is gone
    assert split.helpers[0].proc is None  # and it has exited


def test_a_split_export_removes_the_files_a_killed_helper_left(awkward, tmp_path, split):  # noqa: F811
    import os
    import time

    from servicetui.reports.common import STALE_PART_S

    killed, running = tmp_path / ".servicetui-part-k1ll3d_x", tmp_path / ".servicetui-part-running1"
    for d in (killed, running):
        d.mkdir()
        (d / "rows.csv").write_bytes(b"1,half")
    long_ago = time.time() - STALE_PART_S - 60
    os.utime(killed, (long_ago, long_ago))
    _export(awkward.engine, tmp_path)
    assert split.copied == 1
    assert not killed.exists() and running.exists()  # (a recent one may be another export's, running)


@pytest.mark.parametrize("waiting", [0, 1])
def test_a_helper_that_reads_no_rows_ahead_writes_the_same(awkward, tmp_path, split, monkeypatch, waiting):  # noqa: F811
    """The helper reads rows ahead while the names are not there yet, up to WAITING_ROWS (its memory)."""
    monkeypatch.setattr(csv_part, "WAITING_ROWS", waiting)
    got = _export(awkward.engine, tmp_path)
    assert split.copied == 1, split.helpers[0].failure
    assert got == _reference_csv(awkward.engine, _opts())


def test_a_filter_text_with_a_quote_reaches_the_helper_s_query_intact(awkward, tmp_path, split):  # noqa: F811
    """The helper's query has the filter's values written into its text: a quote must stay a quote."""
    with awkward.engine.begin() as conn:
        for i, status in enumerate(["办理中", "已办结", "已销号", "已交办"]):
            conn.execute(insert(Problem).values(project_id=awkward.p1, title=f"O'Brien's {i}'", status=status,
                                                due=date(2022, 9, 20 + i)))
    got = _export(awkward.engine, tmp_path, text="O'Brien")
    assert split.copied == 1, split.helpers[0].failure
    assert got == _reference_csv(awkward.engine, _opts(text="O'Brien"))
    assert got.count(b"O'Brien") == 4


def test_the_helper_s_rows_continue_the_numbering_and_the_tally(awkward, tmp_path, split):  # noqa: F811
    lines = _export(awkward.engine, tmp_path).decode("utf-8-sig").split("\r\n")
    numbers = [int(line.split(",", 1)[0]) for line in lines[3:] if line[:1].isdigit()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert f"共 {len(numbers)} 项" in lines[-2]


@pytest.mark.parametrize("command", [["/nonexistent/python"], [sys.executable, "-c", "import sys; sys.exit(3)"],
                                     [sys.executable, "-c", "import sys; sys.stdout.write('OK 1 0 0 0\\n')"]])
def test_when_the_helper_fails_the_main_process_writes_its_rows(awkward, tmp_path, split, monkeypatch,  # noqa: F811
                                                                command):
    monkeypatch.setattr(csv_part, "COMMAND", command)
    got = _export(awkward.engine, tmp_path)
    assert split.copied == 0 and split.helpers[0].failure
    assert got == _reference_csv(awkward.engine, _opts())
    assert not list(tmp_path.glob(".servicetui-part-*"))


def test_a_helper_that_reads_another_state_of_the_database_is_not_used(awkward, tmp_path, split,  # noqa: F811
                                                                       monkeypatch):
    open_ = csv_part.CsvPart.open
    # as if a write had landed between the main process's snapshot and the helper's
    monkeypatch.setattr(csv_part.CsvPart, "open", lambda self, snapshot: open_(self, dataclasses.replace(
        snapshot, mark=(snapshot.mark or 0) - 1)))
    got = _export(awkward.engine, tmp_path)
    assert split.copied == 0 and "newer state" in split.helpers[0].failure
    assert got == _reference_csv(awkward.engine, _opts())


def test_progress_counts_the_helper_s_rows_to_the_end(awkward, tmp_path, split):  # noqa: F811
    seen = []
    pl.write_problem_list(awkward.engine, _opts(), tmp_path / "l.csv", "csv", progress=lambda n, t: seen.append((n, t)))
    assert split.copied == 1
    total = seen[-1][1]
    assert seen[-1] == (total, total) and total > 0
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)


def test_a_small_export_starts_no_helper(awkward, tmp_path, monkeypatch):  # noqa: F811
    assert not xr.may_split(awkward.engine)
    started = []
    monkeypatch.setattr(csv_part.CsvPart, "_start", lambda self: started.append(self))
    got = _export(awkward.engine, tmp_path)
    assert started == []  # no process at all, not one started and stopped
    assert got == _reference_csv(awkward.engine, _opts())


@pytest.mark.parametrize("share", [0.05, 0.3, 0.5, 0.7, 0.95])
def test_the_split_falls_between_the_rows_it_counts(awkward, monkeypatch, share):  # noqa: F811
    """`_split_at` counts off the (status, due) index; the rows whose urgency key is below its bound are
    exactly the ones it says come first, and both sides have rows."""
    monkeypatch.setattr(xr, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(xr, "SPLIT_SHARE", share)
    where = _problem_where(ProblemFilter(), TODAY, 3)
    with awkward.engine.connect() as conn:
        bound, first, total = xr._split_at(conn, where)
        keys = conn.execute(select(urgency_key()).where(*where)).scalars().all()
    assert total == len(keys) and 0 < first < total
    assert sum(k < bound for k in keys) == first


def test_the_helper_loads_only_the_export_s_light_modules():
    """What the helper process imports (it boots while the main process finds where to split): no
    SQLAlchemy, no site-packages, none of the reports' shared module (its dataclasses, decimal, files)."""
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import servicetui.reports.csv_helper, sqlite3; "
             "print(sorted(m for m in sys.modules if m.startswith('servicetui.') or m.split('.')[0] in "
             "('sqlalchemy', 'sqlmodel', 'pydantic', 'dataclasses', 'decimal', 'subprocess')))")
    out = subprocess.run([sys.executable, "-S", "-c", probe, csv_part._ROOT], capture_output=True, text=True,
                         check=True).stdout
    assert out.split("[", 1)[1].rstrip().rstrip("]").replace("'", "").split(", ") == [
        "servicetui.domain", "servicetui.domain.enums", "servicetui.reports", "servicetui.reports.csv_helper",
        "servicetui.reports.formula", "servicetui.reports.problem_csv", "servicetui.services",
        "servicetui.services.export_cells"]
    assert csv_part.COMMAND[-2].endswith("from servicetui.reports.csv_helper import main; sys.exit(main())")


def test_a_database_another_process_cannot_open_is_not_split(tmp_path):
    from servicetui.store.db import make_engine

    assert xr._database_file(make_engine(":memory:")) is None
    assert xr._database_file(make_engine(tmp_path / "x.db")) == str(tmp_path / "x.db")


def test_the_split_needs_two_due_dates_or_statuses_to_split_between(awkward, monkeypatch):  # noqa: F811
    """Rows of one status and one due date share their key's head: there is nowhere to split them."""
    monkeypatch.setattr(xr, "SPLIT_MIN_ROWS", 1)
    with awkward.engine.begin() as conn:
        for _ in range(3):
            conn.execute(insert(Problem).values(project_id=awkward.p1, title="唯一的问题", status="办理中",
                                                due=date(2022, 10, 1)))
    where = _problem_where(ProblemFilter(text="唯一的问题"), TODAY, 3)
    with awkward.engine.connect() as conn:
        assert xr._split_at(conn, where) is None
        assert xr._split_at(conn, _problem_where(ProblemFilter(), TODAY, 3)) is not None


def test_the_split_s_plain_conditions_are_the_key_s_order(awkward):  # noqa: F811
    """`urgency_split(bound)` selects on the plain columns exactly the rows whose urgency key is below the
    bound, and the rest: at every status group and due date of the county, the day after each, and a
    group's start."""
    from servicetui.services.queries.export_packed import urgency_split

    with awkward.engine.connect() as conn:
        keys = dict(conn.execute(select(Problem.id, urgency_key())).all())
        heads = {k >> 33 for k in keys.values()}
        bounds = {h << 33 for h in heads} | {(h + 1) << 33 for h in heads if not (h >> 27) % 2}
        bounds |= {g << 60 for g in range(2, 8)}
        for bound in sorted(bounds):
            before, after = urgency_split(bound)
            got_before = set(conn.execute(select(Problem.id).where(before)).scalars())
            got_after = set(conn.execute(select(Problem.id).where(after)).scalars())
            assert got_before == {i for i, k in keys.items() if k < bound}, bound
            assert got_after == {i for i, k in keys.items() if k >= bound}, bound
    with pytest.raises(ValueError):
        urgency_split((3 << 60) | (20221001 << 33))  # a date in a group without due dates
