"""The unit of work every service write goes through: one transaction, version checks, audit.

    with Tx(ctx, "销号") as tx:
        p = tx.get_for_update(Problem, pid, expected_version)
        tx.update(p, {"status": "已销号"})

`Tx` appends one AuditEntry per changed field, all sharing one batch id (the unit of undo).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from servicetui.services.context import Ctx
from servicetui.services.errors import ConflictError, NotFoundError
from servicetui.store.db import write_session
from servicetui.store.models import ENTITIES, AuditEntry, utcnow

M = TypeVar("M", bound=SQLModel)

ENTITY_NAMES: dict[type, str] = {model: name for name, model in ENTITIES.items()}
# Fields that are bookkeeping, not user data: never audited field by field.
_BOOKKEEPING = {"id", "version", "created_at", "updated_at"}


def encode(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot audit {type(value).__name__}")


def decode(model: type[SQLModel], field: str, raw: str | None) -> Any:
    if raw is None:
        return None
    value = json.loads(raw)
    python_type = model.__table__.c[field].type.python_type
    if python_type is date and isinstance(value, str):
        return date.fromisoformat(value)
    if python_type is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def project_id_of(obj: SQLModel) -> int | None:
    """The project an entity belongs to (for the project's change history)."""
    name = ENTITY_NAMES.get(type(obj))
    if name == "project":
        return obj.id
    return getattr(obj, "project_id", None)


class Tx:
    def __init__(self, ctx: Ctx, summary: str = "", *, batch: str | None = None):
        self.ctx = ctx
        self.summary = summary[:200]
        self.batch = batch or uuid.uuid4().hex
        self.session: Session
        self._cm = None
        self.touched: list[tuple[str, int]] = []

    def __enter__(self) -> "Tx":
        self._cm = write_session(self.ctx.engine)
        self.session = self._cm.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        return self._cm.__exit__(exc_type, exc, tb)

    # -- reading --------------------------------------------------------------------------
    def get(self, model: type[M], entity_id: int | None, *, allow_archived: bool = False) -> M:
        obj = self.session.get(model, entity_id) if entity_id is not None else None
        if obj is None or (not allow_archived and getattr(obj, "archived", False)):
            raise NotFoundError(ENTITY_NAMES.get(model, model.__name__), entity_id)
        return obj

    def get_for_update(
        self, model: type[M], entity_id: int, expected_version: int | None, *, allow_archived: bool = False
    ) -> M:
        """Load a row, locked for this transaction, and refuse if its version moved on."""
        obj = self.session.get(model, entity_id, with_for_update=True)
        if obj is None or (not allow_archived and getattr(obj, "archived", False)):
            raise NotFoundError(ENTITY_NAMES.get(model, model.__name__), entity_id)
        if expected_version is not None and obj.version != expected_version:
            raise self._conflict(model, obj, expected_version)
        return obj

    def _conflict(self, model: type[SQLModel], obj: SQLModel, expected: int) -> ConflictError:
        entity = ENTITY_NAMES[model]
        last = self.session.execute(
            select(AuditEntry.actor, AuditEntry.at, AuditEntry.batch)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == obj.id)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).first()
        fields: list[str] = []
        if last is not None:
            fields = list(
                self.session.scalars(
                    select(AuditEntry.field).where(
                        AuditEntry.batch == last.batch,
                        AuditEntry.entity == entity,
                        AuditEntry.entity_id == obj.id,
                        AuditEntry.field != "",
                    )
                )
            )
        return ConflictError(
            entity,
            obj.id,
            expected,
            obj.version,
            last.actor if last else None,
            last.at if last else None,
            fields,
        )

    # -- writing --------------------------------------------------------------------------
    def audit(
        self,
        action: str,
        obj: SQLModel,
        field: str = "",
        old: Any = None,
        new: Any = None,
        *,
        undo_of: str | None = None,
        entity: tuple[str, int] | None = None,
        project_id: int | None = None,
    ) -> None:
        """Append one audit entry. `entity` names a target that is not a model row (e.g. a setting)."""
        name, entity_id = entity or (ENTITY_NAMES[type(obj)], obj.id)
        self.session.add(
            AuditEntry(
                actor=self.ctx.actor,
                batch=self.batch,
                action=action,
                entity=name,
                entity_id=entity_id,
                project_id=project_id if project_id is not None else (project_id_of(obj) if obj is not None else None),
                field=field,
                old=encode(old),
                new=encode(new),
                summary=self.summary,
                undo_of=undo_of,
            )
        )
        self.touched.append((name, entity_id))

    def create(self, obj: M) -> M:
        self.session.add(obj)
        self.session.flush()
        data = {k: v for k, v in obj.model_dump().items() if k not in _BOOKKEEPING}
        self.audit("create", obj, "", None, data)
        return obj

    def update(
        self,
        obj: SQLModel,
        changes: dict[str, Any],
        *,
        action: str = "update",
        undo_of: str | None = None,
        project_id: int | None = None,
    ) -> list[str]:
        """Apply changes, audit each changed field, bump the version. Returns changed field names."""
        changed = []
        for field, new in changes.items():
            old = getattr(obj, field)
            if old == new:
                continue
            setattr(obj, field, new)
            self.audit(action, obj, field, old, new, undo_of=undo_of, project_id=project_id)
            changed.append(field)
        if changed and hasattr(obj, "version"):
            obj.version += 1
            obj.updated_at = utcnow()
        self.session.flush()
        return changed

    def archive(self, obj: SQLModel) -> None:
        self.update(obj, {"archived": True}, action="archive")
