"""A patched COPY of reports.importer._flush (SQLite path), measured by benchmarks/investigate.py.

The original inserts each chunk with `insert(table).returning(id, sort_by_parameter_order=True)`
(SQLAlchemy's insertmanyvalues: a multi-row VALUES statement re-rendered per batch, every value
through the column type's bind processor) and then the audit rows the same way. This copy, inside
the same IMMEDIATE write transaction (so no other writer can take ids meanwhile):

* takes the next ids itself (`SELECT max(id)` once per chunk) instead of RETURNING;
* converts the few typed values once in Python (date → ISO text, datetime → SQLite's text form,
  bool → 0/1) and executemany's through a light `table()` clause (no per-value processors);
* writes the same rows and audit entries as the original (investigate.py compares the tables).

PostgreSQL would take its ids from the sequence (`SELECT nextval(...) FROM generate_series(1, n)`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import column, table

from servicetui.services.base import encode
from servicetui.store.models import AuditEntry, ProblemEvent, utcnow

_LIGHT: dict[str, object] = {}


def _light(t):
    lt = _LIGHT.get(t.name)
    if lt is None:
        lt = _LIGHT[t.name] = table(t.name, *[column(c.name) for c in t.c])
    return lt


def _sqlite(v):
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


def _next_ids(conn, t, n: int) -> list[int]:
    start = (conn.exec_driver_sql(f'SELECT max(id) FROM "{t.name}"').scalar() or 0) + 1
    return list(range(start, start + n))


def _insert(conn, t, rows: list[dict]) -> None:
    keys = [c.name for c in t.c]
    conn.execute(_light(t).insert(), [{k: _sqlite(r.get(k)) for k in keys} for r in rows])


def flush_fast(ctx, conn, checker, pending: list[dict], notes: list[str], batch: str) -> None:
    t = checker.model.__table__
    now = utcnow()
    ids = _next_ids(conn, t, len(pending))
    for i, row in zip(ids, pending):
        row.update(id=i, version=1, archived=False, created_at=now, updated_at=now)
    _insert(conn, t, pending)
    summary = checker.summary
    audit = []
    for obj_id, row in zip(ids, pending):
        data = {k: v for k, v in row.items() if k not in ("id", "version", "created_at", "updated_at")}
        audit.append(dict(at=now, actor=ctx.actor, batch=batch, action="create", entity=checker.entity,
                          entity_id=obj_id, project_id=checker.project_of(obj_id, row), field="", old=None,
                          new=encode(data), summary=summary, undo_of=None))
    events = checker.events(ids, pending, notes, now) if any(notes) else []
    if events:
        et = ProblemEvent.__table__
        ev_ids = _next_ids(conn, et, len(events))
        evs = []
        for ev_id, (ev, project_id) in zip(ev_ids, events):
            evs.append({**ev, "id": ev_id})
            audit.append(dict(at=now, actor=ctx.actor, batch=batch, action="create", entity="problem_event",
                              entity_id=ev_id, project_id=project_id, field="", old=None,
                              new=encode({"problem_id": ev["problem_id"], "kind": "note", "text": ev["text"]}),
                              summary=summary, undo_of=None))
        _insert(conn, et, evs)
    at = AuditEntry.__table__
    for a, i in zip(audit, _next_ids(conn, at, len(audit))):
        a["id"] = i
    _insert(conn, at, audit)
    pending.clear()
    notes.clear()
