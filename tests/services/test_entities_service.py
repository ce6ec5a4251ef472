"""Plain entities through the services: parks, departments, people, projects, units, milestones,
funds reports, activities, settings — plus who-is-acting (Ctx), error messages and i18n labels."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicetui import i18n
from servicetui.domain.enums import STANDARD_MILESTONES
from servicetui.services import entities
from servicetui.services.context import Ctx
from servicetui.services.errors import ConflictError, NotFoundError, ValidationError
from servicetui.store.models import (
    Activity,
    AuditEntry,
    Department,
    FundsReport,
    Milestone,
    Park,
    Person,
    Project,
    Setting,
    Unit,
)

TODAY = date(2022, 10, 5)


def fetch(engine, model, entity_id):
    with Session(engine) as s:
        obj = s.get(model, entity_id)
        s.expunge(obj)
        return obj


def count(engine, model=AuditEntry) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id))]


def last_entries(engine, since: int) -> list:
    with engine.connect() as conn:
        return conn.execute(select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)).all()


def max_audit(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(AuditEntry.id))) or 0


@pytest.fixture
def admin(make_ctx, world):
    return make_ctx(world.admin)


@pytest.fixture
def officer(make_ctx, world):
    return make_ctx(world.officer_login)


# -- the world fixture itself ---------------------------------------------------------------
def test_the_world_fixture_builds_a_consistent_county(engine, world):
    zone = fetch(engine, Park, world.zone)
    assert zone.parent_id == world.park and zone.name == "德胜片区"
    roles = {fetch(engine, Person, pid).role for pid in (world.officer, world.leader, world.contact)}
    assert roles == {"首席服务官", "县领导", "部门联络员"}
    p = fetch(engine, Project, world.project)
    assert (p.officer_id, p.leader_id, p.park_id, p.code) == (world.officer, world.leader, world.zone, "XM2022-001")
    assert len(world.milestones) == 7


# -- parks ----------------------------------------------------------------------------------
def test_when_a_park_and_a_zone_are_created_then_the_zone_points_at_its_park(admin, world):
    pid = entities.create_park(admin, name="暖泉片区", parent_id=world.park, notes="西区")
    p = fetch(admin.engine, Park, pid)
    assert (p.name, p.parent_id, p.notes, p.version, p.archived) == ("暖泉片区", world.park, "西区", 1, False)


def test_when_a_park_is_renamed_then_version_grows_and_the_change_is_audited(admin, world):
    start = max_audit(admin.engine)
    v = entities.update_park(admin, world.zone, 1, name="金贵片区")
    assert v == 2 and fetch(admin.engine, Park, world.zone).name == "金贵片区"
    [e] = last_entries(admin.engine, start)
    assert (e.entity, e.field, json.loads(e.old), json.loads(e.new), e.actor) == (
        "park", "name", "德胜片区", "金贵片区", "admin",
    )


def test_when_a_park_name_is_taken_then_validation_error_on_name(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.create_park(admin, name="工业园区")
    assert "name" in exc.value.errors and "已存在" in exc.value.field_message("name")
    with pytest.raises(ValidationError):
        entities.update_park(admin, world.zone, None, name="工业园区")
    entities.update_park(admin, world.zone, None, name="德胜片区")  # its own name is fine (no change)


def test_when_a_park_is_made_its_own_parent_then_refused(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.update_park(admin, world.park, None, parent_id=world.park)
    assert "parent_id" in exc.value.errors


def test_when_a_park_is_put_under_its_own_zone_then_refused_as_a_cycle(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.update_park(admin, world.park, None, parent_id=world.zone)
    assert "parent_id" in exc.value.errors


def test_when_a_zone_names_a_missing_or_archived_parent_then_validation_error(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.create_park(admin, name="新片区", parent_id=999)
    assert "parent_id" in exc.value.errors
    entities.archive(admin, Park, world.zone, None)
    with pytest.raises(ValidationError):
        entities.create_park(admin, name="新片区", parent_id=world.zone)


def test_when_a_park_is_archived_then_it_is_kept_but_no_longer_editable(admin, world):
    entities.archive(admin, Park, world.zone, 1)
    assert fetch(admin.engine, Park, world.zone).archived is True
    with pytest.raises(NotFoundError) as exc:
        entities.update_park(admin, world.zone, None, notes="x")
    assert "园区" in exc.value.zh and "park" in exc.value.en


# -- departments ----------------------------------------------------------------------------
def test_when_a_department_is_created_and_updated_then_fields_are_stored(admin):
    did = entities.create_department(admin, name="自然资源局", short_name="资源局", funds_target=30_000,
                                     phone="0952-1234567")
    v = entities.update_department(admin, did, 1, funds_target=35_000)
    d = fetch(admin.engine, Department, did)
    assert (d.name, d.short_name, d.funds_target, d.phone, d.version, v) == (
        "自然资源局", "资源局", 35_000, "0952-1234567", 2, 2,
    )


def test_when_a_department_name_is_taken_then_validation_error(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.create_department(admin, name="供电公司")
    assert "name" in exc.value.errors


@pytest.mark.parametrize("bad", [-1, 10_000_001, 1.5, Decimal("10"), "100", True])
def test_when_a_department_target_is_not_a_sane_whole_number_of_万元_then_validation_error(admin, bad):
    before = count(admin.engine)
    with pytest.raises(ValidationError) as exc:
        entities.create_department(admin, name="人社局", funds_target=bad)
    assert "funds_target" in exc.value.errors
    assert count(admin.engine) == before


def test_when_a_department_is_archived_then_it_cannot_take_new_people(admin, world):
    entities.archive(admin, Department, world.dept2, None)
    with pytest.raises(ValidationError) as exc:
        entities.create_person(admin, name="钱七", department_id=world.dept2)
    assert "department_id" in exc.value.errors


# -- people ---------------------------------------------------------------------------------
def test_when_a_person_is_created_without_a_role_then_staff(admin):
    pid = entities.create_person(admin, name="孙八")
    p = fetch(admin.engine, Person, pid)
    assert (p.role, p.login) == ("工作人员", None)


def test_when_a_person_login_is_blank_then_it_is_stored_as_none_so_many_may_have_none(admin):
    a = entities.create_person(admin, name="甲", login="")
    b = entities.create_person(admin, name="乙", login="  ")
    assert fetch(admin.engine, Person, a).login is None and fetch(admin.engine, Person, b).login is None


def test_when_a_login_is_taken_then_validation_error_on_login(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.create_person(admin, name="另一个李明", login="liming")
    assert "login" in exc.value.errors
    with pytest.raises(ValidationError):
        entities.update_person(admin, world.leader, None, login="liming")


def test_when_a_role_is_unknown_then_validation_error_on_role(admin):
    with pytest.raises(ValidationError) as exc:
        entities.create_person(admin, name="某人", role="局长")
    assert "role" in exc.value.errors and "首席服务官" in exc.value.field_message("role")


def test_when_a_person_is_updated_then_the_new_role_is_audited(admin, world):
    start = max_audit(admin.engine)
    entities.update_person(admin, world.contact, 1, role="首席服务官", title="副局长")
    got = {e.field: (json.loads(e.old), json.loads(e.new)) for e in last_entries(admin.engine, start)}
    assert got == {"role": ("部门联络员", "首席服务官"), "title": ("", "副局长")}


# -- who is acting --------------------------------------------------------------------------
def test_ctx_knows_the_role_of_a_person_by_login_or_by_name(engine, world):
    assert Ctx(engine, actor="liming").role == "首席服务官"
    assert Ctx(engine, actor="王刚").role == "县领导"
    assert Ctx(engine, actor="liming").person_id == world.officer
    assert Ctx(engine, actor="zhaoli").can_close() is False
    assert Ctx(engine, actor="wanggang").can_close() is True
    stranger = Ctx(engine, actor="nobody")
    assert (stranger.role, stranger.person_id, stranger.can_close()) == (None, None, False)


def test_ctx_ignores_an_archived_person(make_ctx, world):
    entities.archive(make_ctx("admin"), Person, world.officer, None)
    assert make_ctx("liming").can_close() is False


def test_ctx_defaults_to_the_os_user_and_today(engine):
    ctx = Ctx(engine)
    assert ctx.actor and ctx.today == date.today() and ctx.lang == "zh"


# -- projects -------------------------------------------------------------------------------
def test_when_projects_are_created_without_a_code_then_codes_run_xm_year_001_002(admin, world):
    a = entities.create_project(admin, name="项目A")
    b = entities.create_project(admin, name="项目B")
    assert fetch(admin.engine, Project, a).code == "XM2022-002"  # the world's project is XM2022-001
    assert fetch(admin.engine, Project, b).code == "XM2022-003"
    assert entities.next_project_code(admin) == "XM2022-004"
    assert entities.next_project_code(admin, 2023) == "XM2023-001"


def test_when_the_year_changes_then_codes_restart_at_001(make_ctx, world):
    pid = entities.create_project(make_ctx("admin", today=date(2023, 1, 2)), name="新年项目")
    assert fetch(make_ctx().engine, Project, pid).code == "XM2023-001"


def test_an_archived_projects_code_is_not_reused(admin, world):
    entities.archive(admin, Project, world.project, None)
    pid = entities.create_project(admin, name="X")
    assert fetch(admin.engine, Project, pid).code == "XM2022-002"


def test_when_a_project_code_is_taken_then_validation_error_on_code(admin, world):
    before = count(admin.engine, Project)
    with pytest.raises(ValidationError) as exc:
        entities.create_project(admin, code="XM2022-001", name="重复编号")
    assert "code" in exc.value.errors and "XM2022-001" in exc.value.zh
    assert count(admin.engine, Project) == before


def test_when_a_project_is_created_with_every_field_then_all_are_stored(admin, world):
    pid = entities.create_project(
        admin, code="ZS-7", name="*新材料项目", company="*新材料有限公司", industry="新材料", park_id=world.park,
        kind="续建", stage="在建", stalled=True, agreed_investment=10_000_000, annual_plan=0,
        signed_on=date(2021, 5, 1), start_on="2021-08-01", target_production_on=date(2023, 6, 30),
        leader_id=world.leader, officer_id=world.officer, lead_department_id=world.dept2,
        source_event="2021 银川推介会", notes="多行\n备注",
    )
    p = fetch(admin.engine, Project, pid)
    assert (p.kind, p.stage, p.stalled, p.agreed_investment, p.start_on) == (
        "续建", "在建", True, 10_000_000, date(2021, 8, 1),
    )
    assert p.notes == "多行\n备注" and p.source_event == "2021 银川推介会"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(name=""), "name"),
        (dict(name="x" * 201), "name"),
        (dict(name="项目\x1b[0m"), "name"),
        (dict(name="项目\u202e"), "name"),
        (dict(agreed_investment=10_000_001), "agreed_investment"),
        (dict(agreed_investment=-5), "agreed_investment"),
        (dict(annual_plan=12.5), "annual_plan"),
        (dict(stage="完工"), "stage"),
        (dict(kind="招商"), "kind"),
        (dict(park_id=999), "park_id"),
        (dict(officer_id=999), "officer_id"),
        (dict(lead_department_id=999), "lead_department_id"),
        (dict(signed_on="昨天"), "signed_on"),
        (dict(signed_on=date(2022, 5, 1), target_production_on=date(2022, 4, 1)), "target_production_on"),
        (dict(target_production_on=date(2200, 1, 1)), "target_production_on"),
        (dict(status="在建"), "status"),  # not a project field
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_when_a_project_field_is_invalid_then_validation_error_naming_it_and_nothing_written(admin, world, kwargs, field):
    data = {"name": "合法名称", **kwargs}
    before = (count(admin.engine), count(admin.engine, Project))
    with pytest.raises(ValidationError) as exc:
        entities.create_project(admin, **data)
    assert field in exc.value.errors
    assert (count(admin.engine), count(admin.engine, Project)) == before


def test_when_money_is_at_the_limit_then_accepted(admin):
    pid = entities.create_project(admin, name="大项目", agreed_investment=10_000_000)
    assert fetch(admin.engine, Project, pid).agreed_investment == 10_000_000


def test_when_the_new_target_date_is_before_the_stored_signing_date_then_refused(admin, world):
    with pytest.raises(ValidationError) as exc:
        entities.update_project(admin, world.project, None, target_production_on=date(2022, 1, 1))
    assert "target_production_on" in exc.value.errors


def test_given_a_stale_project_version_when_updated_then_conflict_names_who_changed_the_stage(admin, officer, world):
    entities.update_project(officer, world.project, 1, stage="在建")
    before = audit_rows(admin.engine)
    with pytest.raises(ConflictError) as exc:
        entities.update_project(admin, world.project, 1, annual_plan=1)
    assert "liming" in exc.value.zh and "阶段" in exc.value.zh and "Stage" in exc.value.en
    assert audit_rows(admin.engine) == before
    assert fetch(admin.engine, Project, world.project).annual_plan == 20_000


def test_when_an_update_changes_nothing_then_no_audit_and_the_version_stays(admin, world):
    before = count(admin.engine)
    assert entities.update_project(admin, world.project, 1, name="思思食品年产*吨航空系列食品加工项目") == 1
    assert count(admin.engine) == before


# -- units ----------------------------------------------------------------------------------
def test_when_a_unit_is_created_then_it_gets_the_seven_standard_milestones_in_order(officer, world):
    uid = entities.create_unit(officer, world.project, "二号车间")
    u = fetch(officer.engine, Unit, uid)
    assert (u.project_id, u.name, u.seq) == (world.project, "二号车间", 2)
    with officer.engine.connect() as conn:
        rows = conn.execute(
            select(Milestone.kind, Milestone.seq, Milestone.status, Milestone.project_id, Milestone.slip_count)
            .where(Milestone.unit_id == uid).order_by(Milestone.seq)
        ).all()
    assert [r.kind for r in rows] == list(STANDARD_MILESTONES) and len(rows) == 7
    assert [r.seq for r in rows] == list(range(1, 8))
    assert {(r.status, r.project_id, r.slip_count) for r in rows} == {("未开始", world.project, 0)}


def test_when_a_unit_is_created_without_milestones_then_it_has_none(officer, world):
    uid = entities.create_unit(officer, world.project, "配电房", seq=9, milestones=False)
    assert fetch(officer.engine, Unit, uid).seq == 9
    assert count(officer.engine, Milestone) == 7  # only the world's unit's


def test_when_a_unit_name_repeats_in_the_project_then_refused_but_fine_in_another_project(officer, world):
    with pytest.raises(ValidationError) as exc:
        entities.create_unit(officer, world.project, "一号车间")
    assert "name" in exc.value.errors
    other = entities.create_project(officer, name="另一个项目")
    entities.create_unit(officer, other, "一号车间")


def test_when_a_unit_is_added_to_a_missing_or_archived_project_then_not_found(officer, world):
    with pytest.raises(NotFoundError):
        entities.create_unit(officer, 999, "一号车间")
    entities.archive(officer, Project, world.project, None)
    with pytest.raises(NotFoundError):
        entities.create_unit(officer, world.project, "二号车间")


def test_when_a_unit_is_renamed_then_stored_and_duplicates_refused(officer, world):
    entities.create_unit(officer, world.project, "二号车间")
    v = entities.update_unit(officer, world.unit, 1, name="一号车间（主厂房）", seq=5)
    u = fetch(officer.engine, Unit, world.unit)
    assert (u.name, u.seq, u.version, v) == ("一号车间（主厂房）", 5, 2, 2)
    with pytest.raises(ValidationError):
        entities.update_unit(officer, world.unit, v, name="二号车间")
    with pytest.raises(ValidationError) as exc:
        entities.update_unit(officer, world.unit, v, seq=-1)
    assert "seq" in exc.value.errors


def test_when_a_unit_is_archived_then_it_can_no_longer_be_edited(officer, world):
    entities.archive(officer, Unit, world.unit, None)
    with pytest.raises(NotFoundError):
        entities.update_unit(officer, world.unit, None, name="x")


# -- milestones -----------------------------------------------------------------------------
def ms(engine, mid) -> Milestone:
    return fetch(engine, Milestone, mid)


def test_when_a_custom_milestone_is_added_then_it_follows_the_standard_ones_and_its_plan_is_the_baseline(officer, world):
    mid = entities.create_milestone(officer, world.unit, "钢柱加工", planned_on=date(2022, 10, 20))
    m = ms(officer.engine, mid)
    assert (m.seq, m.project_id, m.planned_on, m.baseline_on, m.status) == (
        8, world.project, date(2022, 10, 20), date(2022, 10, 20), "未开始",
    )
    with pytest.raises(ValidationError) as exc:
        entities.create_milestone(officer, world.unit, "钢柱加工")
    assert "kind" in exc.value.errors


def test_when_a_milestone_is_created_blocked_without_a_reason_or_finishing_before_it_starts_then_refused(officer, world):
    with pytest.raises(ValidationError) as exc:
        entities.create_milestone(officer, world.unit, "围墙", status="受阻")
    assert "blocker" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        entities.create_milestone(officer, world.unit, "围墙", actual_start_on=date(2022, 9, 2),
                                  actual_finish_on=date(2022, 9, 1))
    assert "actual_finish_on" in exc.value.errors


def test_when_a_milestone_is_added_to_a_missing_unit_then_not_found(officer, world):
    with pytest.raises(NotFoundError):
        entities.create_milestone(officer, 999, "x")


def test_when_the_first_plan_is_set_then_it_becomes_the_baseline_without_a_slip(officer, world):
    mid = world.milestones[1]
    entities.update_milestone(officer, mid, 1, planned_on=date(2022, 10, 10))
    m = ms(officer.engine, mid)
    assert (m.planned_on, m.baseline_on, m.slip_count) == (date(2022, 10, 10), date(2022, 10, 10), 0)


def test_when_the_plan_moves_later_then_slip_count_grows_and_the_baseline_is_kept(officer, world):
    mid = world.milestones[1]
    v = entities.update_milestone(officer, mid, 1, planned_on=date(2022, 10, 10))
    v = entities.update_milestone(officer, mid, v, planned_on=date(2022, 10, 20))
    v = entities.update_milestone(officer, mid, v, planned_on=date(2022, 11, 5))
    m = ms(officer.engine, mid)
    assert (m.planned_on, m.baseline_on, m.slip_count) == (date(2022, 11, 5), date(2022, 10, 10), 2)


def test_when_the_plan_moves_earlier_or_stays_then_no_slip(officer, world):
    mid = world.milestones[1]
    v = entities.update_milestone(officer, mid, 1, planned_on=date(2022, 10, 20))
    v = entities.update_milestone(officer, mid, v, planned_on=date(2022, 10, 15))
    v = entities.update_milestone(officer, mid, v, planned_on=date(2022, 10, 15))
    m = ms(officer.engine, mid)
    assert (m.planned_on, m.baseline_on, m.slip_count) == (date(2022, 10, 15), date(2022, 10, 20), 0)


def test_when_a_milestone_is_blocked_without_a_reason_then_validation_error_on_blocker(officer, world):
    with pytest.raises(ValidationError) as exc:
        entities.update_milestone(officer, world.milestones[0], 1, status="受阻")
    assert list(exc.value.errors) == ["blocker"]
    with pytest.raises(ValidationError):
        entities.update_milestone(officer, world.milestones[0], 1, status="受阻", blocker="   ")


def test_when_a_milestone_would_finish_before_it_started_then_validation_error(officer, world):
    mid = world.milestones[0]
    v = entities.mark_milestone_started(officer, mid, 1, on=date(2022, 9, 10))
    with pytest.raises(ValidationError) as exc:
        entities.update_milestone(officer, mid, v, actual_finish_on=date(2022, 9, 1))
    assert "actual_finish_on" in exc.value.errors
    with pytest.raises(ValidationError):
        entities.mark_milestone_done(officer, mid, v, on=date(2022, 9, 1))
    assert ms(officer.engine, mid).status == "进行中"


def test_when_a_milestone_is_marked_started_then_in_progress_from_today(officer, world):
    entities.mark_milestone_started(officer, world.milestones[0], 1)
    m = ms(officer.engine, world.milestones[0])
    assert (m.status, m.actual_start_on, m.actual_finish_on) == ("进行中", TODAY, None)


def test_when_a_started_milestone_is_marked_done_then_its_start_is_kept(officer, world):
    mid = world.milestones[0]
    v = entities.mark_milestone_started(officer, mid, 1, on=date(2022, 9, 1))
    entities.mark_milestone_done(officer, mid, v)
    m = ms(officer.engine, mid)
    assert (m.status, m.actual_start_on, m.actual_finish_on) == ("已完成", date(2022, 9, 1), TODAY)


def test_when_an_unstarted_milestone_is_marked_done_then_it_starts_and_finishes_that_day(officer, world):
    entities.mark_milestone_done(officer, world.milestones[0], 1, on=date(2022, 10, 1))
    m = ms(officer.engine, world.milestones[0])
    assert (m.status, m.actual_start_on, m.actual_finish_on) == ("已完成", date(2022, 10, 1), date(2022, 10, 1))


def test_given_a_stale_version_when_marking_done_then_conflict(officer, make_ctx, world):
    mid = world.milestones[0]
    entities.update_milestone(make_ctx("wanggang"), mid, 1, planned_on=date(2022, 11, 1))
    with pytest.raises(ConflictError):
        entities.mark_milestone_done(officer, mid, 1)


def test_when_a_blocker_is_set_and_cleared_then_the_status_follows(officer, world):
    mid = world.milestones[1]
    v = entities.set_milestone_blocker(officer, mid, 1, "钢柱加工延迟")
    m = ms(officer.engine, mid)
    assert (m.status, m.blocker) == ("受阻", "钢柱加工延迟")
    v = entities.set_milestone_blocker(officer, mid, v, "")
    m = ms(officer.engine, mid)
    assert (m.status, m.blocker) == ("未开始", "")  # never started


def test_when_a_started_milestones_blocker_is_cleared_then_it_is_in_progress_again(officer, world):
    mid = world.milestones[1]
    v = entities.mark_milestone_started(officer, mid, 1)
    v = entities.set_milestone_blocker(officer, mid, v, "等钢柱")
    v = entities.set_milestone_blocker(officer, mid, v, "  ")
    m = ms(officer.engine, mid)
    assert (m.status, m.blocker) == ("进行中", "")


def test_when_a_blocked_milestone_is_marked_done_then_the_blocker_is_cleared(officer, world):
    mid = world.milestones[1]
    v = entities.set_milestone_blocker(officer, mid, 1, "等钢柱")
    entities.mark_milestone_done(officer, mid, v)
    m = ms(officer.engine, mid)
    assert (m.status, m.blocker) == ("已完成", "")


def test_when_a_milestone_field_is_unknown_or_a_status_invalid_then_validation_error(officer, world):
    with pytest.raises(ValidationError) as exc:
        entities.update_milestone(officer, world.milestones[0], 1, slip_count=0)
    assert "slip_count" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        entities.update_milestone(officer, world.milestones[0], 1, status="差不多")
    assert "status" in exc.value.errors


# -- funds ----------------------------------------------------------------------------------
def test_when_funds_are_recorded_then_re_recording_the_same_month_updates_that_row(officer, world):
    fid = entities.record_funds(officer, world.project, 2022, 9, 1200)
    f = fetch(officer.engine, FundsReport, fid)
    assert (f.amount, f.year, f.month, f.reported_on, f.version) == (1200, 2022, 9, TODAY, 1)
    fid2 = entities.record_funds(officer, world.project, 2022, 9, 1500, version=1, reported_on=date(2022, 10, 6))
    assert fid2 == fid
    f = fetch(officer.engine, FundsReport, fid)
    assert (f.amount, f.reported_on, f.version) == (1500, date(2022, 10, 6), 2)
    assert count(officer.engine, FundsReport) == 1
    entities.record_funds(officer, world.project, 2022, 10, 300)
    assert count(officer.engine, FundsReport) == 2


def test_given_a_stale_funds_version_when_re_recorded_then_conflict(officer, make_ctx, world):
    entities.record_funds(officer, world.project, 2022, 9, 1200)
    entities.record_funds(make_ctx("wanggang"), world.project, 2022, 9, 1300, version=1)
    with pytest.raises(ConflictError) as exc:
        entities.record_funds(officer, world.project, 2022, 9, 1400, version=1)
    assert "wanggang" in exc.value.zh


@pytest.mark.parametrize(
    "args, field",
    [
        ((2022, 9, -1), "amount"),
        ((2022, 9, 10_000_001), "amount"),
        ((2022, 9, 1.5), "amount"),
        ((2022, 13, 10), "month"),
        ((2022, 0, 10), "month"),
        ((1800, 1, 10), "year"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_when_funds_are_invalid_then_validation_error_and_nothing_written(officer, world, args, field):
    before = (count(officer.engine), count(officer.engine, FundsReport))
    with pytest.raises(ValidationError) as exc:
        entities.record_funds(officer, world.project, *args)
    assert field in exc.value.errors
    assert (count(officer.engine), count(officer.engine, FundsReport)) == before


def test_when_funds_are_recorded_for_a_missing_project_then_not_found(officer, world):
    with pytest.raises(NotFoundError):
        entities.record_funds(officer, 999, 2022, 9, 1)


# -- activities -----------------------------------------------------------------------------
def test_when_an_activity_lists_projects_one_per_line_then_contacted_count_is_derived(officer):
    aid = entities.create_activity(
        officer, kind="走出去", on=date(2022, 9, 20), title="赴广东招商", place="深圳",
        people="李明、王刚", projects_contacted="新能源电池项目\n\n  食品包装项目  \r\n航空食品项目\n",
    )
    a = fetch(officer.engine, Activity, aid)
    assert a.contacted_count == 3 and a.kind == "走出去" and a.on == date(2022, 9, 20)
    v = entities.update_activity(officer, aid, 1, projects_contacted="只有一个")
    assert fetch(officer.engine, Activity, aid).contacted_count == 1 and v == 2


def test_when_an_activity_gives_its_own_count_then_it_is_kept(officer):
    aid = entities.create_activity(officer, kind="请进来", on=date(2022, 9, 21), projects_contacted="A", contacted_count=4)
    assert fetch(officer.engine, Activity, aid).contacted_count == 4


@pytest.mark.parametrize(
    "data, field",
    [
        (dict(on=date(2022, 9, 1)), "kind"),
        (dict(kind="出差", on=date(2022, 9, 1)), "kind"),
        (dict(kind="走出去"), "on"),
        (dict(kind="走出去", on=date(2022, 9, 1), contacted_count=-1), "contacted_count"),
        (dict(kind="走出去", on=date(2022, 9, 1), notes="a\x00"), "notes"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_when_an_activity_is_invalid_then_validation_error_naming_the_field(officer, data, field):
    before = count(officer.engine)
    with pytest.raises(ValidationError) as exc:
        entities.create_activity(officer, **data)
    assert field in exc.value.errors
    assert count(officer.engine) == before


# -- settings -------------------------------------------------------------------------------
def test_given_no_setting_stored_then_the_default_is_returned(engine):
    assert entities.get_setting(engine, "county") == "示范县"
    assert entities.get_setting(engine, "warn_days") == "3"
    assert entities.get_setting(engine, "no-such-key") == ""


def test_when_a_setting_is_set_then_it_is_stored_and_audited_with_old_and_new(admin):
    start = max_audit(admin.engine)
    entities.set_setting(admin, "county", "平罗县")
    entities.set_setting(admin, "county", "惠农区")
    assert entities.get_setting(admin.engine, "county") == "惠农区"
    rows = last_entries(admin.engine, start)
    assert [(r.entity, r.field, r.old and json.loads(r.old), json.loads(r.new), r.actor) for r in rows] == [
        ("setting", "county", None, "平罗县", "admin"),
        ("setting", "county", "平罗县", "惠农区", "admin"),
    ]
    assert count(admin.engine, Setting) == 1


def test_when_a_setting_is_set_to_its_current_value_then_nothing_is_written(admin):
    entities.set_setting(admin, "bureau", "县投促局")
    before = count(admin.engine)
    entities.set_setting(admin, "bureau", "县投促局")
    assert count(admin.engine) == before


@pytest.mark.parametrize("value", ["abc", "61", "-1", ""])
def test_when_warn_days_is_not_0_to_60_then_validation_error_on_value(admin, value):
    with pytest.raises(ValidationError) as exc:
        entities.set_setting(admin, "warn_days", value)
    assert "value" in exc.value.errors
    assert entities.get_setting(admin.engine, "warn_days") == "3"


def test_when_a_setting_value_has_control_characters_then_refused(admin):
    with pytest.raises(ValidationError):
        entities.set_setting(admin, "county", "县\x1b]0;pwned\x07")


# -- generic archive, audit of creation -----------------------------------------------------
@pytest.mark.parametrize("model, attr", [(Park, "park"), (Department, "dept"), (Person, "contact"),
                                         (Project, "project"), (Unit, "unit")])
def test_when_any_entity_is_archived_then_flagged_audited_and_version_bumped(admin, world, model, attr):
    eid = getattr(world, attr)
    v = fetch(admin.engine, model, eid).version
    start = max_audit(admin.engine)
    entities.archive(admin, model, eid, v)
    obj = fetch(admin.engine, model, eid)
    assert obj.archived is True and obj.version == v + 1
    [e] = last_entries(admin.engine, start)
    assert (e.action, e.field, json.loads(e.old), json.loads(e.new), e.summary) == ("archive", "archived", False, True, "归档")
    with pytest.raises(NotFoundError):
        entities.archive(admin, model, eid, None)


def test_every_create_is_audited_with_the_full_new_row_as_json(admin, world):
    start = max_audit(admin.engine)
    did = entities.create_department(admin, name="人社局", funds_target=100)
    [e] = last_entries(admin.engine, start)
    assert (e.action, e.entity, e.entity_id, e.actor, e.old) == ("create", "department", did, "admin", None)
    assert json.loads(e.new) == {"name": "人社局", "short_name": "", "funds_target": 100, "phone": "", "archived": False}


# -- messages -------------------------------------------------------------------------------
def test_error_messages_and_labels_come_in_chinese_and_english():
    err = ValidationError.one("due", "办结时限早于提出日期", "due date is before the date raised")
    assert err.message() == "办结时限早于提出日期" and err.message("en").startswith("due date")
    assert err.field_message("title") is None
    assert i18n.label("due") == "办结时限" and i18n.label("due", "en") == "Due"
    assert i18n.label("unknown_field") == "unknown_field"
    assert i18n.value("已销号", "en") == "Closed" and i18n.value("已销号") == "已销号" and i18n.value(None) == ""
    assert i18n.entity("problem") == "问题" and i18n.entity("problem", "en") == "problem"
    nf = NotFoundError("project", 7)
    assert "项目 #7" in nf.zh and "project #7" in nf.en
