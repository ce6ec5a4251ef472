"""Problems (问题), division-plan tasks (任务) and meeting decisions (议定事项): create, edit, move
through 待交办 → 已交办 → 办理中 → 已办结 → 已销号, reopen, escalate, note, reassign, reschedule, bulk.

Rules enforced here:
- anyone may create, edit and advance a problem up to 已办结 (a department reports it done);
- only a service officer or a county leader closes it (已销号), and closing needs a note of evidence;
- reopening a closed or reported problem needs a reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from sqlalchemy import select

from servicetui.domain.enums import Category, ProblemKind, ProblemStatus, Turn
from servicetui.i18n import pair
from servicetui.services.base import Tx
from servicetui.services.context import Ctx
from servicetui.services.errors import RuleError, ValidationError
from servicetui.services.validate import MAX_LONG_TEXT, Checker
from servicetui.store.models import Department, Person, Problem, ProblemEvent, Project, ReviewSession

FLOW = [s.value for s in ProblemStatus]
EDITABLE = {
    "title", "detail", "category", "kind", "department_id", "co_departments", "owner_id", "raised_on",
    "raised_by", "due", "turn", "resolution", "project_id",
}


def turn_for(status: str, escalation: int = 0) -> str:
    if status == ProblemStatus.CLOSED:
        return Turn.NONE.value
    if status in (ProblemStatus.NEW, ProblemStatus.DONE):
        return Turn.OFFICER.value
    return Turn.LEADER.value if escalation >= 2 else Turn.DEPARTMENT.value


def next_status(status: str) -> str | None:
    i = FLOW.index(status)
    return FLOW[i + 1] if i + 1 < len(FLOW) else None


def _check_fields(tx: Tx, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    c = Checker()
    out: dict[str, Any] = {}
    for field, value in data.items():
        if field == "title":
            out[field] = c.text(field, value, pair("title"), required=True, max_len=500)
        elif field in ("detail", "resolution"):
            out[field] = c.text(field, value, pair(field), max_len=MAX_LONG_TEXT, multiline=True)
        elif field in ("co_departments", "raised_by"):
            out[field] = c.text(field, value, pair(field), max_len=500 if field == "co_departments" else 100)
        elif field == "category":
            out[field] = c.choice(field, value or Category.OTHER.value, [x.value for x in Category], pair(field))
        elif field == "kind":
            out[field] = c.choice(field, value or ProblemKind.PROBLEM.value, [x.value for x in ProblemKind], pair(field))
        elif field == "turn":
            out[field] = c.choice(field, value, [x.value for x in Turn], pair(field))
        elif field in ("due", "raised_on"):
            out[field] = c.date(field, value, pair(field))
        elif field == "department_id":
            out[field] = value
            if value is not None and _missing(tx, Department, value):
                c.fail(field, "责任单位不存在或已归档", "responsible department does not exist")
        elif field == "owner_id":
            out[field] = value
            if value is not None and _missing(tx, Person, value):
                c.fail(field, "责任人不存在或已归档", "owner does not exist")
        elif field == "project_id":
            out[field] = value
            if _missing(tx, Project, value):
                c.fail(field, "项目不存在或已归档", "project does not exist")
        elif field == "session_id":
            out[field] = value
            if value is not None and tx.session.get(ReviewSession, value) is None:
                c.fail(field, "调度会不存在", "meeting does not exist")
        else:
            raise ValidationError.one(field, f"不能直接修改字段 {field}", f"field {field} cannot be edited here")
    raised, due = out.get("raised_on"), out.get("due")
    if raised and due and due < raised and "due" not in c.errors:
        c.fail("due", "办结时限早于提出日期", "due date is before the date raised")
    c.raise_if_any()
    return out


def _missing(tx: Tx, model, entity_id) -> bool:
    if entity_id is None or isinstance(entity_id, bool) or not isinstance(entity_id, int):
        return True
    obj = tx.session.get(model, entity_id)
    return obj is None or obj.archived


def _event(tx: Tx, problem: Problem, kind: str, text: str, on: date | None = None) -> ProblemEvent:
    ev = ProblemEvent(problem_id=problem.id, actor=tx.ctx.actor, kind=kind, text=text, on=on or tx.ctx.today)
    tx.session.add(ev)
    tx.session.flush()
    tx.audit("create", ev, "", None, {"problem_id": problem.id, "kind": kind, "text": text},
             project_id=problem.project_id)
    return ev


def create_problem(
    ctx: Ctx,
    *,
    project_id: int,
    title: str,
    department_id: int | None = None,
    due: date | None = None,
    category: str = Category.OTHER.value,
    kind: str = ProblemKind.PROBLEM.value,
    detail: str = "",
    co_departments: str = "",
    owner_id: int | None = None,
    raised_on: date | None = None,
    raised_by: str | None = None,
    session_id: int | None = None,
    assign: bool = True,
) -> int:
    """Create a problem. With a department and `assign`, it starts as 已交办 (handed over)."""
    with Tx(ctx, f"新增{kind}") as tx:
        data = _check_fields(
            tx,
            dict(
                project_id=project_id, title=title, department_id=department_id, due=due, category=category,
                kind=kind, detail=detail, co_departments=co_departments, owner_id=owner_id,
                raised_on=raised_on or ctx.today, raised_by=raised_by if raised_by is not None else ctx.actor,
                session_id=session_id,
            ),
            creating=True,
        )
        status = ProblemStatus.ASSIGNED.value if (assign and department_id) else ProblemStatus.NEW.value
        problem = tx.create(Problem(**data, status=status, turn=turn_for(status)))
        return problem.id


def _apply_update(tx: Tx, p: Problem, changes: dict[str, Any], note: str = "") -> None:
    """Validate and apply field edits to one problem inside `tx`, logging reassignments and new deadlines."""
    data = _check_fields(tx, {"project_id": p.project_id, **changes}, creating=False)
    raised = data.get("raised_on", p.raised_on)
    due = data.get("due", p.due)
    if raised and due and due < raised:
        raise ValidationError.one("due", "办结时限早于提出日期", "due date is before the date raised")
    suffix = f"：{note}" if note else ""
    if "due" in changes and data["due"] != p.due:
        _event(tx, p, "due", f"办结时限 {p.due or '未设'} → {data['due'] or '未设'}{suffix}")
    if "department_id" in changes and data["department_id"] != p.department_id:
        _event(tx, p, "reassign", f"改派责任单位{suffix}")
    tx.update(p, data)


def update_problem(ctx: Ctx, problem_id: int, version: int | None, *, note: str = "", **changes: Any) -> int:
    """Edit fields of a problem. Returns the new version."""
    note = _clean_note(note)
    with Tx(ctx, "修改问题") as tx:
        p = tx.get_for_update(Problem, problem_id, version)
        _apply_update(tx, p, changes, note)
        return p.version


def _clean_note(note: str, *, required: bool = False, field: str = "note") -> str:
    c = Checker()
    note = c.text(field, note, pair(field), required=required, max_len=MAX_LONG_TEXT, multiline=True)
    if required and field in c.errors and not note:
        c.errors[field] = {
            "note": ("销号需要填写说明（办结依据）", "closing needs a note of evidence"),
            "reason": ("重新打开需要说明原因", "reopening needs a reason"),
        }[field]
    c.raise_if_any()
    return note


def _require_closer(ctx: Ctx) -> None:
    if not ctx.can_close():
        raise RuleError(
            f"只有首席服务官或县领导可以销号（当前用户：{ctx.actor}）",
            f"only a service officer or county leader may close a problem (you are {ctx.actor})",
            field="status",
        )


def set_status(ctx: Ctx, problem_id: int, version: int | None, status: str, note: str = "") -> int:
    """Move a problem to `status` following the rules. Returns the new version."""
    if status == ProblemStatus.CLOSED:
        return close_problem(ctx, problem_id, version, note)
    c = Checker()
    c.choice("status", status, FLOW, pair("status"))
    c.raise_if_any()
    note = _clean_note(note)
    with Tx(ctx, f"状态改为{status}") as tx:
        p = tx.get_for_update(Problem, problem_id, version)
        _apply_status(tx, p, status, note)
        return p.version


def _apply_status(tx: Tx, p: Problem, status: str, note: str) -> None:
    if p.status == status:
        return
    if p.status == ProblemStatus.CLOSED:
        raise RuleError("已销号的问题需先重新打开", "a closed problem must be reopened first", field="status")
    if FLOW.index(status) < FLOW.index(p.status):
        raise RuleError(
            f"不能从「{p.status}」退回「{status}」，请用「重新打开」并说明原因",
            f"cannot go back from {p.status} to {status}; reopen it with a reason",
            field="status",
        )
    if status != ProblemStatus.NEW and p.department_id is None:
        raise RuleError("请先指定责任单位再交办", "assign a responsible department first", field="department_id")
    changes: dict[str, Any] = {"status": status, "turn": turn_for(status, p.escalation)}
    if status == ProblemStatus.DONE:
        changes["done_on"] = tx.ctx.today
        if note:
            changes["resolution"] = note
    tx.update(p, changes)
    _event(tx, p, "status", f"{status}" + (f"：{note}" if note else ""))


def advance(ctx: Ctx, problem_id: int, version: int | None, note: str = "") -> int:
    """One step along the flow. From 已办结 the next step is closing, which needs a note."""
    with Tx(ctx, "推进状态") as tx:
        p = tx.get_for_update(Problem, problem_id, version)
        nxt = next_status(p.status)
        if nxt is None:
            raise RuleError("已销号，无下一步", "already closed; nothing follows", field="status")
    return set_status(ctx, problem_id, version, nxt, note)


def close_problem(ctx: Ctx, problem_id: int, version: int | None, note: str) -> int:
    """销号: only an officer or a leader, with a note of evidence."""
    note = _clean_note(note, required=True)
    _require_closer(ctx)
    with Tx(ctx, "销号") as tx:
        p = tx.get_for_update(Problem, problem_id, version)
        _apply_close(tx, p, note)
        return p.version


def _apply_close(tx: Tx, p: Problem, note: str) -> None:
    if p.status == ProblemStatus.CLOSED:
        raise RuleError("该问题已销号", "already closed", field="status")
    changes = {
        "status": ProblemStatus.CLOSED.value,
        "turn": Turn.NONE.value,
        "closed_on": tx.ctx.today,
        "closed_by": tx.ctx.actor,
        "resolution": note if not p.resolution else p.resolution + "\n" + note,
    }
    if p.done_on is None:
        changes["done_on"] = tx.ctx.today
    tx.update(p, changes)
    _event(tx, p, "status", f"销号：{note}")


def reopen(ctx: Ctx, problem_id: int, version: int | None, reason: str) -> int:
    reason = _clean_note(reason, required=True, field="reason")
    with Tx(ctx, "重新打开") as tx:
        p = tx.get_for_update(Problem, problem_id, version)
        if p.status not in (ProblemStatus.CLOSED, ProblemStatus.DONE):
            raise RuleError("只有已办结或已销号的问题可以重新打开", "only done or closed problems can be reopened", field="status")
        status = ProblemStatus.IN_PROGRESS.value
        tx.update(
            p,
            {
                "status": status,
                "turn": turn_for(status, p.escalation),
                "closed_on": None,
                "closed_by": "",
                "done_on": None,
                "reopen_count": p.reopen_count + 1,
            },
        )
        _event(tx, p, "status", f"重新打开：{reason}")
        return p.version


def escalate(ctx: Ctx, problem_id: int, version: int | None, note: str = "") -> int:
    """Raise the escalation one level: 0 → 督办 → 县领导督办."""
    note = _clean_note(note)
    with Tx(ctx, "督办") as tx:
        p = tx.get_for_update(Problem, problem_id, version)
        if p.status == ProblemStatus.CLOSED:
            raise RuleError("已销号的问题不能督办", "a closed problem cannot be escalated", field="escalation")
        if p.escalation >= 2:
            raise RuleError("已是最高督办级别（县领导督办）", "already escalated to the county leader", field="escalation")
        level = p.escalation + 1
        tx.update(p, {"escalation": level, "turn": turn_for(p.status, level)})
        _event(tx, p, "escalate", ("督办" if level == 1 else "提请县领导督办") + (f"：{note}" if note else ""))
        return p.version


def add_note(ctx: Ctx, problem_id: int, text: str, on: date | None = None) -> int:
    """Append a progress note (办理进展). Returns the event id."""
    c = Checker()
    text = c.text("text", text, pair("text"), required=True, max_len=MAX_LONG_TEXT, multiline=True)
    on = c.date("on", on, pair("on"))
    c.raise_if_any()
    with Tx(ctx, "办理进展") as tx:
        p = tx.get(Problem, problem_id)
        return _event(tx, p, "note", text, on).id


def reassign(ctx: Ctx, problem_id: int, version: int | None, department_id: int, note: str = "") -> int:
    """Hand the problem to another responsible department; the note says why (logged)."""
    return update_problem(ctx, problem_id, version, note=note, department_id=department_id)


def change_due(ctx: Ctx, problem_id: int, version: int | None, due: date | None, note: str = "") -> int:
    return update_problem(ctx, problem_id, version, note=note, due=due)


def archive_problem(ctx: Ctx, problem_id: int, version: int | None) -> None:
    with Tx(ctx, "归档问题") as tx:
        tx.archive(tx.get_for_update(Problem, problem_id, version))


def bulk_update(ctx: Ctx, items: Iterable[tuple[int, int | None]], **changes: Any) -> int:
    """Change status, department or due of several problems at once: one transaction, one batch,
    so a single undo reverts all of it. `items` are (problem_id, version) pairs. Each problem gets
    exactly what the single-problem service would do (same checks, same progress log). Returns the count."""
    items = list(items)
    status = changes.pop("status", None)
    note = changes.pop("note", "")
    allowed = {"department_id", "due"}
    if set(changes) - allowed:
        bad = ", ".join(sorted(set(changes) - allowed))
        raise ValidationError.one(bad, f"批量操作不能修改 {bad}", f"bulk edit cannot change {bad}")
    if status is not None:
        c = Checker()
        c.choice("status", status, FLOW, pair("status"))
        c.raise_if_any()
    closing = status == ProblemStatus.CLOSED
    note = _clean_note(note, required=closing)
    if closing:
        _require_closer(ctx)
    with Tx(ctx, f"批量修改 {len(items)} 项") as tx:
        for pid, version in items:
            p = tx.get_for_update(Problem, pid, version)
            if changes:
                _apply_update(tx, p, changes, note)
            if status and status != p.status:
                if closing:
                    _apply_close(tx, p, note)
                else:
                    _apply_status(tx, p, status, note)
        return len(items)


def events(engine, problem_id: int) -> list[dict]:
    """The progress log of a problem, oldest first, as plain dicts."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(ProblemEvent.id, ProblemEvent.at, ProblemEvent.on, ProblemEvent.actor, ProblemEvent.kind, ProblemEvent.text)
            .where(ProblemEvent.problem_id == problem_id, ProblemEvent.archived == False)  # noqa: E712
            .order_by(ProblemEvent.id)
        ).all()
    return [dict(r._mapping) for r in rows]
