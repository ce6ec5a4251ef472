"""The problem list's urgency order as one integer, for the export on SQLite (see export_rows).

`urgency_key()` packs what `_order("urgency")` sorts by into one integer that SQLite sorts fast, and
that also carries the problem id, the due date and the light; `packed_ids()` packs a row's project,
department and owner ids into one more. `packed_rows_fit` checks that every row of the table fits the
packing; `Unpacker` turns the packed rows back into the columns of the general query.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Sequence
from datetime import date
from itertools import repeat

from sqlalchemy import Integer, String, case, cast, func, select, type_coerce

from servicetui.domain import rules
from servicetui.domain.enums import Light, ProblemStatus
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
_ID_BITS = 21


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


_GREEN, _YELLOW, _RED = Light.GREEN.value.encode(), Light.YELLOW.value.encode(), Light.RED.value.encode()


class Unpacker:
    """Rows of the packed query -> the columns of the general one (ids, project/department/owner ids,
    title, category, co_departments, raised_on, due, status, closed_on, light)."""

    def __init__(self, today: date, warn_days: int):
        self.red_before, self.yellow_until = (int(d.strftime("%Y%m%d")) for d in rules.light_bounds(today, warn_days))
        # (rank * 2 + no_due) << 27 | YYYYMMDD -> the due text and the light, as the SQL light has them
        self.dues: dict[int, bytes] = {}
        self.lights: dict[int, bytes] = {}

    def _learn(self, head: int) -> None:
        group, day = head >> 27, head & ((1 << 27) - 1)
        self.dues[head] = b"%04d-%02d-%02d" % (day // 10000, day // 100 % 100, day % 100) if day else b""
        self.lights[head] = (b"" if group >> 1 == 3 else _GREEN if group >> 1 == 2 or group & 1
                             else _RED if day < self.red_before else _YELLOW if day <= self.yellow_until else _GREEN)

    def __call__(self, rows) -> list:
        keys, packed, title, category, co, raised, status, closed_on = zip(*rows)
        mask = (1 << _ID_BITS) - 1
        dues, lights = self._runs(keys)
        return [list(map(operator.and_, keys, repeat((1 << 30) - 1))),
                list(map(operator.rshift, packed, repeat(2 * _ID_BITS))),
                list(map(operator.and_, map(operator.rshift, packed, repeat(_ID_BITS)), repeat(mask))),  # 0: none
                list(map(operator.and_, packed, repeat(mask))),
                title, category, co, raised, dues, status, closed_on, lights]

    def _runs(self, keys: Sequence[int]) -> tuple[list[bytes], list[bytes]]:
        """The due and light columns. The rows come in key order, so the rows of one head (status group
        and due date: a few hundred in the whole list) are one run, found by bisection and written as
        one repeated value: no per-row lookup."""
        dues: list[bytes] = []
        lights: list[bytes] = []
        start, n = 0, len(keys)
        while start < n:
            head = keys[start] >> 33
            end = bisect.bisect_left(keys, (head + 1) << 33, start)
            if head not in self.dues:
                self._learn(head)
            dues += repeat(self.dues[head], end - start)
            lights += repeat(self.lights[head], end - start)
            start = end
        return dues, lights
