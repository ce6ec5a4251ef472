"""Undo (a user's last action, as one step, through the audit trail), change history and the
change counter."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicetui.services import entities, problems
from servicetui.services.errors import NotFoundError, RuleError
from servicetui.services.history import change_counter, history, last_undoable, undo_last
from servicetui.store.models import AuditEntry, Milestone, Park, Problem, Project, Unit


def fetch(engine, model, entity_id):
    with Session(engine) as s:
        obj = s.get(model, entity_id)
        s.expunge(obj)
        return obj


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id))]


@pytest.fixture
def officer(make_ctx, world):
    return make_ctx(world.officer_login)


@pytest.fixture
def leader(make_ctx, world):
    return make_ctx(world.leader_login)


# -- undo -----------------------------------------------------------------------------------
def test_given_nothing_done_when_undo_then_none_and_nothing_written(officer):
    before = audit_rows(officer.engine)
    assert last_undoable(officer) is None
    assert undo_last(officer) is None
    assert audit_rows(officer.engine) == before


def test_given_a_problem_just_created_when_undo_then_the_row_is_archived_not_deleted(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="钢柱加工延迟", department_id=world.dept)
    assert last_undoable(officer)[1] == "新增问题"
    assert undo_last(officer) == "新增问题"
    p = fetch(officer.engine, Problem, pid)
    assert p.archived is True and p.title == "钢柱加工延迟"
    with pytest.raises(NotFoundError):
        problems.update_problem(officer, pid, None, title="x")


def test_given_an_edit_when_undo_then_every_field_of_that_edit_is_restored(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="旧标题", department_id=world.dept,
                                  due=date(2022, 10, 14))
    problems.update_problem(officer, pid, 1, title="新标题", due=date(2022, 10, 28), department_id=world.dept2)
    assert undo_last(officer) == "修改问题"
    p = fetch(officer.engine, Problem, pid)
    assert (p.title, p.due, p.department_id, p.archived) == ("旧标题", date(2022, 10, 14), world.dept, False)
    # the due/reassign events written by the edit are archived too
    assert problems.events(officer.engine, pid) == []


def test_given_a_close_when_undo_then_the_problem_is_open_again_with_its_dates_cleared(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="t", department_id=world.dept)
    v = problems.set_status(officer, pid, 1, "已办结")
    problems.close_problem(officer, pid, v, "核实")
    undo_last(officer)
    p = fetch(officer.engine, Problem, pid)
    assert (p.status, p.turn, p.closed_on, p.closed_by, p.done_on) == ("已办结", "服务官", None, "", date(2022, 10, 5))


def test_given_someone_else_changed_the_field_since_when_undo_then_refused_and_nothing_written(
    officer, leader, world
):
    pid = problems.create_problem(officer, project_id=world.project, title="A", department_id=world.dept)
    v = problems.update_problem(officer, pid, 1, title="B")
    problems.update_problem(leader, pid, v, title="C")
    before = audit_rows(officer.engine)
    with pytest.raises(RuleError) as exc:
        undo_last(officer)
    assert "撤销" in exc.value.zh and "title" in exc.value.en.lower()
    assert audit_rows(officer.engine) == before
    assert fetch(officer.engine, Problem, pid).title == "C"


def test_given_someone_else_changed_another_field_since_when_undo_then_my_field_is_restored(officer, leader, world):
    pid = problems.create_problem(officer, project_id=world.project, title="A", department_id=world.dept)
    v = problems.update_problem(officer, pid, 1, title="B")
    problems.update_problem(leader, pid, v, detail="王刚补充")
    undo_last(officer)
    p = fetch(officer.engine, Problem, pid)
    assert (p.title, p.detail) == ("A", "王刚补充")


def test_given_someone_else_worked_on_my_new_problem_when_I_undo_its_creation_then_refused(make_ctx, officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="A", department_id=world.dept)
    problems.set_status(make_ctx(world.contact_login), pid, 1, "已办结", "部门已办结")
    with pytest.raises(RuleError):
        undo_last(officer)
    assert fetch(officer.engine, Problem, pid).archived is False


def test_given_two_actions_when_undo_twice_then_the_second_goes_one_step_further_back(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="A", department_id=world.dept)
    v = problems.update_problem(officer, pid, 1, title="B")
    problems.update_problem(officer, pid, v, title="C")
    assert undo_last(officer) == "修改问题"
    assert fetch(officer.engine, Problem, pid).title == "B"
    assert undo_last(officer) == "修改问题"
    assert fetch(officer.engine, Problem, pid).title == "A"
    assert undo_last(officer) == "新增问题"
    assert fetch(officer.engine, Problem, pid).archived is True
    assert undo_last(officer) is None  # liming did nothing else (the world was built by "admin")


def test_undo_only_reverts_my_own_actions_not_someone_elses(officer, leader, world):
    pid = problems.create_problem(leader, project_id=world.project, title="王刚的问题")
    assert undo_last(officer) is None
    assert fetch(officer.engine, Problem, pid).archived is False
    assert undo_last(leader) == "新增问题"


def test_given_an_undo_when_undo_again_then_it_does_not_redo(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="A")
    problems.update_problem(officer, pid, 1, title="B")
    undo_last(officer)
    undo_last(officer)
    p = fetch(officer.engine, Problem, pid)
    assert (p.title, p.archived) == ("A", True)


def test_given_an_archive_when_undo_then_the_row_is_back(make_ctx, world):
    admin = make_ctx(world.admin)
    entities.archive(admin, Park, world.park, None)
    assert fetch(admin.engine, Park, world.park).archived is True
    assert undo_last(admin) == "归档"
    assert fetch(admin.engine, Park, world.park).archived is False


def test_given_a_new_unit_when_undo_then_the_unit_and_its_seven_milestones_are_archived(officer, world):
    uid = entities.create_unit(officer, world.project, "二号车间")
    undo_last(officer)
    assert fetch(officer.engine, Unit, uid).archived is True
    with officer.engine.connect() as conn:
        flags = conn.scalars(select(Milestone.archived).where(Milestone.unit_id == uid)).all()
    assert flags == [True] * 7


def test_given_a_milestone_slip_when_undo_then_plan_baseline_and_slip_count_are_restored(officer, world):
    mid = world.milestones[0]
    v = entities.update_milestone(officer, mid, None, planned_on=date(2022, 10, 10))
    entities.update_milestone(officer, mid, v, planned_on=date(2022, 10, 20))
    undo_last(officer)
    m = fetch(officer.engine, Milestone, mid)
    assert (m.planned_on, m.baseline_on, m.slip_count) == (date(2022, 10, 10), date(2022, 10, 10), 0)


def test_when_undo_then_its_entries_are_marked_as_undo_of_the_original_batch(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="A")
    problems.update_problem(officer, pid, 1, title="B")
    with officer.engine.connect() as conn:
        batch = conn.scalar(select(AuditEntry.batch).order_by(AuditEntry.id.desc()).limit(1))
    undo_last(officer)
    with officer.engine.connect() as conn:
        rows = conn.execute(select(AuditEntry).where(AuditEntry.undo_of == batch)).all()
    assert [(r.action, r.field, json.loads(r.old), json.loads(r.new), r.actor) for r in rows] == [
        ("undo", "title", "B", "A", "liming")
    ]
    assert rows[0].summary == "撤销：修改问题" and rows[0].batch != batch


def test_settings_changes_are_audited_but_not_undone(make_ctx, world):
    admin = make_ctx(world.admin)
    entities.set_setting(admin, "county", "平罗县")
    found = last_undoable(admin)
    assert found is not None and found[1] != "修改设置"


# -- every write is audited ----------------------------------------------------------------
def _writes(w):
    """(name, call(ctx)) for every service write; run in this order on one world."""
    from servicetui.store.models import Department as D

    made: dict[str, int] = {}
    return [
        ("create_park", lambda c: entities.create_park(c, name="暖泉片区", parent_id=w.park)),
        ("update_park", lambda c: entities.update_park(c, w.zone, None, notes="北区")),
        ("create_department", lambda c: entities.create_department(c, name="人社局")),
        ("update_department", lambda c: entities.update_department(c, w.dept2, None, phone="95598")),
        ("create_person", lambda c: entities.create_person(c, name="孙八", login="sunba")),
        ("update_person", lambda c: entities.update_person(c, w.contact, None, phone="139")),
        ("create_project", lambda c: entities.create_project(c, name="新项目")),
        ("update_project", lambda c: entities.update_project(c, w.project, None, stage="在建")),
        ("create_unit", lambda c: entities.create_unit(c, w.project, "二号车间")),
        ("update_unit", lambda c: entities.update_unit(c, w.unit, None, seq=3)),
        ("create_milestone", lambda c: entities.create_milestone(c, w.unit, "钢柱加工")),
        ("update_milestone", lambda c: entities.update_milestone(c, w.milestones[0], None, planned_on=date(2022, 10, 9))),
        ("mark_milestone_started", lambda c: entities.mark_milestone_started(c, w.milestones[0], None)),
        ("set_milestone_blocker", lambda c: entities.set_milestone_blocker(c, w.milestones[1], None, "等钢柱")),
        ("clear_milestone_blocker", lambda c: entities.set_milestone_blocker(c, w.milestones[1], None, "")),
        ("mark_milestone_done", lambda c: entities.mark_milestone_done(c, w.milestones[0], None)),
        ("record_funds", lambda c: entities.record_funds(c, w.project, 2022, 9, 100)),
        ("re_record_funds", lambda c: entities.record_funds(c, w.project, 2022, 9, 200)),
        ("create_activity", lambda c: entities.create_activity(c, kind="走出去", on=date(2022, 9, 1), projects_contacted="A")),
        ("set_setting", lambda c: entities.set_setting(c, "county", "平罗县")),
        ("create_problem", lambda c: made.setdefault("p", problems.create_problem(
            c, project_id=w.project, title="P", department_id=w.dept, due=date(2022, 10, 9)))),
        ("update_problem", lambda c: problems.update_problem(c, made["p"], None, detail="d")),
        ("advance", lambda c: problems.advance(c, made["p"], None)),
        ("set_status", lambda c: problems.set_status(c, made["p"], None, "已办结", "好了")),
        ("close_problem", lambda c: problems.close_problem(c, made["p"], None, "核实")),
        ("reopen", lambda c: problems.reopen(c, made["p"], None, "复发")),
        ("escalate", lambda c: problems.escalate(c, made["p"], None)),
        ("add_note", lambda c: problems.add_note(c, made["p"], "进展")),
        ("reassign", lambda c: problems.reassign(c, made["p"], None, w.dept2)),
        ("change_due", lambda c: problems.change_due(c, made["p"], None, date(2022, 10, 30))),
        ("bulk_update", lambda c: problems.bulk_update(c, [(made["p"], None)], due=date(2022, 10, 31))),
        ("archive_problem", lambda c: problems.archive_problem(c, made["p"], None)),
        ("archive", lambda c: entities.archive(c, D, w.dept, None)),
        ("undo_last", lambda c: undo_last(c)),
    ]


def test_every_service_write_appends_audit_entries_with_actor_entity_field_and_json_values(officer, world):
    engine = officer.engine
    seen = []
    for name, call in _writes(world):
        start = audit_rows(engine)
        call(officer)
        after = audit_rows(engine)
        assert after[: len(start)] == start, f"{name} changed existing audit rows"
        with engine.connect() as conn:
            new = conn.execute(select(AuditEntry).where(AuditEntry.id > (start[-1][0] if start else 0))).all()
        assert new, f"{name} wrote no audit entry"
        for e in new:
            assert e.actor == "liming" and e.entity and e.batch and e.action, name
            assert e.action in ("create", "update", "archive", "set", "undo"), name
            assert e.action == "create" or e.field, f"{name}: an update entry without a field"
            for raw in (e.old, e.new):
                if raw is not None:
                    json.loads(raw)  # valid JSON
        assert len({e.batch for e in new}) == 1, f"{name} is not one batch"
        seen.append(name)
    assert len(seen) == len(_writes(world))


# -- history and change counter ---------------------------------------------------------------
def test_project_history_includes_its_problems_units_milestones_and_notes_newest_first(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="P", department_id=world.dept)
    problems.add_note(officer, pid, "进展")
    entities.update_unit(officer, world.unit, None, name="一号车间（主厂房）")
    entities.mark_milestone_started(officer, world.milestones[0], None)
    entities.update_project(officer, world.project, None, stage="在建")
    entities.record_funds(officer, world.project, 2022, 9, 1200)
    other = entities.create_project(officer, name="另一个项目")
    problems.create_problem(officer, project_id=other, title="不相干")

    rows = history(officer.engine, project_id=world.project)
    kinds = {r["entity"] for r in rows}
    assert {"project", "unit", "milestone", "problem", "problem_event", "funds"} <= kinds
    assert all(r["entity_id"] != other or r["entity"] != "project" for r in rows)
    assert "不相干" not in json.dumps([r["new"] for r in rows], ensure_ascii=False)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True)
    assert rows[0]["entity"] == "funds"
    assert {"id", "at", "actor", "action", "entity", "entity_id", "field", "old", "new", "summary"} <= set(rows[0])


def test_given_a_note_undone_then_the_project_history_shows_the_undo(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="P")
    problems.add_note(officer, pid, "进展")
    undo_last(officer)
    rows = history(officer.engine, project_id=world.project)
    assert (rows[0]["action"], rows[0]["entity"]) == ("undo", "problem_event")


def test_entity_history_lists_only_that_row(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="P")
    problems.update_problem(officer, pid, 1, title="Q")
    problems.create_problem(officer, project_id=world.project, title="R")
    rows = history(officer.engine, entity="problem", entity_id=pid)
    assert [(r["action"], r["field"]) for r in rows] == [("update", "title"), ("create", "")]
    assert history(officer.engine, entity="problem", entity_id=pid, limit=1)[0]["field"] == "title"


def test_change_counter_grows_with_every_write_and_not_with_refused_ones(officer, world):
    c0 = change_counter(officer.engine)
    assert c0 > 0  # the world was built
    pid = problems.create_problem(officer, project_id=world.project, title="P")
    c1 = change_counter(officer.engine)
    assert c1 > c0
    with pytest.raises(Exception):
        problems.update_problem(officer, pid, 1, title="")
    assert change_counter(officer.engine) == c1
    entities.set_setting(officer, "warn_days", "5")
    c2 = change_counter(officer.engine)
    assert c2 > c1
    undo_last(officer)
    assert change_counter(officer.engine) > c2


def test_change_counter_is_zero_on_an_empty_database(engine):
    assert change_counter(engine) == 0
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Project)) == 0
