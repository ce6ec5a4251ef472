"""Import: templates round-trip, all-or-nothing with every bad row reported, dry run, re-import of
our own exports (duplicates reported, not added), one audit batch that one undo reverts."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import func, select

from servicetui.reports.importer import import_file
from servicetui.reports.problem_list import ProblemListOptions, write_problem_list
from servicetui.reports.templates import write_template
from servicetui.store.models import AuditEntry, Problem, ProblemEvent, Project

P1 = "思思食品年产*吨航空系列食品加工项目"


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def _csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def officer(county, make_ctx):
    return make_ctx(county.world.officer_login, today=county.today)


def test_problem_template_round_trips(county, officer, tmp_path):
    import openpyxl

    path = tmp_path / "模板.xlsx"
    write_template("problems", path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["导入", "填写示例"]
    header = [c.value for c in wb["导入"][1]]
    assert header[:3] == ["项目编号", "项目名称", "问题"]
    assert wb["填写示例"].max_row == 2
    ws = wb["导入"]
    row = {"项目名称": P1, "问题": "围墙施工受阻", "类别": "基础设施", "责任单位": "供电公司", "办结时限": "2022-10-30",
           "办理进展": "已现场查看"}
    ws.append([row.get(h) for h in header])
    wb.save(path)
    res = import_file(officer, path)
    assert (res.ok, res.kind, res.created) == (True, "problems", 1)
    with county.engine.connect() as conn:
        p = conn.execute(select(Problem).where(Problem.title == "围墙施工受阻")).one()
        assert (p.due, p.department_id, p.status, p.category) == (date(2022, 10, 30), county.world.dept2, "已交办", "基础设施")
        assert conn.scalar(select(ProblemEvent.text).where(ProblemEvent.problem_id == p.id)) == "已现场查看"


def test_project_template_round_trips_with_units_from_the_header(county, officer, tmp_path):
    import openpyxl

    path = tmp_path / "项目模板.xlsx"
    write_template("projects", path)
    wb = openpyxl.load_workbook(path)
    ws = wb["导入"]
    header = [c.value for c in ws[1]]
    header[header.index("协议总投资（万元）")] = "协议总投资（亿元）"
    for i, h in enumerate(header, 1):
        ws.cell(1, i, h)
    row = {"项目名称": "果蔬冻干项目", "企业": "示例食品有限公司", "阶段": "签约", "新引进/续建": "新引进",
           "协议总投资（亿元）": 1.5, "年度计划（万元）": "3000", "牵头单位": "工商联", "签约日期": "2022年9月18日"}
    ws.append([row.get(h) for h in header])
    wb.save(path)
    res = import_file(officer, path, kind="projects")
    assert res.ok and res.created == 1, [i.message() for i in res.errors]
    with county.engine.connect() as conn:
        p = conn.execute(select(Project).where(Project.name == "果蔬冻干项目")).one()
    assert (p.agreed_investment, p.annual_plan, p.lead_department_id) == (15_000, 3_000, county.union)
    assert p.signed_on == date(2022, 9, 18) and p.code.startswith("XM2022-")


def test_three_bad_rows_are_all_reported_and_nothing_is_written(county, officer, tmp_path):
    before = _count(county.engine, Problem), _count(county.engine, AuditEntry)
    path = _csv(tmp_path / "bad.csv", ["项目名称", "存在问题", "责任部门", "完成时限"], [
        [P1, "好的一行", "供电公司", "2022-10-20"],
        ["不存在的项目", "坏：项目", "供电公司", "2022-10-20"],
        [P1, "坏：日期", "供电公司", "2022-02-30"],
        [P1, "坏：单位", "不存在局", "2022-10-20"],
        [P1, "另一行好的", "工业园区管委会", "10月25日"],
    ])
    res = import_file(officer, path)
    assert not res.ok and res.error_count == 3
    assert [(i.row, i.column) for i in res.errors] == [(3, "项目名称"), (4, "完成时限"), (5, "责任部门")]
    assert "不存在" in res.errors[0].zh and "日期不存在" in res.errors[1].zh
    assert (_count(county.engine, Problem), _count(county.engine, AuditEntry)) == before


def test_dry_run_checks_everything_and_writes_nothing(county, officer, tmp_path):
    before = _count(county.engine, Problem)
    path = _csv(tmp_path / "ok.csv", ["项目", "问题描述", "牵头单位", "时限"], [[P1, "新问题一", "供电公司", "2022-10-20"],
                                                                           [P1, "新问题二", "", ""]])
    res = import_file(officer, path, dry_run=True)
    assert res.ok and res.created == 2 and not res.written
    assert _count(county.engine, Problem) == before


def test_rules_of_the_services_apply_to_imported_rows(county, make_ctx, tmp_path):
    path = _csv(tmp_path / "r.csv", ["项目名称", "问题", "责任单位", "提出日期", "办结时限", "状态", "类别"], [
        [P1, "时限早于提出", "供电公司", "2022-09-10", "2022-09-01", "", ""],
        [P1, "未指定单位却已交办", "", "", "", "已交办", ""],
        [P1, "类别不对", "供电公司", "", "", "", "天气"],
        [P1, "已销号的问题", "供电公司", "", "", "已销号", ""],
    ])
    res = import_file(make_ctx("zhaoli", today=county.today), path)  # a department contact cannot close
    assert [(i.row, i.column) for i in res.errors] == [(2, "办结时限"), (3, "责任单位"), (4, "类别"), (5, "状态")]


def test_exported_problem_lists_import_back_as_duplicates(county, officer, tmp_path):
    before = _count(county.engine, Problem)
    for fmt in ("xlsx", "csv"):
        path = tmp_path / f"清单.{fmt}"
        write_problem_list(county.engine, ProblemListOptions(today=county.today), path, fmt)
        res = import_file(officer, path)
        assert res.ok and res.kind == "problems", [i.message() for i in res.errors]
        assert (res.rows, res.created, len(res.duplicates)) == (4, 0, 4)
        assert county.evil in {i.zh.split("「", 1)[1].rsplit("」", 1)[0] for i in res.duplicates}
    assert _count(county.engine, Problem) == before


def test_an_exported_list_imports_into_another_database(county, officer, tmp_path, make_ctx):
    """The formula guard is undone on the way back in: the title arrives exactly as written."""
    from servicetui.services import problems

    path = tmp_path / "清单.csv"
    write_problem_list(county.engine, ProblemListOptions(today=county.today), path, "csv")
    ctx = make_ctx(county.world.admin, today=county.today)
    for pid in (county.a, county.b, county.c, county.d):
        problems.archive_problem(ctx, pid, None)
    res = import_file(officer, path)
    assert res.ok and res.created == 4
    with county.engine.connect() as conn:
        titles = set(conn.scalars(select(Problem.title).where(Problem.archived == False)))  # noqa: E712
        closed = conn.execute(select(Problem.status, Problem.closed_on).where(
            Problem.title == "用电负荷不足", Problem.archived == False)).one()  # noqa: E712
    assert county.evil in titles
    assert tuple(closed) == ("已销号", date(2022, 8, 30))


def test_one_import_is_one_audit_batch_that_undo_reverts(county, officer, tmp_path):
    from servicetui.services.history import undo_last

    path = _csv(tmp_path / "ok.csv", ["项目名称", "问题", "责任单位", "办理进展"],
                [[P1, f"批量问题{i}", "供电公司", "进展"] for i in range(5)])
    res = import_file(officer, path)
    assert res.created == 5 and res.batch
    with county.engine.connect() as conn:
        batches = set(conn.scalars(select(AuditEntry.batch).where(AuditEntry.summary == "导入问题清单")))
    assert batches == {res.batch}
    assert undo_last(officer) == "导入问题清单"
    with county.engine.connect() as conn:
        live = conn.scalar(select(func.count()).select_from(Problem).where(
            Problem.title.like("批量问题%"), Problem.archived == False))  # noqa: E712
    assert live == 0


def test_a_file_without_a_header_row_is_refused(county, officer, tmp_path):
    from servicetui.reports.common import ReportError

    path = _csv(tmp_path / "x.csv", ["甲", "乙"], [["1", "2"]])
    with pytest.raises(ReportError) as err:
        import_file(officer, path)
    assert "表头" in err.value.zh


def test_gb18030_csv_from_an_office_is_read(county, officer, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"项目名称,问题,责任单位\n{P1},国标编码的问题,供电公司\n".encode("gb18030"))
    res = import_file(officer, path)
    assert res.ok and res.created == 1


@pytest.mark.parametrize("way", ["copy", "insert"])
def test_many_rows_go_in_in_file_order_with_their_notes_and_one_audit_entry_each(county, officer, tmp_path,
                                                                                   monkeypatch, way):
    """The ids follow the file's order and every row, note and audit entry points at the right one. On
    PostgreSQL the rows go in through COPY with ids taken from the sequences; "insert" is the
    executemany the import falls back to when a row cannot be copied (the same rows either way)."""
    from servicetui.store import bulk

    copied = []
    plain_copy = bulk.copy_rows

    def spy(conn, table, rows):
        done = way == "copy" and plain_copy(conn, table, rows)
        copied.append((table.name, done))
        return done

    monkeypatch.setattr(bulk, "copy_rows", spy)
    n = 250
    path = _csv(tmp_path / "many.csv", ["项目名称", "问题", "责任单位", "办结时限", "办理进展"],
                [[P1, f"成批问题{i:03d}", "供电公司", "2022-11-30", f"进展{i}" if i % 2 == 0 else ""] for i in range(n)])
    res = import_file(officer, path)
    assert res.ok and res.created == n, [i.message() for i in res.errors]
    with county.engine.connect() as conn:
        rows = conn.execute(select(Problem.id, Problem.title, Problem.project_id, Problem.version)
                            .where(Problem.title.like("成批问题%")).order_by(Problem.id)).all()
        events = dict(conn.execute(select(ProblemEvent.problem_id, ProblemEvent.text)
                                   .where(ProblemEvent.text.like("进展%"))).all())
        audits = conn.execute(select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.project_id)
                              .where(AuditEntry.batch == res.batch)).all()
        event_ids = set(conn.scalars(select(ProblemEvent.id).where(ProblemEvent.text.like("进展%"))))
    assert [r.title for r in rows] == [f"成批问题{i:03d}" for i in range(n)]
    assert {r.project_id for r in rows} == {county.world.project} and {r.version for r in rows} == {1}
    assert events == {r.id: f"进展{i}" for i, r in enumerate(rows) if i % 2 == 0}
    assert sorted((a.entity_id, a.project_id) for a in audits if a.entity == "problem") == \
        [(r.id, r.project_id) for r in rows]
    assert {a.entity_id for a in audits if a.entity == "problem_event"} == event_ids
    assert len(audits) == n + n // 2
    if county.engine.dialect.name == "postgresql":
        assert {table for table, done in copied if done} == (
            {"problem", "problemevent", "auditentry"} if way == "copy" else set())


def _undo_trace(engine, prefix: str) -> tuple:
    """What undoing the import of rows titled `prefix…` did, in terms that do not depend on the ids: the
    problems' and notes' states, and the undo's audit entries in order (entity ids as positions among
    the import's own rows)."""
    with engine.connect() as conn:
        problems = conn.execute(select(Problem.id, Problem.archived, Problem.version)
                                .where(Problem.title.like(f"{prefix}%")).order_by(Problem.id)).all()
        events = conn.execute(select(ProblemEvent.id, ProblemEvent.archived)
                              .where(ProblemEvent.problem_id.in_([p.id for p in problems]))
                              .order_by(ProblemEvent.id)).all()
        position = {("problem", p.id): i for i, p in enumerate(problems)}
        position.update({("problem_event", e.id): i for i, e in enumerate(events)})
        batch = conn.scalar(select(AuditEntry.batch).where(AuditEntry.action == "undo").order_by(AuditEntry.id.desc())
                            .limit(1))
        entries = conn.execute(select(AuditEntry).where(AuditEntry.batch == batch).order_by(AuditEntry.id)).all()
    return ([(p.archived, p.version) for p in problems], [e.archived for e in events],
            [(e.entity, position[(e.entity, e.entity_id)], e.project_id, e.field, e.old, e.new, e.summary, e.action)
             for e in entries])


def test_undoing_an_import_set_by_set_does_what_the_row_by_row_undo_does(county, officer, tmp_path, monkeypatch):
    """An import of thousands of rows is undone with a few statements (200 000 rows: 15 s on SQLite
    where the row-by-row loop ran for over ten minutes); the rows, versions and audit entries are
    those the loop leaves."""
    from servicetui.services import history

    traces = {}
    for way, minimum in (("loop", 10**9), ("sets", 10)):
        monkeypatch.setattr(history, "BULK_UNDO_MIN", minimum)
        prefix = f"撤销对照{way}"
        path = _csv(tmp_path / f"{way}.csv", ["项目名称", "问题", "责任单位", "办理进展"],
                    [[P1, f"{prefix}{i:02d}", "供电公司", "进展" if i % 3 else ""] for i in range(30)])
        res = import_file(officer, path)
        assert res.ok and res.created == 30
        assert history.pending_undo(officer) == ("导入问题清单", 30 + 20)
        assert history.undo_last(officer) == "导入问题清单"
        traces[way] = _undo_trace(county.engine, prefix)
    assert traces["sets"] == traces["loop"]
    problems, events, entries = traces["sets"]
    assert problems == [(True, 2)] * 30 and events == [True] * 20 and len(entries) == 50
    assert history.undo_last(officer) != "导入问题清单"  # each import was undone once


def test_undoing_an_import_is_refused_when_someone_changed_one_of_its_rows_since(county, officer, tmp_path,
                                                                                 make_ctx, monkeypatch):
    from servicetui.services import history, problems
    from servicetui.services.errors import RuleError

    monkeypatch.setattr(history, "BULK_UNDO_MIN", 10)
    path = _csv(tmp_path / "in.csv", ["项目名称", "问题", "责任单位"], [[P1, f"被改过{i:02d}", "供电公司"] for i in range(20)])
    assert import_file(officer, path).created == 20
    with county.engine.connect() as conn:
        target = conn.execute(select(Problem.id, Problem.version).where(Problem.title == "被改过07")).one()
    admin = make_ctx(county.world.admin, today=county.today)
    problems.change_due(admin, target.id, target.version, date(2022, 12, 31))
    with pytest.raises(RuleError) as refused:
        history.undo_last(officer)
    assert f"#{target.id}" in refused.value.zh and county.world.admin in refused.value.zh
    with county.engine.connect() as conn:
        assert not any(conn.scalars(select(Problem.archived).where(Problem.title.like("被改过%"))))
