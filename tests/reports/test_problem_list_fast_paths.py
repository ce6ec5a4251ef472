"""The fast problem-list export (queries.export_rows, csv/xlsx batch writers) against the plain way of
writing the same list: row by row from `iter_problem_rows`, csv.writer after `neutralise`, xlsxwriter
cell by cell. Same bytes, on data with every awkward value we could think of."""

from __future__ import annotations

import codecs
import csv
import io
import sys
import zipfile
from datetime import date

import pytest
from sqlalchemy import insert

from servicetui.reports import problem_list as pl
from servicetui.reports import xlsx_sheet
from servicetui.reports.common import neutralise
from servicetui.services.queries import ProblemFilter, iter_problem_rows
from servicetui.services import export_cells as xc
from servicetui.services.queries import export_rows as xr
from servicetui.store.models import Department, Person, Problem, ProblemEvent, Project

TODAY = date(2022, 9, 30)
LONG = "长" * 33_000  # over xlsxwriter's 32 767 UTF-16 units: truncated the same way on both paths
AWKWARD = [
    "=1+2", "@x", "-3", "+86", "\t制表", "\r回车", " 前导空格", "尾随空格 ", "\u3000全角空格", "尾\u3000", "逗号,在中间",
    'say "hi"', "两行\n文字", "<b>&amp;</b> ' \"", "ctl\x01\x1f\x0b", "emoji 😀 中文", "_x0041_", "<r>rich</r>",
    "a\ufffeb", "", "普通问题", "普通问题", "\\反斜杠", "-", "=",
]


@pytest.fixture
def awkward(county):
    """county + a department, a person and a project with awkward names, and one problem per awkward
    text (as title, co-departments and latest note), spread over statuses, lights, escalations and
    dates, some without department, owner or due date."""
    eng = county.engine
    statuses = ["待交办", "已交办", "办理中", "已办结", "已销号"]
    dues = [None, date(2022, 9, 1), TODAY, date(2022, 10, 2), date(2022, 10, 3), date(2023, 1, 1), date(2022, 9, 1)]
    with eng.begin() as conn:
        dept = conn.execute(insert(Department).values(name='=部门,"引号"', short_name="")).inserted_primary_key[0]
        person = conn.execute(insert(Person).values(name=" 张 三 ", role="部门联络员")).inserted_primary_key[0]
        project = conn.execute(insert(Project).values(
            code="XM-AWK", name="-项目\n名称", company='公司,"甲"', park_id=None, leader_id=person,
            officer_id=None)).inserted_primary_key[0]
        ids = []
        for i, text in enumerate(AWKWARD):
            status = statuses[i % 5]
            pid = conn.execute(insert(Problem).values(
                project_id=project if i % 3 else county.p1, title=text or "空", category=["用电", "=类别", ""][i % 3],
                department_id=[dept, None, county.world.dept][i % 3], owner_id=[person, None][i % 2],
                co_departments=AWKWARD[-1 - i], raised_on=[None, date(2022, 1, 31)][i % 2], due=dues[i % 7],
                status=status, escalation=i % 3, closed_on=date(2022, 9, 29) if status == "已销号" else None,
            )).inserted_primary_key[0]
            ids.append(pid)
            conn.execute(insert(ProblemEvent).values(problem_id=pid, kind="note", text="旧的进展"))
            conn.execute(insert(ProblemEvent).values(problem_id=pid, kind="note", text=text))
            if i % 4 == 0:  # a newer note that was undone, and a newer event that is not a note
                conn.execute(insert(ProblemEvent).values(problem_id=pid, kind="note", text="撤销了", archived=True))
                conn.execute(insert(ProblemEvent).values(problem_id=pid, kind="status", text="状态"))
        conn.execute(insert(ProblemEvent).values(problem_id=ids[0], kind="note", text=LONG))
    return county


def _opts(**kw):
    sort = kw.pop("sort", "urgency")
    return pl.ProblemListOptions(filter=ProblemFilter(**kw), today=TODAY, sort=sort)


def _reference_csv(engine, opts) -> bytes:
    """The list as the export wrote it before: row by row, csv.writer after the formula guard."""
    opts = pl._resolve(engine, opts)
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow([neutralise(pl.title(opts))])
    w.writerow([neutralise(f"填报单位：{opts.bureau}"), f"日期：{pl.zh_date(opts.today)}"])
    w.writerow(pl.HEADERS)
    tally = pl.Tally()
    for r in iter_problem_rows(engine, opts.filter, today=opts.today, warn_days=opts.warn_days, sort=opts.sort):
        tally.add(r)
        w.writerow([neutralise(pl._text(v)) for v in pl.values(tally.total, r)])
    w.writerow(tally.row())
    return codecs.BOM_UTF8 + buf.getvalue().encode()


@pytest.mark.parametrize("filters", [{}, {"sort": "due"}, {"sort": "department"}, {"sort": "project"},
                                     {"lights": ["红", "黄"]}, {"open_only": True, "sort": "status"},
                                     {"text": "问题"}])
def test_csv_is_byte_for_byte_what_csv_writer_wrote(awkward, tmp_path, filters):
    path = tmp_path / "l.csv"
    pl.write_problem_list(awkward.engine, _opts(**filters), path, "csv")
    assert path.read_bytes() == _reference_csv(awkward.engine, _opts(**filters))


def test_csv_in_the_general_query_too(awkward, tmp_path, monkeypatch):
    monkeypatch.setattr(xr, "_packed_rows_fit", lambda conn: False)
    path = tmp_path / "l.csv"
    pl.write_problem_list(awkward.engine, _opts(), path, "csv")
    assert path.read_bytes() == _reference_csv(awkward.engine, _opts())


def _batches(engine):
    out = list(xr.export_batches(engine, ProblemFilter(), today=TODAY, size=7))
    return [row for b in out for row in b.rows()], [d or None for b in out for d in b.department_ids]


@pytest.mark.sqlite_only
def test_packed_urgency_rows_are_the_general_rows(awkward, monkeypatch):
    with awkward.engine.connect() as conn:
        assert xr._packed_rows_fit(conn)
    packed = _batches(awkward.engine)
    monkeypatch.setattr(xr, "_packed_rows_fit", lambda conn: False)
    assert _batches(awkward.engine) == packed
    expected = list(iter_problem_rows(awkward.engine, ProblemFilter(), today=TODAY))
    assert [row[xc.FIELDS.index("title")] for row in packed[0]] == [r.title.encode() for r in expected]
    assert packed[1] == [r.department_id for r in expected] and len(expected) > 25


@pytest.mark.sqlite_only
def test_a_row_the_urgency_key_cannot_hold_falls_back_to_the_general_order(awkward, tmp_path):
    with awkward.engine.begin() as conn:
        conn.execute(insert(Problem).values(project_id=awkward.p1, title="升级九次", escalation=9, status="已交办",
                                            due=date(2022, 9, 1)))
        assert not xr._packed_rows_fit(conn)
    path = tmp_path / "l.csv"
    pl.write_problem_list(awkward.engine, _opts(), path, "csv")
    assert path.read_bytes() == _reference_csv(awkward.engine, _opts())


def _sheet_parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in ("xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml")}


def _cells(path):
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    return [[(c.value, c.data_type, c.number_format, c.font.b, c.font.name, c.fill.fgColor.rgb, c.alignment.horizontal,
              c.alignment.wrap_text, c.border.left.style) for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("filters", [{}, {"sort": "department"}])
def test_xlsx_rows_written_in_bulk_are_the_cells_xlsxwriter_writes(awkward, tmp_path, monkeypatch, filters):
    bulk, cells = tmp_path / "bulk.xlsx", tmp_path / "cells.xlsx"
    pl.write_problem_list(awkward.engine, _opts(**filters), bulk, "xlsx")
    monkeypatch.setattr(xlsx_sheet._BulkRows, "attach", classmethod(lambda cls, ledger: None))
    pl.write_problem_list(awkward.engine, _opts(**filters), cells, "xlsx")
    assert _sheet_parts(bulk) == _sheet_parts(cells)
    got = _cells(bulk)
    assert got == _cells(cells)
    titles = [row[4][0] for row in got[3:-1]]
    assert {"=1+2", "@x", "-3", " 前导空格", "尾\u3000", "emoji 😀 中文", 'say "hi"', "两行\n文字"} <= set(titles)
    row = next(r for r in got[3:-1] if r[4][0] == "=1+2")
    assert row[4][1] == "s" and row[0][1] == "n" and row[0][2] == "0"


def test_xlsx_dates_numbers_and_lights_keep_their_types(awkward, tmp_path):
    import openpyxl

    path = tmp_path / "l.xlsx"
    pl.write_problem_list(awkward.engine, _opts(), path, "xlsx")
    ws = openpyxl.load_workbook(path).active
    col = {h: i for i, h in enumerate(pl.HEADERS)}
    rows = [list(r) for r in ws.iter_rows(min_row=4)][:-1]
    expected = list(iter_problem_rows(awkward.engine, ProblemFilter(), today=TODAY))
    assert [r[0].value for r in rows] == list(range(1, len(expected) + 1))
    for cells, p in zip(rows, expected, strict=True):
        due = cells[col["办结时限"]]
        assert (due.value.date() if due.value else None) == p.due and (not p.due or due.is_date)
        assert cells[col["灯"]].value == (None if p.light == "无" else p.light)
        if _openpyxl_reads_back(p.title):
            assert cells[col["问题"]].value == p.title
        if _openpyxl_reads_back(p.latest_note) and len(p.latest_note) < 32_767:
            assert (cells[col["办理进展"]].value or "") == p.latest_note
    long_note = next(c[col["办理进展"]].value for c in rows if (c[col["办理进展"]].value or "").startswith("长长"))
    assert len(long_note) == 32_767


def _openpyxl_reads_back(text: str) -> bool:
    """openpyxl leaves xlsxwriter's _xHHHH_ escapes as they are, and "<r>…</r>" is taken as rich text."""
    return ("_x" not in text and not any(c < " " and c not in "\t\n" or c in "\ufffe\uffff" for c in text)
            and not text.startswith("<r>"))


KINDS = [xlsx_sheet.Column("序号", 6, "int"), xlsx_sheet.Column("文", 10, "text"), xlsx_sheet.Column("折", 10, "wrap"),
         xlsx_sheet.Column("中", 10, "center"), xlsx_sheet.Column("日", 10, "date"), xlsx_sheet.Column("灯", 5, "light")]


def _ledger_file(path, columns, bulk: bool):
    wb = xlsx_sheet.open_workbook(path)
    sheet = xlsx_sheet.LedgerSheet(wb, "表", "标题", "左", "右", KINDS, bulk=bulk)
    sheet.write_columns([c[:3] for c in columns])
    sheet.write_row([99, "逐格", None, "中", date(2022, 1, 2), "黄"])
    sheet.write_columns([c[3:] for c in columns])
    sheet.finish(["合计", "", "", "", "", ""])
    xlsx_sheet.close_workbook(wb)


def test_ledger_write_columns_in_bulk_or_cell_by_cell_writes_the_same_file(tmp_path):
    texts = [t.encode() for t in AWKWARD] + [LONG.encode()]
    n = len(texts)
    columns = [
        [b"%d" % i for i in range(1, n + 1)][:-3] + [b"007", b"x1", b""],
        texts, texts[::-1], [b"", b"\xe4\xb8\xad"] * (n // 2) + [b"c"] * (n % 2),
        ([b"2022-09-30", b"", b"1900-02-28", b"1900-03-01", b"2022-13-45", b"not a date"] * n)[:n],
        ([b"\xe7\xba\xa2", b"\xe9\xbb\x84", b"\xe7\xbb\xbf", b"", b"?"] * n)[:n],
    ]
    _ledger_file(tmp_path / "bulk.xlsx", columns, True)
    _ledger_file(tmp_path / "cells.xlsx", columns, False)
    assert _sheet_parts(tmp_path / "bulk.xlsx") == _sheet_parts(tmp_path / "cells.xlsx")
    assert _cells(tmp_path / "bulk.xlsx") == _cells(tmp_path / "cells.xlsx")


def test_the_whitespace_list_is_every_character_python_calls_space():
    assert set(xlsx_sheet.SPACES) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_progress_is_reported_batch_by_batch(awkward, tmp_path, monkeypatch):
    monkeypatch.setattr(pl, "_BATCH", 4)
    calls = []
    res = pl.write_problem_list(awkward.engine, _opts(), tmp_path / "l.csv", "csv",
                                progress=lambda d, t: calls.append((d, t)))
    assert len(calls) >= res.rows // 4 and calls[-1] == (res.rows, res.rows)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_driver_values_become_the_bytes_sqlite_gives():
    raw = [[1], [2], [None], [None], ["标题"], [""], [None], [date(2022, 9, 30)], [None], ["已交办"], ["2022-01-02"],
           [None]]
    out = xr._DriverValues()(raw)
    assert out[:4] == raw[:4]
    assert out[4:] == [["标题".encode()], [b""], [b""], [b"2022-09-30"], [b""], ["已交办".encode()],
                       [b"2022-01-02"], [b""]]


def test_xlsx_package_is_deflated_at_the_fast_zip_level(awkward, tmp_path):
    from xlsxwriter import workbook as wbmod

    path = tmp_path / "l.xlsx"
    pl.write_problem_list(awkward.engine, _opts(), path, "xlsx")
    with wbmod.ZipFile(tmp_path / "probe.zip", "w", compression=zipfile.ZIP_DEFLATED) as probe:
        assert probe.compresslevel == xlsx_sheet.ZIP_LEVEL == 1
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}


class _WriteOnSecondConnect:
    """An engine whose second connection is opened just after another officer renamed a project and
    added a progress note (a write between the export's two snapshots)."""

    def __init__(self, engine, write):
        self.engine, self.write, self.calls = engine, write, 0

    @property
    def pool(self):
        return self.engine.pool

    def connect(self):
        self.calls += 1
        if self.calls == 2:
            self.write()
        return self.engine.connect()


@pytest.mark.parametrize("sort", ["urgency", "department"])
def test_the_names_and_notes_are_of_the_same_moment_as_the_rows_when_a_write_lands_between(county, make_ctx,
                                                                                           sort):
    from servicetui.services import entities, problems

    eng = county.engine
    if eng.dialect.name != "sqlite":
        pytest.skip("one REPEATABLE READ transaction elsewhere")
    ctx = make_ctx(county.world.admin, today=TODAY)
    ids = [r.id for r in iter_problem_rows(eng, ProblemFilter(project_id=county.world.project), today=TODAY)]
    assert ids

    def write():
        entities.update_project(ctx, county.world.project, None, name="改过的名字")
        problems.add_note(ctx, ids[0], "后来的进展")

    wrapped = _WriteOnSecondConnect(eng, write)
    rows = [dict(zip(xc.FIELDS, r)) for b in xr.export_batches(wrapped, today=TODAY, sort=sort) for r in b.rows()]
    assert wrapped.calls == 2, "the names were read on a second connection (a file database's pool)"
    assert "改过的名字".encode() not in {r["project_name"] for r in rows}, "a name from after the rows' snapshot"
    assert "后来的进展".encode() not in {r["latest_note"] for r in rows}, "a note from after the rows' snapshot"
    # and the next export sees the write
    rows = [dict(zip(xc.FIELDS, r)) for b in xr.export_batches(eng, today=TODAY, sort=sort) for r in b.rows()]
    assert "改过的名字".encode() in {r["project_name"] for r in rows}
    assert "后来的进展".encode() in {r["latest_note"] for r in rows}


def test_an_in_memory_database_is_exported_on_its_one_connection(tmp_path):
    from servicetui.services.demo import DEMO_TODAY, build_demo
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    engine = make_engine("sqlite://")  # one connection per thread: names and rows read one after the other
    migrate.upgrade(engine)
    build_demo(engine)
    out = tmp_path / "清单.csv"
    res = pl.write_problem_list(engine, pl.ProblemListOptions(today=DEMO_TODAY), out, "csv")
    plain = list(iter_problem_rows(engine, ProblemFilter(), today=DEMO_TODAY))
    assert res.rows == len(plain) > 0
    body = out.read_text(encoding="utf-8-sig")
    assert plain[0].project_name in body and plain[-1].title in body


def test_names_by_id_are_the_same_from_the_list_as_from_the_dict():
    values = {1: b"a", 2: b"b", 5: b"e", None: b"", 0: b""}
    dense, plain = xc._ById(values, b"-", dense=True), xc._ById(values, b"-", dense=False)
    ids = [5, 1, 0, 3, 2, 5]
    assert dense.of(ids) == plain.of(ids) == [b"e", b"a", b"", b"-", b"b", b"e"]
    # an id above every known one (a problem pointing at a missing row) shows the default, not an error
    assert dense.of([2, 99]) == plain.of([2, 99]) == [b"b", b"-"]
    assert plain.of([None, 1]) == [b"", b"a"]  # the general query's "no department"


def test_sparse_ids_keep_to_the_dict():
    sparse = xc._ById({10**9: b"far", 1: b"near"}, b"-", dense=True)
    assert sparse._by_index is None  # no list of a billion entries
    assert sparse.of([10**9, 1, 7]) == [b"far", b"near", b"-"]


@pytest.mark.sqlite_only
def test_a_negative_id_falls_back_to_the_general_order(awkward, tmp_path):
    """The packed key and ids assume ids ≥ 0 (they are unpacked with shifts and masks)."""
    with awkward.engine.begin() as conn:
        conn.execute(insert(Project).values(id=-4, code="XM-NEG", name="负数项目", company="某公司"))
        conn.execute(insert(Problem).values(project_id=-4, title="负号项目的问题", status="已交办",
                                            due=date(2022, 9, 1), escalation=0))
        assert not xr._packed_rows_fit(conn)
    path = tmp_path / "l.csv"
    pl.write_problem_list(awkward.engine, _opts(), path, "csv")
    assert path.read_bytes() == _reference_csv(awkward.engine, _opts())
    assert "负号项目的问题" in path.read_text(encoding="utf-8-sig")


def test_an_id_that_is_not_an_int_takes_the_dict_even_from_the_list():
    names = xc._ById({1: b"a", None: b"none"}, b"-", dense=True)
    assert names._by_index is not None
    assert names.of([1, None, 3]) == [b"a", b"none", b"-"]
