"""The fast import path against the generic one.

The importer checks a well-formed problem row without the generic machinery (`ProblemRows._fast`),
reads a csv without quotes by splitting lines (`import_read._csv_rows`), writes the audit JSON
from memoised pieces (`importer._RowJson`) and inserts through driver-level statements with the
shared values written in (`importer._Driver`) and, for a bulk load, without the indexes
(`importer._BulkLoad`). Each must give exactly what the generic path gives: these tests run both on
the same hostile input and compare.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import date, datetime, timezone
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from servicetui.reports import import_read, importer
from servicetui.reports.import_read import _csv_rows, _scan_csv, match_header
from servicetui.reports.import_problems import ProblemRows
from servicetui.reports.import_rows import _REFUSED_LINE, _REFUSED_MULTILINE
from servicetui.services.base import encode
from servicetui.store.models import AuditEntry, Problem, ProblemEvent

pytestmark = pytest.mark.sqlite_only  # driver-level and file-level details of the SQLite path

P1 = "思思食品年产*吨航空系列食品加工项目"
HEADER = ["项目编号", "项目名称", "问题", "问题详情", "类别", "事项类型", "责任单位", "配合单位", "责任人", "提出日期",
          "提出人", "办结时限", "状态", "办理进展", "是否销号", "销号日期"]

DATES = ["", None, "2022-09-01", "2022/9/1", " 2022-09-10 ", "20220901", "2022-02-30", "明天", "9月底", "garbage",
         "1989-12-31", "2101-01-01", "0001-01-01", "2022-W05-3", date(2022, 9, 1), datetime(2022, 9, 1, 8), 44000,
         1.5, True]
POOLS = {
    "项目编号": ["", None, "XM0000-000", "'XM0000-000", 7],
    "项目名称": [P1, f" {P1} ", "图兰朵葡萄酒小镇", "重名项目", "旧项目", "不存在的项目", "", None,
             "思思食品年产*吨航空系列食品加工项目\u200b", 3],
    "问题": ["围墙施工受阻", "", "  ", None, "a" * 500, "a" * 501, "用电  负荷", '=HYPERLINK("http://x","点我")',
           "'=1+1", "'+1", "'", "-", "@x", "x\x00y", "x\x07y", "x\u202ey", "x\u200by", "x\u3000y", "x\u2028y",
           "x\ufeffy", "e\u0301", "😀", "x\ty", "x\ny", "x\r\ny", "\u061c", "'\tx", "中文「引号」\"双引号\"\\", 1, 1.0,
           2.5, True, date(2022, 1, 1)],
    "问题详情": [None, "", "a\r\nb", "a\rb", "a\tb\n", "x\x01", "a" * 20001, "a" * 20000, "\u202e", "\u2029", " 详情 "],
    "类别": ["", None, "用电", "天气", " 融资 ", "其他", 3],
    "事项类型": ["", None, "任务", "议定事项", "其它"],
    "责任单位": ["", None, "供电公司", "管委会", "工业园区管委会", "旧局", "不存在局", " 供电公司", 5],
    "配合单位": ["", None, "发改局", "a" * 501, "a" * 500, "x\x1fy", "x\u2066y"],
    "责任人": ["", None, "李明", "张伟", "退休人员", "无名氏"],
    "提出日期": DATES,
    "提出人": ["", None, "张三", "x" * 101, "x" * 100, "a\x85b", " 李四 "],
    "办结时限": DATES,
    "状态": ["", None, "已交办", "办理中", "已办结", "已销号", "待交办", "完成", " 已销号 "],
    "办理进展": ["", None, "已现场查看", "=cmd|' /C calc'!A0", " 进展 ", "x\x00"],
    "是否销号": ["", None, "是", "否", "YES", "1", 1, True],
    "销号日期": ["", None, "2022-08-30", "2022-02-30", "0001-01-01", date(2022, 8, 30)],
}


@pytest.fixture
def place(county, make_ctx):
    """The county plus what hostile rows refer to: an archived department, person and project, two
    people and two projects sharing a name."""
    from servicetui.services import entities
    from servicetui.store.models import Department, Person, Project

    admin = make_ctx(county.world.admin, today=county.today)
    old = entities.create_department(admin, name="旧局")
    entities.archive(admin, Department, old, None)
    gone = entities.create_person(admin, name="退休人员", role="工作人员")
    entities.archive(admin, Person, gone, None)
    for _ in range(2):
        entities.create_person(admin, name="张伟", role="工作人员")
        entities.create_project(admin, name="重名项目")
    old_project = entities.create_project(admin, name="旧项目")
    entities.archive(admin, Project, old_project, None)
    return county


def _checkers(ctx, header_cells):
    header = match_header(header_cells, "problems")
    conn = ctx.engine.connect()
    fast, slow = ProblemRows(ctx, conn, header), ProblemRows(ctx, conn, header)
    slow.fast_ok = False
    return conn, fast, slow


def _same(fast, slow, n, cells):
    """Both checkers on one row: the same outcome and the same issues, in the same order."""
    got = {}
    for name, checker in (("fast", fast), ("slow", slow)):
        issues = []
        got[name] = (checker.check(n, list(cells), lambda *a: issues.append(a)), issues)
    assert got["fast"] == got["slow"], (cells, got)
    return got["fast"][0]


def test_the_fast_path_takes_plain_rows_and_agrees_on_every_hostile_one(place, make_ctx):
    """Every pool value in every column, on an otherwise good row, for an officer (may close) and a
    department contact (may not): the fast path accepts nothing the services' checks reject, and
    gives the same row, note, duplicate or issues."""
    good = dict(zip(HEADER, ["", P1, "围墙施工受阻", None, "用电", "", "供电公司", "", "", "2022-09-01", "", "2022-10-30",
                             "", "已现场查看", "", ""]))
    for actor in (place.world.officer_login, place.world.contact_login):
        conn, fast, slow = _checkers(make_ctx(actor, today=place.today), HEADER)
        n = 1
        with conn:
            for column, values in POOLS.items():
                for value in values:
                    n += 1
                    row = {**good, column: value}
                    if column != "问题":
                        row["问题"] = f"问题{n}"  # no accidental duplicates
                    _same(fast, slow, n, [row[h] for h in HEADER])
            # duplicates: in the file, and of a problem already in the database
            for cells in ([P1, "围墙施工受阻"], [P1, "围墙施工受阻"], [P1, "钢柱加工延迟"], [P1, " 钢柱加工延迟 "]):
                n += 1
                row = dict(good, 项目名称=cells[0], 问题=cells[1])
                _same(fast, slow, n, [row[h] for h in HEADER])
            # short rows, long rows
            for cells in ([None, P1, "短行"], [None, P1, "长行", *([""] * 20)], [], [None]):
                n += 1
                _same(fast, slow, n, cells)
        assert fast.fast_rows > 60 and slow.fast_rows == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fast_and_generic_paths_agree_on_random_rows(place, make_ctx, data):
    header = data.draw(st.lists(st.sampled_from(HEADER), min_size=2, max_size=len(HEADER), unique=True))
    if "问题" not in header:
        header.append("问题")
    if "项目名称" not in header:
        header.insert(0, "项目名称")
    actor = data.draw(st.sampled_from([place.world.officer_login, place.world.contact_login]))
    conn, fast, slow = _checkers(make_ctx(actor, today=place.today), header)
    with conn:
        for n in range(2, data.draw(st.integers(2, 8))):
            cells = [data.draw(st.sampled_from(POOLS[h])) for h in header]
            _same(fast, slow, n, cells)


def test_the_refused_characters_are_those_the_services_scan_for():
    """`_REFUSED_LINE` / `_REFUSED_MULTILINE` (one regex) = `validate.Checker.text`'s per-character
    scan plus its text-direction check, over all of Unicode; and printable text holds none of them."""
    from servicetui.services.validate import _BIDI, _is_control

    for cp in range(0x110000):
        c = chr(cp)
        for multiline, regex in ((False, _REFUSED_LINE), (True, _REFUSED_MULTILINE)):
            refused = _is_control(c, multiline) or bool(_BIDI.search(c))
            assert bool(regex.search(c)) == refused, (hex(cp), multiline)
        if _REFUSED_LINE.search(c):
            assert not c.isprintable(), hex(cp)


# -- csv ------------------------------------------------------------------------------------
def _write(path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["a", "中", ",", "\r", "\n", "\r\n", " ", "'", "=", "\t", "\x0b", "\x0c", "\x1c",
                                 "\x85", "\u2028", "\ufeff", "合计", "注：", ""]), max_size=60),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_a_plain_csv_is_split_as_csv_reader_reads_it(tmp_path, pieces, encoding):
    text = "".join(pieces)
    if encoding == "gb18030":
        text = text.replace("\ufeff", "").replace("\u2028", "").replace("\x85", "")
    path = tmp_path / "plain.csv"
    _write(path, text, encoding)
    lines, plain = _scan_csv(path)
    assert plain
    assert _outcome(path, True) == _outcome(path, False)


def _outcome(path, plain):
    try:
        return list(_csv_rows(path, plain))
    except Exception as exc:  # the same error either way (e.g. a tiny GB18030 file taken for UTF-8)
        return type(exc), str(exc)


def test_the_plain_reader_works_across_blocks(tmp_path, monkeypatch):
    """Rows, \\r\\n pairs and fields cut by the 1 MiB blocks come out whole."""
    rows = [[f"项目{i}", "问题" * (i % 7), "x" * (i % 13), ""] for i in range(30_000)]
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)  # \r\n line ends
    assert _scan_csv(path) == (30_000, True)
    assert list(_csv_rows(path, True)) == list(_csv_rows(path, False))
    with open(path, "w", encoding="gb18030", newline="") as fh:
        fh.write("\r".join(",".join(r) for r in rows))  # old Mac line ends
    assert list(_csv_rows(path, True)) == list(_csv_rows(path, False))


def test_quotes_nul_and_huge_fields_keep_the_csv_module(tmp_path):
    path = tmp_path / "q.csv"
    _write(path, '项目名称,问题\n"多行\n问题",x\n', "utf-8")
    assert _scan_csv(path)[1] is False
    path.write_bytes(b"a,b\nc\x00,d\n")
    assert _scan_csv(path)[1] is False
    path.write_bytes(b"a," + b"x" * (csv.field_size_limit() + 1) + b"\n")
    assert _scan_csv(path)[1] is True
    for plain in (True, False):
        with pytest.raises(csv.Error):
            list(_csv_rows(path, plain))


# -- audit JSON -----------------------------------------------------------------------------
def test_the_audit_json_of_a_row_is_the_services_encoding(place, make_ctx):
    conn, fast, slow = _checkers(make_ctx(place.world.officer_login, today=place.today), HEADER)
    rows = []
    with conn:
        for n, values in enumerate(product(*(POOLS[h][:4] for h in HEADER[:13])), 2):
            if n > 3000:
                break
            for checker in (fast, slow):
                checker.seen.clear()
                got = checker.check(n, [*values, "已现场查看", "", ""], lambda *a: None)
                if isinstance(got, tuple):
                    rows.append(got[0])
    keys = ProblemRows.ROW_KEYS
    rows += [(1, t, None, None, "其他", "问题", "a\r\n\"b\"\\", "", None, date(2022, 1, 1), "x", "已销号", "—", 0, "",
              date(2022, 1, 2), date(2022, 1, 2), "u", 0, None, False)
             for t in ("\x00\x1f\u2028\u2029", "😀\ud7ff", '"\\/', "\u00e9e\u0301", "")]
    assert len(rows) > 500
    coder = importer._RowJson(keys, ProblemRows.JSON_GROUPS)
    for start in range(0, len(rows), 97):
        chunk = rows[start:start + 97]
        assert coder.encode_rows(chunk) == [encode(dict(zip(keys, r))) for r in chunk]


def test_note_events_json_is_the_services_encoding():
    for pid, text in ((1, "已现场查看"), (2**40, 'a"b\\c\n\x01'), (7, "😀")):
        got = '{{"problem_id": {}, "kind": "note", "text": {}}}'.format(int.__repr__(pid), importer._json_str(text))
        assert got == encode({"problem_id": pid, "kind": "note", "text": text})


# -- driver-level inserts -------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 15, 16, 17, 40, 333])
def test_driver_inserts_store_what_sqlalchemy_stores(tmp_path, n):
    """Values through `_Driver` (bind processors once per value, shared values written into the
    statement, several rows per statement) are stored with the same values and types as
    SQLAlchemy's own executemany of the same rows."""
    from sqlalchemy import create_engine, insert

    from servicetui.store.models import SQLModel

    now = datetime(2026, 11, 26, 5, 0, 0, 123456, tzinfo=timezone.utc)
    odd = ["o'neil", "50%", "a?b", ":x", "a\\b", "a\x00b", "x" * 300, "问题", "", "it's '' 'x'"]
    rows = [dict(id=100 + i, at=now, actor=odd[i % len(odd)] if n > 1 else "o'neil", batch="b" * 32,
                 action="create", entity="problem" if i % 3 else "problem_event", entity_id=i,
                 project_id=None if i % 4 == 0 else i % 5, field="", old=None, new=f'{{"i": {i}}}',
                 summary="导入问题清单", undo_of=None)
            for i in range(n)]
    problems = [dict(id=10 + i, version=1, archived=bool(i % 2), created_at=now, updated_at=now, project_id=1,
                     kind="问题", title=odd[i % len(odd)] or "t", detail="", category="其他", department_id=None,
                     co_departments="", owner_id=None, raised_on=date(2022, 1, 1 + i % 28), raised_by="u",
                     due=None if i % 2 else date(2023, 1, 1), status="已交办", escalation=0, turn="—",
                     resolution="", done_on=None, closed_on=None, closed_by="", reopen_count=i % 2, session_id=None)
                for i in range(n)]
    stores = {}
    for way in ("sqlalchemy", "driver"):
        eng = create_engine(f"sqlite:///{tmp_path / way}.db")
        SQLModel.metadata.create_all(eng, tables=[AuditEntry.__table__, Problem.__table__])
        with eng.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table, data in ((AuditEntry.__table__, rows), (Problem.__table__, problems)):
                if way == "sqlalchemy":
                    conn.execute(insert(table), [dict(r) for r in data])
                else:
                    fixed = {k: v for k, v in data[0].items() if k in ("at", "batch", "summary", "version", "created_at")}
                    columns = {k: [r[k] for r in data] for k in data[0] if k not in fixed}
                    importer._Driver(conn, table).insert(conn, columns, len(data), fixed)
        with eng.connect() as conn:
            stores[way] = [
                conn.exec_driver_sql(
                    f"SELECT {', '.join(f'{c.name}, typeof({c.name})' for c in t.c)} FROM {t.name} ORDER BY id").all()
                for t in (AuditEntry.__table__, Problem.__table__)]
        eng.dispose()
    assert stores["driver"] == stores["sqlalchemy"]


# -- whole imports --------------------------------------------------------------------------
def _csv_file(path, n: int):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["重点项目问题清单"])
        w.writerow(["项目编号", "项目名称", "问题", "类别", "责任单位", "提出日期", "办结时限", "状态", "办理进展", "责任人"])
        for i in range(n):
            k = i % (n - 5)  # the last 5 rows repeat the first 5: duplicates in the file
            w.writerow(["", P1 if k % 3 else "图兰朵葡萄酒小镇", f"导入问题{k}", ["用电", "其他", ""][i % 3],
                        ["供电公司", "管委会"][i % 2], f"2022-0{1 + i % 9}-1{i % 10}", f"2022-1{i % 3}-2{i % 9}",
                        ["", "已交办", "办理中", "已办结", "已销号"][i % 5], "进展" if i % 2 else "",
                        "李明" if i % 11 == 0 else ""])
        w.writerow(["合计", "", ""])
    return path


def _dump(path):
    with sqlite3.connect(path) as c:
        return {
            "problem": c.execute("SELECT id, project_id, kind, title, detail, category, department_id, co_departments, "
                                 "owner_id, raised_on, raised_by, due, status, escalation, turn, resolution, done_on, "
                                 "closed_on, closed_by, reopen_count, session_id, version, archived, typeof(raised_on), "
                                 "typeof(archived), typeof(created_at) FROM problem ORDER BY id").fetchall(),
            "event": c.execute('SELECT id, problem_id, "on", actor, kind, text, archived, typeof("on") '
                               "FROM problemevent ORDER BY id").fetchall(),
            "audit": sorted(c.execute("SELECT actor, action, entity, entity_id, project_id, field, old, new, summary, "
                                      "undo_of, typeof(at) FROM auditentry").fetchall(), key=repr),
            "batches": c.execute("SELECT count(DISTINCT batch) FROM auditentry").fetchall(),
            "schema": c.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall(),
            "stat1": c.execute("SELECT * FROM sqlite_stat1 ORDER BY tbl, idx").fetchall(),
            "integrity": c.execute("PRAGMA integrity_check").fetchall(),
            "fk": c.execute("PRAGMA foreign_key_check").fetchall(),
        }


@pytest.fixture
def copies(place, tmp_path):
    """Copies of the county's database file, ANALYZEd (so that planner statistics exist)."""
    engine = place.engine
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    engine.dispose()
    src = engine.url.database

    def copy(name):
        dst = tmp_path / f"{name}.db"
        shutil.copyfile(src, dst)
        return dst

    return copy


def _import(path, csv_path, actor, today, **kw):
    from servicetui.services.context import Ctx
    from servicetui.store.db import make_engine

    engine = make_engine(path)
    try:
        return importer.import_file(Ctx(engine, actor=actor, today=today), csv_path, **kw)
    finally:
        engine.dispose()


def test_fast_bulk_generic_and_postgresql_style_imports_write_the_same(place, copies, tmp_path, monkeypatch):
    """One file (notes, closed rows, duplicates, a 合计 row) through: everything fast with a bulk
    load (indexes dropped and re-created); the generic checks with SQLAlchemy's own inserts (the
    path PostgreSQL takes: dicts, INSERT … RETURNING); the fast path without the bulk load. The
    databases must hold the same rows, audit entries, indexes and statistics."""
    csv_path = _csv_file(tmp_path / "in.csv", 400)
    officer, today = place.world.officer_login, place.today
    dumps = {}
    plain_init = importer._Writer.__init__

    def postgres_style(self, *a, **k):
        plain_init(self, *a, **k)
        self.sqlite, self.bulk = False, None

    for way in ("bulk", "generic-sqlalchemy", "fast"):
        with monkeypatch.context() as m:
            m.setattr(importer, "BULK_MIN", 10 if way == "bulk" else 10**9)
            if way == "generic-sqlalchemy":
                m.setattr(ProblemRows, "_fast", lambda self, cells: None)
                m.setattr(importer._Writer, "__init__", postgres_style)
            db = copies(way)
            res = _import(db, csv_path, officer, today)
        assert res.ok and res.written and (res.rows, res.created, len(res.duplicates)) == (400, 395, 5), way
        dumps[way] = _dump(db)
    assert dumps["bulk"]["problem"] and dumps["bulk"]["stat1"]
    for way in ("generic-sqlalchemy", "fast"):
        for key, value in dumps["bulk"].items():
            assert dumps[way][key] == value, (way, key)


def test_a_bulk_load_with_a_bad_row_leaves_the_database_as_it_was(place, copies, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BULK_MIN", 10)
    monkeypatch.setattr(importer, "CHUNK", 50)  # the bad row comes after several chunks were written
    csv_path = _csv_file(tmp_path / "in.csv", 400)
    text = csv_path.read_text(encoding="utf-8-sig").replace("合计,,", f"XM9999-999,{P1},坏行,,,,,,,", 1)
    csv_path.write_text(text, encoding="utf-8-sig")
    db = copies("bad")
    before = _dump(db)
    res = _import(db, csv_path, place.world.officer_login, place.today)
    assert not res.ok and res.error_count == 1 and res.errors[0].row == 403
    assert _dump(db) == before


def test_undo_reverts_a_bulk_import(place, copies, tmp_path, monkeypatch):
    from servicetui.services.context import Ctx
    from servicetui.services.history import undo_last
    from servicetui.store.db import make_engine

    monkeypatch.setattr(importer, "BULK_MIN", 10)
    db = copies("undo")
    res = _import(db, _csv_file(tmp_path / "in.csv", 60), place.world.officer_login, place.today)
    assert res.written and res.created == 55
    engine = make_engine(db)
    try:
        ctx = Ctx(engine, actor=place.world.officer_login, today=place.today)
        assert undo_last(ctx) == "导入问题清单"
        with engine.connect() as conn:
            live = conn.scalar(select(func.count()).select_from(Problem).where(
                Problem.title.like("导入问题%"), Problem.archived == False))  # noqa: E712
            notes = conn.scalar(select(func.count()).select_from(ProblemEvent).where(
                ProblemEvent.text == "进展", ProblemEvent.archived == False))  # noqa: E712
        assert (live, notes) == (0, 0)
    finally:
        engine.dispose()


def test_the_bulk_load_is_left_to_big_imports(place, copies, tmp_path, monkeypatch):
    """Below BULK_MIN rows, or against a table more than twice the import's size, the indexes stay."""
    dropped = []
    real = importer._BulkLoad._drop
    monkeypatch.setattr(importer._BulkLoad, "_drop", lambda self, name: (dropped.append(name), real(self, name)))
    monkeypatch.setattr(importer, "BULK_MIN", 10**9)
    _import(copies("small"), _csv_file(tmp_path / "a.csv", 60), place.world.officer_login, place.today)
    assert dropped == []
    monkeypatch.setattr(importer, "BULK_MIN", 10)
    _import(copies("big"), _csv_file(tmp_path / "b.csv", 60), place.world.officer_login, place.today)
    assert {"problem", "problemevent"} <= set(dropped)


def test_csv_total_is_counted_for_progress(tmp_path):
    path = _csv_file(tmp_path / "in.csv", 30)
    sheet = import_read.open_sheet(path)
    assert sheet.total == 33 and sheet.header.row == 2
    assert sum(1 for _ in sheet.rows) == 30


def test_rows_read_through_csv_module_and_plain_split_import_the_same(place, copies, tmp_path, monkeypatch):
    csv_path = _csv_file(tmp_path / "in.csv", 120)
    dumps = []
    for plain in (True, False):
        with monkeypatch.context() as m:
            m.setattr(import_read, "_scan_csv", lambda p, real=import_read._scan_csv, plain=plain: (real(p)[0], plain))
            db = copies(f"plain-{plain}")
            assert _import(db, csv_path, place.world.officer_login, place.today).written
        dumps.append(_dump(db)["problem"])
    assert dumps[0] == dumps[1]


def test_the_memos_do_not_mix_text_and_number_cells(place, make_ctx):
    """1, 1.0 and True are equal dict keys: a number cell is never answered from a text cell's memo."""
    conn, fast, slow = _checkers(make_ctx(place.world.officer_login, today=place.today), ["项目名称", "问题", "是否销号", "状态"])
    with conn:
        for n, closed in enumerate(["1", 1, 1.0, True, "True", "true", 0, False, "0"], 2):
            _same(fast, slow, n, [P1, f"问题{n}", closed, ""])
