"""The problem list's urgency order as one integer, for the export on SQLite (see export_rows).

`urgency_key()` packs what `_order("urgency")` sorts by into one integer that SQLite sorts fast, and
that also carries the problem id, the due date and the light; `packed_ids()` packs a row's project,
department and owner ids into one more. `packed_rows_fit` checks that every row of the table fits the
packing; `export_cells.Unpacker` turns the packed rows back into the columns of the general query.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from servicetui.domain.enums import ProblemStatus
from servicetui.services.export_cells import _ID_BITS
from servicetui.store.models import Department, Person, Problem

# _order("urgency") sorts by (status rank, no due, due, escalation DESC, id). Packed into one integer:
#   ((rank * 2 + no_due) << 60) | (YYYYMMDD << 33) | ((7 - escalation) << 30) | id
# which orders exactly like those five terms when every due is NULL or 'DDDD-DD-DD' text (the text order
# of such strings is the order of YYYYMMDD < 2^27), 0 <= escalation <= 7 and 0 <= id < 2^30; the largest
# key is 2^63 - 1. SQLite then sorts on one integer (its fast comparison, as the rows carry fewer than 12
# columns), and the key itself gives back the id, the due date and the light (which depends only on the
# rank and the due date), so each row is 8 values instead of 12: project, department and owner ids ride
# in one more integer, 21 bits each. `packed_rows_fit` checks the whole table first (max/min, and the
# distinct dues off the due index); if anything does not fit, the export takes the general query.
_DUE_SHAPE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


RANKS = {ProblemStatus.CLOSED.value: 3, ProblemStatus.DONE.value: 2}  # status -> rank; every other status: 1


def urgency_key():
    rank = case(*((Problem.status == status, r) for status, r in RANKS.items()), else_=1)
    no_due = case((Problem.due.is_(None), 1), else_=0)
    day = func.coalesce(cast(func.replace(type_coerce(Problem.due, String), "-", ""), Integer), 0)
    return (((rank * 2 + no_due) * (1 << 60)) + day * (1 << 33) + (7 - Problem.escalation) * (1 << 30)
            + Problem.id)


def group_key(group: int, day: int = 0) -> int:
    """The first urgency key of status group `group` (rank * 2 + no_due) and due date `day` (YYYYMMDD, any
    eight digits; 0: the group's start)."""
    return (group << 60) | (day << 33)


def urgency_split(bound: int):
    """(the rows whose `urgency_key()` is below `bound`, the rows from it on) as conditions on the plain
    columns, for a `bound` that is the first key of a status group and due date: ((rank * 2 + no_due) <<
    60) | (YYYYMMDD << 33), the date any eight digits. SQLite then computes the key only for the rows
    it keeps, not for every row to test it (about 0.05 s of 0.2 at 200 000 rows)."""
    group, day = bound >> 60, (bound >> 33) & ((1 << 27) - 1)
    if bound != group_key(group, day) or day and group % 2:
        raise ValueError(f"not the first key of a status group and due date: {bound}")
    # (SQLite's no-op unary +: these must not pick the (status, due) index, whose rowid lookups for half
    # the table took 0.5–0.6 s, against 0.25–0.35 s to scan it)
    status, due = _unindexed(Problem.status), _unindexed(type_coerce(Problem.due, String))
    before, after = [], []
    for h in range(2, 8):  # rank 1–3, with a due date or without
        rank = h >> 1
        ranked = [st for st, r in RANKS.items() if r == rank]
        of_rank = status.in_(ranked) if ranked else or_(status.is_(None), status.not_in(list(RANKS)))
        of_group = and_(of_rank, due.is_(None) if h % 2 else due.is_not(None))
        if h < group:
            before.append(of_group)
        elif h > group or not day:
            after.append(of_group)
        else:  # the group of the bound: split at its date (text order is the order of YYYYMMDD)
            on = "%04d-%02d-%02d" % (day // 10000, day // 100 % 100, day % 100)
            before.append(and_(of_group, due < on))
            after.append(and_(of_group, due >= on))
    return or_(false(), *before), or_(false(), *after)


def _unindexed(col):
    """`+col`: the same value, which SQLite's planner does not look up in an index."""
    return UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)


def packed_ids():
    return (Problem.project_id * (1 << 2 * _ID_BITS) + func.coalesce(Problem.department_id, 0) * (1 << _ID_BITS)
            + func.coalesce(Problem.owner_id, 0))


def packed_rows_fit(conn) -> bool:
    # each max off its own index (SQLite answers a lone min/max from an index end; together they scan)
    top, first = (conn.execute(select(f(Problem.id))).scalar() for f in (func.max, func.min))
    top_project, first_project = (conn.execute(select(f(Problem.project_id))).scalar() for f in (func.max, func.min))
    low, high = conn.execute(select(func.min(Problem.escalation), func.max(Problem.escalation))).one()
    if low is None:
        return True
    if not (0 <= low and high <= 7 and 0 <= first and top < (1 << 30) and 0 <= first_project
            and top_project < (1 << _ID_BITS)):
        return False
    for model in (Department, Person):  # ids 1 … 2^21 - 1 (0 stands for none)
        lo, hi = conn.execute(select(func.min(model.id), func.max(model.id))).one()
        if lo is not None and not (lo > 0 and hi < (1 << _ID_BITS)):
            return False
    dues = conn.execute(select(type_coerce(Problem.due, String)).distinct()).scalars()  # off the due index
    return all(d is None or (isinstance(d, str) and _DUE_SHAPE.fullmatch(d)) for d in dues)
