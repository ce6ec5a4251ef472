"""Imported problem rows (问题清单) → clean inserts, with the services' own field checks.

Problem rows have a fast path (`ProblemRows._fast`): the common, well-formed row is checked
without the generic machinery (per-value results memoised, one regex instead of a per-character
scan). It only ever ACCEPTS: at the least doubt it returns None and the row goes through the
generic path (`_check_fields` and the same status rules), which then reports what is wrong with
the services' own messages. tests/reports/test_import_fast.py proves on hostile rows that the fast
path accepts nothing the generic path rejects and returns exactly what it returns.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, Callable
from unicodedata import normalize

from sqlalchemy import select

from servicetui.domain.enums import Category, ProblemKind, ProblemStatus
from servicetui.domain.parsing import ParseError
from servicetui.reports.common import unneutralise
from servicetui.reports.import_read import as_date, clean
from servicetui.reports.import_rows import (
    _BAD,
    _BY_NAME,
    _MISS,
    _REFUSED_LINE,
    _REFUSED_MULTILINE,
    MEMO_MAX,
    YES,
    Fail,
    Issue,
    _plain,
    _Rows,
    _text,
    nfc,
    text,
)
from servicetui.services.errors import ValidationError
from servicetui.services.validate import MAX_LONG_TEXT, MAX_YEAR, MIN_YEAR
from servicetui.store.models import Problem, Project


class ProblemRows(_Rows):
    model, entity, summary = Problem, "problem", "导入问题清单"
    FIELD_SOURCE = {"project_id": "project", "department_id": "department", "owner_id": "owner"}
    # the row's keys, in order (the audit entry's JSON follows it): `_check_fields`' out, then ours
    ROW_KEYS = ("project_id", "title", "department_id", "due", "category", "kind", "detail", "co_departments",
                "owner_id", "raised_on", "raised_by", "status", "turn", "escalation", "resolution", "done_on",
                "closed_on", "closed_by", "reopen_count", "session_id", "archived")
    # runs of ROW_KEYS whose values repeat from row to row (the audit JSON memoises their text)
    JSON_GROUPS = (("project_id",), ("title",), ("department_id",), ("due",),
                   ("category", "kind", "detail", "co_departments", "owner_id"), ("raised_on",),
                   ("raised_by", "status", "turn", "escalation", "resolution", "done_on", "closed_on", "closed_by",
                    "reopen_count", "session_id", "archived"))
    # columns that together decide a row's department, owner, status and the other short values
    COMMON = ("department", "owner", "status", "closed", "category", "kind", "co_departments", "raised_by")

    def __init__(self, ctx, conn, header):
        super().__init__(ctx, conn, header)
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        archived: dict[int, bool] = {}
        for pid, code, name, arch in conn.execute(select(Project.id, Project.code, Project.name, Project.archived)):
            archived[pid] = arch
            if not arch:
                self.by_code[code] = pid
                self.by_name.setdefault(nfc(name), []).append(pid)
        self.refs.archived[Project] = archived
        self.seen = set(conn.execute(select(Problem.project_id, Problem.title).where(Problem.archived == False)).all())  # noqa: E712
        self.can_close = ctx.can_close()
        self.fast_rows = 0  # rows that took the fast path
        self.actor = ctx.actor
        self._init_fast()

    def project(self, n, cells, fail) -> int | None:
        code, name = text(self.get(cells, "project_code")), text(self.get(cells, "project"))
        if code:
            if code in self.by_code:
                return self.by_code[code]
            fail(n, self.col("project_code"), f"项目编号「{code}」不存在", f"no project with code '{code}'")
            return None
        ids = self.by_name.get(name, [])
        if len(ids) == 1:
            return ids[0]
        if not name:
            fail(n, self.col("project"), "项目名称不能为空", "project name is required")
        elif not ids:
            fail(n, self.col("project"), f"项目「{name}」不存在（请先导入项目台账）", f"no project named '{name}'")
        else:
            fail(n, self.col("project"), f"有多个项目名为「{name}」，请增加「项目编号」列", f"several projects are named '{name}'; add a 项目编号 column")
        return None

    def check(self, n: int, cells: list[Any], fail: Fail):
        """(row, note) to insert, an Issue for a duplicate, or None for a bad row (reported through
        `fail`). The row is a tuple of the values of ROW_KEYS."""
        got = self._fast(cells) if self.fast_ok else None
        if got is None:
            got = self.check_generic(n, cells, fail)
            if got is None:
                return None
        else:
            self.fast_rows += 1
        row = got[0]
        key = (row[0], row[1])  # project_id, title
        if key in self.seen:
            return Issue(n, self.col("title"), f"已存在「{row[1]}」，未重复导入", f"already present: '{row[1]}' (skipped)")
        self.seen.add(key)
        return got

    def check_generic(self, n: int, cells: list[Any], fail: Fail):
        """The row through the services' own checks: (row, note), or None when bad (reported)."""
        got = self._generic(n, cells, fail)
        if got is None:
            return None
        row, note = got
        if tuple(row) != self.ROW_KEYS:  # pragma: no cover - the two lists of keys must agree
            raise AssertionError(f"problem row keys {tuple(row)} != ROW_KEYS")
        return tuple(row.values()), note

    def _generic(self, n: int, cells: list[Any], fail: Fail):
        from servicetui.services.problems import FLOW, _check_fields, turn_for

        reported: set[str] = set()

        def bad(row, column, zh, en, field=""):
            reported.add(field)
            fail(row, column, zh, en)

        pid = self.project(n, cells, lambda *a: bad(*a, field="project"))
        dept = self.department(n, cells, "department", lambda *a: bad(*a, field="department"))
        owner = self.person(n, cells, "owner", lambda *a: bad(*a, field="owner"))
        dates = {f: self.date(n, cells, f, lambda *a, f=f: bad(*a, field=f)) for f in ("raised_on", "due", "closed_on")}
        status = text(self.get(cells, "status"))
        closed = text(self.get(cells, "closed")).lower() in YES
        if status and status not in FLOW:
            bad(n, self.col("status"), f"状态须为：{'、'.join(FLOW)}", f"status must be one of {', '.join(FLOW)}", "status")
        status = status or (ProblemStatus.CLOSED.value if closed else
                            ProblemStatus.ASSIGNED.value if dept else ProblemStatus.NEW.value)
        if status != ProblemStatus.NEW and dept is None and "department" not in reported:
            bad(n, self.col("department"), f"状态为「{status}」的问题须有责任单位", "assign a responsible department first", "department")
        if status == ProblemStatus.CLOSED and not self.can_close:
            bad(n, self.col("status"), f"只有首席服务官或县领导可以导入已销号的问题（当前用户：{self.ctx.actor}）",
                f"only a service officer or county leader may import closed problems (you are {self.ctx.actor})", "status")
        data = dict(project_id=pid, title=text(self.get(cells, "title")), department_id=dept, due=dates["due"],
                    category=text(self.get(cells, "category")) or "其他", kind=text(self.get(cells, "kind")) or "问题",
                    detail=text(self.get(cells, "detail")), co_departments=text(self.get(cells, "co_departments")),
                    owner_id=owner, raised_on=dates["raised_on"] or self.ctx.today,
                    raised_by=text(self.get(cells, "raised_by")) or self.ctx.actor)
        try:
            clean = _check_fields(self.tx, data, creating=True)
        except ValidationError as exc:
            self.report(n, exc, fail, reported)
            return None
        if reported:
            return None
        today = self.ctx.today
        finished = status in (ProblemStatus.DONE, ProblemStatus.CLOSED)
        closed_on = (dates["closed_on"] or today) if status == ProblemStatus.CLOSED else None
        row = {**clean, "status": status, "turn": turn_for(status), "escalation": 0, "resolution": "",
               "done_on": (closed_on or today) if finished else None, "closed_on": closed_on,
               "closed_by": self.ctx.actor if closed_on else "", "reopen_count": 0, "session_id": None,
               "archived": False}
        return row, text(self.get(cells, "note"))

    # -- the fast path -------------------------------------------------------------------------
    # Per-value results are memoised in dicts keyed by the raw cells. Only text cells (and empty
    # ones) are stored: a str is never equal to a number, so a number cell (xlsx) never hits a
    # stored entry and is always worked out afresh (1, 1.0 and True are equal dict keys).
    def _init_fast(self) -> None:
        from operator import itemgetter

        from servicetui.services.problems import FLOW

        today = self.ctx.today
        # today stands in for an empty 提出日期; outside the years `Checker.date` allows, leave it
        # all to the generic path
        self.fast_ok = MIN_YEAR <= today.year <= MAX_YEAR
        cols = self.header.columns
        self._pad = [None] * (max(cols.values(), default=0) + 2)  # cells + pad: short rows, absent columns

        def pick(*fields):
            return itemgetter(*[cols.get(f, -1) for f in fields])  # -1: the pad's last None

        self._pick = pick("project_code", "project", "title", "detail", "raised_on", "due", "closed_on", "note")
        self._pick_common = pick(*self.COMMON)
        self._m_code: dict = {}
        self._m_name: dict = {}
        self._m_common: dict = {}
        self._m_date: dict = {}
        self._m_closed_on: dict = {}
        self._m_note: dict = {}
        self.today = today
        self._detail_none = self._v_detail(None)
        self._flow = frozenset(FLOW)
        self._categories = frozenset(x.value for x in Category)
        self._kinds = frozenset(x.value for x in ProblemKind)
        self._actor = self._line(self.ctx.actor or "", 100)  # the 提出人 of a row that names none

    def _memoised(self, memo: dict, key: Any, fn: Callable[..., Any], *args: Any) -> Any:
        value = fn(*args)
        if len(memo) < MEMO_MAX and _plain(key):
            memo[key] = value
        return value

    @staticmethod
    def _line(value: str, max_len: int, *, required: bool = False):
        """`Checker.text` of a one-line text that passes: the clean value, else _BAD."""
        value = unicodedata.normalize("NFC", value).strip()
        if (required and not value) or len(value) > max_len or _REFUSED_LINE.search(value):
            return _BAD
        return value

    def _v_code(self, raw):
        code = text(clean(raw))
        return self.by_code.get(code, _BAD) if code else _BY_NAME

    def _v_name(self, raw):
        ids = self.by_name.get(text(clean(raw)), ())
        return ids[0] if len(ids) == 1 else _BAD

    def _v_date(self, raw, years: bool = True):
        value = clean(raw)
        if value is None or value == "":
            return None
        try:
            d = as_date(value, self.ctx.today)
        except ParseError:
            return _BAD
        if years and not (isinstance(d, date) and MIN_YEAR <= d.year <= MAX_YEAR):
            return _BAD  # `Checker.date`'s years (提出日期 and 办结时限 only)
        return d

    def _v_common(self, dept, owner, status, closed, category, kind, co, raised_by):
        """department, owner, status … of a row from their cells, with the same rules as the generic path."""
        from servicetui.services.problems import turn_for

        name = text(clean(dept))
        dept = self.depts.get(name, _BAD) if name else None
        name = text(clean(owner))
        if name:
            ids = self.people.get(name, ())
            owner = ids[0] if len(ids) == 1 else _BAD
        else:
            owner = None
        status = text(clean(status))
        if status and status not in self._flow:
            return _BAD
        category = text(clean(category)) or "其他"
        kind = text(clean(kind)) or "问题"
        co = self._line(text(clean(co)), 500)
        raised_by = text(clean(raised_by))
        raised_by = self._line(raised_by, 100) if raised_by else self._actor
        if (dept is _BAD or owner is _BAD or category not in self._categories or kind not in self._kinds
                or co is _BAD or raised_by is _BAD):
            return _BAD
        status = status or (ProblemStatus.CLOSED.value if text(clean(closed)).lower() in YES else
                            ProblemStatus.ASSIGNED.value if dept else ProblemStatus.NEW.value)
        if dept is None and status != ProblemStatus.NEW:
            return _BAD
        is_closed = status == ProblemStatus.CLOSED
        if is_closed and not self.can_close:
            return _BAD
        finished = status in (ProblemStatus.DONE, ProblemStatus.CLOSED)
        return dept, owner, status, category, kind, co, raised_by, turn_for(status), finished, is_closed

    def _v_detail(self, raw):
        value = unicodedata.normalize("NFC", text(clean(raw))).strip().replace("\r\n", "\n").replace("\r", "\n")
        if len(value) > MAX_LONG_TEXT or _REFUSED_MULTILINE.search(value):
            return _BAD
        return value

    def _fast(self, cells: list[Any]):
        """(row, note) exactly as `check_generic` gives them for a good row, or None when the row is
        not plainly good (the generic path then checks it and reports what is wrong)."""
        try:
            cells = cells + self._pad
        except TypeError:
            cells = list(cells) + self._pad
        code, name, title, detail, raised, due, closed_on, note = self._pick(cells)
        memoised = self._memoised
        try:
            pid = self._m_code.get(code)
            if pid is None:
                pid = memoised(self._m_code, code, self._v_code, code)
            if pid is _BY_NAME:
                pid = self._m_name.get(name)
                if pid is None:
                    pid = memoised(self._m_name, name, self._v_name, name)
            commons, key = self._m_common, self._pick_common(cells)
            common = commons.get(key)
            if common is None:
                common = memoised(commons, key, self._v_common, *key)
            dates = self._m_date
            value = dates.get(raised, _MISS)
            raised = memoised(dates, raised, self._v_date, raised) if value is _MISS else value
            value = dates.get(due, _MISS)
            due = memoised(dates, due, self._v_date, due) if value is _MISS else value
            dates = self._m_closed_on
            value = dates.get(closed_on, _MISS)
            closed_on = memoised(dates, closed_on, self._v_date, closed_on, False) if value is _MISS else value
            notes = self._m_note
            value = notes.get(note)
            note = memoised(notes, note, _text, note) if value is None else value
        except TypeError:  # an unhashable cell
            return None
        if pid is _BAD or common is _BAD or raised is _BAD or due is _BAD or closed_on is _BAD:
            return None
        if type(title) is str:  # noqa: E721  (= self._line(_text(title), 500, required=True), inline)
            title = title.strip()
            if title[:1] == "'":
                title = unneutralise(title)
            title = normalize("NFC", normalize("NFC", title).strip()).strip()
            # printable text holds none of the refused characters (all of them are Cc, Cf, Cs, Zl, Zp)
            if not title or len(title) > 500 or (not title.isprintable() and _REFUSED_LINE.search(title)):
                return None
        else:
            title = self._line(_text(title), 500, required=True)
            if title is _BAD:
                return None
        if detail is None:
            detail = self._detail_none
        else:
            detail = self._v_detail(detail)
            if detail is _BAD:
                return None
        today = self.today
        raised = raised or today
        if due and due < raised:
            return None
        dept, owner, status, category, kind, co, raised_by, turn, finished, is_closed = common
        closed_on = (closed_on or today) if is_closed else None
        # ROW_KEYS: project_id, title, department_id, due, category, kind, detail, co_departments,
        # owner_id, raised_on, raised_by, status, turn, escalation, resolution, done_on, closed_on,
        # closed_by, reopen_count, session_id, archived
        row = (pid, title, dept, due, category, kind, detail, co, owner, raised, raised_by, status, turn, 0, "",
               (closed_on or today) if finished else None, closed_on, self.actor if closed_on else "", 0, None,
               False)
        return row, note

    def project_of(self, obj_id: int, row: tuple) -> int:
        return row[0]

    def note_events(self, ids, rows, notes, now):
        """The progress notes (办理进展) of new problems as events: their columns, the values they
        share, and each one's project."""
        mine = [(i, note, row[0]) for i, row, note in zip(ids, rows, notes) if note]
        columns = {"problem_id": [i for i, _, _ in mine], "text": [note for _, note, _ in mine]}
        fixed = dict(at=now, on=self.ctx.today, actor=self.ctx.actor, kind="note", archived=False)
        return columns, fixed, [p for _, _, p in mine]
