"""Turning one imported row into a clean insert, with the services' own field checks.

`problems._check_fields` and `entities._check_project` expect a transaction whose session answers
`get(model, id)` (and, for unique codes, `scalar(query)`). `_Refs` stands in for it, answering
`get` from rows loaded once, so checking 200 000 rows costs no query per row.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Callable

from sqlalchemy import select

from servicetui.domain.enums import ProblemStatus
from servicetui.domain.parsing import ParseError, parse_money_wan_int
from servicetui.i18n import label
from servicetui.reports.import_read import Header, as_date, clean
from servicetui.services.context import Ctx
from servicetui.services.errors import ValidationError
from servicetui.store.models import Department, Park, Person, Problem, Project

Fail = Callable[[int, str, str, str], None]
YES = {"是", "已销号", "y", "yes", "√", "✓", "true", "1"}


@dataclass
class Issue:
    row: int
    column: str
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"row {self.row}{' column ' + self.column if self.column else ''}: {self.en}"
        return f"第 {self.row} 行{'「' + self.column + '」' if self.column else ''}：{self.zh}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return nfc(str(value))


class _Refs:
    """Stands in for `tx.session` in the services' checks: `get` from preloaded rows."""

    def __init__(self, conn, archived: dict[type, dict[int, bool]]):
        self.conn, self.archived = conn, archived

    def get(self, model, entity_id, **_):
        table = self.archived.get(model)
        if table is None:
            table = self.archived[model] = dict(self.conn.execute(select(model.id, model.archived)).all())
        if entity_id not in table:
            return None
        return SimpleNamespace(id=entity_id, archived=table[entity_id])

    def scalar(self, query):
        return self.conn.scalar(query)


class _Rows:
    model: type
    entity: str
    summary: str
    FIELD_SOURCE: dict[str, str] = {}

    def __init__(self, ctx: Ctx, conn, header: Header):
        self.ctx, self.conn, self.header = ctx, conn, header
        self.people: dict[str, list[int]] = {}
        self.depts: dict[str, int] = {}
        archived: dict[type, dict[int, bool]] = {}
        for model in (Person, Department):
            archived[model] = {}
        for pid, name, arch in conn.execute(select(Person.id, Person.name, Person.archived)):
            archived[Person][pid] = arch
            if not arch:
                self.people.setdefault(nfc(name), []).append(pid)
        for did, name, short, arch in conn.execute(
                select(Department.id, Department.name, Department.short_name, Department.archived)):
            archived[Department][did] = arch
            if not arch:
                self.depts[nfc(name)] = did
                if short:
                    self.depts.setdefault(nfc(short), did)
        self.refs = _Refs(conn, archived)
        self.tx = SimpleNamespace(session=self.refs, ctx=ctx)

    def col(self, field: str) -> str:
        return self.header.labels.get(field) or label(field)

    def get(self, cells: list[Any], field: str) -> Any:
        i = self.header.columns.get(field)
        return clean(cells[i]) if i is not None and i < len(cells) else None

    def person(self, n, cells, field, fail) -> int | None:
        name = text(self.get(cells, field))
        if not name:
            return None
        ids = self.people.get(name, [])
        if len(ids) == 1:
            return ids[0]
        if not ids:
            fail(n, self.col(field), f"人员「{name}」不存在", f"no person named '{name}'")
        else:
            fail(n, self.col(field), f"有多位人员名为「{name}」，无法确定", f"several people are named '{name}'")
        return None

    def department(self, n, cells, field, fail) -> int | None:
        name = text(self.get(cells, field))
        if not name:
            return None
        did = self.depts.get(name)
        if did is None:
            fail(n, self.col(field), f"责任单位「{name}」不存在（请先在系统中添加）",
                 f"no department named '{name}' (add it first)")
        return did

    def date(self, n, cells, field, fail) -> date | None:
        value = self.get(cells, field)
        if value is None or value == "":
            return None
        try:
            return as_date(value, self.ctx.today)
        except ParseError as exc:
            fail(n, self.col(field), exc.zh, exc.en)
            return None

    def report(self, n: int, exc: ValidationError, fail: Fail, reported: set[str]) -> None:
        for f, (zh, en) in exc.errors.items():
            source = self.FIELD_SOURCE.get(f, f)
            if source not in reported:
                fail(n, self.col(source), zh, en)


class ProblemRows(_Rows):
    model, entity, summary = Problem, "problem", "导入问题清单"
    FIELD_SOURCE = {"project_id": "project", "department_id": "department", "owner_id": "owner"}

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
        if (pid, clean["title"]) in self.seen:
            return Issue(n, self.col("title"), f"已存在「{clean['title']}」，未重复导入", f"already present: '{clean['title']}' (skipped)")
        self.seen.add((pid, clean["title"]))
        finished = status in (ProblemStatus.DONE, ProblemStatus.CLOSED)
        closed_on = (dates["closed_on"] or self.ctx.today) if status == ProblemStatus.CLOSED else None
        row = {**clean, "status": status, "turn": turn_for(status), "escalation": 0, "resolution": "",
               "done_on": (closed_on or self.ctx.today) if finished else None, "closed_on": closed_on,
               "closed_by": self.ctx.actor if closed_on else "", "reopen_count": 0, "session_id": None}
        return row, text(self.get(cells, "note"))

    def project_of(self, obj_id: int, row: dict) -> int:
        return row["project_id"]

    def events(self, ids, rows, notes, now):
        return [(dict(problem_id=i, at=now, on=self.ctx.today, actor=self.ctx.actor, kind="note", text=note,
                      archived=False), row["project_id"])
                for i, row, note in zip(ids, rows, notes) if note]


class ProjectRows(_Rows):
    model, entity, summary = Project, "project", "导入项目台账"
    FIELD_SOURCE = {"park_id": "park", "leader_id": "leader", "officer_id": "officer",
                    "lead_department_id": "lead_department"}

    def __init__(self, ctx, conn, header):
        super().__init__(ctx, conn, header)
        self.codes = set(conn.scalars(select(Project.code)))
        self.names = set(nfc(x) for x in conn.scalars(select(Project.name).where(Project.archived == False)))  # noqa: E712
        self.parks = {nfc(name): pid for pid, name in conn.execute(
            select(Park.id, Park.name).where(Park.archived == False))}  # noqa: E712
        self.prefix = f"XM{ctx.today.year}-"
        nums = [int(c[len(self.prefix):]) for c in self.codes if c.startswith(self.prefix) and c[len(self.prefix):].isdigit()]
        self.next_num = max(nums, default=0) + 1

    def money(self, n, cells, field, fail) -> int:
        value = self.get(cells, field)
        if value is None or value == "":
            return 0
        unit = self.header.units.get(field, "万")
        if isinstance(value, bool):
            raw = str(value)
        elif isinstance(value, (int, float)):
            raw = f"{Decimal(str(value))}{unit}"
        else:
            raw = text(value)
            raw = raw if any(u in raw for u in "亿万元") else raw + unit
        try:
            return parse_money_wan_int(raw)
        except ParseError as exc:
            fail(n, self.col(field), exc.zh, exc.en)
            return 0

    def check(self, n: int, cells: list[Any], fail: Fail):
        from servicetui.services.entities import _check_project
        from servicetui.services.validate import Checker

        reported: set[str] = set()

        def bad(*a, field):
            reported.add(field)
            fail(*a)

        name, code = text(self.get(cells, "name")), text(self.get(cells, "code"))
        if (code and code in self.codes) or (name and name in self.names):
            return Issue(n, self.col("name"), f"项目「{name or code}」已存在，未重复导入", f"project '{name or code}' already present (skipped)")
        park = text(self.get(cells, "park"))
        park_id = self.parks.get(park) if park else None
        if park and park_id is None:
            bad(n, self.col("park"), f"园区「{park}」不存在", f"no park named '{park}'", field="park")
        stage = text(self.get(cells, "stage")) or "签约"
        stalled = stage.endswith(("（停滞）", "(停滞)"))
        stage = stage.removesuffix("（停滞）").removesuffix("(停滞)")
        data = dict(
            code=code or self._next_code(), name=name, company=text(self.get(cells, "company")),
            industry=text(self.get(cells, "industry")), park_id=park_id,
            kind=text(self.get(cells, "kind")) or "新引进", stage=stage, stalled=stalled,
            agreed_investment=self.money(n, cells, "agreed_investment", lambda *a: bad(*a, field="agreed_investment")),
            annual_plan=self.money(n, cells, "annual_plan", lambda *a: bad(*a, field="annual_plan")),
            leader_id=self.person(n, cells, "leader", lambda *a: bad(*a, field="leader")),
            officer_id=self.person(n, cells, "officer", lambda *a: bad(*a, field="officer")),
            lead_department_id=self.department(n, cells, "lead_department", lambda *a: bad(*a, field="lead_department")),
            source_event=text(self.get(cells, "source_event")), notes=text(self.get(cells, "notes")),
            **{f: self.date(n, cells, f, lambda *a, f=f: bad(*a, field=f))
               for f in ("signed_on", "start_on", "target_production_on")},
        )
        c = Checker()
        clean = _check_project(self.tx, c, data, None)
        if c.errors:
            self.report(n, ValidationError(c.errors), fail, reported)
            return None
        if reported:
            return None
        self.codes.add(clean["code"])
        self.names.add(clean["name"])
        return clean, ""

    def _next_code(self) -> str:
        while f"{self.prefix}{self.next_num:03d}" in self.codes:
            self.next_num += 1
        return f"{self.prefix}{self.next_num:03d}"

    def project_of(self, obj_id: int, row: dict) -> int:
        return obj_id

    def events(self, ids, rows, notes, now):
        return []
