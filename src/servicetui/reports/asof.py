"""The data as it stood at a past moment, rebuilt from the audit trail.

Every write goes through `services.base.Tx`, which appends one AuditEntry per changed field
(old and new values as JSON, `at` in UTC) and one "create" entry per new row. So the state of
a table at moment T is: the current rows, minus the rows created after T, with every field
change made after T reverted (newest first, back to its `old` value). Archiving is a field
change (`archived`), so rows archived after T come back and rows restored after T go away.

`as_of=None` means "now": the current rows, no audit walk.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Sequence

from sqlalchemy import select

from servicetui.services.base import ENTITY_NAMES, decode
from servicetui.store.models import AuditEntry


def to_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken as UTC, like the audit trail)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def end_of_day(d: date) -> datetime:
    """The first moment after local day `d`, in UTC: `--as-of 2022-09-30` includes all of that day."""
    local = datetime.combine(d + timedelta(days=1), time.min).astimezone()
    return local.astimezone(timezone.utc)


def as_of_day(moment: datetime) -> date:
    """The local day the data of `moment` belongs to: `end_of_day(d)` (the first instant after d) is d."""
    return (to_utc(moment) - timedelta(microseconds=1)).astimezone().date()


def snapshot(conn, model, columns: Sequence[str], as_of: datetime | None, *,
             include_archived: bool = False, where: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of `model` (dicts with `id` and `columns`) as they stood at `as_of`; `where`: conditions
    on the row that never change (e.g. the project a milestone belongs to), to read only those."""
    cols = ["id", *[c for c in columns if c != "id"]]
    table = model.__table__
    if as_of is None:  # now: just the columns asked for (200 000 problems: 1 s instead of 8)
        q = select(*[table.c[c] for c in cols]).where(*where)
        if not include_archived:
            q = q.where(table.c.archived == False)  # noqa: E712
        return [dict(zip(cols, r)) for r in conn.execute(q)]
    need = set(cols) | {"archived"}
    q = select(*[table.c[c] for c in need | {"created_at"}]).where(*where)
    as_of = to_utc(as_of)
    rows = {r.id: dict(r._mapping) for r in conn.execute(q.where(table.c.created_at <= as_of))}
    entity = ENTITY_NAMES[model]
    changes = conn.execute(
        select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.field, AuditEntry.old)
        .where(AuditEntry.entity == entity, AuditEntry.at > as_of)
        .order_by(AuditEntry.id.desc())
    )
    for action, entity_id, field, old in changes:
        row = rows.get(entity_id)
        if row is None:
            continue
        if action == "create" or not field:
            rows.pop(entity_id, None)  # created after as_of (created_at is the same moment, kept for safety)
        elif field in need:
            row[field] = decode(model, field, old)
    out = []
    for row in rows.values():
        if include_archived or not row.get("archived"):
            out.append({c: row[c] for c in cols})
    return out
