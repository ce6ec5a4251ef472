"""Dispatch meetings (调度会): a session walks the projects one by one; decisions (议定事项) are
problems of kind 议定事项 tied to the session, tracked like any problem and checked next time.

Navigation (which project is on screen) is recorded with action "navigate": audited, but not
something `undo` reverts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select

from servicetui.domain.enums import Light, ProblemKind, ProblemStatus
from servicetui.i18n import pair
from servicetui.services import problems as problem_service
from servicetui.services import queries
from servicetui.services.base import Tx
from servicetui.services.context import Ctx
from servicetui.services.errors import RuleError, ValidationError
from servicetui.services.validate import MAX_LONG_TEXT, Checker
from servicetui.store.models import AuditEntry, Problem, ReviewItem, ReviewSession

SCOPES = ("all", "red_yellow", "leader", "park")
ORDERS = ("light", "code")


def _scope_filter(scope: str) -> queries.ProjectFilter:
    kind, _, arg = scope.partition(":")
    if kind == "all":
        return queries.ProjectFilter()
    if kind == "red_yellow":
        return queries.ProjectFilter(lights=(Light.RED.value, Light.YELLOW.value))
    if kind in ("leader", "park") and arg.isdigit():
        return queries.ProjectFilter(**{f"{kind}_id": int(arg)})
    raise ValidationError.one("scope", f"范围无效：{scope}", f"invalid scope: {scope}")


def start_session(
    ctx: Ctx,
    *,
    title: str = "",
    held_on: date | None = None,
    chair: str = "",
    attendees: str = "",
    scope: str = "all",
    order: str = "light",
) -> int:
    """Create a meeting with its ordered list of projects. Saved at once."""
    c = Checker()
    held_on = c.date("held_on", held_on or ctx.today, pair("held_on"), required=True)
    title = c.text("title", title or f"{held_on:%Y年%m月%d日}重点项目调度会", pair("title"), required=True, max_len=200)
    chair = c.text("chair", chair, pair("chair"), max_len=100)
    attendees = c.text("attendees", attendees, pair("attendees"), max_len=MAX_LONG_TEXT, multiline=True)
    c.choice("order", order, ORDERS, pair("order"))
    c.raise_if_any()
    projects = queries.project_rows(ctx.engine, _scope_filter(scope), today=ctx.today,
                                    sort="light" if order == "light" else "code", limit=None)
    if not projects:
        raise RuleError("该范围内没有项目", "no projects in this scope", field="scope")
    with Tx(ctx, "开始调度会") as tx:
        s = tx.create(ReviewSession(title=title, held_on=held_on, chair=chair, attendees=attendees, scope=scope,
                                    order=order))
        for i, p in enumerate(projects):
            tx.create(ReviewItem(session_id=s.id, project_id=p.id, seq=i))
        return s.id


def open_session_id(engine) -> int | None:
    """The most recent meeting that was not finished (to offer resuming it)."""
    with engine.connect() as conn:
        return conn.scalar(
            select(ReviewSession.id).where(ReviewSession.status == "open", ReviewSession.archived == False)  # noqa: E712
            .order_by(ReviewSession.id.desc()).limit(1)
        )


def last_session_id(engine, *, finished_only: bool = False) -> int | None:
    q = select(ReviewSession.id).where(ReviewSession.archived == False)  # noqa: E712
    if finished_only:
        q = q.where(ReviewSession.status == "finished")
    with engine.connect() as conn:
        return conn.scalar(q.order_by(ReviewSession.held_on.desc(), ReviewSession.id.desc()).limit(1))


@dataclass
class Item:
    id: int
    version: int
    seq: int
    project_id: int
    project_code: str
    project_name: str
    light: str
    reviewed: bool
    minutes: str
    decisions: int


@dataclass
class DecisionState:
    problem: queries.ProblemRow
    state: str  # 已完成 / 逾期 / 办理中


@dataclass
class SessionView:
    id: int
    version: int
    title: str
    held_on: date
    chair: str
    attendees: str
    scope: str
    order: str
    status: str
    current_index: int
    items: list[Item]
    previous: list[DecisionState] = field(default_factory=list)
    previous_session_id: int | None = None

    @property
    def current(self) -> Item | None:
        if 0 <= self.current_index < len(self.items):
            return self.items[self.current_index]
        return None


def decision_state(row: queries.ProblemRow, today: date) -> str:
    if row.status in (ProblemStatus.DONE, ProblemStatus.CLOSED):
        return "已完成"
    if row.due is not None and row.due < today:
        return "逾期"
    return "办理中"


def previous_session_id(engine, session_id: int) -> int | None:
    with engine.connect() as conn:
        s = conn.execute(select(ReviewSession.held_on, ReviewSession.id).where(ReviewSession.id == session_id)).first()
        if s is None:
            return None
        return conn.scalar(
            select(ReviewSession.id)
            .where(ReviewSession.archived == False, ReviewSession.id != session_id,  # noqa: E712
                   (ReviewSession.held_on < s.held_on) | and_(ReviewSession.held_on == s.held_on, ReviewSession.id < s.id))
            .order_by(ReviewSession.held_on.desc(), ReviewSession.id.desc()).limit(1)
        )


def decisions(engine, session_id: int, *, today: date) -> list[queries.ProblemRow]:
    return queries.problem_rows(engine, queries.ProblemFilter(session_id=session_id, kind=ProblemKind.DECISION.value),
                                today=today, sort="project", limit=None)


def session_view(engine, session_id: int, *, today: date) -> SessionView | None:
    with engine.connect() as conn:
        s = conn.execute(select(*ReviewSession.__table__.c).where(ReviewSession.id == session_id)).first()
        if s is None:
            return None
        counts = dict(conn.execute(
            select(Problem.project_id, func.count()).where(Problem.session_id == session_id, Problem.archived == False)  # noqa: E712
            .group_by(Problem.project_id)).all())
        raw = conn.execute(
            select(ReviewItem.id, ReviewItem.version, ReviewItem.seq, ReviewItem.project_id, ReviewItem.reviewed,
                   ReviewItem.minutes)
            .where(ReviewItem.session_id == session_id).order_by(ReviewItem.seq)).all()
    rows = {p.id: p for p in queries.project_rows(engine, queries.ProjectFilter(ids=[r.project_id for r in raw]),
                                                    today=today, limit=None)}
    items = [
        Item(r.id, r.version, r.seq, r.project_id, rows[r.project_id].code if r.project_id in rows else "",
             rows[r.project_id].name if r.project_id in rows else f"#{r.project_id}",
             rows[r.project_id].light if r.project_id in rows else "", bool(r.reviewed), r.minutes,
             counts.get(r.project_id, 0))
        for r in raw
    ]
    prev_id = previous_session_id(engine, session_id)
    previous = [DecisionState(p, decision_state(p, today)) for p in decisions(engine, prev_id, today=today)] if prev_id else []
    return SessionView(s.id, s.version, s.title, s.held_on, s.chair, s.attendees, s.scope, s.order, s.status,
                       s.current_index, items, previous, prev_id)


def goto(ctx: Ctx, session_id: int, index: int) -> int:
    """Move the meeting to project `index` (-1 = the previous meeting's decisions). Returns the index."""
    with Tx(ctx, "调度会翻页") as tx:
        s = tx.get_for_update(ReviewSession, session_id, None)
        n = tx.session.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.session_id == session_id))
        index = max(-1, min(index, n - 1))
        tx.update(s, {"current_index": index}, action="navigate")
        return index


def _item(tx: Tx, session_id: int, project_id: int, version: int | None) -> ReviewItem:
    item_id = tx.session.scalar(select(ReviewItem.id).where(ReviewItem.session_id == session_id,
                                                             ReviewItem.project_id == project_id))
    if item_id is None:
        raise RuleError("该项目不在本次调度会中", "this project is not on this meeting's list")
    return tx.get_for_update(ReviewItem, item_id, version)


def mark_reviewed(ctx: Ctx, session_id: int, project_id: int, reviewed: bool = True, version: int | None = None) -> int:
    with Tx(ctx, "标记已审议" if reviewed else "取消已审议") as tx:
        item = _item(tx, session_id, project_id, version)
        _open(tx, session_id)
        tx.update(item, {"reviewed": reviewed})
        return item.version


def set_minutes(ctx: Ctx, session_id: int, project_id: int, text: str, version: int | None = None) -> int:
    c = Checker()
    text = c.text("minutes", text, pair("minutes"), max_len=MAX_LONG_TEXT, multiline=True)
    c.raise_if_any()
    with Tx(ctx, "会议记录") as tx:
        item = _item(tx, session_id, project_id, version)
        _open(tx, session_id)
        tx.update(item, {"minutes": text})
        return item.version


def _open(tx: Tx, session_id: int) -> ReviewSession:
    s = tx.get(ReviewSession, session_id)
    if s.status != "open":
        raise RuleError("调度会已结束", "this meeting is finished")
    return s


def add_decision(ctx: Ctx, session_id: int, project_id: int, *, title: str, department_id: int | None = None,
                 owner_id: int | None = None, due: date | None = None, detail: str = "", category: str = "其他") -> int:
    """A decision (议定事项) with an owner (department or person) and a deadline; tracked like a problem."""
    c = Checker()
    if department_id is None and owner_id is None:
        c.fail("department_id", "议定事项需要责任单位或责任人", "a decision needs a responsible department or person")
    if due is None:
        c.fail("due", "议定事项需要办结时限", "a decision needs a deadline")
    c.raise_if_any()
    with Tx(ctx, "检查调度会") as tx:
        _open(tx, session_id)
        _item(tx, session_id, project_id, None)
    return problem_service.create_problem(
        ctx, project_id=project_id, title=title, department_id=department_id, owner_id=owner_id, due=due,
        detail=detail, category=category, kind=ProblemKind.DECISION.value, session_id=session_id,
    )


@dataclass
class SessionSummary:
    reviewed: int
    skipped: int
    decisions: int
    closed: int
    escalated: int
    rescheduled: int
    decision_rows: list[queries.ProblemRow]


def summary(engine, session_id: int, *, today: date) -> SessionSummary:
    view = session_view(engine, session_id, today=today)
    if view is None:
        raise RuleError("调度会不存在", "meeting not found")
    with engine.connect() as conn:
        s = conn.execute(select(ReviewSession.started_at, ReviewSession.finished_at)
                         .where(ReviewSession.id == session_id)).first()
        project_ids = [i.project_id for i in view.items]
        q = select(AuditEntry.field, AuditEntry.new, AuditEntry.entity_id).where(
            AuditEntry.entity == "problem", AuditEntry.action == "update", AuditEntry.at >= s.started_at,
            AuditEntry.project_id.in_(project_ids))
        if s.finished_at is not None:
            q = q.where(AuditEntry.at <= s.finished_at)
        changes = conn.execute(q).all()
    closed = {e for f, new, e in changes if f == "status" and new == '"已销号"'}
    escalated = {e for f, _, e in changes if f == "escalation"}
    rescheduled = {e for f, _, e in changes if f == "due"}
    rows = decisions(engine, session_id, today=today)
    reviewed = sum(1 for i in view.items if i.reviewed)
    return SessionSummary(reviewed, len(view.items) - reviewed, len(rows), len(closed), len(escalated),
                          len(rescheduled), rows)


def finish_session(ctx: Ctx, session_id: int, version: int | None = None) -> SessionSummary:
    with Tx(ctx, "结束调度会") as tx:
        s = tx.get_for_update(ReviewSession, session_id, version)
        if s.status != "open":
            raise RuleError("调度会已结束", "this meeting is already finished")
        tx.update(s, {"status": "finished", "finished_at": datetime.now().astimezone()})
    return summary(ctx.engine, session_id, today=ctx.today)


def session_choices(engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(ReviewSession.id, ReviewSession.title, ReviewSession.held_on, ReviewSession.status)
            .where(ReviewSession.archived == False).order_by(ReviewSession.held_on.desc(), ReviewSession.id.desc()))]  # noqa: E712
