"""Problems (问题/诉求): creation, the 交办 → 办理中 → 已办结 → 销号 flow and its rules, escalation,
notes, reassignment, deadlines, bulk edits, optimistic-locking conflicts, validation and audit.

Every test reads GIVEN / WHEN / THEN from its name; `world` (tests/conftest.py) provides a project
with an officer (liming), a leader (wanggang) and a department contact (zhaoli).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from servicetui.services import problems
from servicetui.services.errors import (
    ConflictError,
    NotFoundError,
    RuleError,
    ServiceError,
    ValidationError,
)
from servicetui.services.history import undo_last
from servicetui.store.models import AuditEntry, Problem, ProblemEvent

TODAY = date(2022, 10, 5)


# -- helpers ----------------------------------------------------------------------------------
def prob(engine, pid: int) -> Problem:
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        p = s.get(Problem, pid)
        s.expunge(p)
        return p


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def audit_count(engine) -> int:
    return count(engine, AuditEntry)


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id))]


def event_kinds(engine, pid: int) -> list[str]:
    return [e["kind"] for e in problems.events(engine, pid)]


@pytest.fixture
def officer(make_ctx, world):
    return make_ctx(world.officer_login)


@pytest.fixture
def leader(make_ctx, world):
    return make_ctx(world.leader_login)


@pytest.fixture
def contact(make_ctx, world):
    return make_ctx(world.contact_login)


@pytest.fixture
def assigned(officer, world):
    """A problem handed to 工业园区管委会, due 2022-10-14: (id, version)."""
    pid = problems.create_problem(
        officer, project_id=world.project, title="钢柱加工延迟", department_id=world.dept,
        due=date(2022, 10, 14), category="其他",
    )
    return pid, prob(officer.engine, pid).version


def walk_to(ctx, pid: int, status: str, note: str = "") -> int:
    """Advance a problem step by step until it reaches `status`; returns the version."""
    v = prob(ctx.engine, pid).version
    while prob(ctx.engine, pid).status != status:
        v = problems.advance(ctx, pid, v, note)
    return v


# -- creation -----------------------------------------------------------------------------------
def test_given_a_department_when_a_problem_is_created_then_it_starts_assigned_and_it_is_the_departments_turn(
    officer, world
):
    pid = problems.create_problem(officer, project_id=world.project, title="钢柱加工延迟", department_id=world.dept)
    p = prob(officer.engine, pid)
    assert (p.status, p.turn) == ("已交办", "责任单位")
    assert p.version == 1 and p.escalation == 0 and p.reopen_count == 0


def test_given_no_department_when_a_problem_is_created_then_it_waits_to_be_assigned_on_the_officers_turn(
    officer, world
):
    pid = problems.create_problem(officer, project_id=world.project, title="用工缺口 80 人", category="用工")
    p = prob(officer.engine, pid)
    assert (p.status, p.turn, p.department_id) == ("待交办", "服务官", None)


def test_given_a_department_and_assign_false_when_created_then_it_stays_待交办(officer, world):
    pid = problems.create_problem(
        officer, project_id=world.project, title="t", department_id=world.dept, assign=False
    )
    assert prob(officer.engine, pid).status == "待交办"


def test_when_a_problem_is_created_then_raised_on_defaults_to_today_and_raised_by_to_the_actor(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="t")
    p = prob(officer.engine, pid)
    assert p.raised_on == TODAY
    assert p.raised_by == "liming"
    assert p.kind == "问题" and p.category == "其他"


def test_when_a_problem_is_created_with_every_field_then_all_are_stored(officer, world):
    pid = problems.create_problem(
        officer, project_id=world.project, title="  10kV 专线未接入  ", department_id=world.dept2,
        due=date(2022, 10, 20), category="用电", kind="任务", detail="第一行\n第二行",
        co_departments="发改局、工业园区管委会", owner_id=world.contact, raised_on=date(2022, 10, 1),
        raised_by="企业负责人",
    )
    p = prob(officer.engine, pid)
    assert p.title == "10kV 专线未接入"  # trimmed
    assert (p.category, p.kind, p.detail) == ("用电", "任务", "第一行\n第二行")
    assert (p.co_departments, p.owner_id, p.raised_on, p.raised_by) == (
        "发改局、工业园区管委会", world.contact, date(2022, 10, 1), "企业负责人",
    )


# -- the flow -----------------------------------------------------------------------------------
def test_given_no_department_when_advanced_then_refused_until_a_department_is_assigned(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="t")
    with pytest.raises(RuleError) as exc:
        problems.advance(officer, pid, 1)
    assert exc.value.field == "department_id"
    v = problems.reassign(officer, pid, 1, world.dept)
    v = problems.advance(officer, pid, v)
    assert prob(officer.engine, pid).status == "已交办"


def test_given_an_assigned_problem_when_advanced_step_by_step_then_status_and_turn_follow_the_flow(
    officer, assigned
):
    pid, v = assigned
    seen = []
    for _ in range(2):
        v = problems.advance(officer, pid, v, "")
        p = prob(officer.engine, pid)
        seen.append((p.status, p.turn, p.done_on))
    assert seen == [("办理中", "责任单位", None), ("已办结", "服务官", TODAY)]
    assert event_kinds(officer.engine, pid) == ["status", "status"]


def test_given_已办结_when_advanced_without_a_note_then_closing_is_refused_on_field_note(officer, assigned):
    pid, _ = assigned
    v = walk_to(officer, pid, "已办结")
    with pytest.raises(ValidationError) as exc:
        problems.advance(officer, pid, v)
    assert "note" in exc.value.errors
    v = problems.advance(officer, pid, v, "现场核实，钢柱已到货")
    assert prob(officer.engine, pid).status == "已销号"


def test_given_a_closed_problem_when_advanced_then_refused_nothing_follows(officer, assigned):
    pid, _ = assigned
    v = walk_to(officer, pid, "已销号", note="已核实")
    with pytest.raises(RuleError):
        problems.advance(officer, pid, v, "again")


def test_given_a_department_contact_when_reporting_已办结_then_accepted_with_done_on_and_resolution(
    contact, assigned
):
    pid, v = assigned
    v = problems.set_status(contact, pid, v, "已办结", "钢柱已加工完成")
    p = prob(contact.engine, pid)
    assert (p.status, p.turn, p.done_on, p.resolution) == ("已办结", "服务官", TODAY, "钢柱已加工完成")
    ev = problems.events(contact.engine, pid)[-1]
    assert ev["actor"] == "zhaoli" and "钢柱已加工完成" in ev["text"]


@pytest.mark.parametrize("actor", ["zhaoli", "stranger"], ids=["department-contact", "unknown-user"])
def test_given_not_an_officer_or_leader_when_closing_then_refused_by_the_closing_rule_and_nothing_written(
    make_ctx, officer, assigned, actor
):
    pid, _ = assigned
    v = walk_to(officer, pid, "已办结")
    before = audit_rows(officer.engine)
    with pytest.raises(RuleError) as exc:
        problems.close_problem(make_ctx(actor), pid, v, "自己销号")
    assert "首席服务官或县领导" in str(exc.value) and "销号" in exc.value.zh
    assert "service officer or county leader" in exc.value.en
    assert actor in exc.value.zh
    assert exc.value.field == "status"
    assert audit_rows(officer.engine) == before
    assert prob(officer.engine, pid).status == "已办结"
    with pytest.raises(RuleError):
        problems.set_status(make_ctx(actor), pid, v, "已销号", "via set_status")


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_given_an_officer_when_closing_without_a_note_then_validation_error_on_note(officer, assigned, note):
    pid, _ = assigned
    v = walk_to(officer, pid, "已办结")
    before = audit_count(officer.engine)
    with pytest.raises(ValidationError) as exc:
        problems.close_problem(officer, pid, v, note)
    assert list(exc.value.errors) == ["note"]
    assert "说明" in exc.value.field_message("note")
    assert audit_count(officer.engine) == before


@pytest.mark.parametrize("who", ["officer", "leader"])
def test_given_an_officer_or_leader_when_closing_with_a_note_then_closed_on_closed_by_and_no_ones_turn(
    request, assigned, who
):
    ctx = request.getfixturevalue(who)
    pid, _ = assigned
    v = walk_to(ctx, pid, "已办结", note="部门报办结")
    problems.close_problem(ctx, pid, v, "现场核实：钢柱已到货")
    p = prob(ctx.engine, pid)
    assert p.status == "已销号"
    assert p.closed_on == TODAY
    assert p.closed_by == ctx.actor
    assert p.turn == "—"
    assert p.resolution.endswith("现场核实：钢柱已到货")
    assert problems.events(ctx.engine, pid)[-1]["text"] == "销号：现场核实：钢柱已到货"


def test_given_an_assigned_problem_when_the_officer_closes_it_directly_then_done_on_is_filled(officer, assigned):
    pid, v = assigned
    problems.close_problem(officer, pid, v, "企业自行解决")
    p = prob(officer.engine, pid)
    assert (p.status, p.done_on, p.closed_on) == ("已销号", TODAY, TODAY)


def test_given_a_closed_problem_when_closed_again_then_refused(officer, assigned):
    pid, v = assigned
    v = problems.close_problem(officer, pid, v, "ok")
    with pytest.raises(RuleError):
        problems.close_problem(officer, pid, v, "ok again")


@pytest.mark.parametrize("reason", ["", "  "])
def test_given_a_closed_problem_when_reopened_without_a_reason_then_validation_error_on_reason(
    officer, assigned, reason
):
    pid, v = assigned
    v = problems.close_problem(officer, pid, v, "ok")
    with pytest.raises(ValidationError) as exc:
        problems.reopen(officer, pid, v, reason)
    assert list(exc.value.errors) == ["reason"]
    assert prob(officer.engine, pid).status == "已销号"


def test_given_a_closed_problem_when_reopened_with_a_reason_then_in_hand_again_and_reopen_count_grows(
    officer, assigned
):
    pid, v = assigned
    v = problems.close_problem(officer, pid, v, "ok")
    v = problems.reopen(officer, pid, v, "企业反映钢柱仍未到货")
    p = prob(officer.engine, pid)
    assert (p.status, p.turn, p.reopen_count) == ("办理中", "责任单位", 1)
    assert (p.closed_on, p.closed_by, p.done_on) == (None, "", None)
    assert "企业反映钢柱仍未到货" in problems.events(officer.engine, pid)[-1]["text"]
    v = problems.set_status(officer, pid, v, "已办结")
    v = problems.close_problem(officer, pid, v, "ok2")
    problems.reopen(officer, pid, v, "again")
    assert prob(officer.engine, pid).reopen_count == 2


def test_given_an_已办结_problem_when_reopened_then_back_to_办理中(contact, officer, assigned):
    pid, v = assigned
    v = problems.set_status(contact, pid, v, "已办结", "done")
    problems.reopen(officer, pid, v, "未解决")
    assert prob(officer.engine, pid).status == "办理中"


def test_given_an_open_problem_when_reopened_then_refused(officer, assigned):
    pid, v = assigned
    with pytest.raises(RuleError):
        problems.reopen(officer, pid, v, "why")


def test_given_办理中_when_set_back_to_已交办_then_refused_without_reopen(officer, assigned):
    pid, v = assigned
    v = problems.advance(officer, pid, v)
    with pytest.raises(RuleError) as exc:
        problems.set_status(officer, pid, v, "已交办")
    assert "重新打开" in exc.value.zh and exc.value.field == "status"
    assert prob(officer.engine, pid).status == "办理中"


def test_given_a_closed_problem_when_set_to_办理中_then_refused_it_must_be_reopened(officer, assigned):
    pid, v = assigned
    v = problems.close_problem(officer, pid, v, "ok")
    with pytest.raises(RuleError):
        problems.set_status(officer, pid, v, "办理中")


def test_when_set_to_an_unknown_status_then_validation_error_on_status(officer, assigned):
    pid, v = assigned
    with pytest.raises(ValidationError) as exc:
        problems.set_status(officer, pid, v, "搞定了")
    assert "status" in exc.value.errors


def test_when_set_to_the_current_status_then_nothing_is_written(officer, assigned):
    pid, v = assigned
    before = audit_count(officer.engine)
    assert problems.set_status(officer, pid, v, "已交办") == v
    assert audit_count(officer.engine) == before


@pytest.mark.parametrize(
    "call",
    [
        lambda ctx, pid, v: problems.set_status(ctx, pid, v, "办理中", "进展\x1b[2J"),
        lambda ctx, pid, v: problems.escalate(ctx, pid, v, "督办\u202e"),
        lambda ctx, pid, v: problems.close_problem(ctx, pid, v, "核实\x00"),
    ],
    ids=["set_status", "escalate", "close"],
)
def test_when_a_status_note_has_control_or_bidi_characters_then_validation_error_on_note(officer, assigned, call):
    pid, v = assigned
    before = audit_count(officer.engine)
    with pytest.raises(ValidationError) as exc:
        call(officer, pid, v)
    assert "note" in exc.value.errors
    assert audit_count(officer.engine) == before


# -- escalation ---------------------------------------------------------------------------------
def test_given_an_assigned_problem_when_escalated_twice_then_the_leaders_turn_and_a_third_is_refused(
    officer, assigned
):
    pid, v = assigned
    v = problems.escalate(officer, pid, v, "逾期未办")
    p = prob(officer.engine, pid)
    assert (p.escalation, p.turn) == (1, "责任单位")
    v = problems.escalate(officer, pid, v)
    p = prob(officer.engine, pid)
    assert (p.escalation, p.turn) == (2, "县领导")
    with pytest.raises(RuleError) as exc:
        problems.escalate(officer, pid, v)
    assert exc.value.field == "escalation"
    texts = [e["text"] for e in problems.events(officer.engine, pid) if e["kind"] == "escalate"]
    assert texts == ["督办：逾期未办", "提请县领导督办"]


def test_given_an_escalated_problem_when_it_moves_to_办理中_then_it_stays_the_leaders_turn(officer, assigned):
    pid, v = assigned
    v = problems.escalate(officer, pid, v)
    v = problems.escalate(officer, pid, v)
    problems.advance(officer, pid, v)
    assert prob(officer.engine, pid).turn == "县领导"


def test_given_a_closed_problem_when_escalated_then_refused(officer, assigned):
    pid, v = assigned
    v = problems.close_problem(officer, pid, v, "ok")
    with pytest.raises(RuleError):
        problems.escalate(officer, pid, v)


# -- notes, reassign, due ---------------------------------------------------------------------
def test_when_a_note_is_added_then_it_is_in_the_progress_log_with_actor_and_date(contact, assigned):
    pid, _ = assigned
    eid = problems.add_note(contact, pid, "已协调钢构厂加班")
    eid2 = problems.add_note(contact, pid, "第二批钢柱进场", on=date(2022, 10, 3))
    log = problems.events(contact.engine, pid)
    assert [e["id"] for e in log] == [eid, eid2]
    assert (log[0]["kind"], log[0]["actor"], log[0]["on"], log[0]["text"]) == ("note", "zhaoli", TODAY, "已协调钢构厂加班")
    assert log[1]["on"] == date(2022, 10, 3)


def test_when_a_note_is_added_then_the_problem_version_does_not_move(officer, assigned):
    pid, v = assigned
    problems.add_note(officer, pid, "跟进")
    assert prob(officer.engine, pid).version == v


@pytest.mark.parametrize("text", ["", "  ", "bad\x00byte"])
def test_when_an_empty_or_unsafe_note_is_added_then_validation_error_on_text(officer, assigned, text):
    pid, _ = assigned
    before = audit_count(officer.engine)
    with pytest.raises(ValidationError) as exc:
        problems.add_note(officer, pid, text)
    assert "text" in exc.value.errors
    assert audit_count(officer.engine) == before


def test_when_a_note_is_added_to_a_missing_problem_then_not_found(officer, world):
    with pytest.raises(NotFoundError):
        problems.add_note(officer, 9999, "x")


def test_when_reassigned_then_the_department_changes_and_a_reassign_event_is_written(officer, world, assigned):
    pid, v = assigned
    v2 = problems.reassign(officer, pid, v, world.dept2)
    p = prob(officer.engine, pid)
    assert p.department_id == world.dept2 and v2 == v + 1
    assert event_kinds(officer.engine, pid) == ["reassign"]


def test_when_reassigned_with_a_note_then_the_note_is_in_the_progress_log(officer, world, assigned):
    pid, v = assigned
    problems.reassign(officer, pid, v, world.dept2, note="供电公司负责专线")
    assert any("供电公司负责专线" in e["text"] for e in problems.events(officer.engine, pid))


def test_when_reassigned_to_a_missing_department_then_validation_error(officer, assigned):
    pid, v = assigned
    with pytest.raises(ValidationError) as exc:
        problems.reassign(officer, pid, v, 999)
    assert "department_id" in exc.value.errors


def test_when_the_due_date_changes_then_a_due_event_records_old_and_new(officer, assigned):
    pid, v = assigned
    problems.change_due(officer, pid, v, date(2022, 10, 21))
    assert prob(officer.engine, pid).due == date(2022, 10, 21)
    log = problems.events(officer.engine, pid)
    assert [e["kind"] for e in log] == ["due"]
    assert "2022-10-14" in log[0]["text"] and "2022-10-21" in log[0]["text"]


def test_when_the_due_date_moves_before_the_raised_date_then_validation_error_on_due(officer, assigned):
    pid, v = assigned
    with pytest.raises(ValidationError) as exc:
        problems.change_due(officer, pid, v, date(2022, 9, 1))
    assert list(exc.value.errors) == ["due"]


def test_when_a_problem_is_edited_then_fields_change_and_version_grows(officer, assigned):
    pid, v = assigned
    v2 = problems.update_problem(officer, pid, v, title="钢柱加工延迟（二批）", detail="细节", category="基础设施")
    p = prob(officer.engine, pid)
    assert (p.title, p.detail, p.category, p.version) == ("钢柱加工延迟（二批）", "细节", "基础设施", v2)
    assert v2 == v + 1


@pytest.mark.parametrize("field", ["status", "closed_by", "closed_on", "escalation", "reopen_count", "archived"])
def test_when_an_edit_touches_a_workflow_field_then_refused(officer, assigned, field):
    pid, v = assigned
    with pytest.raises(ValidationError) as exc:
        problems.update_problem(officer, pid, v, **{field: "x"})
    assert field in exc.value.errors


def test_when_a_problem_is_archived_then_it_can_no_longer_be_edited(officer, assigned):
    pid, v = assigned
    problems.archive_problem(officer, pid, v)
    assert prob(officer.engine, pid).archived is True
    with pytest.raises(NotFoundError) as exc:
        problems.update_problem(officer, pid, None, title="x")
    assert "问题" in exc.value.zh and "problem" in exc.value.en


def test_when_editing_a_missing_problem_then_not_found(officer, world):
    with pytest.raises(NotFoundError):
        problems.update_problem(officer, 4242, None, title="x")


# -- bulk ---------------------------------------------------------------------------------------
@pytest.fixture
def three(officer, world):
    ids = [
        problems.create_problem(officer, project_id=world.project, title=f"问题{i}", department_id=world.dept,
                                due=date(2022, 10, 10 + i))
        for i in range(3)
    ]
    return [(pid, prob(officer.engine, pid).version) for pid in ids]


def test_given_three_problems_when_bulk_advanced_then_one_batch_and_one_undo_reverts_all_three(officer, three):
    engine = officer.engine
    before = {pid: prob(engine, pid) for pid, _ in three}
    n_events = count(engine, ProblemEvent)
    start = audit_count(engine)

    assert problems.bulk_update(officer, three, status="办理中", note="统一推进") == 3

    assert {prob(engine, pid).status for pid, _ in three} == {"办理中"}
    with engine.connect() as conn:
        batches = set(conn.scalars(select(AuditEntry.batch).where(AuditEntry.id > start)))
    assert len(batches) == 1
    assert count(engine, ProblemEvent) == n_events + 3

    assert undo_last(officer) == "批量修改 3 项"

    for pid, v in three:
        p = prob(engine, pid)
        assert (p.status, p.turn) == (before[pid].status, before[pid].turn)
        assert problems.events(engine, pid) == []  # the bulk's events are archived by the undo


def test_given_three_problems_when_bulk_reassigned_and_rescheduled_then_all_change(officer, world, three):
    problems.bulk_update(officer, three, department_id=world.dept2, due=date(2022, 11, 1))
    for pid, _ in three:
        p = prob(officer.engine, pid)
        assert (p.department_id, p.due, p.status) == (world.dept2, date(2022, 11, 1), "已交办")
    undo_last(officer)
    assert [prob(officer.engine, pid).due for pid, _ in three] == [date(2022, 10, 10 + i) for i in range(3)]


def test_given_three_problems_when_bulk_closed_by_the_officer_with_a_note_then_all_closed(officer, three):
    problems.bulk_update(officer, three, status="已销号", note="调度会确认已解决")
    for pid, _ in three:
        p = prob(officer.engine, pid)
        assert (p.status, p.turn, p.closed_by, p.closed_on) == ("已销号", "—", "liming", TODAY)
        assert problems.events(officer.engine, pid)[-1]["text"] == "销号：调度会确认已解决"


def test_given_three_problems_when_bulk_closed_then_the_note_is_the_resolution_like_a_single_close(officer, three):
    problems.bulk_update(officer, three, status="已销号", note="调度会确认已解决")
    assert all("调度会确认已解决" in prob(officer.engine, pid).resolution for pid, _ in three)


def test_given_a_contact_when_bulk_closing_then_refused_and_nothing_written(contact, three):
    before = audit_rows(contact.engine)
    with pytest.raises(RuleError):
        problems.bulk_update(contact, three, status="已销号", note="done")
    with pytest.raises(ValidationError) as exc:
        problems.bulk_update(contact, three, status="已销号", note="")
    assert "note" in exc.value.errors
    assert audit_rows(contact.engine) == before


def test_given_one_stale_version_in_a_bulk_then_conflict_and_none_of_the_three_changes(officer, make_ctx, three):
    (p1, v1), (p2, v2), (p3, v3) = three
    problems.update_problem(make_ctx("wanggang"), p3, v3, title="王刚改了标题")
    before = audit_count(officer.engine)
    with pytest.raises(ConflictError) as exc:
        problems.bulk_update(officer, three, status="办理中")
    assert exc.value.changed_by == "wanggang"
    assert audit_count(officer.engine) == before
    assert [prob(officer.engine, p).status for p in (p1, p2, p3)] == ["已交办"] * 3


def test_when_a_bulk_edit_moves_due_before_the_raised_date_then_validation_error_on_due(officer, three):
    before = audit_count(officer.engine)
    with pytest.raises(ValidationError) as exc:
        problems.bulk_update(officer, three, due=date(2020, 1, 1))
    assert "due" in exc.value.errors
    assert audit_count(officer.engine) == before


def test_when_a_bulk_edit_reassigns_and_reschedules_then_each_progress_log_records_it(officer, world, three):
    problems.bulk_update(officer, three, department_id=world.dept2, due=date(2022, 11, 1))
    for pid, _ in three:
        assert {"reassign", "due"} <= set(event_kinds(officer.engine, pid))


def test_when_a_bulk_edit_touches_a_field_it_may_not_then_validation_error(officer, three):
    with pytest.raises(ValidationError) as exc:
        problems.bulk_update(officer, three, title="同一个标题")
    assert "title" in exc.value.errors


def test_when_a_bulk_edit_sets_an_unknown_status_then_validation_error_on_status(officer, three):
    with pytest.raises(ValidationError) as exc:
        problems.bulk_update(officer, three, status="搞定了")
    assert "status" in exc.value.errors


def test_when_a_bulk_edit_carries_a_note_with_control_characters_then_validation_error_on_note(officer, three):
    before = audit_count(officer.engine)
    with pytest.raises(ValidationError) as exc:
        problems.bulk_update(officer, three, status="已办结", note="完成\x1b[2J\x00")
    assert "note" in exc.value.errors
    assert audit_count(officer.engine) == before


# -- conflicts ----------------------------------------------------------------------------------
def test_given_a_version_read_when_someone_else_edits_first_then_the_stale_edit_raises_a_conflict_naming_them(
    officer, leader, assigned
):
    pid, v = assigned  # liming reads version v
    problems.update_problem(leader, pid, v, title="王刚改的标题")  # wanggang saves first
    before_rows = audit_rows(officer.engine)
    with pytest.raises(ConflictError) as exc:
        problems.update_problem(officer, pid, v, title="李明改的标题")
    err = exc.value
    assert "wanggang" in err.zh and "标题" in err.zh and "冲突" in err.zh
    assert "wanggang" in err.en and "Title" in err.en and "Conflict" in err.en
    assert err.message("en") == err.en and err.message() == err.zh
    assert (err.changed_by, err.fields, err.expected_version, err.current_version) == ("wanggang", ["title"], v, v + 1)
    assert err.changed_at is not None
    # nothing was written by the refused call
    assert audit_rows(officer.engine) == before_rows
    p = prob(officer.engine, pid)
    assert (p.title, p.version) == ("王刚改的标题", v + 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda ctx, pid, v: problems.set_status(ctx, pid, v, "办理中"),
        lambda ctx, pid, v: problems.advance(ctx, pid, v),
        lambda ctx, pid, v: problems.close_problem(ctx, pid, v, "ok"),
        lambda ctx, pid, v: problems.escalate(ctx, pid, v),
        lambda ctx, pid, v: problems.reassign(ctx, pid, v, 2),
        lambda ctx, pid, v: problems.change_due(ctx, pid, v, date(2022, 12, 1)),
        lambda ctx, pid, v: problems.archive_problem(ctx, pid, v),
    ],
    ids=["set_status", "advance", "close", "escalate", "reassign", "change_due", "archive"],
)
def test_given_a_stale_version_when_any_write_then_conflict_and_nothing_written(officer, leader, assigned, call):
    pid, v = assigned
    problems.update_problem(leader, pid, v, due=date(2022, 10, 30))
    before = audit_rows(officer.engine)
    with pytest.raises(ConflictError) as exc:
        call(officer, pid, v)
    assert exc.value.fields == ["due"] and "办结时限" in exc.value.zh
    assert audit_rows(officer.engine) == before


def test_given_a_reopen_with_a_stale_version_then_conflict(officer, leader, assigned):
    pid, v = assigned
    v = problems.close_problem(officer, pid, v, "ok")
    problems.add_note(leader, pid, "note does not bump the version")
    v2 = problems.update_problem(leader, pid, v, detail="补充")
    with pytest.raises(ConflictError):
        problems.reopen(officer, pid, v, "reason")
    problems.reopen(officer, pid, v2, "reason")


def test_given_no_expected_version_when_editing_then_no_conflict_check(officer, leader, assigned):
    pid, v = assigned
    problems.update_problem(leader, pid, v, title="a")
    problems.update_problem(officer, pid, None, title="b")
    assert prob(officer.engine, pid).title == "b"


def test_a_conflict_message_shows_when_in_local_time(officer, leader, assigned, monkeypatch):
    import time

    pid, v = assigned
    problems.update_problem(leader, pid, v, title="王刚改的标题")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        with pytest.raises(ConflictError) as exc:
            problems.update_problem(officer, pid, v, title="x")
        local = exc.value.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")
        assert exc.value.changed_at.utcoffset() is not None  # stored and read back as aware UTC
        assert local in exc.value.zh
        assert exc.value.changed_at.astimezone().utcoffset().total_seconds() == 8 * 3600
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# -- validation ---------------------------------------------------------------------------------
BAD_TITLES = {
    "empty": "",
    "blank": "   ",
    "600-chars": "长" * 600,
    "NUL": "钢柱\x00延迟",
    "ESC": "钢柱\x1b[31m延迟",
    "bidi-override": "钢柱\u202e延迟",
    "newline": "第一行\n第二行",
}


@pytest.mark.parametrize("title", BAD_TITLES.values(), ids=BAD_TITLES.keys())
def test_when_creating_with_a_bad_title_then_validation_error_on_title_and_nothing_written(officer, world, title):
    before = (audit_count(officer.engine), count(officer.engine, Problem))
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(officer, project_id=world.project, title=title, department_id=world.dept)
    assert list(exc.value.errors) == ["title"]
    assert exc.value.field_message("title") and exc.value.field_message("title", "en")
    assert (audit_count(officer.engine), count(officer.engine, Problem)) == before


@pytest.mark.parametrize("title", BAD_TITLES.values(), ids=BAD_TITLES.keys())
def test_when_editing_with_a_bad_title_then_validation_error_and_nothing_written(officer, assigned, title):
    pid, v = assigned
    before = audit_rows(officer.engine)
    with pytest.raises(ValidationError) as exc:
        problems.update_problem(officer, pid, v, title=title)
    assert "title" in exc.value.errors
    assert audit_rows(officer.engine) == before


def test_when_a_title_is_exactly_500_chars_then_accepted(officer, world):
    pid = problems.create_problem(officer, project_id=world.project, title="长" * 500)
    assert len(prob(officer.engine, pid).title) == 500


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(due=date(2022, 9, 30)), "due"),  # raised today, due last week
        (dict(due=date(2022, 10, 1), raised_on=date(2022, 10, 2)), "due"),
        (dict(department_id=999), "department_id"),
        (dict(department_id="1"), "department_id"),
        (dict(owner_id=999), "owner_id"),
        (dict(category="天气"), "category"),
        (dict(kind="闲聊"), "kind"),
        (dict(due="2022-13-01"), "due"),
        (dict(due=date(1800, 1, 1), raised_on=date(1799, 1, 1)), "due"),
        (dict(detail="a\x07b"), "detail"),
        (dict(co_departments="发改局\u202e"), "co_departments"),
        (dict(session_id=77), "session_id"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_when_creating_with_an_invalid_field_then_validation_error_naming_that_field_and_nothing_written(
    officer, world, kwargs, field
):
    before = (audit_count(officer.engine), count(officer.engine, Problem))
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(officer, project_id=world.project, title="ok", **kwargs)
    assert field in exc.value.errors
    assert (audit_count(officer.engine), count(officer.engine, Problem)) == before


def test_when_creating_for_a_missing_project_then_validation_error_on_project_id(officer, world):
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(officer, project_id=404, title="ok")
    assert "project_id" in exc.value.errors


def test_when_creating_with_an_archived_department_then_validation_error(officer, world):
    from servicetui.services import entities
    from servicetui.store.models import Department

    entities.archive(officer, Department, world.dept2, None)
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(officer, project_id=world.project, title="ok", department_id=world.dept2)
    assert "department_id" in exc.value.errors


def test_when_several_fields_are_wrong_then_every_one_is_reported_at_once(officer, world):
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(officer, project_id=world.project, title="", department_id=999, category="x")
    assert set(exc.value.errors) == {"title", "department_id", "category"}
    assert "；" in exc.value.zh and "; " in exc.value.en
    assert isinstance(exc.value, ServiceError)


# -- audit --------------------------------------------------------------------------------------
def test_when_a_problem_is_created_then_one_create_entry_carries_actor_entity_and_json_values(officer, world):
    start = audit_count(officer.engine)
    pid = problems.create_problem(officer, project_id=world.project, title="钢柱加工延迟", department_id=world.dept,
                                  due=date(2022, 10, 14))
    with officer.engine.connect() as conn:
        rows = conn.execute(select(AuditEntry).where(AuditEntry.id > start)).all()
    assert len(rows) == 1
    e = rows[0]
    assert (e.actor, e.action, e.entity, e.entity_id, e.project_id, e.old) == (
        "liming", "create", "problem", pid, world.project, None,
    )
    new = json.loads(e.new)
    assert new["title"] == "钢柱加工延迟" and new["due"] == "2022-10-14" and new["status"] == "已交办"
    assert e.summary == "新增问题" and e.at is not None and e.batch


def test_when_a_problem_is_edited_then_one_entry_per_changed_field_with_old_and_new_json(officer, assigned):
    pid, v = assigned
    start = audit_count(officer.engine)
    problems.update_problem(officer, pid, v, title="新标题", due=date(2022, 10, 20), detail="")  # detail unchanged
    with officer.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry).where(AuditEntry.id > start, AuditEntry.entity == "problem").order_by(AuditEntry.id)
        ).all()
    got = {r.field: (json.loads(r.old), json.loads(r.new)) for r in rows}
    assert got == {"title": ("钢柱加工延迟", "新标题"), "due": ("2022-10-14", "2022-10-20")}
    assert {r.actor for r in rows} == {"liming"} and {r.action for r in rows} == {"update"}
    assert len({r.batch for r in rows}) == 1


def test_when_a_problem_goes_through_its_life_then_audit_rows_are_only_ever_appended(
    officer, leader, contact, world, assigned
):
    engine = officer.engine
    pid, v = assigned
    snapshot = audit_rows(engine)
    v = problems.update_problem(officer, pid, v, title="改")
    v = problems.set_status(contact, pid, v, "已办结", "好了")
    problems.add_note(contact, pid, "补充")
    with pytest.raises(RuleError):
        problems.close_problem(contact, pid, v, "试图销号")
    v = problems.close_problem(officer, pid, v, "核实")
    v = problems.reopen(leader, pid, v, "复查未通过")
    v = problems.escalate(leader, pid, v)
    undo_last(leader)
    undo_last(leader)
    undo_last(officer)
    with pytest.raises(ConflictError):
        problems.update_problem(officer, pid, 1, title="stale")
    after = audit_rows(engine)
    assert after[: len(snapshot)] == snapshot
    assert len(after) > len(snapshot)
    ids = [r[0] for r in after]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
