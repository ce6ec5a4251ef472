"""Undo (the last action of this user, as one step, through the audit trail) and change history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, func, select, update

from servicetui import i18n
from servicetui.services.base import Tx, decode, encode
from servicetui.services.context import Ctx
from servicetui.services.errors import RuleError
from servicetui.store import bulk
from servicetui.store.models import ENTITIES, AuditEntry, utcnow

UNDOABLE = ("create", "update", "archive")
BULK_UNDO_MIN = 100  # a batch of this many creates and nothing else (an import) is undone set-wise


def last_undoable(ctx: Ctx) -> tuple[str, str] | None:
    """(batch, summary) of this user's last action that can still be undone."""
    undone = select(AuditEntry.undo_of).where(AuditEntry.undo_of.is_not(None))
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(AuditEntry.batch, AuditEntry.summary)
            .where(AuditEntry.actor == ctx.actor, AuditEntry.action.in_(UNDOABLE), AuditEntry.batch.not_in(undone))
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).first()
    return (row.batch, row.summary) if row else None


class PendingUndo(tuple):
    """What `undo_last` would revert now: equal to (summary, number of audit entries), so a caller can
    tell an import of thousands of rows (seconds of work) from an edit before it starts; it also holds
    the batch and its entries counted by action, which `undo_last(ctx, pending)` then need not look up."""

    def __new__(cls, summary: str, batch: str, actions: dict[str, int]) -> PendingUndo:
        pending = super().__new__(cls, (summary, sum(actions.values())))
        pending.batch, pending.actions = batch, actions
        return pending

    @property
    def summary(self) -> str:
        return self[0]


def pending_undo(ctx: Ctx) -> PendingUndo | None:
    found = last_undoable(ctx)
    if found is None:
        return None
    batch, summary = found
    with ctx.engine.connect() as conn:
        actions = dict(conn.execute(
            select(AuditEntry.action, func.count()).where(AuditEntry.actor == ctx.actor, AuditEntry.batch == batch)
            .group_by(AuditEntry.action)).all())
    return PendingUndo(summary, batch, actions)


def undo_last(ctx: Ctx, pending: PendingUndo | None = None) -> str | None:
    """Revert this user's last action as one step. Returns its summary, or None if nothing to undo.
    `pending`: what `pending_undo` found a moment ago (it is undone unless someone undid it since).

    Refuses (RuleError) when someone else changed an affected field since: undo never overwrites.
    """
    if pending is None:
        pending = pending_undo(ctx)
        if pending is None:
            return None
    batch, summary, actions = pending.batch, pending.summary, pending.actions
    with Tx(ctx, f"撤销：{summary}") as tx:
        if tx.session.scalar(select(AuditEntry.id).where(AuditEntry.undo_of == batch).limit(1)) is not None:
            return None  # undone meanwhile (the app's worker, another window)
        if set(actions) & set(UNDOABLE) == {"create"} and actions["create"] >= BULK_UNDO_MIN:
            _undo_creates(tx, batch, summary)
            return summary
        entries = tx.session.scalars(
            select(AuditEntry).where(AuditEntry.batch == batch).order_by(AuditEntry.id.desc())
        ).all()
        for e in entries:
            if e.action not in UNDOABLE:
                continue
            model = ENTITIES[e.entity]
            obj = tx.session.get(model, e.entity_id, with_for_update=True)
            if e.action == "create":
                undone = select(AuditEntry.undo_of).where(AuditEntry.undo_of.is_not(None))
                later = tx.session.scalar(
                    select(AuditEntry.actor).where(
                        AuditEntry.entity == e.entity, AuditEntry.entity_id == e.entity_id, AuditEntry.id > e.id,
                        AuditEntry.batch != batch, AuditEntry.action.not_in(("undo", "navigate")),
                        AuditEntry.batch.not_in(undone)).limit(1))
                if later is not None:
                    raise RuleError(
                        f"无法撤销「{summary}」：{i18n.entity(e.entity)} #{e.entity_id} 之后已被 {later} 修改",
                        f"cannot undo '{summary}': {i18n.entity(e.entity, 'en')} #{e.entity_id} was changed "
                        f"since by {later}",
                    )
                if not obj.archived:
                    tx.update(obj, {"archived": True}, action="undo", undo_of=batch, project_id=e.project_id)
                continue
            current, expected = getattr(obj, e.field), decode(model, e.field, e.new)
            if current != expected:
                raise RuleError(
                    f"无法撤销「{summary}」：{i18n.entity(e.entity)} #{e.entity_id} 的{i18n.label(e.field)}已被再次修改",
                    f"cannot undo '{summary}': {i18n.entity(e.entity, 'en')} #{e.entity_id} "
                    f"{i18n.label(e.field, 'en')} changed since",
                )
            tx.update(obj, {e.field: decode(model, e.field, e.old)}, action="undo", undo_of=batch,
                      project_id=e.project_id)
    return summary


def _undo_creates(tx: Tx, batch: str, summary: str) -> None:
    """Undo a batch of creates (an import of thousands of rows) set by set: what the loop in `undo_last`
    does row by row, with the same refusals, rows and audit entries. Each created row still live is
    archived (its version bumped), with one audit entry each, newest first, as the loop writes them."""
    conn, actor = tx.session.connection(), tx.ctx.actor
    mine, later = AuditEntry.__table__.alias("mine"), AuditEntry.__table__.alias("later")
    created = and_(mine.c.actor == actor, mine.c.batch == batch, mine.c.action == "create")
    undone = select(AuditEntry.undo_of).where(AuditEntry.undo_of.is_not(None))
    clash = conn.execute(
        select(later.c.actor, later.c.entity, later.c.entity_id)
        .select_from(mine.join(later, and_(later.c.entity == mine.c.entity, later.c.entity_id == mine.c.entity_id,
                                           later.c.id > mine.c.id)))
        .where(created, later.c.batch != batch, later.c.action.not_in(("undo", "navigate")),
               later.c.batch.not_in(undone))
        .order_by(mine.c.id.desc()).limit(1)).first()
    if clash is not None:
        raise RuleError(
            f"无法撤销「{summary}」：{i18n.entity(clash.entity)} #{clash.entity_id} 之后已被 {clash.actor} 修改",
            f"cannot undo '{summary}': {i18n.entity(clash.entity, 'en')} #{clash.entity_id} was changed "
            f"since by {clash.actor}",
        )
    creates = conn.execute(select(mine.c.entity, mine.c.entity_id, mine.c.project_id)
                           .where(created).order_by(mine.c.id.desc())).all()
    now, live = utcnow(), set()
    for name in dict.fromkeys(entity for entity, _, _ in creates):
        table = ENTITIES[name].__table__
        ids = select(mine.c.entity_id).where(created, mine.c.entity == name)
        still = and_(table.c.id.in_(ids), table.c.archived == false())
        live.update((name, i) for i in conn.execute(select(table.c.id).where(still).with_for_update()).scalars())
        values = {"archived": True}
        if "version" in table.c:
            values.update(version=table.c.version + 1, updated_at=now)
        conn.execute(update(table).where(still).values(values))
    no, yes = encode(False), encode(True)
    entries = [dict(at=now, actor=actor, batch=tx.batch, action="undo", entity=entity, entity_id=entity_id,
                    project_id=project_id, field="archived", old=no, new=yes, summary=tx.summary, undo_of=batch)
               for entity, entity_id, project_id in creates if (entity, entity_id) in live]
    bulk.insert_rows(conn, AuditEntry.__table__, entries)


def history(engine, *, project_id: int | None = None, entity: str | None = None, entity_id: int | None = None,
            limit: int = 200) -> list[dict[str, Any]]:
    """Audit entries, newest first: of a project and its children, or of one entity."""
    q = select(
        AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
        AuditEntry.entity_id, AuditEntry.field, AuditEntry.old, AuditEntry.new, AuditEntry.summary,
    ).order_by(AuditEntry.id.desc()).limit(limit)
    if project_id is not None:
        q = q.where(AuditEntry.project_id == project_id)
    if entity is not None:
        q = q.where(AuditEntry.entity == entity)
    if entity_id is not None:
        q = q.where(AuditEntry.entity_id == entity_id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def change_counter(engine) -> int:
    """A number that grows with every write anywhere: cheap polling for "did anything change?"."""
    with engine.connect() as conn:
        return conn.scalar(select(func.max(AuditEntry.id))) or 0
