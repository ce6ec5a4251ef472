"""Undo (the last action of this user, as one step, through the audit trail) and change history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from servicetui import i18n
from servicetui.services.base import Tx, decode
from servicetui.services.context import Ctx
from servicetui.services.errors import RuleError
from servicetui.store.models import ENTITIES, AuditEntry

UNDOABLE = ("create", "update", "archive")


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


def undo_last(ctx: Ctx) -> str | None:
    """Revert this user's last action as one step. Returns its summary, or None if nothing to undo.

    Refuses (RuleError) when someone else changed an affected field since: undo never overwrites.
    """
    found = last_undoable(ctx)
    if found is None:
        return None
    batch, summary = found
    with Tx(ctx, f"撤销：{summary}") as tx:
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
