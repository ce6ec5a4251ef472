"""Create / edit / archive for the plain entities: parks, departments, people, projects, units,
milestones, funds reports, activities and settings. Each entity has one `_check_*` function that
validates a dict of fields; the generic `_create` / `_update` do the transaction and audit.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from sqlalchemy import func, select
from sqlmodel import SQLModel

from servicetui.domain.enums import (
    STANDARD_MILESTONES,
    ActivityKind,
    MilestoneStatus,
    ProjectKind,
    Role,
    Stage,
)
from servicetui.i18n import pair
from servicetui.services.base import Tx
from servicetui.services.context import Ctx
from servicetui.services.errors import ValidationError
from servicetui.services.validate import MAX_LONG_TEXT, Checker
from servicetui.store.models import (
    Activity,
    Department,
    FundsReport,
    Milestone,
    Park,
    Person,
    Project,
    Setting,
    Unit,
)

CheckFn = Callable[[Tx, Checker, dict[str, Any], SQLModel | None], dict[str, Any]]


def _ref(tx: Tx, c: Checker, field: str, model, value) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        c.fail(field, f"{pair(field)[0]}无效", f"{pair(field)[1]} is invalid")
        return None
    obj = tx.session.get(model, value)
    if obj is None or obj.archived:
        c.fail(field, f"{pair(field)[0]}不存在或已归档", f"{pair(field)[1]} does not exist")
    return value


def _unique(tx: Tx, c: Checker, model, field: str, value, current: SQLModel | None, **scope) -> None:
    q = select(func.count()).select_from(model).where(getattr(model, field) == value)
    for k, v in scope.items():
        q = q.where(getattr(model, k) == v)
    if current is not None:
        q = q.where(model.id != current.id)
    if value and tx.session.scalar(q):
        c.fail(field, f"{pair(field)[0]}「{value}」已存在", f"{pair(field)[1]} '{value}' already exists")


def _generic(tx: Tx, c: Checker, data: dict[str, Any], spec: dict[str, tuple]) -> dict[str, Any]:
    out = {}
    for field, value in data.items():
        if field not in spec:
            raise ValidationError.one(field, f"不能修改字段 {field}", f"field {field} cannot be set here")
        kind, *args = spec[field]
        if kind == "text":
            req, max_len = args
            out[field] = c.text(field, value, pair(field), required=req, max_len=max_len)
        elif kind == "long":
            out[field] = c.text(field, value, pair(field), max_len=MAX_LONG_TEXT, multiline=True)
        elif kind == "choice":
            out[field] = c.choice(field, value, args[0], pair(field))
        elif kind == "date":
            out[field] = c.date(field, value, pair(field), required=bool(args and args[0]))
        elif kind == "money":
            out[field] = c.money(field, value, pair(field))
        elif kind == "int":
            out[field] = c.integer(field, value, pair(field), args[0], args[1])
        elif kind == "bool":
            out[field] = bool(value)
        elif kind == "ref":
            out[field] = _ref(tx, c, field, args[0], value)
    return out


def _create(ctx: Ctx, model, summary: str, check: CheckFn, data: dict[str, Any]) -> int:
    with Tx(ctx, summary) as tx:
        c = Checker()
        clean = check(tx, c, data, None)
        c.raise_if_any()
        return tx.create(model(**clean)).id


def _update(ctx: Ctx, model, summary: str, check: CheckFn, entity_id: int, version: int | None, changes: dict) -> int:
    with Tx(ctx, summary) as tx:
        obj = tx.get_for_update(model, entity_id, version)
        c = Checker()
        clean = check(tx, c, changes, obj)
        c.raise_if_any()
        tx.update(obj, clean)
        return obj.version


def archive(ctx: Ctx, model, entity_id: int, version: int | None) -> None:
    """Archive (never delete) a row. Archived rows disappear from lists; undo brings them back."""
    with Tx(ctx, "归档") as tx:
        tx.archive(tx.get_for_update(model, entity_id, version))


# -- parks, departments, people -------------------------------------------------------------
_PARK = {"name": ("text", True, 100), "parent_id": ("ref", Park), "notes": ("long",)}
_DEPT = {
    "name": ("text", True, 100), "short_name": ("text", False, 50), "funds_target": ("money",),
    "phone": ("text", False, 50),
}
_PERSON = {
    "name": ("text", True, 50), "login": ("text", False, 50), "role": ("choice", [r.value for r in Role]),
    "title": ("text", False, 100), "department_id": ("ref", Department), "phone": ("text", False, 50),
}


def _check_park(tx, c, data, current):
    out = _generic(tx, c, data, _PARK)
    if "name" in out:
        _unique(tx, c, Park, "name", out["name"], current)
    parent = out.get("parent_id")
    if current is not None and parent is not None and "parent_id" not in c.errors:
        seen = {current.id}
        while parent is not None:
            if parent in seen:
                c.fail("parent_id", "园区不能属于自己或自己的片区", "a park cannot sit inside itself or its own zone")
                break
            seen.add(parent)
            parent = tx.session.scalar(select(Park.parent_id).where(Park.id == parent))
    return out


def _check_dept(tx, c, data, current):
    out = _generic(tx, c, data, _DEPT)
    if "name" in out:
        _unique(tx, c, Department, "name", out["name"], current)
    return out


def _check_person(tx, c, data, current):
    out = _generic(tx, c, data, _PERSON)
    if "login" in out:
        out["login"] = out["login"] or None
        if out["login"]:
            _unique(tx, c, Person, "login", out["login"], current)
    return out


def create_park(ctx: Ctx, **data) -> int:
    return _create(ctx, Park, "新增园区", _check_park, data)


def update_park(ctx: Ctx, park_id: int, version: int | None, **changes) -> int:
    return _update(ctx, Park, "修改园区", _check_park, park_id, version, changes)


def create_department(ctx: Ctx, **data) -> int:
    return _create(ctx, Department, "新增责任单位", _check_dept, data)


def update_department(ctx: Ctx, department_id: int, version: int | None, **changes) -> int:
    return _update(ctx, Department, "修改责任单位", _check_dept, department_id, version, changes)


def create_person(ctx: Ctx, **data) -> int:
    data.setdefault("role", Role.STAFF.value)
    return _create(ctx, Person, "新增人员", _check_person, data)


def update_person(ctx: Ctx, person_id: int, version: int | None, **changes) -> int:
    return _update(ctx, Person, "修改人员", _check_person, person_id, version, changes)


# -- projects -------------------------------------------------------------------------------
_PROJECT = {
    "code": ("text", True, 30), "name": ("text", True, 200), "company": ("text", False, 200),
    "industry": ("text", False, 100), "park_id": ("ref", Park),
    "kind": ("choice", [k.value for k in ProjectKind]), "stage": ("choice", [s.value for s in Stage]),
    "stalled": ("bool",), "agreed_investment": ("money",), "annual_plan": ("money",),
    "signed_on": ("date",), "start_on": ("date",), "target_production_on": ("date",),
    "leader_id": ("ref", Person), "officer_id": ("ref", Person), "lead_department_id": ("ref", Department),
    "source_event": ("text", False, 200), "notes": ("long",),
}


def _check_project(tx, c, data, current):
    out = _generic(tx, c, data, _PROJECT)
    if "code" in out:
        _unique(tx, c, Project, "code", out["code"], current)
    signed = out.get("signed_on", getattr(current, "signed_on", None))
    target = out.get("target_production_on", getattr(current, "target_production_on", None))
    if signed and target and target < signed:
        c.fail("target_production_on", "计划投产日期早于签约日期", "target production is before signing")
    return out


def next_project_code(ctx: Ctx, year: int | None = None) -> str:
    year = year or ctx.today.year
    prefix = f"XM{year}-"
    with ctx.engine.connect() as conn:
        codes = conn.scalars(select(Project.code).where(Project.code.like(prefix + "%"))).all()
    nums = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{(max(nums) + 1) if nums else 1:03d}"


def create_project(ctx: Ctx, **data) -> int:
    if not data.get("code"):
        data["code"] = next_project_code(ctx)
    return _create(ctx, Project, "新增项目", _check_project, data)


def update_project(ctx: Ctx, project_id: int, version: int | None, **changes) -> int:
    return _update(ctx, Project, "修改项目", _check_project, project_id, version, changes)


# -- units and milestones -------------------------------------------------------------------
_UNIT = {"name": ("text", True, 100), "seq": ("int", 0, 10_000)}
_MILESTONE = {
    "kind": ("text", True, 50), "seq": ("int", 0, 10_000), "baseline_on": ("date",), "planned_on": ("date",),
    "actual_start_on": ("date",), "actual_finish_on": ("date",),
    "status": ("choice", [s.value for s in MilestoneStatus]), "blocker": ("text", False, 500),
}


def create_unit(ctx: Ctx, project_id: int, name: str, seq: int | None = None, *, milestones: bool = True) -> int:
    """Add a building to a project; with `milestones`, it gets the standard milestone kinds."""
    with Tx(ctx, "新增单体") as tx:
        tx.get(Project, project_id)
        c = Checker()
        if seq is None:
            seq = (tx.session.scalar(select(func.max(Unit.seq)).where(Unit.project_id == project_id)) or 0) + 1
        clean = _generic(tx, c, {"name": name, "seq": seq}, _UNIT)
        _unique(tx, c, Unit, "name", clean["name"], None, project_id=project_id)
        c.raise_if_any()
        unit = tx.create(Unit(project_id=project_id, **clean))
        if milestones:
            for i, kind in enumerate(STANDARD_MILESTONES, 1):
                tx.create(Milestone(unit_id=unit.id, project_id=project_id, kind=kind, seq=i))
        return unit.id


def update_unit(ctx: Ctx, unit_id: int, version: int | None, **changes) -> int:
    with Tx(ctx, "修改单体") as tx:
        unit = tx.get_for_update(Unit, unit_id, version)
        c = Checker()
        clean = _generic(tx, c, changes, _UNIT)
        if "name" in clean:
            _unique(tx, c, Unit, "name", clean["name"], unit, project_id=unit.project_id)
        c.raise_if_any()
        tx.update(unit, clean)
        return unit.version


def _check_milestone_dates(c: Checker, m: dict[str, Any]) -> None:
    start, finish = m.get("actual_start_on"), m.get("actual_finish_on")
    if start and finish and finish < start:
        c.fail("actual_finish_on", "实际完成早于实际开始", "finished before it started")
    if m.get("status") == MilestoneStatus.BLOCKED and not m.get("blocker"):
        c.fail("blocker", "受阻需要填写原因", "a blocked milestone needs a reason")


def create_milestone(ctx: Ctx, unit_id: int, kind: str, **data) -> int:
    with Tx(ctx, "新增节点") as tx:
        unit = tx.get(Unit, unit_id)
        c = Checker()
        clean = _generic(tx, c, {"kind": kind, **data}, _MILESTONE)
        _unique(tx, c, Milestone, "kind", clean["kind"], None, unit_id=unit_id)
        _check_milestone_dates(c, clean)
        c.raise_if_any()
        if "seq" not in clean:
            clean["seq"] = (tx.session.scalar(select(func.max(Milestone.seq)).where(Milestone.unit_id == unit_id)) or 0) + 1
        if clean.get("planned_on") and "baseline_on" not in clean:
            clean["baseline_on"] = clean["planned_on"]
        return tx.create(Milestone(unit_id=unit_id, project_id=unit.project_id, **clean)).id


def update_milestone(ctx: Ctx, milestone_id: int, version: int | None, **changes) -> int:
    """Edit a milestone. Moving the planned date later counts as a slip; the first plan becomes the baseline."""
    with Tx(ctx, "修改节点") as tx:
        m = tx.get_for_update(Milestone, milestone_id, version)
        c = Checker()
        clean = _generic(tx, c, changes, _MILESTONE)
        merged = {**m.model_dump(), **clean}
        _check_milestone_dates(c, merged)
        if "kind" in clean:
            _unique(tx, c, Milestone, "kind", clean["kind"], m, unit_id=m.unit_id)
        c.raise_if_any()
        new_plan = clean.get("planned_on")
        if new_plan and m.planned_on and new_plan > m.planned_on:
            clean["slip_count"] = m.slip_count + 1
        if new_plan and m.baseline_on is None:
            clean["baseline_on"] = m.planned_on or new_plan
        if clean.get("status") and clean["status"] != MilestoneStatus.BLOCKED and "blocker" not in clean:
            clean["blocker"] = ""
        tx.update(m, clean)
        return m.version


def mark_milestone_started(ctx: Ctx, milestone_id: int, version: int | None, on: date | None = None) -> int:
    return update_milestone(ctx, milestone_id, version, status=MilestoneStatus.IN_PROGRESS.value,
                            actual_start_on=on or ctx.today)


def mark_milestone_done(ctx: Ctx, milestone_id: int, version: int | None, on: date | None = None) -> int:
    with Tx(ctx, "节点完成") as tx:
        m = tx.get_for_update(Milestone, milestone_id, version)
        start = m.actual_start_on
    on = on or ctx.today
    return update_milestone(ctx, milestone_id, version, status=MilestoneStatus.DONE.value,
                            actual_start_on=start or on, actual_finish_on=on)


def set_milestone_blocker(ctx: Ctx, milestone_id: int, version: int | None, blocker: str) -> int:
    """Set (or clear, with an empty text) what blocks a milestone."""
    if blocker.strip():
        return update_milestone(ctx, milestone_id, version, status=MilestoneStatus.BLOCKED.value, blocker=blocker)
    with Tx(ctx, "解除受阻") as tx:
        m = tx.get_for_update(Milestone, milestone_id, version)
        status = MilestoneStatus.IN_PROGRESS.value if m.actual_start_on else MilestoneStatus.NOT_STARTED.value
        if m.status != MilestoneStatus.BLOCKED:
            status = m.status
    return update_milestone(ctx, milestone_id, version, status=status, blocker="")


# -- funds reports --------------------------------------------------------------------------
def record_funds(ctx: Ctx, project_id: int, year: int, month: int, amount: int, version: int | None = None,
                 reported_on: date | None = None) -> int:
    """Record the funds that arrived in one month (万元). Re-recording a month updates it (version-checked)."""
    with Tx(ctx, "到位资金") as tx:
        tx.get(Project, project_id)
        c = Checker()
        c.integer("year", year, pair("year"), 1990, 2100)
        c.integer("month", month, pair("month"), 1, 12)
        amount = c.money("amount", amount, pair("amount"))
        reported_on = c.date("reported_on", reported_on or ctx.today, ("填报日期", "Reported on"))
        c.raise_if_any()
        existing = tx.session.scalars(
            select(FundsReport).where(FundsReport.project_id == project_id, FundsReport.year == year,
                                      FundsReport.month == month)
        ).first()
        if existing is None:
            return tx.create(FundsReport(project_id=project_id, year=year, month=month, amount=amount,
                                         reported_on=reported_on)).id
        existing = tx.get_for_update(FundsReport, existing.id, version, allow_archived=True)
        tx.update(existing, {"amount": amount, "reported_on": reported_on, "archived": False})
        return existing.id


# -- activities -----------------------------------------------------------------------------
_ACTIVITY = {
    "kind": ("choice", [k.value for k in ActivityKind]), "on": ("date", True), "title": ("text", False, 200),
    "place": ("text", False, 200), "people": ("text", False, 500), "projects_contacted": ("long",),
    "contacted_count": ("int", 0, 100_000), "notes": ("long",),
}


def _check_activity(tx, c, data, current):
    out = _generic(tx, c, data, _ACTIVITY)
    if "projects_contacted" in out and "contacted_count" not in data:
        out["contacted_count"] = len([x for x in out["projects_contacted"].splitlines() if x.strip()])
    return out


def create_activity(ctx: Ctx, **data) -> int:
    for field in ("kind", "on"):
        data.setdefault(field, None)
    return _create(ctx, Activity, "新增招商活动", _check_activity, data)


def update_activity(ctx: Ctx, activity_id: int, version: int | None, **changes) -> int:
    return _update(ctx, Activity, "修改招商活动", _check_activity, activity_id, version, changes)


# -- settings -------------------------------------------------------------------------------
SETTINGS_DEFAULTS = {"county": "示范县", "bureau": "县投资促进局", "warn_days": "3"}


def get_setting(engine, key: str) -> str:
    with engine.connect() as conn:
        value = conn.scalar(select(Setting.value).where(Setting.key == key))
    return value if value is not None else SETTINGS_DEFAULTS.get(key, "")


def _check_setting(c: Checker, key: str, value: Any) -> str:
    value = c.text(key, value, pair(key) if key in ("warn_days",) else (key, key), max_len=500)
    if key == "warn_days" and key not in c.errors and not (value.isdigit() and 0 <= int(value) <= 60):
        c.fail(key, "提前预警天数须为 0–60 的整数", "warn days must be a whole number 0–60")
    return str(int(value)) if key == "warn_days" and value.isdigit() else value


def set_settings(ctx: Ctx, values: dict[str, Any]) -> None:
    """Save several county settings in one transaction (one undo-able batch); errors keyed by setting."""
    c = Checker()
    clean = {key: _check_setting(c, key, value) for key, value in values.items()}
    c.raise_if_any()
    with Tx(ctx, "修改设置") as tx:
        for key, value in clean.items():
            row = tx.session.get(Setting, key)
            old = row.value if row is not None else None
            if old == value:
                continue
            if row is None:
                tx.session.add(Setting(key=key, value=value))
            else:
                row.value = value
            tx.audit("set", None, key, old, value, entity=("setting", 0))


def set_setting(ctx: Ctx, key: str, value: str) -> None:
    """Save one county setting (see `set_settings`)."""
    try:
        set_settings(ctx, {key: value})
    except ValidationError as exc:  # keep the historical field name "value" for single settings
        raise ValidationError({"value": next(iter(exc.errors.values()))}) from exc
