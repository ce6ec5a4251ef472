"""The problem list's urgency order as one integer, for the export on SQLite (see export_rows).

`urgency_key()` packs what `_order("urgency")` sorts by into one integer that SQLite sorts fast, and
that also carries the problem id, the due date and the light; `packed_ids()` packs a row's project,
department and owner ids into one more. `packed_rows_fit` checks that every row of the table fits the
packing; `export_cells.Unpacker` turns the packed rows back into the columns of the general query.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, String, case, cast, func, select, type_coerce

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


def urgency_key():
    rank = case((Problem.status == ProblemStatus.CLOSED.value, 3), (Problem.status == ProblemStatus.DONE.value, 2),
                else_=1)
    no_due = case((Problem.due.is_(None), 1), else_=0)
    day = func.coalesce(cast(func.replace(type_coerce(Problem.due, String), "-", ""), Integer), 0)
    return (((rank * 2 + no_due) * (1 << 60)) + day * (1 << 33) + (7 - Problem.escalation) * (1 << 30)
            + Problem.id)


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
